import { IB_BENCHMARK_IMAGE, IbBandwidthTest, IpoibTestPod, MpiLatencyJob, RUN_LABEL } from '../src/internal';
import { baseName, only, synth } from './helpers';
import { OSU_RUN_MARKER } from '../src/constructs/mpi-latency-job';

const ROOT_IPC_LOCK = {
  runAsUser: 0,
  runAsNonRoot: false,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'], add: ['IPC_LOCK'] },
};

describe('IpoibTestPod', () => {
  const job = only(
    synth(s => new IpoibTestPod(s, 'T', { networks: [{ name: 'ipoib', namespace: 'rdma-benchmarks' }] })),
    'Job',
  );
  const pod = job.spec.template;
  const c = pod.spec.containers[0];
  test('the seed check as a one-shot Job: network annotation, IPC_LOCK, one RDMA resource, lists devices and interfaces, fails without a device', () => {
    expect(job.metadata).toMatchObject({ name: `ipoib-test-${job.metadata.labels[RUN_LABEL]}`, namespace: 'rdma-benchmarks' });
    expect(job.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 86400 });
    expect(pod.metadata.annotations).toEqual({ 'k8s.v1.cni.cncf.io/networks': 'rdma-benchmarks/ipoib' });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(c.command[2]).toBe('set -eu\nls -l /dev/infiniband /sys/class/infiniband /sys/class/net\nip -brief address\n');
    expect(c.securityContext).toEqual(ROOT_IPC_LOCK);
    expect(c.resources.limits).toEqual({ cpu: '1', memory: '1Gi', 'rdma/rdma_shared_device_a': '1' });
    expect(c.resources.requests).toEqual(c.resources.limits);
    expect(c.image).toBe(IB_BENCHMARK_IMAGE.image);
  });
  test('custom resource, image, scheduling and annotations', () => {
    const j = only(
      synth(
        s =>
          new IpoibTestPod(s, 'T', {
            name: 'ib-check',
            namespace: 'hpc',
            rdmaResource: 'jarvice.com/rdma',
            image: 'registry.example.com/ib:1',
            imagePullSecrets: ['creds'],
            networks: [{ name: 'fabric', interface: 'ib0' }],
            podAnnotations: { 'example.com/team': 'hpc' },
            nodeSelector: { ib: 'yes' },
            tolerations: [{ key: 'hpc', operator: 'Exists' }],
            memory: '2Gi',
            cpu: '500m',
            ttlSecondsAfterFinished: 300,
          }),
      ),
      'Job',
    );
    expect(baseName(j)).toBe('ib-check');
    expect(j.spec.ttlSecondsAfterFinished).toBe(300);
    const p = j.spec.template;
    expect(p.metadata.annotations).toEqual({ 'example.com/team': 'hpc', 'k8s.v1.cni.cncf.io/networks': 'fabric@ib0' });
    expect(p.spec.containers[0].resources.limits).toEqual({ cpu: '500m', memory: '2Gi', 'jarvice.com/rdma': '1' });
    expect(p.spec.imagePullSecrets).toEqual([{ name: 'creds' }]);
    expect(p.spec.nodeSelector).toEqual({ ib: 'yes' });
  });
  test('error messages', () => {
    expect(() => synth(s => new IpoibTestPod(s, 'T'))).toThrow(
      'IpoibTestPod: networks (unset) is empty; allowed: the IPoIB network to check, e.g. [{ name: "ipoib" }]',
    );
    expect(() => synth(s => new IpoibTestPod(s, 'T', { networks: [{ name: 'n' }], rdmaResource: 'rdma' }))).toThrow(
      'IpoibTestPod: rdmaResource "rdma" is not an extended resource name; allowed: a device plugin resource "<prefix>/<name>", e.g. "rdma/rdma_shared_device_a" or "jarvice.com/rdma"',
    );
    expect(() => synth(s => new IpoibTestPod(s, 'T', { networks: [{ name: 'n' }], image: 'debian' }))).toThrow(
      'IpoibTestPod: image "debian" is not a pinned image',
    );
  });
});

