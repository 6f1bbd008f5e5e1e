import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runCli } from './run-cli';
import { PACKAGE_VERSION } from '../src/version';
import { readDocument } from './helpers';

const run = runCli;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdma-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A sample benchmark log of ours (test/fixtures/report). */
function fixture(name: string): string {
  return join(__dirname, 'fixtures', 'report', name);
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('cdk8s-rdma', () => {
  test('--version and --help exit 0; no command prints the usage and exits 2', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, out: `${PACKAGE_VERSION}\n`, err: '' });
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('Commands:') });
    expect(await run(['synth', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('--values <file>') });
    expect(await run(['list', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('--profile <name>') });
    expect(await run([])).toMatchObject({ code: 2, out: expect.stringContaining('Usage: cdk8s-rdma') });
  });

  test('list prints every profile and every option with its type and default', async () => {
    const { code, out } = await run(['list']);
    expect(code).toBe(0);
    for (const p of ['baremetal-ipoib', 'eks-efa', 'openshift-efa']) expect(out).toMatch(new RegExp(`^${p}\\t`, 'm'));
    expect(out).toMatch(/^ {2}benchmarks\.efaDevices +integer {2}\(default: 1\)$/m);
    expect(out).toMatch(/^ {2}mode +"bundle" \| "operator" {2}\(default: "bundle"\)$/m);
    expect((await run(['list', '--profile', 'eks-efa'])).out).not.toContain('baremetal-ipoib');
  });

  test('synth --values writes the bundle for those options, and bundle.json records them', async () => {
    const values = file('v.yaml', 'benchmarks:\n  efaDevices: 4\n  osu:\n    tcpTwin: false\n');
    const r = await run(['synth', '--profile', 'eks-efa', '--values', values, '--out', join(dir, 'out')]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['eks-efa', 'eks-efa-checks']);
    const files = readdirSync(join(dir, 'out', 'eks-efa-checks'));
    expect(files.filter(f => f.startsWith('90-mpijob-'))).toEqual([
      expect.stringMatching(/^90-mpijob-osu-latency-efa-[0-9a-f]{8}\.rdma-benchmarks\.yaml$/),
    ]);
    const job = readDocument(
      readFileSync(
        join(
          dir,
          'out',
          'eks-efa-checks',
          files.find(f => f.startsWith('90-mpijob-'))!,
        ),
        'utf8',
      ),
    );
    expect(job.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe('4');
    expect(JSON.parse(readFileSync(join(dir, 'out', 'eks-efa', 'bundle.json'), 'utf8')).options).toEqual({
      benchmarks: { efaDevices: 4, osu: { tcpTwin: false } },
    });
  });

  test('--checks-only writes the checks bundles and leaves the platform bundles alone', async () => {
    const out = join(dir, 'checks-only');
    const r = await run(['synth', '--checks-only', '--out', out]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(readdirSync(out).sort()).toEqual(['baremetal-ipoib-checks', 'eks-efa-checks', 'openshift-efa-checks']);
    expect(r.out.trim().split('\n')).toEqual(
      ['baremetal-ipoib', 'eks-efa', 'openshift-efa'].map(p =>
        expect.stringMatching(new RegExp(`^${join(out, `${p}-checks`)}/ \\(\\d+ files\\)$`)),
      ),
    );
    const bad = await run(['synth', '--checks-only', '--format', 'helm', '--out', join(dir, 'never')]);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toBe(
      'cdk8s-rdma: --checks-only "helm" writes YAML bundles only (the charts carry the checks as helm test hooks); allowed: --checks-only with --format yaml\n',
    );
    expect(readdirSync(dir)).not.toContain('never');
  });

  test('an empty values file means the defaults', async () => {
    expect((await run(['synth', '-p', 'eks-efa', '-f', file('empty.yaml', '# nothing to change\n'), '-o', join(dir, 'a')])).code).toBe(0);
    expect((await run(['synth', '-p', 'eks-efa', '-o', join(dir, 'b')])).code).toBe(0);
    const files = readdirSync(join(dir, 'b', 'eks-efa')).filter(f => f !== 'bundle.json');
    expect(readdirSync(join(dir, 'a', 'eks-efa')).filter(f => f !== 'bundle.json')).toEqual(files);
    for (const f of files)
      expect(readFileSync(join(dir, 'a', 'eks-efa', f), 'utf8')).toBe(readFileSync(join(dir, 'b', 'eks-efa', f), 'utf8'));
  });

  test('synth accepts JSON values files too', async () => {
    const values = file('v.json', JSON.stringify({ mode: 'operator' }));
    expect((await run(['synth', '-p', 'baremetal-ipoib', '-f', values, '-o', join(dir, 'out')])).code).toBe(0);
    expect(readdirSync(join(dir, 'out', 'baremetal-ipoib'))).toContain('50-nicclusterpolicy-nic-cluster-policy.yaml');
  });

  test('synth --format helm writes the chart folder and its archive only', async () => {
    expect((await run(['synth', '-p', 'eks-efa', '--format', 'helm', '-o', join(dir, 'out'), '--charts', join(dir, 'charts')])).code).toBe(
      0,
    );
    expect(readdirSync(join(dir, 'charts'))).toEqual(['eks-efa']);
    expect(readdirSync(join(dir, 'out'))).toEqual(['charts']);
    expect(readdirSync(join(dir, 'out', 'charts'))).toEqual([`eks-efa-${PACKAGE_VERSION}.tgz`]);
  });
});

