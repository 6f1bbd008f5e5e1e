import { readFileSync } from 'fs';
import { join } from 'path';
import { baseName, only, readDocument, synth } from './helpers';
import { locateReference } from './reference';
import {
  DEFAULT_KUEUE_QUOTA,
  EFA_INSTANCE_CAPACITY,
  EKS_TOPOLOGY_LEVELS,
  EfaNodePool,
  KueueQueues,
  MpiLatencyJob,
  efaInterfaceLayout,
  synthProfile,
  workloadRequests,
} from '../src/internal';
import { renderBundle } from '../src/output/bundle';

const ref = locateReference();

/**
 * The EC2NodeClass CEL rules on spec.networkInterfaces (karpenter.k8s.aws_ec2nodeclasses.yaml @v1.14.1), in JS:
 * the primary `interface` at card 0 / device 0, no duplicate (card, device) pairs, at most one efa-only per card.
 */
function networkInterfaceViolations(list: { networkCardIndex: number; deviceIndex: number; interfaceType: string }[]): string[] {
  const out: string[] = [];
  if (list.length > 0 && !list.some(x => x.deviceIndex === 0 && x.networkCardIndex === 0 && x.interfaceType === 'interface'))
    out.push('no primary interface');
  for (const x of list) {
    if (list.filter(y => y.networkCardIndex === x.networkCardIndex && y.deviceIndex === x.deviceIndex).length !== 1)
      out.push(`duplicate ${x.networkCardIndex}/${x.deviceIndex}`);
    if (
      x.interfaceType === 'efa-only' &&
      list.filter(y => y.networkCardIndex === x.networkCardIndex && y.interfaceType === 'efa-only').length !== 1
    )
      out.push(`two EFA on card ${x.networkCardIndex}`);
  }
  if (list.length > 150) out.push('more than 150');
  return out;
}

