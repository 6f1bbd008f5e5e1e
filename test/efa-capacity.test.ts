import { readFileSync } from 'fs';
import { join } from 'path';
import {
  EFA_CAPACITY_SOURCE_DATE,
  EFA_INSTANCE_CAPACITY,
  EFA_INSTANCE_TYPES,
  checkEfaDevicesFit,
  pinnedInstanceType,
  synthProfile,
} from '../src/internal';
import capacity from '../src/data/efa-instance-capacity.json';
import { baseName } from './helpers';
import { locateReference } from './reference';

test('the capacity table is dated, sourced, and equal to the reference copy when it is present', () => {
  expect(EFA_CAPACITY_SOURCE_DATE).toBe('2026-06-10');
  expect(capacity.source).toContain('aws/karpenter-provider-aws');
  expect(EFA_INSTANCE_CAPACITY['p5.48xlarge']).toEqual({ maxEfa: 32, nvidiaGpus: 8 });
  expect(EFA_INSTANCE_CAPACITY['p4d.24xlarge']).toEqual({ maxEfa: 4, nvidiaGpus: 8 });
  expect(EFA_INSTANCE_CAPACITY['c5n.18xlarge']).toEqual({ maxEfa: 1, nvidiaGpus: 0 });
  const { dir } = locateReference();
  if (!dir) return;
  const rows = readFileSync(join(dir, 'aws', 'efa-max-interfaces-and-accelerators.tsv'), 'utf8')
    .split('\n')
    .filter(l => l && !l.startsWith('#'));
  const [header, ...data] = rows.map(r => r.split('\t'));
  const col = (name: string) => header.indexOf(name);
  const fromReference = Object.fromEntries(
    data.map(c => [
      c[col('instance_type')],
      {
        maxEfa: Number(c[col('max_efa')]),
        nvidiaGpus: c[col('nvidia_gpu')] === '-' ? 0 : Number(c[col('nvidia_gpu')]),
      },
    ]),
  );
  expect(EFA_INSTANCE_CAPACITY).toEqual(fromReference);
});

describe('checkEfaDevicesFit', () => {
  test("refuses a count no targeted type offers, naming each type's maximum", () => {
    expect(() => checkEfaDevicesFit('X', 'efaDevices', 2, ['c5n.18xlarge', 'hpc7g.16xlarge'], 'instanceTypes')).toThrow(
      'X: efaDevices 2 is more EFA interfaces than any instance type of instanceTypes has; allowed: at most 1 (c5n.18xlarge: 1, hpc7g.16xlarge: 1; EFA interfaces per instance type as of 2026-06-10)',
    );
    expect(() => checkEfaDevicesFit('X', 'efaDevices', 4, ['c5n.18xlarge', 'p4d.24xlarge'], 'instanceTypes')).not.toThrow();
  });
  test('a type the table does not know could hold any count', () => {
    expect(() => checkEfaDevicesFit('X', 'efaDevices', 32, ['c5n.18xlarge', 'p7.48xlarge'], 'instanceTypes')).not.toThrow();
    expect(() => checkEfaDevicesFit('X', 'efaDevices', 32, [], 'instanceTypes')).not.toThrow();
  });
  test('the instance type a nodeSelector pins', () => {
    expect(pinnedInstanceType({ 'node.kubernetes.io/instance-type': 'p5.48xlarge', pool: 'a' })).toBe('p5.48xlarge');
    expect(pinnedInstanceType({ 'beta.kubernetes.io/instance-type': 'c5n.18xlarge' })).toBe('c5n.18xlarge');
    expect(pinnedInstanceType({ pool: 'a' })).toBeUndefined();
  });
});

