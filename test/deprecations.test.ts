import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { deprecationMessage, migrateOptions, onDeprecation } from '../src/deprecations';
import { optionLeaves, optionsSchema } from '../src/options-schema';
import { PROFILES, PROFILE_NAMES, synthProfile } from '../src/internal';
import { setPath } from '../src/helm/infer';
import { runCli } from './run-cli';
import { expectDifferentJson, expectSameJson } from './helpers';

/** Runs `f` with deprecations collected instead of emitted as process warnings. */
function collecting<T>(f: () => T): { result: T; said: string[] } {
  const said: string[] = [];
  const previous = onDeprecation(m => said.push(m));
  try {
    return { result: f(), said };
  } finally {
    onDeprecation(previous);
  }
}

/** Values a deprecated path needs beside it to mean anything (the DRA driver exists only with deviceApi dra). */
const CONTEXT: Record<string, object> = { 'dra.install': { deviceApi: 'dra' } };
/** Values each deprecated path is tried with, the first unlike its default (switches: false, then true). */
const SAMPLES: Record<string, readonly unknown[]> = {
  'benchmarks.benchmark': ['osu_bw', 'osu_latency'],
  'benchmarks.messageSizes': ['1:1024'],
  'benchmarks.iterations': [50],
  'tests.mpi': [{ enabled: false }, { benchmark: 'osu_bw' }],
  tests: [{ testPod: false }, { bandwidth: { program: 'ib_write_bw' } }],
};

describe('migrateOptions', () => {
  const EKS = PROFILES['eks-efa'].deprecatedOptions;
  test('moves the old path to the new one, leaves the input as it was, and says so once', () => {
    const input = { mpiOperator: { install: false, namespace: 'mpi' } };
    const { result, said } = collecting(() => [migrateOptions('eks-efa', EKS, input), migrateOptions('eks-efa', EKS, input)]);
    expect(result[0]).toEqual({ mpiOperator: { enabled: false, namespace: 'mpi' } });
    expect(input).toEqual({ mpiOperator: { install: false, namespace: 'mpi' } });
    expect(said).toEqual(['eks-efa: mpiOperator.install is deprecated and is read until 0.2.0; use mpiOperator.enabled']);
  });

  test('a path into a new sub-object (nfd.installOperator -> nfd.operator.enabled) keeps the siblings', () => {
    const { result } = collecting(() =>
      migrateOptions('openshift-efa', PROFILES['openshift-efa'].deprecatedOptions, { nfd: { installOperator: false, instance: false } }),
    );
    expect(result).toEqual({ nfd: { operator: { enabled: false }, instance: false } });
  });

  test("openshift-efa's former benchmarks.jobs and OSU fields land in eks-efa's shape; the emptied jobs map goes", () => {
    const old = {
      benchmarks: { benchmark: 'osu_bw', iterations: 50, jobs: { tcp: false, support: false, openmpi: true, intel: false }, efaDevices: 2 },
    };
    const { result, said } = collecting(() => migrateOptions('openshift-efa', PROFILES['openshift-efa'].deprecatedOptions, old));
    expect(result).toEqual({
      benchmarks: {
        efaDevices: 2,
        fiInfo: false,
        osu: { benchmark: 'osu_bw', iterations: 50, tcpTwin: false, openmpi: true, intel: false },
      },
    });
    expect(said.length).toBe(6);
  });

  test("baremetal-ipoib's former tests (with mpi) become benchmarks (with osu), merged with what benchmarks already holds", () => {
    const BM = PROFILES['baremetal-ipoib'].deprecatedOptions;
    const { result, said } = collecting(() =>
      migrateOptions('baremetal-ipoib', BM, { tests: { testPod: false, mpi: { benchmark: 'osu_bw' } }, benchmarks: { memory: '2Gi' } }),
    );
    expect(result).toEqual({ benchmarks: { memory: '2Gi', testPod: false, osu: { benchmark: 'osu_bw' } } });
    expect(said).toEqual([
      'baremetal-ipoib: tests.mpi is deprecated and is read until 0.2.0; use benchmarks.osu',
      'baremetal-ipoib: tests is deprecated and is read until 0.2.0; use benchmarks',
    ]);
    expect(() =>
      collecting(() => migrateOptions('baremetal-ipoib', BM, { tests: { testPod: false }, benchmarks: { testPod: true } })),
    ).toThrow(
      'baremetal-ipoib: tests.testPod false contradicts benchmarks.testPod true (tests is the deprecated name of benchmarks); allowed: benchmarks.testPod alone',
    );
  });

  test('options without deprecated paths come back as they are, silently', () => {
    const input = { mpiOperator: { enabled: false } };
    const { result, said } = collecting(() => migrateOptions('eks-efa', EKS, input));
    expect(result).toBe(input);
    expect(said).toEqual([]);
  });

  test('both names with the same value are one option; with different values, an error naming both', () => {
    expect(collecting(() => migrateOptions('eks-efa', EKS, { mpiOperator: { install: false, enabled: false } })).result).toEqual({
      mpiOperator: { enabled: false },
    });
    expect(() => collecting(() => migrateOptions('eks-efa', EKS, { mpiOperator: { install: false, enabled: true } }))).toThrow(
      'eks-efa: mpiOperator.install false contradicts mpiOperator.enabled true (mpiOperator.install is the deprecated name of mpiOperator.enabled); allowed: mpiOperator.enabled alone',
    );
  });
});