describe('the CEL rules as JS (they can fail)', () => {
  test('a layout without a primary interface, with a duplicate pair or two EFA on one card is refused', () => {
    expect(networkInterfaceViolations([{ networkCardIndex: 0, deviceIndex: 0, interfaceType: 'efa-only' }])).toEqual([
      'no primary interface',
    ]);
    expect(
      networkInterfaceViolations([
        { networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' },
        { networkCardIndex: 1, deviceIndex: 0, interfaceType: 'efa-only' },
        { networkCardIndex: 1, deviceIndex: 1, interfaceType: 'efa-only' },
        { networkCardIndex: 1, deviceIndex: 1, interfaceType: 'interface' },
      ]),
    ).toEqual(['two EFA on card 1', 'duplicate 1/1', 'two EFA on card 1', 'duplicate 1/1']);
  });
  test('the CRD holds the rules these mirror', () => {
    if (!ref.dir) return;
    const crd = readDocument(readFileSync(join(ref.dir, 'crds/karpenter.k8s.aws/karpenter.k8s.aws_ec2nodeclasses.yaml'), 'utf8'));
    const rules = JSON.stringify(
      crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.networkInterfaces['x-kubernetes-validations'],
    );
    expect(rules).toContain("x.deviceIndex == 0 && x.networkCardIndex == 0 && x.interfaceType == 'interface'");
    expect(rules).toContain('at most one efa device per network card');
  });
});

describe('efaInterfaceLayout', () => {
  test('the primary ENA interface, an efa-only next to it on card 0, one efa-only on each further card', () => {
    expect(efaInterfaceLayout(3)).toEqual([
      { networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' },
      { networkCardIndex: 0, deviceIndex: 1, interfaceType: 'efa-only' },
      { networkCardIndex: 1, deviceIndex: 0, interfaceType: 'efa-only' },
      { networkCardIndex: 2, deviceIndex: 0, interfaceType: 'efa-only' },
    ]);
  });
  test('every instance type on the table gets a layout Karpenter accepts, with its EFA count of efa-only entries', () => {
    for (const [type, c] of Object.entries(EFA_INSTANCE_CAPACITY)) {
      const layout = efaInterfaceLayout(c.maxEfa);
      expect([type, networkInterfaceViolations(layout)]).toEqual([type, []]);
      expect([type, layout.filter(x => x.interfaceType === 'efa-only').length]).toEqual([type, c.maxEfa]);
    }
  });
});

describe('EfaNodePool', () => {
  const base = { clusterName: 'hpc', zone: 'us-west-2a' };
  test('defaults: p5.48xlarge with its 32 EFA interfaces, on-demand, one zone, EFA and GPU taints, empty-only consolidation', () => {
    let pool!: EfaNodePool;
    const objs = synth(s => {
      pool = new EfaNodePool(s, 'P', base);
    });
    const nc = only(objs, 'EC2NodeClass', 'efa');
    expect(nc.spec).toEqual({
      role: 'KarpenterNodeRole-hpc',
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'hpc' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'hpc' } }],
      associatePublicIPAddress: false,
      networkInterfaces: efaInterfaceLayout(32),
    });
    const np = only(objs, 'NodePool', 'efa');
    expect(np.spec).toEqual({
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'efa' },
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-west-2a'] },
          ],
          taints: [
            { key: 'aws.amazon.com/efa', value: 'true', effect: 'NoSchedule' },
            { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
          ],
        },
      },
      limits: { 'vpc.amazonaws.com/efa': '512', 'nvidia.com/gpu': '128' },
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m' },
    });
    expect(pool.nodeSelector).toEqual({ 'karpenter.sh/nodepool': 'efa' });
    expect(pool.efaInterfaces).toBe(32);
    expect(pool.gpus).toBe(8);
  });
  test('custom props: a CPU instance (no GPU taint or limit), fewer EFA, IDs, spot, Bottlerocket', () => {
    const objs = synth(
      s =>
        new EfaNodePool(s, 'P', {
          ...base,
          name: 'hpc7g',
          instanceType: 'c5n.18xlarge',
          role: 'NodeRole',
          subnetIds: ['subnet-0abc', 'subnet-0abc'],
          securityGroupIds: ['sg-01'],
          amiAlias: 'bottlerocket@v1.40.0',
          capacityType: 'spot',
          maxNodes: 3,
          consolidateAfter: 'Never',
        }),
    );
    const nc = only(objs, 'EC2NodeClass', 'hpc7g');
    expect(nc.spec.role).toBe('NodeRole');
    expect(nc.spec.subnetSelectorTerms).toEqual([{ id: 'subnet-0abc' }]);
    expect(nc.spec.securityGroupSelectorTerms).toEqual([{ id: 'sg-01' }]);
    expect(nc.spec.networkInterfaces).toEqual(efaInterfaceLayout(1));
    const np = only(objs, 'NodePool', 'hpc7g');
    expect(np.spec.limits).toEqual({ 'vpc.amazonaws.com/efa': '3' });
    expect(np.spec.template.spec.taints).toEqual([{ key: 'aws.amazon.com/efa', value: 'true', effect: 'NoSchedule' }]);
    expect(np.spec.template.spec.requirements[1].values).toEqual(['spot']);
    expect(np.spec.disruption.consolidateAfter).toBe('Never');
  });
  test.each([
    [
      {},
      "EfaNodePool: clusterName (unset) is required (it finds the subnets, the security groups and the node role); allowed: the EKS cluster's name",
    ],
    [
      { clusterName: 'hpc' },
      'EfaNodePool: zone (unset) is required (the nodes of an MPI job stay in one availability zone); allowed: a zone such as "us-west-2a"',
    ],
    [
      { ...base, zone: 'us-west-2' },
      'EfaNodePool: zone "us-west-2" is not an availability zone name; allowed: a zone such as "us-west-2a"',
    ],
    [{ ...base, clusterName: 'a.b' }, 'EfaNodePool: clusterName "a.b" is not an EKS cluster name'],
    [{ ...base, instanceType: 'm5.large' }, 'EfaNodePool: instanceType "m5.large" is not on the EFA instance table'],
    [
      { ...base, instanceType: 'p4d.24xlarge', efaInterfaces: 5 },
      'EfaNodePool: efaInterfaces 5 is more EFA interfaces than p4d.24xlarge takes; allowed: 1 to 4',
    ],
    [{ ...base, efaInterfaces: 0 }, 'EfaNodePool: efaInterfaces 0 is not allowed; allowed: a whole number of at least 1'],
    [{ ...base, amiAlias: 'windows2022@latest' }, 'EfaNodePool: amiAlias "windows2022@latest" is not an EKS-optimized Linux AMI alias'],
    [{ ...base, amiAlias: 'al2023' }, 'EfaNodePool: amiAlias "al2023" is not an EKS-optimized Linux AMI alias'],
    [{ ...base, subnetIds: [] }, 'EfaNodePool: subnetIds [] is empty'],
    [{ ...base, securityGroupIds: ['subnet-1'] }, 'EfaNodePool: securityGroupIds[0] "subnet-1" is not a security group ID'],
    [{ ...base, capacityType: 'reserved' }, 'EfaNodePool: capacityType "reserved" is not a known choice; allowed: "on-demand", "spot"'],
    [{ ...base, consolidateAfter: '1d' }, 'EfaNodePool: consolidateAfter "1d" is not a Karpenter duration'],
    [{ ...base, maxNodes: 1.5 }, 'EfaNodePool: maxNodes 1.5 is not allowed'],
  ])('refuses %j', (props, message) => {
    expect(() => synth(s => new EfaNodePool(s, 'P', props as any))).toThrow(message);
  });
});

