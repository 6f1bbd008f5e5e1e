import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PROFILE_NAMES, synthProfile } from '../src/internal';
import { builtLib } from './built';
import { yamlFiles } from './reference';
import { readDocuments } from './helpers';
import { nodeArgs } from './node-child';

const root = join(__dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byKey = (objs: any[]) => Object.fromEntries(objs.map(o => [key(o), o]));

describe('the npm package, as a user consumes it', () => {
  let work: string;
  beforeAll(() => {
    builtLib();
    work = mkdtempSync(join(tmpdir(), 'rdma-consumer-'));
    mkdirSync(join(work, 'node_modules'));
    symlinkSync(root, join(work, 'node_modules', 'cdk8s-rdma'));
    for (const dep of ['cdk8s', 'constructs', '@types']) symlinkSync(join(root, 'node_modules', dep), join(work, 'node_modules', dep));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('package.json points at built files and ships only what users need', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('lib/src/index.js');
    expect(pkg.types).toBe('lib/src/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './lib/src/index.d.ts', default: './lib/src/index.js' });
    expect(pkg.bin['cdk8s-rdma']).toBe('lib/src/cli.js');
    expect(pkg.peerDependencies).toMatchObject({ cdk8s: expect.any(String), constructs: expect.any(String) });
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const files: string[] = packed[0].files.map((f: any) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'lib/src/index.js',
        'lib/src/index.d.ts',
        'lib/src/cli.js',
        'lib/src/data/efa-instance-types.json',
        'lib/imports/kubeflow.org.js',
        'package.json',
      ]),
    );
    expect(files.filter(f => /^(src|test|dist|snapshots|node_modules)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual(
      [],
    );
    // The license the package declares ships with it, and a pack from a fresh clone builds lib/ first.
    expect(files).toContain('LICENSE');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  test('a custom chart composed from the package entry synthesizes (JavaScript)', () => {
    writeFileSync(
      join(work, 'app.js'),
      `
      const { App, Chart } = require('cdk8s');
      const { EfaDevicePlugin, MpiLatencyJob } = require('cdk8s-rdma');
      const app = new App({ outdir: ${JSON.stringify(join(work, 'out'))} });
      const chart = new Chart(app, 'my-hpc', { disableResourceNameHashes: true });
      new EfaDevicePlugin(chart, 'efa', { nodeTargeting: 'node-labels', nodeLabels: { 'vpc.amazonaws.com/efa': 'enabled' } });
      new MpiLatencyJob(chart, 'lat', { namespace: 'team-a', image: 'registry.example.com/efa-openmpi:1.0.0' });
      app.synth();
    `,
    );
    execFileSync(process.execPath, nodeArgs([join(work, 'app.js')]), { cwd: work });
    const objs = readDocuments(readFileSync(join(work, 'out', 'my-hpc.k8s.yaml'), 'utf8'));
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'DaemonSet/aws-efa-k8s-device-plugin',
      expect.stringMatching(/^MPIJob\/osu-latency-efa-[0-9a-f]{8}$/),
    ]);
    expect(objs[0].spec.template.spec.nodeSelector).toEqual({ 'vpc.amazonaws.com/efa': 'enabled' });
    expect(objs[1].metadata.labels['app.kubernetes.io/instance']).toBe('my-hpc');
  });

  test('the type declarations compile for a TypeScript user', () => {
    writeFileSync(
      join(work, 'app.ts'),
      `
      import { App, Chart } from 'cdk8s';
      import { EfaDevicePlugin, EksEfaOptions, EksEfaProfile, RdmaOptionError } from 'cdk8s-rdma';
      const options: EksEfaOptions = { devicePlugin: { privileged: true }, benchmarks: { efaDevices: 4 } };
      const app = new App();
      new EksEfaProfile(app, 'efa', options);
      new EfaDevicePlugin(new Chart(app, 'x'), 'p', { instanceTypes: ['p5.48xlarge'] });
      export const e: RdmaOptionError | undefined = undefined;
    `,
    );
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        // A Node project's settings (as @tsconfig/node20's: an ES lib without the DOM's), with every declaration
        // file checked, ours included.
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          lib: ['ES2022'],
          skipLibCheck: false,
          types: [],
        },
        files: ['app.ts'],
      }),
    );
    execFileSync(process.execPath, nodeArgs([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(work, 'tsconfig.json')]), {
      cwd: work,
    });
  });

  test('the built command writes the same bundle as npm run synth', () => {
    const out = join(work, 'cli-dist');
    execFileSync(process.execPath, nodeArgs([join(root, 'lib', 'src', 'cli.js'), 'synth', '--out', out]), { cwd: work });
    for (const p of PROFILE_NAMES) {
      expect(readFileSync(join(out, p, 'bundle.json'), 'utf8')).toBe(readFileSync(join(root, 'dist', p, 'bundle.json'), 'utf8'));
    }
  });

  test('npx cdk8s synth (cdk8s.yaml) emits the same objects as the bundles', () => {
    const out = join(work, 'cdk8s-out');
    execFileSync(bin('cdk8s'), ['synth', '--no-check-upgrade', '--output', out], { cwd: root, stdio: 'ignore' });
    const fromCli = yamlFiles(out).flatMap(f => readDocuments(readFileSync(f, 'utf8')));
    const expected = PROFILE_NAMES.flatMap(p => synthProfile(p));
    expect(Object.keys(byKey(fromCli)).sort()).toEqual(Object.keys(byKey(expected)).sort());
    expect(byKey(fromCli)).toEqual(byKey(expected));
  });
});
