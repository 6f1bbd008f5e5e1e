import { createHash } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { RdmaOptionError } from './errors';
import { DeviceClaim, addPodClaims } from './constructs/dra';
import { spreadAcrossNodes } from './kube';
import { selectorLabels, templateLabels } from './labels';
import { checkDnsLabel, checkPositiveInt } from './validate';

/**
 * One-shot checks (fi_info, pingpong, perftest, OSU jobs, test pods) live apart from the platform: a Job's
 * `spec.template` is immutable, so a check that kept its name across releases could never be applied again.
 * Every check object is named `<base>-<run id>`, where the run id is a hash of what the check runs (image,
 * command, resources, labels, including the package version): a new release or new options give new names
 * and so a new run, re-applying the same bundle changes nothing, and finished Jobs delete themselves
 * after `ttlSecondsAfterFinished`.
 */

/** Label on every check object and its pods: the run identity (`kubectl get jobs -l rdma.cdk8s.io/run=<id>`). */
export const RUN_LABEL = 'rdma.cdk8s.io/run';

/** Seconds a finished check Job (with its pods and their logs) stays before the TTL controller deletes it: one day. */
export const DEFAULT_CHECK_TTL_SECONDS = 86400;

/** Characters a run id adds to a name: `-` and 8 hex digits. */
export const RUN_ID_SUFFIX_LENGTH = 9;

/**
 * Context key that turns run ids off (`false`): check objects then keep their base names and carry no run
 * label. The Helm charts synthesize their checks so, since `helm test` deletes and re-creates its hooks itself.
 */
export const RUN_IDS_CONTEXT_KEY = 'cdk8s-rdma/run-ids';

/**
 * The run id of a check under `scope`: the first 8 hex digits of the sha256 of its content as JSON (built
 * with its base name), or '' when run ids are off (RUN_IDS_CONTEXT_KEY). A change of key order in the
 * code that builds the content changes the id (the checks then run once more).
 */
export function runIdOf(scope: Construct, content: unknown): string {
  if (scope.node.tryGetContext(RUN_IDS_CONTEXT_KEY) === false) return '';
  // Plain JSON.stringify: the content is built by this library in a fixed key order, so the same content
  // gives the same text (a sorted-key JSON cost a 10,000-object app 15% of its synth for no other gain).
  return createHash('sha256').update(JSON.stringify(content), 'utf8').digest('hex').slice(0, 8);
}

/** The run label of a run id (none when run ids are off). */
export function runLabels(id: string): Record<string, string> {
  return id ? { [RUN_LABEL]: id } : {};
}

/**
 * Checks a check's base name: an RFC 1123 label short enough that `<base>-<run id>` plus `reserve`
 * characters the controller appends (e.g. mpi-operator's `-launcher`) still fit in 63.
 */
export function checkCheckName(where: string, option: string, base: string, reserve = 0): string {
  checkDnsLabel(where, option, base);
  const max = 63 - RUN_ID_SUFFIX_LENGTH - reserve;
  if (base.length > max) {
    throw new RdmaOptionError(
      where,
      option,
      base,
      'is too long for a check name',
      `at most ${max} characters (the run id adds ${RUN_ID_SUFFIX_LENGTH}${reserve > 0 ? `, the controller ${reserve}` : ''})`,
    );
  }
  return base;
}

/** `<base>-<run id>`, or the base name when run ids are off. */
export function runName(base: string, id: string): string {
  return id ? `${base}-${id}` : base;
}

/** `ttlSecondsAfterFinished` of a check, checked. */
export function checkTtl(where: string, value: number | undefined): number {
  return checkPositiveInt(where, 'ttlSecondsAfterFinished', value ?? DEFAULT_CHECK_TTL_SECONDS);
}

/**
 * The chart of a profile's one-shot checks, nested in the profile chart: its objects are not part of the
 * profile's own `toJson()` (cdk8s gives an object to its closest chart), so they go to a bundle of their
 * own (`dist/<profile>-checks/`) and become `helm test` hooks in the Helm chart.
 */
export class ChecksChart extends Chart {
  constructor(scope: Construct, id: string = 'Checks') {
    super(scope, id, { disableResourceNameHashes: true });
  }
}

/** What a check's run id is computed from, and what it names: its base name, namespace and labels. */
export interface CheckIdentity {
  readonly name: string;
  readonly namespace: string;
  /** The check's standard labels (with the version: a new release is a new run). */
  readonly labels: Record<string, string>;
  /** The pods' claim for their RDMA devices (DRA), if they take them from a ResourceClaimTemplate. */
  readonly deviceClaim?: DeviceClaim;
}

/** A check's run: its id, its objects' name and the labels to add to them and their pods. */
export interface CheckRun {
  readonly runId: string;
  readonly jobName: string;
  readonly run: Record<string, string>;
}

