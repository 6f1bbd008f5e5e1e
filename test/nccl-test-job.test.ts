import { NCCL_IB_IMAGE, NCCL_IMAGE, NcclTestJob, NcclTestJobProps } from '../src/internal';
import { only, synth } from './helpers';

const job = (props?: NcclTestJobProps) =>
  only(
    synth(s => new NcclTestJob(s, 'nccl', props)),
    'MPIJob',
  );
const worker = (j: any) => j.spec.mpiReplicaSpecs.Worker.template.spec;
const launcher = (j: any) => j.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0];

describe('NcclTestJob over EFA with the p5.48xlarge preset', () => {
  const j = job({ instanceType: 'p5.48xlarge' });
  const w = worker(j);
  test('two workers of 8 GPUs, one rank per GPU (slots), pinned to the instance type, on different nodes', () => {
    expect(j.spec.mpiReplicaSpecs.Worker.replicas).toBe(2);
    expect(j.spec.slotsPerWorker).toBe(8);
    expect(j.spec.mpiImplementation).toBe('OpenMPI');
    expect(w.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'p5.48xlarge' });
    expect(w.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(j.metadata.name).toMatch(/^nccl-all-reduce-efa-[0-9a-f]{8}$/);
  });
  test('every GPU and EFA interface of the node, huge pages, memory-backed /dev/shm, IPC_LOCK', () => {
    const c = w.containers[0];
    expect(c.resources.limits).toEqual({
      'nvidia.com/gpu': '8',
      'vpc.amazonaws.com/efa': '32',
      'hugepages-2Mi': '5120Mi',
      memory: '32000Mi',
      cpu: '8',
    });
    expect(c.resources.requests).toEqual(c.resources.limits);
    expect(w.volumes).toEqual([{ name: 'shm', emptyDir: { medium: 'Memory' } }]);
    expect(c.volumeMounts).toEqual([{ name: 'shm', mountPath: '/dev/shm' }]);
    expect(c.securityContext.capabilities.add).toEqual(['IPC_LOCK']);
    expect(c.image).toBe(NCCL_IMAGE.image);
  });
  test('mpirun pins NCCL_NET to aws-ofi-nccl with NCCL_DEBUG=INFO and FI_PROVIDER=efa; the marker names the instance and the range', () => {
    const l = launcher(j);
    expect(l.command[2]).toBe(
      'echo "cdk8s-rdma nccl run: collective=all_reduce_perf instanceType=p5.48xlarge nodes=2 gpusPerNode=8 minBytes=8 maxBytes=8589934592"; exec "$0" "$@"',
    );
    expect(l.args).toEqual([
      '/opt/amazon/openmpi/bin/mpirun',
      '--tag-output',
      '--bind-to',
      'none',
      '-x',
      'PATH',
      '-x',
      'LD_LIBRARY_PATH',
      '--mca',
      'pml',
      'ob1',
      '--mca',
      'btl',
      'tcp,self',
      '-x',
      'NCCL_DEBUG=INFO',
      '-x',
      'FI_PROVIDER=efa',
      '-x',
      'NCCL_NET=AWS Libfabric',
      '/opt/nccl-tests/build/all_reduce_perf',
      '-b',
      '8',
      '-e',
      '8589934592',
      '-f',
      '2',
      '-g',
      '1',
      '-c',
      '1',
      '-n',
      '100',
    ]);
    expect(j.spec.mpiReplicaSpecs.Launcher.template.spec.nodeSelector).toBeUndefined();
  });
});

