import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { locateReference } from './reference';
import { EfaClusterAutoscaler, EfaMachineSet, EfaMachineSetProps } from '../src/internal';
import { DEFAULT_EFA_MACHINE_TYPE, resolveEfaMachineSet } from '../src/constructs/efa-machine-set';
import { only, synth } from './helpers';

const BASE: EfaMachineSetProps = {
  infrastructureId: 'mycluster-x7k2p',
  zone: 'us-east-1a',
  amiId: 'ami-0123456789abcdef0',
  placementGroupName: 'mycluster-efa',
};

/**
 * Field names and JSON types of AWSMachineProviderConfig (openshift/api machine/v1beta1
 * types_awsprovider.go). The MachineSet CRD leaves providerSpec.value
 * open, so this is what the test checks the emitted value against.
 */
type Fact = 'string' | 'integer' | 'boolean' | { object: Record<string, Fact> } | { array: Fact } | { enum: string[] };
const filters: Fact = { array: { object: { name: 'string', values: { array: 'string' } } } };
const ref: Fact = { object: { id: 'string', arn: 'string', filters } };
const AWS_MACHINE_PROVIDER_CONFIG: Record<string, Fact> = {
  apiVersion: { enum: ['machine.openshift.io/v1beta1'] },
  kind: { enum: ['AWSMachineProviderConfig'] },
  ami: ref,
  instanceType: 'string',
  networkInterfaceType: { enum: ['ENA', 'EFA'] },
  placement: { object: { region: 'string', availabilityZone: 'string', tenancy: 'string' } },
  placementGroupName: 'string',
  placementGroupPartition: 'integer',
  subnet: ref,
  securityGroups: { array: ref },
  iamInstanceProfile: ref,
  credentialsSecret: { object: { name: 'string' } },
  userDataSecret: { object: { name: 'string' } },
  keyName: 'string',
  deviceIndex: 'integer',
  publicIp: 'boolean',
  blockDevices: {
    array: {
      object: {
        deviceName: 'string',
        ebs: { object: { volumeSize: 'integer', volumeType: 'string', encrypted: 'boolean', iops: 'integer' } },
      },
    },
  },
  tags: { array: { object: { name: 'string', value: 'string' } } },
};

function checkFacts(value: any, fact: Fact, path: string, problems: string[]): void {
  if (typeof fact === 'string') {
    const ok = fact === 'integer' ? Number.isInteger(value) : typeof value === fact;
    if (!ok) problems.push(`${path}: ${JSON.stringify(value)} is not ${fact}`);
  } else if ('enum' in fact) {
    if (!fact.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in ${fact.enum.join('|')}`);
  } else if ('array' in fact) {
    if (!Array.isArray(value)) problems.push(`${path}: not an array`);
    else value.forEach((v, i) => checkFacts(v, fact.array, `${path}[${i}]`, problems));
  } else {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${path}: not an object`);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (!(k in fact.object)) problems.push(`${path}.${k}: not a field of AWSMachineProviderConfig`);
      else checkFacts(v, fact.object[k], `${path}.${k}`, problems);
    }
  }
}