/**
 * Names a check by its content: `build(name, run)` returns the check's spec for a Job name and run labels;
 * the run id hashes the spec built with the base name and no run label, then the spec is built for real.
 */
export function checkRun<T>(
  scope: Construct,
  id: CheckIdentity,
  build: (jobName: string, run: Record<string, string>) => T,
): CheckRun & { spec: T } {
  const content = { name: id.name, namespace: id.namespace, labels: id.labels, spec: build(id.name, {}) };
  // The claim's template is part of what runs (absent, the ids stay those of earlier releases).
  const runId = runIdOf(scope, id.deviceClaim ? { ...content, deviceClaim: id.deviceClaim } : content);
  const jobName = runName(id.name, runId);
  const run = runLabels(runId);
  return { runId, jobName, run, spec: build(jobName, run) };
}

/** A one-shot Job named for its run (see checkRun): `template(run)` is its pod template. */
export function checkJob(
  scope: Construct,
  id: CheckIdentity,
  spec: Omit<k8s.JobSpec, 'template' | 'ttlSecondsAfterFinished'> & { ttl: number },
  template: (run: Record<string, string>) => k8s.PodTemplateSpec,
): CheckRun {
  const { ttl, ...rest } = spec;
  const r = checkRun(scope, id, (_jobName, run): k8s.JobSpec => ({ ...rest, ttlSecondsAfterFinished: ttl, template: template(run) }));
  newJob(scope, { name: r.jobName, namespace: id.namespace, labels: { ...id.labels, ...r.run } }, r.spec, id.deviceClaim);
  return r;
}

export interface CheckPairProps extends CheckIdentity {
  readonly ttl: number;
  /** Ports of the headless Service. @default none */
  readonly ports?: k8s.ServicePort[];
  /**
   * The pod template both pods share, given the DNS name of the server pod (index 0) and the run labels;
   * its containers read `JOB_COMPLETION_INDEX` (0 serves, 1 connects).
   */
  readonly template: (serverHost: string, run: Record<string, string>) => k8s.PodTemplateSpec;
}

/**
 * A server/client pair as one Indexed Job of two pods on two nodes (Kubernetes docs "Job with Pod-to-Pod
 * Communication": pods are named `<job>-<index>` and, with the headless Service as their subdomain, resolve
 * as `<job>-<index>.<service>.<namespace>.svc`). One object, so the pair completes or fails as a whole and
 * a `helm test` hook can wait for it. The Service keeps the base name and selects this run's pods only.
 */
export function checkPair(scope: Construct, props: CheckPairProps): CheckRun & { serverHost: string } {
  const serverHost = (jobName: string) => `${jobName}-0.${props.name}.${props.namespace}.svc`;
  const r = checkRun(scope, props, (jobName, run): k8s.JobSpec => {
    const t = props.template(serverHost(jobName), run);
    return {
      completionMode: 'Indexed',
      completions: 2,
      parallelism: 2,
      backoffLimit: 0,
      ttlSecondsAfterFinished: props.ttl,
      template: {
        metadata: { ...t.metadata, labels: templateLabels({ ...props.labels, ...run }) },
        spec: {
          ...t.spec!,
          subdomain: props.name,
          restartPolicy: 'Never',
          // Two different nodes: the point is the fabric between them.
          affinity: spreadAcrossNodes({ ...selectorLabels(scope, props.name), ...run }),
        },
      },
    };
  });
  new k8s.KubeService(scope, 'Service', {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      clusterIp: 'None',
      // The client may connect before the server pod reports Ready.
      publishNotReadyAddresses: true,
      // This run's pods only: an older run's pods may still be there until their TTL.
      selector: { ...selectorLabels(scope, props.name), ...r.run },
      ports: props.ports,
    },
  });
  newJob(scope, { name: r.jobName, namespace: props.namespace, labels: { ...props.labels, ...r.run } }, r.spec, props.deviceClaim);
  return { ...r, serverHost: serverHost(r.jobName) };
}

/**
 * The check's Job. With a device claim, a plain ApiObject whose pod spec gets `resourceClaims` in the
 * resource.k8s.io/v1 shape: the 1.27 L1 class would drop `resourceClaimTemplateName` (it knows only `source`).
 */
function newJob(scope: Construct, metadata: k8s.ObjectMeta, spec: k8s.JobSpec, claim: DeviceClaim | undefined): void {
  if (!claim) {
    new k8s.KubeJob(scope, 'Resource', { metadata, spec });
    return;
  }
  const job = new ApiObject(scope, 'Resource', { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: k8s.toJson_JobSpec(spec) });
  addPodClaims(job, '/spec/template/spec', claim);
}