describe('NcclTestJob custom props', () => {
  test('other collective, 16 workers, p4d preset with fewer EFA, sizes and iterations', () => {
    const j = job({
      instanceType: 'p4d.24xlarge',
      collective: 'alltoall_perf',
      workers: 16,
      efaDevices: 2,
      maxBytes: 1073741824,
      minBytes: 1024,
      iterations: 20,
    });
    expect(j.spec.mpiReplicaSpecs.Worker.replicas).toBe(16);
    expect(worker(j).containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu': '8', 'vpc.amazonaws.com/efa': '2' });
    expect(launcher(j).args.slice(-13)).toEqual([
      '/opt/nccl-tests/build/alltoall_perf',
      '-b',
      '1024',
      '-e',
      '1073741824',
      '-f',
      '2',
      '-g',
      '1',
      '-c',
      '1',
      '-n',
      '20',
    ]);
    expect(j.metadata.name).toMatch(/^nccl-alltoall-efa-/);
  });
  test('without an instance type: 8 GPUs and 1 EFA device, no pin', () => {
    const w = worker(job({}));
    expect(w.containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu': '8', 'vpc.amazonaws.com/efa': '1' });
    expect(w.nodeSelector).toBeUndefined();
  });
  test('InfiniBand: NCCL_NET IB, the HCAs, bootstrap on the IPoIB attachment, the RDMA resource, no huge pages', () => {
    const j = job({ transport: 'ib', gpusPerWorker: 4, ibHcas: ['mlx5_0', 'mlx5_1'], networks: [{ name: 'ipoib', namespace: 'hpc' }] });
    const w = worker(j);
    expect(launcher(j).args).toEqual(expect.arrayContaining(['NCCL_NET=IB', 'NCCL_IB_HCA==mlx5_0,mlx5_1', 'NCCL_SOCKET_IFNAME==net1']));
    expect(launcher(j).args[0]).toBe('/usr/bin/mpirun');
    expect(w.containers[0].resources.limits).toEqual({
      'nvidia.com/gpu': '4',
      'rdma/rdma_shared_device_a': '1',
      memory: '32000Mi',
      cpu: '8',
    });
    expect(j.spec.mpiReplicaSpecs.Worker.template.metadata.annotations).toEqual({ 'k8s.v1.cni.cncf.io/networks': 'hpc/ipoib' });
    expect(w.containers[0].image).toBe(NCCL_IB_IMAGE.image);
  });
  test('DRA: GPUs and NICs come from the claim; no device plugin resources', () => {
    const w = worker(job({ instanceType: 'p5.48xlarge', deviceClaimTemplate: 'nccl-devices' }));
    expect(w.resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'nccl-devices' }]);
    expect(w.containers[0].resources.claims).toEqual([{ name: 'rdma-devices' }]);
    expect(Object.keys(w.containers[0].resources.limits).sort()).toEqual(['cpu', 'hugepages-2Mi', 'memory']);
  });
});

describe('NcclTestJob refusals', () => {
  test.each([
    [
      { instanceType: 'c5n.18xlarge' },
      'NcclTestJob: instanceType "c5n.18xlarge" has no NVIDIA GPUs; allowed: a GPU instance type such as "p4d.24xlarge", "p5.48xlarge" or "p6-b200.48xlarge"',
    ],
    [{ instanceType: 'p9.96xlarge' }, 'NcclTestJob: instanceType "p9.96xlarge" is not on the EFA instance table'],
    [
      { instanceType: 'p4d.24xlarge', efaDevices: 8 },
      'NcclTestJob: efaDevices 8 is more EFA interfaces than any instance type of instanceType has',
    ],
    [
      { instanceType: 'p5.48xlarge', gpusPerWorker: 16 },
      'NcclTestJob: gpusPerWorker 16 is not allowed; allowed: a whole number from 1 to 8',
    ],
    [
      { instanceType: 'p5.48xlarge', nodeSelector: { 'node.kubernetes.io/instance-type': 'p4d.24xlarge' } },
      'NcclTestJob: instanceType "p5.48xlarge" conflicts with nodeSelector\'s instance type "p4d.24xlarge"',
    ],
    [
      { workers: 1 },
      'NcclTestJob: workers 1 is not allowed (the point is the network between nodes); allowed: a whole number from 2 to 1024',
    ],
    [
      { workers: 1025 },
      'NcclTestJob: workers 1025 is not allowed (the point is the network between nodes); allowed: a whole number from 2 to 1024',
    ],
    [{ maxBytes: 4, minBytes: 8 }, 'NcclTestJob: maxBytes 4 is below minBytes (8); allowed: at least 8'],
    [
      { collective: 'broadcast_perf' as any },
      'NcclTestJob: collective "broadcast_perf" is not a known choice; allowed: "all_reduce_perf", "all_gather_perf", "reduce_scatter_perf", "alltoall_perf"',
    ],
    [
      { ibHcas: ['mlx5_0'] },
      'NcclTestJob: ibHcas ["mlx5_0"] only applies to transport "ib" (transport is "efa"); allowed: unset, or transport "ib"',
    ],
    [
      { transport: 'ib', deviceClaimTemplate: 'ib-devices', rdmaResource: 'rdma/a' } as NcclTestJobProps,
      'NcclTestJob: rdmaResource "rdma/a" does not apply with deviceClaimTemplate (the claim gives the devices); allowed: unset, or deviceClaimTemplate unset',
    ],
    [
      { transport: 'ib', efaDevices: 2 } as NcclTestJobProps,
      'NcclTestJob: efaDevices 2 only applies to transport "efa" (transport is "ib"); allowed: unset, or transport "efa"',
    ],
  ] as [NcclTestJobProps, string][])('%j', (props, message) => {
    expect(() => job(props)).toThrow(message);
  });
});