describe('EfaMachineSet', () => {
  const objs = synth(c => new EfaMachineSet(c, 'ms', BASE));
  const ms = only(objs, 'MachineSet');
  const value = ms.spec.template.spec.providerSpec.value;

  test('an EFA MachineSet in openshift-machine-api, labelled for the cluster and the pool', () => {
    expect(ms.apiVersion).toBe('machine.openshift.io/v1beta1');
    expect(ms.metadata).toMatchObject({ name: 'mycluster-x7k2p-efa-us-east-1a', namespace: 'openshift-machine-api' });
    expect(ms.metadata.labels['machine.openshift.io/cluster-api-cluster']).toBe('mycluster-x7k2p');
    // The default MachineAutoscaler owns the replicas: the MachineSet sets none (GitOps must not fight it).
    expect(ms.spec).not.toHaveProperty('replicas');
    expect(only(objs, 'MachineAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect(ms.spec.selector.matchLabels).toEqual({
      'machine.openshift.io/cluster-api-cluster': 'mycluster-x7k2p',
      'machine.openshift.io/cluster-api-machineset': 'mycluster-x7k2p-efa-us-east-1a',
    });
    expect(ms.spec.template.metadata.labels).toMatchObject({
      ...ms.spec.selector.matchLabels,
      'machine.openshift.io/cluster-api-machine-role': 'worker',
    });
    expect(ms.spec.template.spec.metadata.labels).toEqual({ 'node-role.kubernetes.io/worker-efa': '' });
  });
  test('the provider spec: EFA interface, placement group, zone and the usual AWS fields', () => {
    expect(value).toMatchObject({
      networkInterfaceType: 'EFA',
      instanceType: 'c5n.18xlarge',
      placementGroupName: 'mycluster-efa',
      placement: { availabilityZone: 'us-east-1a', region: 'us-east-1' },
      ami: { id: 'ami-0123456789abcdef0' },
      // The default release is 4.18: the Cluster API installer's names (4.16 and later).
      subnet: { filters: [{ name: 'tag:Name', values: ['mycluster-x7k2p-subnet-private-us-east-1a'] }] },
      securityGroups: [
        { filters: [{ name: 'tag:Name', values: ['mycluster-x7k2p-node'] }] },
        { filters: [{ name: 'tag:Name', values: ['mycluster-x7k2p-lb'] }] },
      ],
      iamInstanceProfile: { id: 'mycluster-x7k2p-worker-profile' },
      tags: [{ name: 'kubernetes.io/cluster/mycluster-x7k2p', value: 'owned' }],
    });
  });
  test("the installer's names follow the OpenShift release: Cluster API from 4.16, Terraform before", () => {
    const provider = (openshiftVersion: string) =>
      only(
        synth(c => new EfaMachineSet(c, 'ms', { ...BASE, openshiftVersion })),
        'MachineSet',
      ).spec.template.spec.providerSpec.value;
    for (const v of ['4.16', '4.18', '4.20', '5.0']) {
      expect(provider(v).subnet.filters[0].values).toEqual(['mycluster-x7k2p-subnet-private-us-east-1a']);
      expect(provider(v).securityGroups.map((g: any) => g.filters[0].values[0])).toEqual(['mycluster-x7k2p-node', 'mycluster-x7k2p-lb']);
    }
    for (const v of ['4.12', '4.14', '4.15']) {
      expect(provider(v).subnet.filters[0].values).toEqual(['mycluster-x7k2p-private-us-east-1a']);
      expect(provider(v).securityGroups.map((g: any) => g.filters[0].values[0])).toEqual(['mycluster-x7k2p-worker-sg']);
    }
    for (const v of ['4.14', '4.18']) expect(provider(v).iamInstanceProfile).toEqual({ id: 'mycluster-x7k2p-worker-profile' });
    expect(() => provider('3.11')).toThrow('EfaMachineSet: openshiftVersion "3.11" is not a supported OpenShift version');
    // The research notes cite these names (new-mechanisms.md §F).
    const { dir } = locateReference();
    const notes = dir ? join(dir, '..', 'research', 'new-mechanisms.md') : undefined;
    if (!notes || !existsSync(notes)) return;
    const text = readFileSync(notes, 'utf8');
    for (const fact of [
      '`<infraID>-subnet-private-<zone>`',
      'filters `<infraID>-node` and `<infraID>-lb`',
      'worker SG `tag:Name` `<infraID>-worker-sg`',
      'subnet `tag:Name` `<infraID>-private-<zone>`',
      '`<infraID>-worker-profile`',
    ]) {
      expect(text).toContain(fact);
    }
  });
  test('every provider spec field exists in AWSMachineProviderConfig with its type', () => {
    const problems: string[] = [];
    checkFacts(value, { object: AWS_MACHINE_PROVIDER_CONFIG }, 'value', problems);
    expect(problems).toEqual([]);
    // The check can fail: the EC2 value "efa" is not the API's enum, and a misspelt field is caught.
    const bad: string[] = [];
    checkFacts(
      { ...value, networkInterfaceType: 'efa', placementGroup: 'x', deviceIndex: '0' },
      { object: AWS_MACHINE_PROVIDER_CONFIG },
      'value',
      bad,
    );
    expect(bad.sort()).toEqual([
      'value.deviceIndex: "0" is not integer',
      'value.networkInterfaceType: "efa" not in ENA|EFA',
      'value.placementGroup: not a field of AWSMachineProviderConfig',
    ]);
  });
  test('maxReplicas follows a larger minReplicas', () => {
    const ma = only(
      synth(c => new EfaMachineSet(c, 'ms', { ...BASE, autoscaler: { minReplicas: 6 } })),
      'MachineAutoscaler',
    );
    expect(ma.spec).toMatchObject({ minReplicas: 6, maxReplicas: 6 });
  });
  test('a MachineAutoscaler by default, min 2 max 4', () => {
    expect(only(objs, 'MachineAutoscaler')).toMatchObject({
      apiVersion: 'autoscaling.openshift.io/v1beta1',
      metadata: { name: 'mycluster-x7k2p-efa-us-east-1a', namespace: 'openshift-machine-api' },
      spec: {
        minReplicas: 2,
        maxReplicas: 4,
        scaleTargetRef: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', name: 'mycluster-x7k2p-efa-us-east-1a' },
      },
    });
  });
  test('custom subnet, groups, taints, tags, no autoscaler', () => {
    const custom = synth(
      c =>
        new EfaMachineSet(c, 'ms', {
          ...BASE,
          instanceType: 'hpc7g.16xlarge',
          subnetId: 'subnet-0123456789abcdef0',
          securityGroupNames: ['a', 'b'],
          taints: [{ key: 'hpc', effect: 'NoSchedule' }],
          tags: { team: 'hpc' },
          autoscaler: false,
          replicas: 3,
          name: 'efa-pool',
          nodeLabels: { 'node-role.kubernetes.io/hpc': '' },
        }),
    );
    expect(custom.map(o => o.kind)).toEqual(['MachineSet']);
    const m = custom[0];
    expect(m.metadata.name).toBe('efa-pool');
    expect(m.spec.replicas).toBe(3);
    expect(m.spec.template.spec.taints).toEqual([{ key: 'hpc', effect: 'NoSchedule' }]);
    expect(m.spec.template.spec.metadata.labels).toEqual({ 'node-role.kubernetes.io/hpc': '' });
    const v = m.spec.template.spec.providerSpec.value;
    expect(v.subnet).toEqual({ id: 'subnet-0123456789abcdef0' });
    expect(v.securityGroups).toHaveLength(2);
    expect(v.tags).toEqual([
      { name: 'kubernetes.io/cluster/mycluster-x7k2p', value: 'owned' },
      { name: 'team', value: 'hpc' },
    ]);
  });
  test('an instance type without EFA fails with the message Machine API gives at launch', () => {
    expect(() => synth(c => new EfaMachineSet(c, 'ms', { ...BASE, instanceType: 'm5.2xlarge' }))).toThrow(
      'EfaMachineSet: instanceType "m5.2xlarge" is rejected: EFA interfaces are not supported on m5.2xlarge (what Machine API reports at launch)',
    );
  });
  test('errors', () => {
    const err = (props: Partial<EfaMachineSetProps>) => () =>
      synth(c => new EfaMachineSet(c, 'ms', { ...BASE, ...props } as EfaMachineSetProps));
    expect(err({ infrastructureId: undefined })).toThrow('EfaMachineSet: infrastructureId (unset) is not a valid name');
    expect(err({ zone: 'us-east-1' })).toThrow(
      'EfaMachineSet: zone "us-east-1" is not an availability zone; allowed: a zone name such as "us-east-1a"',
    );
    expect(err({ zone: 'us-east-1a', region: 'us-west-2' })).toThrow('EfaMachineSet: zone "us-east-1a" is not in region "us-west-2"');
    expect(err({ zone: 'us-east-1-bos-1a' })).toThrow('EfaMachineSet: region (unset) cannot be derived from zone "us-east-1-bos-1a"');
    expect(err({ region: 'useast1' })).toThrow(
      'EfaMachineSet: region "useast1" is not an AWS region; allowed: a region name such as "us-east-1"',
    );
    expect(err({ securityGroupNames: [] })).toThrow('EfaMachineSet: securityGroupNames [] is empty');
    expect(err({ rootVolumeSize: 0 })).toThrow('EfaMachineSet: rootVolumeSize 0 is not allowed; allowed: a whole number from 1 to 16384');
    expect(err({ replicas: -1, autoscaler: false })).toThrow(
      'EfaMachineSet: replicas -1 is not allowed; allowed: a whole number of at least 0',
    );
    expect(err({ replicas: 3 })).toThrow(
      "EfaMachineSet: replicas 3 cannot be set with an autoscaler (the MachineAutoscaler owns the MachineSet's replicas); allowed: unset (size the pool with autoscaler.minReplicas and maxReplicas), or autoscaler: false",
    );
    expect(err({ amiId: 'rhcos-414' })).toThrow('EfaMachineSet: amiId "rhcos-414" is not an AMI id');
    expect(err({ placementGroupName: '' })).toThrow('EfaMachineSet: placementGroupName "" is empty');
    expect(err({ subnetId: 'private-a' })).toThrow('EfaMachineSet: subnetId "private-a" is not a subnet id');
    expect(err({ autoscaler: { minReplicas: 0 } })).toThrow(
      'EfaMachineSet: autoscaler.minReplicas 0 cannot scale EFA machines up from zero',
    );
    expect(err({ autoscaler: { minReplicas: 3, maxReplicas: 2 } })).toThrow(
      'EfaMachineSet: autoscaler.maxReplicas 2 is below minReplicas 3',
    );
    expect(err({ taints: [{ key: 'hpc', effect: 'NoRun' as any }] })).toThrow(
      'EfaMachineSet: taints[0].effect "NoRun" is not a taint effect',
    );
    expect(err({ infrastructureId: 'a-very-long-infrastructure-id-that-makes-the-name-too-long-x' })).toThrow(
      'EfaMachineSet: name "a-very-long',
    );
  });
});

