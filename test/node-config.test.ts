import { readFileSync } from 'fs';
import { join } from 'path';
import Ajv from 'ajv';
import {
  HugepagesMachineConfig,
  MemlockConfig,
  WorkerMachineConfigPool,
  crioUlimitsDropIn,
  efaHugepagesFor,
  ignitionDataUrl,
} from '../src/internal';
import { only, synth } from './helpers';
import { locateReference } from './reference';

describe('HugepagesMachineConfig', () => {
  test('defaults: 5128 pages of 2M on the worker pool, as integer kernel arguments', () => {
    const mc = only(
      synth(c => new HugepagesMachineConfig(c, 'hp')),
      'MachineConfig',
    );
    expect(mc.apiVersion).toBe('machineconfiguration.openshift.io/v1');
    expect(mc.metadata.name).toBe('50-worker-hugepages');
    expect(mc.metadata.labels['machineconfiguration.openshift.io/role']).toBe('worker');
    expect(mc.spec).toEqual({ kernelArguments: ['default_hugepagesz=2M', 'hugepagesz=2M', 'hugepages=5128'] });
  });
  test('custom role, 1G pages, no default size', () => {
    const mc = only(
      synth(
        c => new HugepagesMachineConfig(c, 'hp', { role: 'worker-efa', pageSize: '1G', count: 16, setDefaultSize: false, name: '60-hp' }),
      ),
      'MachineConfig',
    );
    expect(mc.metadata.name).toBe('60-hp');
    expect(mc.metadata.labels['machineconfiguration.openshift.io/role']).toBe('worker-efa');
    expect(mc.spec.kernelArguments).toEqual(['hugepagesz=1G', 'hugepages=16']);
  });
  test('the EFA sizing rule: 110 pages per vCPU plus one', () => {
    expect(efaHugepagesFor(72)).toBe(7921);
    // Cross-checks from real nodes (research efa.md §4.4): p4de 96 vCPUs = 21122Mi, p5 192 vCPUs = 42242Mi.
    expect(efaHugepagesFor(96) * 2).toBe(21122);
    expect(efaHugepagesFor(192) * 2).toBe(42242);
    expect(() => efaHugepagesFor(0)).toThrow('efaHugepagesFor: vcpus 0 is not allowed; allowed: a whole number from 1 to 4096');
  });
  test('errors name the option, the value and what is allowed', () => {
    const err = (props: any) => () => synth(c => new HugepagesMachineConfig(c, 'hp', props));
    expect(err({ pageSize: '4M' })).toThrow('HugepagesMachineConfig: pageSize "4M" is not a known choice; allowed: "2M", "1G"');
    expect(err({ count: 10256.5 })).toThrow(
      'HugepagesMachineConfig: count 10256.5 is not allowed; allowed: a whole number from 1 to 1048576',
    );
    expect(err({ count: '10256M' })).toThrow('HugepagesMachineConfig: count "10256M" is not allowed');
    expect(err({ count: 0 })).toThrow('HugepagesMachineConfig: count 0 is not allowed');
    expect(err({ pageSize: '1G' })).toThrow(
      'HugepagesMachineConfig: count (unset) is required for 1G pages; allowed: a whole number of 1G pages, e.g. 16',
    );
    expect(err({ role: 'Worker EFA' })).toThrow('HugepagesMachineConfig: role "Worker EFA" is not a valid name');
  });
});

describe('WorkerMachineConfigPool', () => {
  test('defaults: worker-efa inherits the worker configs and selects its labelled nodes', () => {
    const mcp = only(
      synth(c => new WorkerMachineConfigPool(c, 'pool')),
      'MachineConfigPool',
    );
    expect(mcp.metadata.name).toBe('worker-efa');
    expect(mcp.metadata.labels['pools.operator.machineconfiguration.openshift.io/worker-efa']).toBe('');
    expect(mcp.spec).toEqual({
      machineConfigSelector: {
        matchExpressions: [{ key: 'machineconfiguration.openshift.io/role', operator: 'In', values: ['worker', 'worker-efa'] }],
      },
      nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker-efa': '' } },
    });
  });
  test('custom name, selector and maxUnavailable', () => {
    const mcp = only(
      synth(c => new WorkerMachineConfigPool(c, 'pool', { name: 'hpc', nodeSelector: { 'example.com/hpc': 'true' }, maxUnavailable: 2 })),
      'MachineConfigPool',
    );
    expect(mcp.spec.machineConfigSelector.matchExpressions[0].values).toEqual(['worker', 'hpc']);
    expect(mcp.spec.nodeSelector.matchLabels).toEqual({ 'example.com/hpc': 'true' });
    expect(mcp.spec.maxUnavailable).toBe(2);
  });
  test('errors', () => {
    expect(() => synth(c => new WorkerMachineConfigPool(c, 'p', { name: 'worker' }))).toThrow(
      'WorkerMachineConfigPool: name "worker" is a built-in pool; allowed: a custom pool name such as "worker-efa"',
    );
    expect(() => synth(c => new WorkerMachineConfigPool(c, 'p', { nodeSelector: {} }))).toThrow(
      'WorkerMachineConfigPool: nodeSelector {} is empty',
    );
    expect(() => synth(c => new WorkerMachineConfigPool(c, 'p', { maxUnavailable: 0 }))).toThrow(
      'WorkerMachineConfigPool: maxUnavailable 0 is not allowed',
    );
  });
});