describe('KueueQueues', () => {
  const job = (s: any, props: any = {}) => new MpiLatencyJob(s, 'Osu', { benchmark: 'osu_allreduce', workers: 4, ...props });
  test('defaults: a Topology of the EKS layers, its flavor, the ClusterQueue for the namespace only, the LocalQueue', () => {
    const objs = synth(s => new KueueQueues(s, 'Q', { namespace: 'rdma-benchmarks', nodeLabels: { 'karpenter.sh/nodepool': 'efa' } }));
    expect(objs.map(o => `${o.apiVersion} ${o.kind}/${o.metadata.name}`)).toEqual([
      'kueue.x-k8s.io/v1beta2 Topology/efa',
      'kueue.x-k8s.io/v1beta2 ResourceFlavor/efa',
      'kueue.x-k8s.io/v1beta2 ClusterQueue/efa',
      'kueue.x-k8s.io/v1beta2 LocalQueue/rdma-checks',
    ]);
    expect(objs[0].spec.levels.map((l: any) => l.nodeLabel)).toEqual([...EKS_TOPOLOGY_LEVELS]);
    expect(objs[0].spec.levels[3].nodeLabel).toBe('kubernetes.io/hostname');
    expect(objs[1].spec).toEqual({ nodeLabels: { 'karpenter.sh/nodepool': 'efa' }, topologyName: 'efa' });
    expect(objs[2].spec.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'rdma-benchmarks' } });
    const group = objs[2].spec.resourceGroups[0];
    expect(group.coveredResources).toEqual(['cpu', 'memory', 'hugepages-2Mi', 'vpc.amazonaws.com/efa', 'nvidia.com/gpu']);
    expect(group.flavors).toEqual([
      {
        name: 'efa',
        resources: [
          { name: 'cpu', nominalQuota: DEFAULT_KUEUE_QUOTA.cpu },
          { name: 'memory', nominalQuota: DEFAULT_KUEUE_QUOTA.memory },
          { name: 'hugepages-2Mi', nominalQuota: DEFAULT_KUEUE_QUOTA.hugepages2Mi },
          { name: 'vpc.amazonaws.com/efa', nominalQuota: '1024' },
          { name: 'nvidia.com/gpu', nominalQuota: '256' },
        ],
      },
    ]);
    expect(objs[3]).toMatchObject({ metadata: { namespace: 'rdma-benchmarks' }, spec: { clusterQueue: 'efa' } });
  });
  test('admit: the queue label, suspended, the topology annotation on launcher and workers', () => {
    const objs = synth(s => {
      const q = new KueueQueues(s, 'Q', {
        namespace: 'rdma-benchmarks',
        nodeLabels: { a: 'b' },
        topology: 'required',
        topologyLevel: 'topology.k8s.aws/network-node-layer-2',
        queueName: 'hpc',
      });
      q.admit(job(s).mpiJob, 'workers');
    });
    const mpi = only(objs, 'MPIJob');
    expect(mpi.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('hpc');
    expect(mpi.spec.runPolicy.suspend).toBe(true);
    for (const role of ['Launcher', 'Worker']) {
      expect(mpi.spec.mpiReplicaSpecs[role].template.metadata.annotations).toEqual({
        'kueue.x-k8s.io/podset-required-topology': 'topology.k8s.aws/network-node-layer-2',
      });
    }
  });
  test('topology none: no Topology, a flavor without one, no annotation; preferred keeps existing annotations', () => {
    const none = synth(s => new KueueQueues(s, 'Q', { namespace: 'x', topology: 'none' }).admit(job(s).mpiJob, 'workers'));
    expect(none.some(o => o.kind === 'Topology')).toBe(false);
    expect(only(none, 'ResourceFlavor').spec).toBeUndefined();
    expect(only(none, 'MPIJob').spec.mpiReplicaSpecs.Worker.template.metadata.annotations).toBeUndefined();
    const preferred = synth(s =>
      new KueueQueues(s, 'Q', { namespace: 'x', nodeLabels: { a: 'b' } }).admit(
        job(s, { podAnnotations: { team: 'hpc' } }).mpiJob,
        'workers',
      ),
    );
    expect(only(preferred, 'MPIJob').spec.mpiReplicaSpecs.Worker.template.metadata.annotations).toEqual({
      team: 'hpc',
      'kueue.x-k8s.io/podset-preferred-topology': 'topology.k8s.aws/network-node-layer-3',
    });
  });
  test('workloadRequests sums launcher and workers as Kueue counts them', () => {
    const objs = synth(s => job(s, { efaDevices: 2 }));
    expect(workloadRequests(only(objs, 'MPIJob'))).toEqual({
      cpu: 500 + 4 * 2000,
      memory: 512 * 2 ** 20 + 4 * 8 * 2 ** 30,
      'hugepages-2Mi': 4 * 5120 * 2 ** 20,
      'vpc.amazonaws.com/efa': 8,
    });
  });
  test.each([
    [
      { topology: 'required' },
      'KueueQueues: nodeLabels {} is empty with topology "required" (a flavor with a topology needs the labels of its nodes)',
    ],
    [{ topology: 'strict' }, 'KueueQueues: topology "strict" is not a known choice; allowed: "required", "preferred", "none"'],
    [{ topology: 'none', topologyLevel: 'rack' }, 'KueueQueues: topologyLevel "rack" is not a known choice'],
    [{ topology: 'none', quota: { cpu: 'lots' } }, 'KueueQueues: quota.cpu "lots" is not a CPU quantity'],
    [{ topology: 'none', quota: { efa: 0 } }, 'KueueQueues: quota.efa 0 is not allowed'],
    [{ topology: 'none', queueName: 'Q' }, 'KueueQueues: queueName "Q" is not a valid name'],
  ])('refuses %j', (props, message) => {
    expect(() => synth(s => new KueueQueues(s, 'Q', { namespace: 'x', ...props } as any))).toThrow(message);
  });
  test('a job requesting a resource the ClusterQueue does not cover is refused', () => {
    expect(() =>
      synth(s =>
        new KueueQueues(s, 'Q', { namespace: 'x', topology: 'none' }).admit(
          new MpiLatencyJob(s, 'Ib', { transport: 'ib' }).mpiJob,
          'workers',
        ),
      ),
    ).toThrow(
      'KueueQueues: quota "rdma/rdma_shared_device_a" has no entry for rdma/rdma_shared_device_a, which MPIJob osu-latency-ib requests; allowed: cpu, memory, hugepages-2Mi, vpc.amazonaws.com/efa, nvidia.com/gpu',
    );
  });
  test('a job larger than the quota is refused, naming the quota and the job', () => {
    expect(() =>
      synth(s => new KueueQueues(s, 'Q', { namespace: 'x', topology: 'none', quota: { efa: 3 } }).admit(job(s).mpiJob, 'workers 4')),
    ).toThrow(
      'KueueQueues: quota.efa 3 is less than the 4 vpc.amazonaws.com/efa MPIJob osu-allreduce-efa requests in all (workers 4): Kueue would never admit it; allowed: at least 4, or a smaller job',
    );
  });
});