describe('IbBandwidthTest', () => {
  const objs = synth(s => new IbBandwidthTest(s, 'Bw'));
  const job = only(objs, 'Job', 'ib-read-bw');
  const run = job.metadata.labels[RUN_LABEL];
  const script = job.spec.template.spec.containers[0].command[2];
  test('ib_read_bw -F --report_gbits, the same options on both sides (index 0 serves, index 1 adds the server name)', () => {
    expect(job.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 2,
      parallelism: 2,
      backoffLimit: 0,
      ttlSecondsAfterFinished: 86400,
    });
    expect(script).toContain('if [ "$JOB_COMPLETION_INDEX" = 0 ]; then\n  exec /usr/bin/ib_read_bw -i 1 -p 18515 -F --report_gbits\nfi\n');
    expect(script).toContain(
      `until /usr/bin/ib_read_bw -i 1 -p 18515 -F --report_gbits ib-read-bw-${run}-0.ib-read-bw.rdma-benchmarks.svc; do`,
    );
  });
  test("two different nodes, a headless Service that resolves this run's pods before they are Ready", () => {
    const svc = only(objs, 'Service');
    expect(svc.metadata.name).toBe('ib-read-bw');
    expect(svc.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [{ name: 'perftest', port: 18515, protocol: 'TCP' }],
    });
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/name': 'ib-read-bw', [RUN_LABEL]: run });
    expect(job.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(job.spec.template.spec).toMatchObject({ subdomain: 'ib-read-bw', restartPolicy: 'Never' });
    const term = job.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term).toEqual({ labelSelector: { matchLabels: svc.spec.selector }, topologyKey: 'kubernetes.io/hostname' });
    expect(job.spec.template.spec.containers[0].securityContext).toEqual(ROOT_IPC_LOCK);
    expect(job.spec.template.spec.containers[0].resources.limits['rdma/rdma_shared_device_a']).toBe('1');
  });
  test('custom program, device, port, iterations, size', () => {
    const o = synth(
      s =>
        new IbBandwidthTest(s, 'Bw', {
          program: 'ib_write_bw',
          device: 'mlx5_0',
          ibPort: 2,
          iterations: 5000,
          messageSize: 1048576,
          port: 20000,
        }),
    );
    expect(only(o, 'Job', 'ib-write-bw').spec.template.spec.containers[0].command[2]).toContain(
      'exec /usr/bin/ib_write_bw -d mlx5_0 -i 2 -n 5000 -s 1048576 -p 20000 -F --report_gbits\n',
    );
    expect(only(o, 'Service').spec.ports[0].port).toBe(20000);
  });
  test('error messages', () => {
    const err = (props: object) => () => synth(s => new IbBandwidthTest(s, 'Bw', props));
    expect(err({ program: 'ib_send_lat' })).toThrow(
      'IbBandwidthTest: program "ib_send_lat" is not a known choice; allowed: "ib_read_bw", "ib_write_bw"',
    );
    expect(err({ device: 'mlx5_0; rm -rf /' })).toThrow(
      'IbBandwidthTest: device "mlx5_0; rm -rf /" is not an RDMA device name; allowed: a name from /sys/class/infiniband, e.g. "mlx5_0"',
    );
    expect(err({ port: 70000 })).toThrow('IbBandwidthTest: port 70000 is not allowed; allowed: a whole number from 1 to 65535');
    expect(err({ iterations: 0 })).toThrow('IbBandwidthTest: iterations 0 is not allowed');
    expect(err({ ibPort: 0 })).toThrow('IbBandwidthTest: ibPort 0 is not allowed; allowed: a whole number from 1 to 255');
  });
});

