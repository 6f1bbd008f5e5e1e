import { MpiLatencyJob, MpiLatencyJobProps } from '../src/internal';
import { only, synth, baseName } from './helpers';
import { OSU_RUN_MARKER } from '../src/constructs/mpi-latency-job';

const job = (props?: MpiLatencyJobProps) =>
  only(
    synth(s => new MpiLatencyJob(s, 'job', props)),
    'MPIJob',
  );
const worker = (j: any) => j.spec.mpiReplicaSpecs.Worker.template.spec;
const launcher = (j: any) => j.spec.mpiReplicaSpecs.Launcher.template.spec;

describe('MpiLatencyJob defaults (EFA)', () => {
  const j = job();
  test('an MPIJob v2beta1, one slot per worker, two workers, launcher after workers are ready', () => {
    expect(j.apiVersion).toBe('kubeflow.org/v2beta1');
    expect(j.metadata).toMatchObject({ name: `osu-latency-efa-${j.metadata.labels['rdma.cdk8s.io/run']}`, namespace: 'rdma-benchmarks' });
    expect(j.spec.runPolicy).toEqual({ cleanPodPolicy: 'Running', ttlSecondsAfterFinished: 86400 });
    for (const t of [j.spec.mpiReplicaSpecs.Launcher.template, j.spec.mpiReplicaSpecs.Worker.template]) {
      expect(t.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
      expect(t.metadata.labels['rdma.cdk8s.io/run']).toBe(j.metadata.labels['rdma.cdk8s.io/run']);
    }
    expect(j.spec).toMatchObject({
      slotsPerWorker: 1,
      sshAuthMountPath: '/home/mpiuser/.ssh',
      launcherCreationPolicy: 'WaitForWorkersReady',
      runPolicy: { cleanPodPolicy: 'Running' },
    });
    expect(j.spec.mpiReplicaSpecs.Launcher).toMatchObject({ replicas: 1, restartPolicy: 'OnFailure' });
    expect(j.spec.mpiReplicaSpecs.Worker).toMatchObject({ replicas: 2, restartPolicy: 'Never' });
  });
  test('mpirun forces the EFA path and runs osu_latency one rank per node', () => {
    const c = launcher(j).containers[0];
    // The log's first line names the benchmark and the sizes asked for; then the shell execs mpirun.
    expect(c.command).toEqual(['/bin/sh', '-c', `echo "${OSU_RUN_MARKER} benchmark=osu_latency sizes=1:4194304"; exec "$0" "$@"`]);
    expect(c.args).toEqual([
      '/opt/amazon/openmpi/bin/mpirun',
      '-np',
      '2',
      '--map-by',
      'ppr:1:node',
      '-x',
      'PATH',
      '-x',
      'LD_LIBRARY_PATH',
      '--mca',
      'pml',
      'cm',
      '--mca',
      'mtl',
      'ofi',
      '-x',
      'FI_PROVIDER=efa',
      '/opt/osu-micro-benchmarks/libexec/osu-micro-benchmarks/mpi/pt2pt/osu_latency',
      '-m',
      '1:4194304',
      '-i',
      '10000',
    ]);
    expect(c.image).toBe('cdk8s-rdma-efa-openmpi:efa1.47.0-omb7.4');
  });
  test('workers request EFA, 2Mi huge pages, memory and CPU (requests = limits) and IPC_LOCK', () => {
    const c = worker(j).containers[0];
    const res = { cpu: '2', 'hugepages-2Mi': '5120Mi', memory: '8Gi', 'vpc.amazonaws.com/efa': '1' };
    expect(c.resources).toEqual({ requests: res, limits: res });
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['IPC_LOCK'] });
    expect(c.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
  });
  test('workers run sshd on 2222 with a readiness probe and never share a node', () => {
    const spec = worker(j);
    const c = spec.containers[0];
    expect(c.command).toEqual(['/usr/sbin/sshd']);
    expect(c.args).toEqual(['-De', '-f', '/home/mpiuser/.sshd_config']);
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 2222 });
    expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        labelSelector: {
          matchLabels: {
            'app.kubernetes.io/instance': 'test',
            'app.kubernetes.io/name': 'osu-latency-efa',
            'app.kubernetes.io/component': 'mpi-worker',
          },
        },
        topologyKey: 'kubernetes.io/hostname',
      },
    ]);
    expect(j.spec.mpiReplicaSpecs.Worker.template.metadata.labels['app.kubernetes.io/component']).toBe('mpi-worker');
  });
});