describe('EfaClusterAutoscaler', () => {
  test('the singleton default with a 10 minute scale-down delay after add', () => {
    const ca = only(
      synth(c => new EfaClusterAutoscaler(c, 'ca', { maxNodesTotal: 24 })),
      'ClusterAutoscaler',
    );
    expect(ca.apiVersion).toBe('autoscaling.openshift.io/v1');
    expect(ca.metadata.name).toBe('default');
    expect(ca.spec).toEqual({
      podPriorityThreshold: -10,
      resourceLimits: { maxNodesTotal: 24 },
      scaleDown: { enabled: true, delayAfterAdd: '10m', delayAfterDelete: '5m', delayAfterFailure: '30s', unneededTime: '5m' },
    });
  });
  test('errors', () => {
    expect(() => synth(c => new EfaClusterAutoscaler(c, 'ca', { maxNodesTotal: 8, podPriorityThreshold: 1.5 }))).toThrow(
      'EfaClusterAutoscaler: podPriorityThreshold 1.5 is not a whole number; allowed: a pod priority such as -10',
    );
    expect(() => synth(c => new EfaClusterAutoscaler(c, 'ca', { maxNodesTotal: 0 }))).toThrow(
      'EfaClusterAutoscaler: maxNodesTotal 0 is not allowed',
    );
    expect(() => synth(c => new EfaClusterAutoscaler(c, 'ca', { maxNodesTotal: 8, scaleDownDelayAfterAdd: '10 minutes' }))).toThrow(
      'EfaClusterAutoscaler: scaleDownDelayAfterAdd "10 minutes" is not a duration; allowed: a Go duration such as "10m", "30s" or "1h30m"',
    );
  });
});