/**
 * Bad input: every case exits 2 with exactly one line on stderr that names the problem, and writes
 * nothing (the output folder keeps what it had).
 */
describe('bad input', () => {
  const cases: [string, (d: string) => string[], RegExp][] = [
    ['unknown command', () => ['deploy'], /^cdk8s-rdma: unknown command 'deploy' \(run with --help for usage\)$/],
    ['unknown flag', () => ['synth', '--frobnicate'], /^cdk8s-rdma: unknown option '--frobnicate' \(run with --help for usage\)$/],
    ['unknown format', () => ['synth', '--format', 'xml'], /argument 'xml' is invalid. Allowed choices are yaml, helm, all/],
    [
      'unknown profile',
      () => ['synth', '--profile', 'gke-tcpx'],
      /^cdk8s-rdma: --profile "gke-tcpx" is not a known profile; allowed: baremetal-ipoib, eks-efa, openshift-efa$/,
    ],
    ['unknown profile for list', () => ['list', '--profile', 'x'], /^cdk8s-rdma: --profile "x" is not a known profile/],
    ['values without a profile', () => ['synth', '--values', 'v.yaml'], /^cdk8s-rdma: --values "v.yaml" needs --profile/],
    [
      'missing values file',
      d => ['synth', '-p', 'eks-efa', '-f', join(d, 'nope.yaml')],
      /--values ".*nope.yaml" cannot be read \(ENOENT\)/,
    ],
    [
      'values file is a folder',
      d => ['synth', '-p', 'eks-efa', '-f', d],
      /--values ".*" is not a regular file; allowed: a YAML or JSON file$/,
    ],
    [
      'values file over the size limit',
      () => ['synth', '-p', 'eks-efa', '-f', file('huge.yaml', `# ${'x'.repeat(4 * 1024 * 1024)}\n`)],
      /--values ".*huge.yaml" is 4194307 bytes; allowed: a values file of at most 4194304 bytes$/,
    ],
    [
      'a !!omap',
      () => ['synth', '-p', 'eks-efa', '-f', file('omap.yaml', '!!omap [benchmarks: {efaDevices: 2}]\n')],
      /--values ".*omap.yaml" uses the YAML tag !!omap at line 1, which options cannot hold/,
    ],
    [
      'a !!set',
      () => ['synth', '-p', 'eks-efa', '-f', file('set.yaml', 'benchmarks:\n  nodeSelector: !!set {a, b}\n')],
      /--values ".*set.yaml" uses the YAML tag !!set at line 2/,
    ],
    [
      'an unknown tag',
      () => ['synth', '-p', 'eks-efa', '-f', file('tag.yaml', 'benchmarks: !vault {efaDevices: 2}\n')],
      /--values ".*tag.yaml" is not valid YAML or JSON: Unresolved tag: !vault/,
    ],
    [
      'a self-referencing alias',
      () => ['synth', '-p', 'eks-efa', '-f', file('alias.yaml', 'benchmarks: &b {nodeSelector: *b}\n')],
      /--values ".*alias.yaml" has an alias \(\*b\) that contains itself at line 1/,
    ],
    [
      'a key with a newline and an escape sequence',
      () => ['synth', '-p', 'eks-efa', '-f', file('k.json', '{"bench\\nmarks\\u001b[31m": 1}')],
      /^cdk8s-rdma: eks-efa values: bench\\u000amarks\\u001b\[31m 1 is not a known option/,
    ],
    [
      '40,000 pod labels',
      () => [
        'synth',
        '-p',
        'eks-efa',
        '-f',
        file('labels.yaml', `devicePlugin:\n  podLabels:\n${Array.from({ length: 40000 }, (_, i) => `    k${i}: v\n`).join('')}`),
      ],
      /^cdk8s-rdma: eks-efa: devicePlugin.podLabels "40000 entries" is more than a synth handles; allowed: at most 1000 entries$/,
    ],
    [
      'a 10 MB value is shortened',
      () => ['synth', '-p', 'eks-efa', '-f', file('long.json', `{"instance": "${'a'.repeat(300000)}"}`)],
      /^cdk8s-rdma: eks-efa values: instance "a{199}\.\.\. \(300002 characters\) is too long; allowed: at most 63 characters$/,
    ],
    [
      'malformed YAML',
      () => ['synth', '-p', 'eks-efa', '-f', file('bad.yaml', 'benchmarks: [1, 2\n')],
      /--values ".*bad.yaml" is not valid YAML or JSON: /,
    ],
    [
      'duplicate keys',
      () => ['synth', '-p', 'eks-efa', '-f', file('dup.yaml', 'instance: a\ninstance: b\n')],
      /--values ".*dup.yaml" has the key "instance" twice at line 2; allowed: each key once in a map$/,
    ],
    [
      'values file is a list',
      () => ['synth', '-p', 'eks-efa', '-f', file('list.yaml', '- a\n- b\n')],
      /^cdk8s-rdma: eks-efa values: \(top level\) \["a","b"\] is not a map; allowed: object$/,
    ],
    [
      'unknown option',
      () => ['synth', '-p', 'eks-efa', '-f', file('u.yaml', 'benchmarks:\n  gpus: 8\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.gpus 8 is not a known option; allowed: .*efaDevices/,
    ],
    [
      'unknown top-level option',
      () => ['synth', '-p', 'openshift-efa', '-f', file('u.yaml', 'nodes: 4\n')],
      /^cdk8s-rdma: openshift-efa values: nodes 4 is not a known option; allowed: benchmarks, clusterAutoscaler, devicePlugin/,
    ],
    [
      'wrong type: string for a number',
      () => ['synth', '-p', 'eks-efa', '-f', file('t.yaml', 'benchmarks:\n  efaDevices: two\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.efaDevices "two" is not an integer; allowed: integer$/,
    ],
    [
      'fractional EFA devices',
      () => ['synth', '-p', 'eks-efa', '-f', file('f.yaml', 'benchmarks:\n  efaDevices: 1.5\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.efaDevices 1.5 is not an integer; allowed: integer$/,
    ],
    [
      'wrong type: number for a string',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('t.yaml', 'namespace: 42\n')],
      /namespace 42 is not a string; allowed: string$/,
    ],
    [
      'wrong type: map for a list',
      () => ['synth', '-p', 'eks-efa', '-f', file('t.yaml', 'devicePlugin:\n  tolerations:\n    key: a\n')],
      /devicePlugin.tolerations \{"key":"a"\} is not a list/,
    ],
    [
      'wrong type: string for a boolean',
      () => ['synth', '-p', 'eks-efa', '-f', file('t.yaml', 'devicePlugin:\n  enabled: "no"\n')],
      /devicePlugin.enabled "no" is not a boolean/,
    ],
    [
      'enum value',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('e.yaml', 'mode: sriov\n')],
      /^cdk8s-rdma: baremetal-ipoib values: mode "sriov" is not one of the allowed values; allowed: "bundle", "operator"$/,
    ],
    [
      'enum value in a list item',
      () => ['synth', '-p', 'eks-efa', '-f', file('e.yaml', 'benchmarks:\n  tolerations:\n    - key: a\n      effect: Sometimes\n')],
      /benchmarks.tolerations\[0\].effect "Sometimes" is not one of the allowed values/,
    ],
    [
      'zero EFA devices',
      () => ['synth', '-p', 'eks-efa', '-f', file('z.yaml', 'benchmarks:\n  efaDevices: 0\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.efaDevices 0 is out of range; allowed: a number from 1 to 32$/,
    ],
    [
      'negative EFA devices',
      () => ['synth', '-p', 'eks-efa', '-f', file('n.yaml', 'benchmarks:\n  efaDevices: -2\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.efaDevices -2 is out of range; allowed: a number from 1 to 32$/,
    ],
    [
      'huge pages as bytes that are not whole 2Mi pages',
      () => ['synth', '-p', 'eks-efa', '-f', file('hp.yaml', 'benchmarks:\n  hugepages2Mi: 3000000\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.hugepages2Mi 3000000 is not a multiple of 2097152; allowed: a multiple of 2097152$/,
    ],
    [
      'zero CPU as a number',
      () => ['synth', '-p', 'eks-efa', '-f', file('cpu0.yaml', 'benchmarks:\n  cpu: 0\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.cpu 0 is out of range; allowed: a number more than 0$/,
    ],
    [
      'bad CIDR',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('c.yaml', 'network:\n  ipam:\n    range: 10.0.0.0/33\n')],
      /^cdk8s-rdma: baremetal-ipoib values: network.ipam.range "10.0.0.0\/33" is not a CIDR range; allowed: an IPv4 or IPv6 CIDR/,
    ],
    [
      'gateway outside the range',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('g.yaml', 'network:\n  ipam:\n    range: 10.0.0.0/24\n    gateway: 10.0.1.1\n')],
      /^cdk8s-rdma: baremetal-ipoib: network.ipam.gateway "10.0.1.1" /,
    ],
    [
      'non-EFA instance type',
      () => ['synth', '-p', 'eks-efa', '-f', file('i.yaml', 'devicePlugin:\n  instanceTypes: [m5.large]\n')],
      /^cdk8s-rdma: eks-efa: devicePlugin.instanceTypes\[0\] "m5.large" does not support EFA/,
    ],
    [
      'bad huge page size',
      () => ['synth', '-p', 'openshift-efa', '-f', file('h.yaml', 'nodeConfig:\n  hugepages:\n    pageSize: 4M\n')],
      /nodeConfig.hugepages.pageSize "4M" is not one of the allowed values; allowed: "2M", "1G"$/,
    ],
    [
      'empty namespace',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('n.yaml', 'namespace: ""\n')],
      /^cdk8s-rdma: baremetal-ipoib values: namespace "" is not a valid name/,
    ],
    [
      'empty IPoIB master',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('m.yaml', 'network:\n  master: ""\n')],
      /network.master "" is empty/,
    ],
    [
      'latest image tag',
      () => ['synth', '-p', 'eks-efa', '-f', file('l.yaml', 'mpiOperator:\n  image: mpioperator/mpi-operator:latest\n')],
      /^cdk8s-rdma: eks-efa values: mpiOperator.image "mpioperator\/mpi-operator:latest" is not a pinned image/,
    ],
    [
      'operator option in bundle mode',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('o.yaml', 'operator:\n  multus: false\n')],
      /operator \{"multus":false\} does not apply in mode "bundle"/,
    ],
    [
      'helm format with an option the chart does not expose',
      () => ['synth', '-p', 'eks-efa', '--format', 'helm', '-f', file('v.yaml', 'devicePlugin:\n  imageTag: v0.5.21\n')],
      /^cdk8s-rdma: eks-efa chart: devicePlugin.imageTag "v0.5.21" is not a value of the chart \(use --format yaml for it\); allowed: .*devicePlugin.enabled/,
    ],
    [
      'helm format with the instance, which is the release name',
      () => ['synth', '-p', 'eks-efa', '--format', 'helm', '-f', file('i.yaml', 'instance: lab\n')],
      /^cdk8s-rdma: eks-efa chart: instance "lab" is not a value of the chart: the templates read \.Release\.Name; allowed: the release name \(helm install <name>\)$/,
    ],
    [
      'helm format with values the profile rejects',
      () => ['synth', '-p', 'eks-efa', '--format', 'helm', '-f', file('z.yaml', 'benchmarks:\n  efaDevices: 0\n')],
      /^cdk8s-rdma: eks-efa values: benchmarks.efaDevices 0 is out of range; allowed: a number from 1 to 32$/,
    ],
    [
      'DRA on a Kubernetes older than 1.34',
      () => ['synth', '-p', 'eks-efa', '-f', file('k.yaml', 'deviceApi: dra\nkubernetesVersion: "1.33"\n')],
      /^cdk8s-rdma: eks-efa: kubernetesVersion "1.33" is too old for deviceApi "dra" \(resource.k8s.io\/v1 is served from Kubernetes 1.34\); allowed: "1.34" or later, or deviceApi "device-plugin"$/,
    ],
    [
      'DRA on InfiniBand in operator mode',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('d.yaml', 'deviceApi: dra\nmode: operator\n')],
      /^cdk8s-rdma: baremetal-ipoib: deviceApi "dra" is not available in mode "operator"/,
    ],
    [
      'a Kubernetes version that is not one',
      () => ['synth', '-p', 'baremetal-ipoib', '-f', file('v.yaml', 'kubernetesVersion: v1.34\n')],
      /^cdk8s-rdma: baremetal-ipoib values: kubernetesVersion "v1.34" is not a Kubernetes minor version; allowed: a version such as "1.34"$/,
    ],
    ['report on an empty log', () => ['report', fixture('empty.log')], /^cdk8s-rdma: report: .*empty.log: the file is empty$/],
    [
      'report on a log of blank lines',
      () => ['report', fixture('blank-lines.log')],
      /^cdk8s-rdma: report: .*blank-lines.log: the file is empty$/,
    ],
    [
      'report on a garbage log',
      () => ['report', fixture('garbage.log')],
      /^cdk8s-rdma: report: .*garbage.log: no benchmark output found \(expected OSU/,
    ],
    [
      'report on a log cut after the OSU header',
      () => ['report', fixture('osu-latency-header-only.log')],
      /osu-latency-header-only.log:1: osu_latency output has a header but no data rows \(truncated log\?\)$/,
    ],
    [
      'report on a malformed OSU row',
      () => ['report', fixture('osu-latency-malformed.log')],
      /osu-latency-malformed.log:6: osu_latency row "8 +n\/a" is not "<size> <value>"$/,
    ],
    [
      'report on sizes out of order',
      () => ['report', fixture('osu-latency-unordered.log')],
      /osu-latency-unordered.log:6: osu_latency message sizes must increase; 2 follows 4$/,
    ],
    [
      'report on a malformed Markdown table',
      () => ['report', fixture('pingpong-table-malformed.md')],
      /pingpong-table-malformed.md:9: table row "\| 1m .*fast.*" needs a whole message size and a number of µs$/,
    ],
    ['report on a missing log', d => ['report', join(d, 'nope.log')], /^cdk8s-rdma: report: .*nope.log: cannot read it \(no such file\)$/],
    ['report on a folder', d => ['report', d], /^cdk8s-rdma: report: .*: cannot read it \(is a folder, not a log\)$/],
    [
      'report with an unknown baseline',
      () => ['report', fixture('fi-pingpong-efa.log'), '--baseline', 'h100'],
      /^cdk8s-rdma: report: --baseline "h100" is not a built-in baseline; allowed: efa-pingpong-m7g-pods, /,
    ],
    [
      'report with an unknown format',
      () => ['report', fixture('fi-pingpong-efa.log'), '--format', 'png'],
      /argument 'png' is invalid. Allowed choices are md, json, svg/,
    ],
    ['report without logs', () => ['report'], /^cdk8s-rdma: missing required argument 'logs' \(run with --help for usage\)$/],
  ];

  test.each(cases)('%s: exit 2, one line naming it, nothing written', async (_name, args, message) => {
    const out = join(dir, 'out');
    mkdirSync(join(out, 'eks-efa'), { recursive: true });
    writeFileSync(join(out, 'eks-efa', 'keep.yaml'), 'kept');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const a = args(dir);
      const r = await run(
        a[0] === 'synth'
          ? [...a, '--out', out, '--charts', join(dir, 'charts')]
          : a[0] === 'report'
            ? [...a, '--out', join(out, 'report.md')]
            : a,
      );
      expect(r.code).toBe(2);
      const lines = r.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(out)).toEqual(['eks-efa']);
    expect(readdirSync(join(out, 'eks-efa'))).toEqual(['keep.yaml']);
    expect(existsSync(join(dir, 'charts'))).toBe(false);
    expect(readdirSync(dir).filter(f => f.startsWith('.'))).toEqual([]);
  });

  test('an output path the environment refuses is exit 2 with the path, and nothing is written', async () => {
    const blocker = file('blocker', 'x');
    const r = await run(['synth', '-p', 'eks-efa', '--out', blocker]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(`cdk8s-rdma: --out ${blocker} is not a folder\n`);
    const inside = await run(['synth', '-p', 'eks-efa', '--out', join(blocker, 'out')]);
    expect(inside.code).toBe(2);
    expect(inside.err).toBe(`cdk8s-rdma: cannot write ${join(blocker, 'out')}: ENOTDIR (not a directory)\n`);
    // --charts naming a file: refused before anything in --out changes.
    const out = join(dir, 'kept');
    expect((await run(['synth', '-p', 'eks-efa', '--out', out])).code).toBe(0);
    const before = readFileSync(join(out, 'eks-efa', 'bundle.json'), 'utf8');
    const charts = await run(['synth', '-p', 'eks-efa', '--format', 'all', '--out', out, '--charts', blocker]);
    expect(charts).toMatchObject({ code: 2, err: `cdk8s-rdma: --charts ${blocker} is not a folder\n` });
    expect(readFileSync(join(out, 'eks-efa', 'bundle.json'), 'utf8')).toBe(before);
    if (process.getuid?.() !== 0) {
      const ro = join(dir, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o555);
      const denied = await run(['synth', '-p', 'eks-efa', '--out', join(ro, 'out')]);
      expect(denied.code).toBe(2);
      expect(denied.err).toMatch(/^cdk8s-rdma: cannot write .*ro\/out.*: EACCES/);
    }
  });
  test('report --out naming a folder is exit 2 with the path, not an internal error', async () => {
    const r = await run(['report', join(__dirname, 'fixtures', 'report', 'fi-pingpong-efa.log'), '--out', dir]);
    expect(r).toMatchObject({ code: 2, err: `cdk8s-rdma: ${dir} is a folder; name a file\n` });
  });
  test('overlapping --out and --charts are refused with exit 2, nothing written', async () => {
    const same = join(dir, 'same');
    const r = await run(['synth', '-p', 'eks-efa', '--format', 'all', '--out', same, '--charts', same]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `cdk8s-rdma: --out and --charts overlap: ${join(same, 'eks-efa')} would be written twice; give them separate folders\n`,
    );
    // Every profile: <out>/charts/ (the archives) is replaced whole, so charts inside it would be lost.
    const nested = await run(['synth', '--format', 'all', '--out', same, '--charts', join(same, 'charts')]);
    expect(nested.code).toBe(2);
    expect(nested.err).toMatch(/^cdk8s-rdma: (--charts and --out|--out and --charts) overlap: .* inside .*; give them separate folders\n$/);
    // Refused before anything is created.
    expect(existsSync(same)).toBe(false);
  });
});