describe('MpiLatencyJob custom props', () => {
  test('TCP twin: no EFA or huge pages, ob1 over tcp', () => {
    const j = job({ transport: 'tcp' });
    expect(baseName(j)).toBe('osu-latency-tcp');
    expect(worker(j).containers[0].resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
    const args = launcher(j).containers[0].args;
    expect(args.join(' ')).toContain('--mca pml ob1 --mca btl tcp,self');
    expect(args).not.toContain('FI_PROVIDER=efa');
  });
  test('osu_bw, sizes, iterations, devices, huge pages, placement, pull secrets, ttl, name', () => {
    const j = job({
      name: 'bw-p5',
      namespace: 'hpc',
      benchmark: 'osu_bw',
      messageSizes: '8:1048576',
      iterations: 50,
      efaDevices: 32,
      hugepages2Mi: '10Gi',
      memory: '32Gi',
      cpu: '8',
      nodeSelector: { 'node.kubernetes.io/instance-type': 'p5.48xlarge' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      imagePullSecrets: ['ecr-creds'],
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/efa-openmpi:1.0.0',
      benchmarkPath: '/opt/osu/pt2pt/',
      ttlSecondsAfterFinished: 3600,
    });
    expect(j.metadata).toMatchObject({ namespace: 'hpc' });
    expect(baseName(j)).toBe('bw-p5');
    expect(j.spec.runPolicy).toEqual({ cleanPodPolicy: 'Running', ttlSecondsAfterFinished: 3600 });
    expect(launcher(j).containers[0].args.slice(-5)).toEqual(['/opt/osu/pt2pt/osu_bw', '-m', '8:1048576', '-i', '50']);
    const w = worker(j);
    expect(w.containers[0].resources.limits).toEqual({ cpu: '8', 'hugepages-2Mi': '10Gi', memory: '32Gi', 'vpc.amazonaws.com/efa': '32' });
    expect(w.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'p5.48xlarge' });
    expect(w.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(w.imagePullSecrets).toEqual([{ name: 'ecr-creds' }]);
    expect(launcher(j).imagePullSecrets).toEqual([{ name: 'ecr-creds' }]);
  });
  test('osu_bw defaults to 100 iterations', () => {
    expect(launcher(job({ benchmark: 'osu_bw' })).containers[0].args.slice(-2)).toEqual(['-i', '100']);
  });
});

describe('MpiLatencyJob collectives across N workers', () => {
  test("osu_allreduce on 8 workers: the collective binary, OSU's collective sizes and iterations, -np 8, 8 replicas", () => {
    const objs = synth(s => new MpiLatencyJob(s, 'J', { benchmark: 'osu_allreduce', workers: 8 }));
    const mpi = only(objs, 'MPIJob');
    expect(baseName(mpi)).toBe('osu-allreduce-efa');
    expect(mpi.spec.mpiReplicaSpecs.Worker.replicas).toBe(8);
    const args = mpi.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0].args;
    expect(args.slice(1, 3)).toEqual(['-np', '8']);
    expect(args.slice(-5)).toEqual([
      '/opt/osu-micro-benchmarks/libexec/osu-micro-benchmarks/mpi/collective/osu_allreduce',
      '-m',
      '1:1048576',
      '-i',
      '1000',
    ]);
  });
  test('Intel MPI runs one rank per worker with -n', () => {
    const objs = synth(s => new MpiLatencyJob(s, 'J', { benchmark: 'osu_alltoall', workers: 4, mpiImplementation: 'Intel' }));
    expect(only(objs, 'MPIJob').spec.mpiReplicaSpecs.Launcher.template.spec.containers[0].args.slice(1, 5)).toEqual([
      '-n',
      '4',
      '-ppn',
      '1',
    ]);
  });
  test('worker counts the benchmark cannot take are refused', () => {
    expect(() => job({ workers: 4 })).toThrow(
      'MpiLatencyJob: workers 4 is not allowed with benchmark "osu_latency" (a point-to-point benchmark runs exactly two ranks); allowed: 2, or a collective benchmark ("osu_allreduce", "osu_alltoall")',
    );
    expect(() => job({ benchmark: 'osu_allreduce', workers: 1025 })).toThrow(
      'MpiLatencyJob: workers 1025 is not allowed (the job runs across nodes, one rank each); allowed: a whole number from 2 to 1024',
    );
    expect(() => job({ benchmark: 'osu_allreduce', workers: 2.5 })).toThrow('MpiLatencyJob: workers 2.5 is not allowed');
  });
});

describe('MpiLatencyJob errors', () => {
  const err = (props: any) => () => job(props);
  test('an EFA count of 0', () => {
    expect(err({ efaDevices: 0 })).toThrow('MpiLatencyJob: efaDevices 0 is not allowed; allowed: a whole number from 1 to 32');
    expect(err({ efaDevices: 1.5 })).toThrow('MpiLatencyJob: efaDevices 1.5 is not allowed');
  });
  test('huge pages not a multiple of the page size', () => {
    expect(err({ hugepages2Mi: '5121Mi' })).toThrow(
      'MpiLatencyJob: hugepages2Mi "5121Mi" is not a multiple of the 2Mi huge page size; allowed: a positive multiple of 2Mi such as "5120Mi"',
    );
    expect(err({ hugepages2Mi: 'lots' })).toThrow(
      'MpiLatencyJob: hugepages2Mi "lots" is not a memory quantity; allowed: a positive multiple of 2Mi such as "5120Mi"',
    );
  });
  test('unknown benchmark or transport, bad sizes, bad iterations, bad memory, bad cpu', () => {
    expect(err({ benchmark: 'osu_bibw' })).toThrow(
      'MpiLatencyJob: benchmark "osu_bibw" is not a known choice; allowed: "osu_latency", "osu_bw"',
    );
    expect(err({ transport: 'roce' })).toThrow('MpiLatencyJob: transport "roce" is not a known choice; allowed: "efa", "tcp", "ib"');
    expect(err({ messageSizes: '64:8' })).toThrow(
      'MpiLatencyJob: messageSizes "64:8" is not an OSU message size range; allowed: "MAX" or "MIN:MAX" in bytes with MIN <= MAX and MAX >= 1, e.g. "1:4194304"',
    );
    expect(err({ iterations: -1 })).toThrow('MpiLatencyJob: iterations -1 is not allowed; allowed: a whole number of at least 1');
    expect(err({ memory: '0' })).toThrow('MpiLatencyJob: memory "0" is not a memory quantity');
    expect(err({ cpu: 'two' })).toThrow('MpiLatencyJob: cpu "two" is not a CPU quantity');
    expect(err({ image: 'ubuntu' })).toThrow('MpiLatencyJob: image "ubuntu" is not a pinned image');
    expect(err({ imagePullSecrets: [''] })).toThrow(
      'MpiLatencyJob: imagePullSecrets[0] "" is not a valid name; allowed: an RFC 1123 subdomain',
    );
  });
});

describe('MpiLatencyJob with Intel MPI, the fi_info support check, and OpenShift pod settings', () => {
  test('Intel MPI: mpiImplementation Intel, Intel mpirun with the EFA installer libfabric and the efa provider', () => {
    const j = job({ mpiImplementation: 'Intel', image: 'registry.example.com/cdk8s-rdma-efa-intelmpi:efa1.47.0-impi2021.14-omb7.4' });
    expect(baseName(j)).toBe('osu-latency-intel-efa');
    expect(j.spec.mpiImplementation).toBe('Intel');
    const c = launcher(j).containers[0];
    expect(c.command).toEqual(['/bin/sh', '-c', `echo "${OSU_RUN_MARKER} benchmark=osu_latency sizes=1:4194304"; exec "$0" "$@"`]);
    expect(c.args).toEqual([
      '/opt/intel/oneapi/mpi/2021.14/bin/mpirun',
      '-n',
      '2',
      '-ppn',
      '1',
      '-genv',
      'I_MPI_OFI_LIBRARY_INTERNAL',
      '0',
      '-genv',
      'I_MPI_FABRICS',
      'ofi',
      '-genv',
      'I_MPI_OFI_PROVIDER',
      'efa',
      '-genv',
      'FI_PROVIDER',
      'efa',
      '/opt/osu-micro-benchmarks/libexec/osu-micro-benchmarks/mpi/pt2pt/osu_latency',
      '-m',
      '1:4194304',
      '-i',
      '10000',
    ]);
    expect(c.env).toEqual([{ name: 'I_MPI_DEBUG', value: '5' }]);
    expect(worker(j).containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe('1');
  });
  test('OpenMPI is stated explicitly', () => {
    expect(job().spec.mpiImplementation).toBe('OpenMPI');
  });
  test('fi_info: the EFA support check on both workers', () => {
    const j = job({ benchmark: 'fi_info' });
    expect(baseName(j)).toBe('efa-support');
    expect(launcher(j).containers[0].args).toEqual([
      '-np',
      '2',
      '--map-by',
      'ppr:1:node',
      '-x',
      'PATH',
      '-x',
      'LD_LIBRARY_PATH',
      '/opt/amazon/efa/bin/fi_info',
      '-p',
      'efa',
      '-t',
      'FI_EP_RDM',
    ]);
    expect(worker(j).containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe('1');
  });
  test('ServiceAccount, pod annotations and host network reach both pod templates', () => {
    const j = job({
      serviceAccountName: 'mpi-job',
      podAnnotations: { 'openshift.io/required-scc': 'cdk8s-rdma-mpi-job' },
      hostNetwork: true,
    });
    for (const role of ['Launcher', 'Worker']) {
      const t = j.spec.mpiReplicaSpecs[role].template;
      expect(t.metadata.annotations).toEqual({ 'openshift.io/required-scc': 'cdk8s-rdma-mpi-job' });
      expect(t.spec).toMatchObject({ serviceAccountName: 'mpi-job', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' });
    }
    expect(worker(job()).hostNetwork).toBeUndefined();
  });
  test('errors for combinations that cannot work', () => {
    expect(() => job({ benchmark: 'fi_info', transport: 'tcp' })).toThrow(
      'MpiLatencyJob: transport "tcp" cannot run the fi_info check (its pods hold no EFA device); allowed: "efa" with benchmark "fi_info"',
    );
    expect(() => job({ mpiImplementation: 'Intel', transport: 'tcp' })).toThrow(
      'MpiLatencyJob: transport "tcp" is not available with mpiImplementation "Intel"; allowed: "efa" (the TCP twin runs Open MPI)',
    );
    expect(() => job({ mpiImplementation: 'Intel', benchmark: 'fi_info' })).toThrow(
      'MpiLatencyJob: benchmark "fi_info" is not available with mpiImplementation "Intel"',
    );
    expect(() => job({ mpiImplementation: 'MPICH' as any })).toThrow(
      'MpiLatencyJob: mpiImplementation "MPICH" is not a known choice; allowed: "OpenMPI", "Intel"',
    );
    expect(() => job({ podAnnotations: { 'bad key!': 'x' } })).toThrow(
      'MpiLatencyJob: podAnnotations "bad key!" is not a valid annotation key',
    );
    expect(() => job({ podAnnotations: { 'example.com/n': 1 as any } })).toThrow(
      'MpiLatencyJob: podAnnotations["example.com/n"] 1 is not a string; allowed: a string value',
    );
    expect(() => job({ serviceAccountName: 'MPI' })).toThrow('MpiLatencyJob: serviceAccountName "MPI" is not a valid name');
  });
});

describe('MpiLatencyJob with deviceClaimTemplate (DRA)', () => {
  test('EFA workers claim their devices; the launcher claims nothing', () => {
    const j = job({ deviceClaimTemplate: 'efa-devices' });
    expect(worker(j).resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'efa-devices' }]);
    expect(worker(j).containers[0].resources.claims).toEqual([{ name: 'rdma-devices' }]);
    expect(worker(j).containers[0].resources.limits['vpc.amazonaws.com/efa']).toBeUndefined();
    expect(launcher(j).resourceClaims).toBeUndefined();
    expect(j.metadata.name).not.toBe(job().metadata.name);
  });
  test('InfiniBand workers claim an HCA instead of the RDMA resource', () => {
    const w = worker(job({ transport: 'ib', deviceClaimTemplate: 'rdma-devices' }));
    expect(w.resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'rdma-devices' }]);
    expect(Object.keys(w.containers[0].resources.limits).sort()).toEqual(['cpu', 'memory']);
  });
  test('exact errors: TCP holds no device; rdmaResource does not go with a claim', () => {
    expect(() => job({ transport: 'tcp', deviceClaimTemplate: 'x' })).toThrow(
      'MpiLatencyJob: deviceClaimTemplate "x" does not apply to transport "tcp" (its pods hold no RDMA device); allowed: unset, or transport "efa" or "ib"',
    );
    expect(() => job({ transport: 'ib', deviceClaimTemplate: 'x', rdmaResource: 'rdma/a' })).toThrow(
      'MpiLatencyJob: rdmaResource "rdma/a" does not apply with deviceClaimTemplate (the claim gives the devices); allowed: unset, or deviceClaimTemplate unset',
    );
  });
});
