import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'fs';
import { basename, dirname, join } from 'path';
import * as api from '../src';
import { builtLib } from './built';
import { generatedTypeFiles } from '../scripts/generated-types';
import { PROFILE_NAMES } from '../src/internal';

const root = join(__dirname, '..');

/**
 * What API.md and the options schemas are generated from the sources (as `npm run synth` writes them), by path from
 * the root: scripts/generated-types.ts, which keeps them in node_modules/.cache while no input changes.
 */
let generatedFiles: Record<string, string> | undefined;
const generated = (): Record<string, string> => (generatedFiles ??= generatedTypeFiles());

test('API.md is the current public API (run `npm run synth` when this fails)', () => {
  expect(readFileSync(join(root, 'API.md'), 'utf8')).toBe(generated()['API.md']);
});

// The two generators read one TypeScript program of the sources (scripts/source-program.ts, built once by
// scripts/generated-types.ts).
test('the options schemas in src/data are fresh from the TypeScript options types (run `npm run synth` when this fails)', () => {
  const schemaDir = join('src', 'data', 'options-schemas');
  const fresh = Object.fromEntries(
    Object.entries(generated())
      .filter(([path]) => dirname(path) === schemaDir)
      .map(([path, content]) => [basename(path, '.json'), content]),
  );
  expect(Object.keys(fresh).sort()).toEqual([...PROFILE_NAMES].sort());
  expect(readdirSync(join(root, schemaDir)).sort()).toEqual(PROFILE_NAMES.map(p => `${p}.json`).sort());
  for (const [name, content] of Object.entries(fresh)) {
    expect({ name, content: readFileSync(join(root, schemaDir, `${name}.json`), 'utf8') }).toEqual({ name, content });
  }
  // Prose defaults moved into the description; the rest are values.
  const eks = JSON.parse(fresh['eks-efa']);
  expect(eks.properties.devicePlugin.properties.imageTag.default).toBeUndefined();
  expect(eks.properties.devicePlugin.properties.imageTag.description).toMatch(/Default: 'v\d+\.\d+\.\d+'/);
  expect(eks.properties.benchmarks.properties.efaDevices.default).toBe(1);
});

test('the package entry exports constructs, profiles and the error type, not the plumbing', () => {
  const names = Object.keys(api);
  for (const internal of [
    'sha256',
    'writeFileAtomic',
    'listFiles',
    'parseIp',
    'toQuantities',
    'podPlacement',
    'withOptionPrefix',
    'toYaml',
    'synthProfile',
    'report',
  ]) {
    expect({ internal, exported: names.includes(internal) }).toEqual({ internal, exported: false });
  }
  for (const name of [
    'EksEfaProfile',
    'OpenShiftEfaProfile',
    'BaremetalIpoibProfile',
    'EfaDevicePlugin',
    'MpiLatencyJob',
    'IpoibNetwork',
    'RdmaOptionError',
    'PROFILES',
  ]) {
    expect(names).toContain(name);
  }
  expect(names.length).toBeLessThan(80); // values; the types are in API.md
});

test("require('cdk8s-rdma') loads neither commander, ajv nor vega (they serve the command and the report), nor cdk8s-plus-27's L2 constructs, nor the yaml library before it writes YAML", () => {
  // The package's main entry as built (test/built.ts), in a plain node process: what require('cdk8s-rdma') loads,
  // then what a synth to YAML adds. The yaml library is ours at node_modules/yaml (cdk8s loads its own copy).
  const lib = JSON.stringify(join(builtLib(), 'src'));
  const probe = `const api = require(${lib} + '/index.js');
    const ours = () => Object.keys(require.cache).filter(k => k.includes('/node_modules/yaml/') && !k.includes('/cdk8s/node_modules/')).length;
    const loaded = Object.keys(require.cache).filter(k => /node_modules\\/(commander|ajv|vega)(-[a-z]+)?\\//.test(k));
    const plus = Object.keys(require.cache).filter(k => k.includes('/node_modules/cdk8s-plus-27/'));
    const before = ours();
    new api.EksEfaProfile(new (require('cdk8s').App)(), 'p', {});
    const afterObjects = ours();
    require(${lib} + '/output/yaml.js').toYamlText({ a: 'x: y' });
    process.stdout.write(JSON.stringify({ loaded, plus: plus.map(k => k.split('/node_modules/cdk8s-plus-27/')[1]), yaml: [before, afterObjects, ours() > 0] }));`;
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  // Of cdk8s-plus-27, only the L1 classes (src/kube.ts says why); the yaml library with the first YAML written.
  expect(JSON.parse(r.stdout)).toEqual({ loaded: [], plus: ['lib/imports/k8s.js'], yaml: [0, 0, true] });
});

test('cdk8s and constructs are peer (and dev) dependencies only, so a consumer has one copy of each', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const dep of ['cdk8s', 'constructs']) {
    expect({ dep, peer: pkg.peerDependencies[dep] !== undefined, runtime: pkg.dependencies[dep] }).toEqual({
      dep,
      peer: true,
      runtime: undefined,
    });
    expect(pkg.devDependencies[dep]).toBe(pkg.peerDependencies[dep]);
  }
});

test('identity checks survive a second copy of cdk8s: a profile and a construct in an App of another copy synthesize', () => {
  // The library tests types by cdk8s's symbols (ApiObject.isApiObject, Chart.isChart), never by instanceof.
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap(e =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  for (const f of sources(join(root, 'src')))
    expect({ f, instanceOf: /instanceof (ApiObject|Chart|App)\b/.test(readFileSync(f, 'utf8')) }).toEqual({ f, instanceOf: false });

  const copy = join(root, 'node_modules', '.cache', 'cdk8s-second-copy', 'node_modules', 'cdk8s');
  if (!existsSync(copy)) {
    mkdirSync(join(copy, '..'), { recursive: true });
    cpSync(join(root, 'node_modules', 'cdk8s'), copy, { recursive: true });
  }
  try {
    const other = require(copy);
    expect(other.App).not.toBe(require('cdk8s').App);
    const app = new other.App();
    const chart = new other.Chart(app, 'mine', { disableResourceNameHashes: true });
    new api.EfaDevicePlugin(chart, 'plugin');
    expect(chart.toJson().map((o: any) => o.kind)).toEqual(['DaemonSet']);
    const profile = new api.EksEfaProfile(new other.App(), 'efa');
    expect(profile.toJson().length).toBeGreaterThan(5);
    expect(profile.checks.toJson().length).toBeGreaterThan(0);
  } finally {
    rmSync(join(copy, '..', '..'), { recursive: true, force: true });
  }
});

test("yaml is pinned to one version: the YAML writer promises its bytes (test/yaml.test.ts compares them with the library's)", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  expect(pkg.dependencies.yaml).toMatch(/^\d+\.\d+\.\d+$/);
  expect(require('yaml/package.json').version).toBe(pkg.dependencies.yaml);
});

test("comments and shipped data cite upstream sources, not the project's research notes (which users of the package never see)", () => {
  const { readdirSync, statSync } = require('fs');
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n: string) =>
      statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : /\.(ts|json)$/.test(n) ? [join(d, n)] : [],
    );
  const cited = walk(join(root, 'src'))
    .flatMap(f =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((l, i) => [f, i + 1, l] as const),
    )
    .filter(([, , l]) =>
      /research (?:efa|ib|mpi-openshift|new-mechanisms)\.md|shared\/research|\b(?:efa|ib|mpi-openshift|new-mechanisms)\.md §/i.test(l),
    )
    .map(([f, n]) => `${f.slice(root.length + 1)}:${n}`);
  expect(cited).toEqual([]);
});