describe('resolveEfaMachineSet (props to checked values, nothing built)', () => {
  test('defaults: the installer names of 4.18, as the construct renders them', () => {
    const r = resolveEfaMachineSet(BASE);
    expect(r).toMatchObject({
      infra: 'mycluster-x7k2p',
      zone: 'us-east-1a',
      region: 'us-east-1',
      instanceType: DEFAULT_EFA_MACHINE_TYPE,
      name: 'mycluster-x7k2p-efa-us-east-1a',
      nodeLabels: { 'node-role.kubernetes.io/worker-efa': '' },
      taints: [],
      subnet: { nameTag: 'mycluster-x7k2p-subnet-private-us-east-1a' },
      iamProfile: 'mycluster-x7k2p-worker-profile',
      rootVolumeSize: 120,
    });
    const ms = only(
      synth(c => new EfaMachineSet(c, 'ms', BASE)),
      'MachineSet',
    );
    const value = ms.spec.template.spec.providerSpec.value;
    expect([ms.metadata.name, value.instanceType, value.subnet.filters[0].values[0], value.iamInstanceProfile.id]).toEqual([
      r.name,
      r.instanceType,
      (r.subnet as { nameTag: string }).nameTag,
      r.iamProfile,
    ]);
  });
  test('a subnet id replaces the Name-tag filter; errors name the prop as the construct does', () => {
    expect(resolveEfaMachineSet({ ...BASE, subnetId: 'subnet-0123456789abcdef0' }).subnet).toEqual({ id: 'subnet-0123456789abcdef0' });
    expect(() => resolveEfaMachineSet({ ...BASE, subnetId: 'sn-1' })).toThrow(
      'EfaMachineSet: subnetId "sn-1" is not a subnet id; allowed: "subnet-" and 8 to 17 hex digits',
    );
  });
});