describe('MpiLatencyJob over InfiniBand', () => {
  const job = only(
    synth(s => new MpiLatencyJob(s, 'Ib', { transport: 'ib' })),
    'MPIJob',
  );
  const launcher = job.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0];
  const worker = job.spec.mpiReplicaSpecs.Worker.template.spec.containers[0];
  test('Open MPI with the UCX PML limited to RDMA transports, from the IB image', () => {
    expect(baseName(job)).toBe('osu-latency-ib');
    expect(launcher.command).toEqual(['/bin/sh', '-c', `echo "${OSU_RUN_MARKER} benchmark=osu_latency sizes=1:4194304"; exec "$0" "$@"`]);
    expect(launcher.args).toEqual([
      '/usr/bin/mpirun',
      '-np',
      '2',
      '--map-by',
      'ppr:1:node',
      '--mca',
      'pml',
      'ucx',
      '-x',
      'UCX_TLS=rc,sm,self',
      '/opt/osu-micro-benchmarks/libexec/osu-micro-benchmarks/mpi/pt2pt/osu_latency',
      '-m',
      '1:4194304',
      '-i',
      '10000',
    ]);
    expect(launcher.args.join(' ')).not.toContain('tcp');
    expect(worker.image).toBe(IB_BENCHMARK_IMAGE.image);
  });
  test('workers request the RDMA resource, no EFA and no huge pages', () => {
    expect(worker.resources.limits).toEqual({ cpu: '2', memory: '8Gi', 'rdma/rdma_shared_device_a': '1' });
    const custom = only(
      synth(
        s =>
          new MpiLatencyJob(s, 'Ib', {
            transport: 'ib',
            rdmaResource: 'jarvice.com/rdma',
            ucxNetDevices: 'mlx5_0:1,mlx5_1:1',
            benchmark: 'osu_bw',
          }),
      ),
      'MPIJob',
    );
    expect(custom.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.limits['jarvice.com/rdma']).toBe('1');
    expect(custom.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0].args).toContain('UCX_NET_DEVICES=mlx5_0:1,mlx5_1:1');
    expect(baseName(custom)).toBe('osu-bw-ib');
  });
  test('error messages', () => {
    const err = (props: object) => () => synth(s => new MpiLatencyJob(s, 'J', props));
    expect(err({ transport: 'efa', rdmaResource: 'rdma/a' })).toThrow(
      'MpiLatencyJob: rdmaResource "rdma/a" only applies to transport "ib" (transport is "efa"); allowed: unset, or transport "ib"',
    );
    expect(err({ transport: 'ib', ucxNetDevices: 'mlx5_0 1' })).toThrow(
      'MpiLatencyJob: ucxNetDevices "mlx5_0 1" is not a UCX device list; allowed: comma-separated "<device>:<port>" entries, e.g. "mlx5_0:1"',
    );
    expect(err({ transport: 'ib', rdmaResource: 'rdma' })).toThrow('MpiLatencyJob: rdmaResource "rdma" is not an extended resource name');
    expect(err({ transport: 'ib', mpiImplementation: 'Intel' })).toThrow(
      'MpiLatencyJob: transport "ib" is not available with mpiImplementation "Intel"',
    );
    expect(err({ transport: 'ib', benchmark: 'fi_info' })).toThrow('MpiLatencyJob: transport "ib" cannot run the fi_info check');
  });
});

describe('InfiniBand checks with deviceClaimTemplate (DRA)', () => {
  test('the pods claim an HCA from the template and request no RDMA resource', () => {
    for (const j of [
      only(
        synth(s => new IpoibTestPod(s, 'T', { networks: [{ name: 'ipoib' }], deviceClaimTemplate: 'rdma-devices' })),
        'Job',
      ),
      only(
        synth(s => new IbBandwidthTest(s, 'B', { deviceClaimTemplate: 'rdma-devices' })),
        'Job',
      ),
    ]) {
      const spec = j.spec.template.spec;
      expect(spec.resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'rdma-devices' }]);
      expect(spec.containers[0].resources.claims).toEqual([{ name: 'rdma-devices' }]);
      expect(Object.keys(spec.containers[0].resources.requests).sort()).toEqual(['cpu', 'memory']);
    }
  });
  test('rdmaResource does not go with a claim', () => {
    expect(() => synth(s => new IbBandwidthTest(s, 'B', { deviceClaimTemplate: 'x', rdmaResource: 'rdma/a' }))).toThrow(
      'IbBandwidthTest: rdmaResource "rdma/a" does not apply with deviceClaimTemplate (the claim gives the device); allowed: unset, or deviceClaimTemplate unset',
    );
  });
});
