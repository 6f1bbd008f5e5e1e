import { migrateOptions } from './deprecations';
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { RUN_IDS_CONTEXT_KEY } from './checks';
import { CHART_GATES_CONTEXT_KEY, GateAtom, gatesOfObject } from './gates';
import { HELM_TEST_WAITERS_CONTEXT_KEY } from './constructs/mpi-latency-job';
import { BundleFile, KubeObject, renderBundle } from './output/bundle';
import { PROFILES, PROFILE_NAMES } from './profiles';
import { RdmaOptionError } from './errors';

/** A profile's objects by lifecycle: the platform (stays installed) and the one-shot checks. */
export interface ProfileObjects {
  readonly platform: KubeObject[];
  readonly checks: KubeObject[];
  /** In gate mode (SynthOptions.gates): the gates of each platform object, then of each check. */
  readonly gates?: { readonly platform: (readonly GateAtom[])[]; readonly checks: (readonly GateAtom[])[] };
  /** In gate mode: the construct path of each platform object, then of each check. */
  readonly paths?: { readonly platform: string[]; readonly checks: string[] };
}

/** The folder of a profile's checks bundle, beside the platform bundle: `<profile>-checks`. */
export const checksBundleName = (profile: string) => `${profile}-checks`;

export interface SynthOptions {
  /**
   * Name check objects `<base>-<run id>` and label them with the run (RUN_LABEL). The Helm charts turn
   * this off: `helm test` deletes and re-creates its hooks.
   * @default true
   */
  readonly runIds?: boolean;
  /**
   * Gate mode, for the Helm chart generator: build every `gate()` of the profile and report the gates of each
   * object (src/gates.ts).
   * @default false
   */
  readonly gates?: boolean;
  /** Each MPI job also emits a Job that waits for it (the Helm charts' `helm test`; MpiLatencyJob). */
  readonly helmTestWaiters?: boolean;
}

/** The objects a profile synthesizes for the given options, platform and checks apart. */
export function synthProfileParts(profile: string, options: unknown = {}, synth: SynthOptions = {}): ProfileObjects {
  const def = PROFILES[profile];
  if (!def) {
    throw new RdmaOptionError('cdk8s-rdma', 'profile', profile, 'is not a known profile', PROFILE_NAMES.join(', '));
  }
  // The app is never synthesized to disk: the bundle writer takes the charts' objects.
  const app = new App();
  if (synth.runIds === false) app.node.setContext(RUN_IDS_CONTEXT_KEY, false);
  if (synth.gates === true) app.node.setContext(CHART_GATES_CONTEXT_KEY, true);
  if (synth.helmTestWaiters === true) app.node.setContext(HELM_TEST_WAITERS_CONTEXT_KEY, true);
  const chart = def.create(app, options ?? {});
  // toJson() resolves dependencies and validates the whole app; the checks chart is then read as cdk8s reads
  // a chart (its API objects in dependency order), without validating the app a second time.
  const platform = chart.toJson() as KubeObject[];
  const checkObjects = apiObjectsOf(chart.checks);
  const checks = checkObjects.map(x => x.toJson() as KubeObject);
  if (synth.gates !== true) return { platform, checks };
  // The platform's API objects in the order toJson() gave them (cdk8s's chartToKube: dependency order).
  const platformObjects = apiObjectsOf(chart);
  return {
    platform,
    checks,
    gates: { platform: platformObjects.map(gatesOfObject), checks: checkObjects.map(gatesOfObject) },
    paths: { platform: platformObjects.map(o => o.node.path), checks: checkObjects.map(o => o.node.path) },
  };
}

/** A chart's own API objects in dependency order, as cdk8s synthesizes them (cdk8s lib/app.js chartToKube). */
function apiObjectsOf(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology().filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart);
}

/** Every object a profile synthesizes for the given options: the platform's, then the checks'. */
export function synthProfile(profile: string, options: unknown = {}, synth: SynthOptions = {}): KubeObject[] {
  const { platform, checks } = synthProfileParts(profile, options, synth);
  return [...platform, ...checks];
}

/** The files of dist/<profile>/ (the platform) for the given options. */
export function bundleFor(profile: string, options: unknown = {}): BundleFile[] {
  return bundlesFor(profile, options).platform;
}

/** The files of dist/<profile>/ and dist/<profile>-checks/ for the given options, from one synth. */
export function bundlesFor(profile: string, options: unknown = {}): { platform: BundleFile[]; checks: BundleFile[] } {
  // bundle.json records the options under their current names (a deprecated path is read for one release only).
  const current = migrateOptions(profile, PROFILES[profile]?.deprecatedOptions ?? [], (options ?? {}) as object);
  const parts = synthProfileParts(profile, current);
  return {
    platform: renderBundle({ profile, options: current, objects: parts.platform, lifecycle: 'platform' }),
    checks: renderBundle({ profile, options: current, objects: parts.checks, lifecycle: 'checks' }),
  };
}