const EXPECTED_DROP_IN = '[crio.runtime]\ndefault_ulimits = [\n  "memlock=-1:-1"\n]\n';

function decodeDataUrl(url: string): string {
  const m = /^data:text\/plain;charset=utf-8;base64,([A-Za-z0-9+/=]+)$/.exec(url);
  if (!m) throw new Error(`not a base64 data URL: ${url}`);
  return Buffer.from(m[1], 'base64').toString('utf8');
}

describe('MemlockConfig', () => {
  const mc = only(
    synth(c => new MemlockConfig(c, 'memlock', { role: 'worker-efa' })),
    'MachineConfig',
  );
  const file = mc.spec.config.storage.files[0];

  test('an Ignition 3.2.0 file entry: the CRI-O drop-in, mode 0644, overwrite', () => {
    expect(mc.metadata.name).toBe('99-worker-efa-memlock');
    expect(mc.metadata.labels['machineconfiguration.openshift.io/role']).toBe('worker-efa');
    expect(mc.spec.config.ignition).toEqual({ version: '3.2.0' });
    expect(mc.spec.config.storage.files).toHaveLength(1);
    expect(file.path).toBe('/etc/crio/crio.conf.d/99-cdk8s-rdma-ulimits.conf');
    expect(file.mode).toBe(0o644);
    expect(file.mode).toBe(420);
    expect(file.overwrite).toBe(true);
  });
  test('the data URL decodes to exactly the drop-in (memlock unlimited, soft and hard)', () => {
    expect(decodeDataUrl(file.contents.source)).toBe(EXPECTED_DROP_IN);
    expect(crioUlimitsDropIn(['memlock=-1:-1'])).toBe(EXPECTED_DROP_IN);
    expect(decodeDataUrl(ignitionDataUrl('a\nb'))).toBe('a\nb');
  });
  test('limits in bytes and extra ulimits', () => {
    const custom = only(
      synth(c => new MemlockConfig(c, 'm', { soft: 17179869184, hard: 34359738368, extraUlimits: ['nofile=1048576:1048576'] })),
      'MachineConfig',
    );
    expect(decodeDataUrl(custom.spec.config.storage.files[0].contents.source)).toBe(
      '[crio.runtime]\ndefault_ulimits = [\n  "memlock=17179869184:34359738368",\n  "nofile=1048576:1048576"\n]\n',
    );
  });
  test('errors', () => {
    const err = (props: any) => () => synth(c => new MemlockConfig(c, 'm', props));
    expect(err({ soft: 0 })).toThrow(
      'MemlockConfig: soft 0 is not a memlock limit; allowed: a positive number of bytes, or -1 for unlimited',
    );
    expect(err({ soft: -1, hard: 1024 })).toThrow(
      'MemlockConfig: soft -1 is above the hard limit 1024; allowed: a soft limit no higher than the hard limit (-1 only with hard -1)',
    );
    expect(err({ soft: 2048, hard: 1024 })).toThrow('MemlockConfig: soft 2048 is above the hard limit 1024');
    expect(err({ extraUlimits: ['nofile=unlimited'] })).toThrow('MemlockConfig: extraUlimits[0] "nofile=unlimited" is not a ulimit');
    expect(err({ extraUlimits: ['memlock=1:1'] })).toThrow('MemlockConfig: extraUlimits[0] "memlock=1:1" sets memlock again');
    expect(err({ path: '/etc/crio/crio.conf' })).toThrow('MemlockConfig: path "/etc/crio/crio.conf" is not a CRI-O drop-in file');
  });

  const ref = locateReference();
  (ref.dir ? test : test.skip)('spec.config validates against the Ignition 3.2 schema, with only fields it defines', () => {
    const schema = JSON.parse(readFileSync(join(ref.dir!, 'schemas', 'ignition', 'v3_2', 'ignition.json'), 'utf8'));
    delete schema.$schema; // draft-04 keywords used here are read the same way by Ajv 8
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(mc.spec.config)).toBe(true);
    // The schema leaves objects open; check our keys against the properties it defines.
    const storage = schema.definitions.storage;
    const fileProps = new Set([
      ...Object.keys(storage.definitions.node.properties),
      ...Object.keys(storage.definitions.file.allOf[1].properties),
    ]);
    expect(Object.keys(file).filter(k => !fileProps.has(k))).toEqual([]);
    expect(Object.keys(file.contents).filter(k => !(k in schema.definitions.resource.properties))).toEqual([]);
    expect(Object.keys(mc.spec.config).filter(k => !(k in schema.properties))).toEqual([]);
    // And the check can fail.
    expect(validate({ ...mc.spec.config, storage: { files: [{ ...file, mode: '0644' }] } })).toBe(false);
    expect(validate({ storage: {} })).toBe(false);
    expect(validate({ ignition: { version: 320 } })).toBe(false);
  });
});