describe.each(PROFILE_NAMES)('deprecated options of %s', profile => {
  const deprecated = PROFILES[profile].deprecatedOptions;

  test('every old and new path is an option of the profile (a leaf, or a group of them)', () => {
    const leaves = optionLeaves(optionsSchema(profile)).map(l => l.path);
    const isOption = (p: string) => leaves.some(l => l === p || l.startsWith(`${p}.`));
    expect(deprecated.length).toBeGreaterThan(0);
    for (const d of deprecated) expect({ d, from: isOption(d.from), to: isOption(d.to) }).toEqual({ d, from: true, to: true });
  });

  test.each(deprecated.map(d => [d.from, d] as const))('%s still works: the same objects as its new name, with a warning', (_from, d) => {
    const samples = SAMPLES[d.from] ?? [false, true];
    const base = (CONTEXT[d.from] ?? {}) as Record<string, unknown>;
    const results = samples.map(value => {
      const { result, said } = collecting(() => synthProfile(profile, setPath(base, d.from, value)));
      expect(said).toEqual([deprecationMessage(profile, d)]);
      expectSameJson(result, synthProfile(profile, setPath(base, d.to, value)));
      return result;
    });
    // The first sample differs from the default: the old path is really read.
    expectDifferentJson(results[0], synthProfile(profile, base));
  });
});

describe('the CLI with a deprecated path in a values file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rdma-deprecated-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('synth writes what the new name writes and prints one warning line', async () => {
    writeFileSync(join(dir, 'old.yaml'), 'mpiOperator:\n  install: false\n');
    writeFileSync(join(dir, 'new.yaml'), 'mpiOperator:\n  enabled: false\n');
    const old = await runCli(['synth', '-p', 'eks-efa', '-f', join(dir, 'old.yaml'), '-o', join(dir, 'old')]);
    expect(old).toEqual({
      code: 0,
      out: expect.any(String),
      err: 'cdk8s-rdma: warning: eks-efa: mpiOperator.install is deprecated and is read until 0.2.0; use mpiOperator.enabled\n',
    });
    const fresh = await runCli(['synth', '-p', 'eks-efa', '-f', join(dir, 'new.yaml'), '-o', join(dir, 'new')]);
    expect(fresh.err).toBe('');
    const bundle = (out: string) => readFileSync(join(dir, out, 'eks-efa', 'bundle.json'), 'utf8');
    expect(bundle('old')).toBe(bundle('new'));
    // A chart written from it takes the new name (its values schema has no deprecated paths).
    const chart = await runCli([
      'synth',
      '-p',
      'eks-efa',
      '-f',
      join(dir, 'old.yaml'),
      '--format',
      'helm',
      '--charts',
      join(dir, 'charts'),
      '-o',
      join(dir, 'old-helm'),
    ]);
    expect(chart.code).toBe(0);
    const values = readFileSync(join(dir, 'charts', 'eks-efa', 'values.yaml'), 'utf8');
    expect(values).toMatch(/^mpiOperator:\n(?: {2}#.*\n)* {2}enabled: false$/m);
    expect(values).not.toMatch(/^ {2}install:/m);
  });

  test('the old and the new name set differently: exit 2, one line, nothing written', async () => {
    writeFileSync(join(dir, 'both.yaml'), 'mpiOperator:\n  install: false\n  enabled: true\n');
    const r = await runCli(['synth', '-p', 'eks-efa', '-f', join(dir, 'both.yaml'), '-o', join(dir, 'both')]);
    expect(r).toEqual({
      code: 2,
      out: '',
      err: 'cdk8s-rdma: eks-efa: mpiOperator.install false contradicts mpiOperator.enabled true (mpiOperator.install is the deprecated name of mpiOperator.enabled); allowed: mpiOperator.enabled alone\n',
    });
  });
});