describe('impossible EFA counts fail the synth', () => {
  test('eks-efa: against devicePlugin.instanceTypes and a pinned instance type', () => {
    expect(() => synthProfile('eks-efa', { devicePlugin: { instanceTypes: ['c5n.18xlarge'] }, benchmarks: { efaDevices: 32 } })).toThrow(
      'eks-efa: benchmarks.efaDevices 32 is more EFA interfaces than any instance type of devicePlugin.instanceTypes has; allowed: at most 1 (c5n.18xlarge: 1; EFA interfaces per instance type as of 2026-06-10)',
    );
    expect(() =>
      synthProfile('eks-efa', { benchmarks: { efaDevices: 16, nodeSelector: { 'node.kubernetes.io/instance-type': 'p4d.24xlarge' } } }),
    ).toThrow(
      'eks-efa: benchmarks.efaDevices 16 is more EFA interfaces than any instance type of benchmarks.nodeSelector has; allowed: at most 4 (p4d.24xlarge: 4;',
    );
    expect(() =>
      synthProfile('eks-efa', { benchmarks: { efaDevices: 32, nodeSelector: { 'node.kubernetes.io/instance-type': 'p5.48xlarge' } } }),
    ).not.toThrow();
    // The default allowlist holds p5.48xlarge (32); a type newer than the table is not refused.
    expect(() => synthProfile('eks-efa', { benchmarks: { efaDevices: 32 } })).not.toThrow();
    expect(() =>
      synthProfile('eks-efa', {
        devicePlugin: { instanceTypes: ['c5n.18xlarge'], additionalInstanceTypes: ['p7.48xlarge'] },
        benchmarks: { efaDevices: 32 },
      }),
    ).not.toThrow();
  });
  test("openshift-efa: against the MachineSet's instance type", () => {
    const machineSet = {
      infrastructureId: 'mycluster-x7k2p',
      zone: 'us-east-1a',
      amiId: 'ami-0123456789abcdef0',
      placementGroupName: 'pg',
    };
    expect(() => synthProfile('openshift-efa', { machineSet, benchmarks: { efaDevices: 2 } })).toThrow(
      'openshift-efa: benchmarks.efaDevices 2 is more EFA interfaces than any instance type of machineSet.instanceType has; allowed: at most 1 (c5n.18xlarge: 1;',
    );
    expect(() =>
      synthProfile('openshift-efa', { machineSet: { ...machineSet, instanceType: 'p4d.24xlarge' }, benchmarks: { efaDevices: 4 } }),
    ).not.toThrow();
  });
});

describe('the TCP twin runs where its EFA job runs', () => {
  const twin = (options: object) => synthProfile('eks-efa', options).find(o => o.kind === 'MPIJob' && baseName(o) === 'osu-latency-tcp')!;
  const worker = (options: object) => twin(options).spec.mpiReplicaSpecs.Worker.template.spec;
  test("on the device plugin's instance types, with no EFA or huge-page request", () => {
    const w = worker({});
    expect(w.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...EFA_INSTANCE_TYPES] }] },
    ]);
    expect(w.affinity.podAntiAffinity).toBeDefined();
    expect(Object.keys(w.containers[0].resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(
      worker({ devicePlugin: { instanceTypes: ['hpc7g.16xlarge'] } }).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
        .nodeSelectorTerms[0].matchExpressions[0].values,
    ).toEqual(['hpc7g.16xlarge']);
  });
  test("on the device plugin's node labels; a pinned instance type applies to both jobs alike", () => {
    const labelled = worker({ devicePlugin: { nodeTargeting: 'node-labels', nodeLabels: { 'vpc.amazonaws.com/efa': 'enabled' } } });
    expect(labelled.nodeSelector).toEqual({ 'vpc.amazonaws.com/efa': 'enabled' });
    expect(labelled.affinity.nodeAffinity).toBeUndefined();
    const pinned = worker({ benchmarks: { nodeSelector: { 'node.kubernetes.io/instance-type': 'c5n.18xlarge' } } });
    expect(pinned.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'c5n.18xlarge' });
    expect(pinned.affinity.nodeAffinity).toBeUndefined();
  });
});