describe('eks-efa with karpenter and kueue', () => {
  const scaled = (n: number) => ({
    karpenter: { enabled: true, clusterName: 'hpc', zone: 'us-west-2a', maxNodes: n },
    kueue: {
      enabled: true,
      topology: 'required',
      quota: { cpu: String(4 * n), memory: `${16 * n}Gi`, hugepages2Mi: `${10 * n}Gi`, efa: 32 * n },
    },
    benchmarks: { osu: { benchmark: 'osu_allreduce', workers: n } },
  });

  test("the device plugin targets the pool's nodes and tolerates their GPU taint; the checks land on them and keep them", () => {
    const objs = synthProfile('eks-efa', scaled(16));
    const ds = only(objs, 'DaemonSet', 'aws-efa-k8s-device-plugin');
    expect(ds.spec.template.spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(JSON.stringify(ds.spec.template.spec.affinity)).toContain('p5.48xlarge');
    for (const o of objs.filter(x => x.kind === 'Job' || x.kind === 'MPIJob')) {
      const templates = o.kind === 'Job' ? [o.spec.template] : Object.values<any>(o.spec.mpiReplicaSpecs).map(r => r.template);
      for (const t of templates) {
        expect([baseName(o), t.spec.nodeSelector]).toEqual([baseName(o), { 'karpenter.sh/nodepool': 'efa' }]);
        expect(t.spec.tolerations).toEqual(
          expect.arrayContaining([
            { key: 'aws.amazon.com/efa', operator: 'Exists', effect: 'NoSchedule' },
            { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
          ]),
        );
        expect(t.metadata.annotations['karpenter.sh/do-not-disrupt']).toBe('true');
      }
    }
    // Every EFA interface of a node per pod, unless efaDevices says otherwise.
    const efa = only(objs, 'MPIJob', 'osu-allreduce-efa');
    expect(efa.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.requests['vpc.amazonaws.com/efa']).toBe('32');
    const fewer = synthProfile('eks-efa', { ...scaled(2), benchmarks: { efaDevices: 4, osu: { benchmark: 'osu_allreduce', workers: 2 } } });
    expect(
      only(fewer, 'MPIJob', 'osu-allreduce-efa').spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.requests[
        'vpc.amazonaws.com/efa'
      ],
    ).toBe('4');
  });

  test('N = 2 … 256 workers: one rank per node, placement rules hold, admitted whole, and the bundle grows linearly', () => {
    // N enters the objects as a count (replicas, -np) and as products (32 × N EFA interfaces): every N up to 17,
    // then each side of the places where its digits or those products gain a digit or cross a power of two.
    const counts = [...Array.from({ length: 16 }, (_, i) => i + 2), 31, 32, 33, 63, 64, 65, 99, 100, 101, 127, 128, 129, 255, 256];
    const sizes: number[] = [];
    for (const n of counts) {
      const objs = synthProfile('eks-efa', scaled(n));
      const mpi = only(objs, 'MPIJob', 'osu-allreduce-efa');
      const worker = mpi.spec.mpiReplicaSpecs.Worker;
      const launcher = mpi.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0];
      expect([n, worker.replicas, launcher.args.slice(1, 5)]).toEqual([n, n, ['-np', String(n), '--map-by', 'ppr:1:node']]);
      // Never two ranks on one node; on the pool's nodes, in one layer-3 network domain, queued and suspended.
      const anti = worker.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      expect(anti.topologyKey).toBe('kubernetes.io/hostname');
      expect(worker.template.spec.nodeSelector).toEqual({ 'karpenter.sh/nodepool': 'efa' });
      expect(worker.template.metadata.annotations['kueue.x-k8s.io/podset-required-topology']).toBe('topology.k8s.aws/network-node-layer-3');
      expect(mpi.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('rdma-checks');
      expect(mpi.spec.runPolicy.suspend).toBe(true);
      // The pool may launch exactly the nodes the job needs, and the quota holds the job whole.
      expect(only(objs, 'NodePool', 'efa').spec.limits['vpc.amazonaws.com/efa']).toBe(String(32 * n));
      expect(workloadRequests(mpi)['vpc.amazonaws.com/efa']).toBe(32 * n);
      const files = renderBundle({ profile: 'eks-efa', options: {}, objects: objs, lifecycle: 'platform' });
      sizes.push(files.reduce((sum, f) => sum + f.content.length, 0));
    }
    // Linear (here: constant but for the digits of N): the growth per added worker never exceeds a few bytes per object.
    const steps = sizes.slice(1).map((s, i) => (s - sizes[i]) / (counts[i + 1] - counts[i]));
    expect(Math.max(...steps)).toBeLessThanOrEqual(64);
    expect(sizes[sizes.length - 1] - sizes[0]).toBeLessThanOrEqual(200);
  });

  test('refusals name the option, the value and what is allowed', () => {
    const k = { enabled: true, clusterName: 'hpc', zone: 'us-west-2a' };
    const cases: [unknown, string][] = [
      [
        { karpenter: { zone: 'us-west-2a' } },
        'eks-efa: karpenter.zone "us-west-2a" only applies with karpenter.enabled true; allowed: unset, or karpenter.enabled true',
      ],
      [{ kueue: { topology: 'none' } }, 'eks-efa: kueue.topology "none" only applies with kueue.enabled true'],
      [
        { karpenter: { ...k, maxNodes: 4 }, benchmarks: { osu: { benchmark: 'osu_alltoall', workers: 8 } } },
        'eks-efa: karpenter.maxNodes 4 is fewer nodes than benchmarks.osu.workers needs (8, one per pod): its pods would pend forever; allowed: at least 8, or fewer nodes for benchmarks.osu.workers',
      ],
      [
        { karpenter: { ...k, maxNodes: 1 }, benchmarks: { osu: { tcpTwin: false } } },
        'eks-efa: karpenter.maxNodes 1 is fewer nodes than benchmarks.osu.workers needs (2',
      ],
      [
        { karpenter: { ...k, instanceType: 'p4d.24xlarge' }, benchmarks: { efaDevices: 8 } },
        'eks-efa: benchmarks.efaDevices 8 is more EFA interfaces than the Karpenter nodes have (4, karpenter.efaInterfaces); allowed: 1 to 4, or more karpenter.efaInterfaces',
      ],
      [
        { benchmarks: { osu: { workers: 4 } } },
        'eks-efa: benchmarks.osu.workers 4 is not allowed with benchmark "osu_latency" (a point-to-point benchmark runs exactly two ranks); allowed: 2, or a collective benchmark ("osu_allreduce", "osu_alltoall")',
      ],
      [
        { benchmarks: { osu: { benchmark: 'osu_allreduce', workers: 1 } } },
        'eks-efa: benchmarks.osu.workers 1 is not allowed (the job runs across nodes, one rank each); allowed: a whole number from 2 to 1024',
      ],
      [
        { kueue: { enabled: true } },
        'eks-efa: kueue.nodeLabels {} is empty, and neither karpenter nor benchmarks.nodeSelector names the EFA nodes (the flavor of the quota must)',
      ],
      [
        { kueue: { enabled: true, topology: 'none' } },
        'eks-efa: kueue.nodeLabels {} is empty, and neither karpenter nor benchmarks.nodeSelector names the EFA nodes',
      ],
      [
        { kueue: { enabled: true, topology: 'none', nodeLabels: { a: 'b' } }, deviceApi: 'dra' },
        'eks-efa: kueue.enabled true is not allowed with deviceApi "dra"',
      ],
      [
        { kueue: { enabled: true, topology: 'none', nodeLabels: { a: 'b' } }, benchmarks: { enabled: false } },
        'eks-efa: kueue.enabled true needs the benchmarks',
      ],
      [
        {
          kueue: { enabled: true, topology: 'none', nodeLabels: { a: 'b' }, quota: { memory: '16Gi' } },
          benchmarks: { osu: { benchmark: 'osu_allreduce', workers: 4 } },
        },
        'eks-efa: kueue.quota.memory "16Gi" is less than the 33280Mi memory MPIJob osu-allreduce-efa requests in all (benchmarks.osu.workers): Kueue would never admit it; allowed: at least 33280Mi, or a smaller job',
      ],
    ];
    for (const [options, message] of cases) expect(() => synthProfile('eks-efa', options)).toThrow(message);
  });

  test('without kueue, no MPIJob is suspended or queued; without karpenter, nothing targets a NodePool', () => {
    const objs = synthProfile('eks-efa', { benchmarks: { osu: { benchmark: 'osu_allreduce', workers: 3 } } });
    const mpi = objs.filter(o => o.kind === 'MPIJob');
    expect(
      mpi.map(o => [baseName(o), o.spec.runPolicy.suspend, Object.keys(o.metadata.labels ?? {}).filter(k => k.startsWith('kueue'))]),
    ).toEqual([
      ['osu-allreduce-efa', undefined, []],
      ['osu-allreduce-tcp', undefined, []],
    ]);
    expect(objs.filter(o => /kueue|karpenter/.test(o.apiVersion)).map(o => o.kind)).toEqual([]);
    expect(/kueue\.x-k8s|karpenter\.sh/.test(JSON.stringify(objs.filter(o => o.kind !== 'CustomResourceDefinition')))).toBe(false);
    expect(only(objs, 'MPIJob', 'osu-allreduce-efa').spec.mpiReplicaSpecs.Worker.replicas).toBe(3);
  });
});
