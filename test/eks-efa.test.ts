import { baseName } from './helpers';
import { EksEfaProfile, PROFILE_NAMES, synthProfile } from '../src/internal';
import { App, Testing } from 'cdk8s';

const kinds = (objs: any[]) => objs.map(o => `${o.kind}/${baseName(o)}`).sort();

describe('eks-efa profile', () => {
  const objs: any[] = synthProfile('eks-efa');

  test('golden output with default options', () => {
    expect(objs).toMatchSnapshot();
  });
  test('composes the plugin, the operator, the namespace and the jobs', () => {
    expect(PROFILE_NAMES).toContain('eks-efa');
    expect(kinds(objs)).toEqual([
      'ClusterRole/kubeflow-mpijobs-admin',
      'ClusterRole/kubeflow-mpijobs-edit',
      'ClusterRole/kubeflow-mpijobs-view',
      'ClusterRole/mpi-operator',
      'ClusterRoleBinding/mpi-operator',
      'CustomResourceDefinition/mpijobs.kubeflow.org',
      'DaemonSet/aws-efa-k8s-device-plugin',
      'Deployment/mpi-operator',
      'Job/efa-fi-info',
      'Job/fi-pingpong',
      'MPIJob/osu-latency-efa',
      'MPIJob/osu-latency-tcp',
      'Namespace/mpi-operator',
      'Namespace/rdma-benchmarks',
      'Role/mpi-operator-leader-election',
      'RoleBinding/mpi-operator-leader-election',
      'Service/fi-pingpong',
      'ServiceAccount/mpi-operator',
    ]);
  });
  test('every object carries the standard labels with the package version and the instance', () => {
    const version = require('../package.json').version;
    for (const o of objs) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': 'eks-efa',
        'app.kubernetes.io/version': version,
        'app.kubernetes.io/part-of': 'cdk8s-rdma',
        'app.kubernetes.io/managed-by': 'cdk8s-rdma',
        'app.kubernetes.io/name': expect.any(String),
        'app.kubernetes.io/component': expect.any(String),
      });
    }
  });
  test('the benchmark namespace is labelled privileged, and says why', () => {
    const ns = objs.find(o => o.kind === 'Namespace' && o.metadata.name === 'rdma-benchmarks');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations['rdma.cdk8s.io/pod-security-reason']).toContain('IPC_LOCK');
  });
  test('options reach the components', () => {
    const custom: any[] = synthProfile('eks-efa', {
      instance: 'efa-prod',
      devicePlugin: { imageRegion: 'eu-west-1', tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
      mpiOperator: { enabled: false },
      benchmarks: {
        namespace: 'hpc',
        efaDevices: 4,
        osu: { tcpTwin: false, benchmark: 'osu_bw' },
        fiInfo: false,
        pingpong: { enabled: false },
      },
    });
    expect(kinds(custom)).toEqual(['DaemonSet/aws-efa-k8s-device-plugin', 'MPIJob/osu-bw-efa', 'Namespace/hpc']);
    expect(custom.every(o => o.metadata.labels['app.kubernetes.io/instance'] === 'efa-prod')).toBe(true);
    const ds = custom.find(o => o.kind === 'DaemonSet');
    expect(ds.spec.template.spec.containers[0].image).toBe(
      '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.20',
    );
    const job = custom.find(o => o.kind === 'MPIJob');
    expect(job.metadata.namespace).toBe('hpc');
    expect(job.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe('4');
  });
  test('coexistence: Auto Mode nodes excluded by default; adoption of an eks-charts, eksctl or upstream mpi-operator install', () => {
    const terms = objs.find(o => o.kind === 'DaemonSet').spec.template.spec.affinity.nodeAffinity
      .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    for (const t of terms)
      expect(t.matchExpressions).toContainEqual({ key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['auto'] });
    const adopted = synthProfile('eks-efa', {
      devicePlugin: { adopt: 'eks-charts', helmRelease: 'efa', includeAutoModeNodes: true },
      mpiOperator: { adopt: 'upstream' },
    });
    const ds = adopted.find(o => o.kind === 'DaemonSet')!;
    expect(ds.metadata.name).toBe('efa-aws-efa-k8s-device-plugin');
    expect(ds.spec.selector.matchLabels).toEqual({ name: 'efa-aws-efa-k8s-device-plugin' });
    expect(JSON.stringify(ds.spec.template.spec.affinity)).not.toContain('compute-type');
    expect(adopted.find(o => o.kind === 'Deployment')!.spec.selector.matchLabels).toEqual({
      app: 'mpi-operator',
      'app.kubernetes.io/component': 'mpijob',
      'app.kubernetes.io/name': 'mpi-operator',
      'kustomize.component': 'mpi-operator',
    });
    expect(synthProfile('eks-efa', { devicePlugin: { adopt: 'eksctl' } }).find(o => o.kind === 'DaemonSet')!.metadata.name).toBe(
      'aws-efa-k8s-device-plugin-daemonset',
    );
    expect(() => synthProfile('eks-efa', { devicePlugin: { adopt: 'eksctl', name: 'x' } })).toThrow(
      'eks-efa: devicePlugin.name "x" cannot be set with adopt "eksctl"',
    );
  });
  test('no benchmark pod mounts a service-account token (none calls the API server)', () => {
    const pods = objs.flatMap((o: any) =>
      o.kind === 'MPIJob' ? Object.values(o.spec.mpiReplicaSpecs).map((r: any) => r.template) : o.kind === 'Job' ? [o.spec.template] : [],
    );
    expect(pods.length).toBeGreaterThanOrEqual(6);
    for (const p of pods) expect(p.spec.automountServiceAccountToken).toBe(false);
  });
  test('components can be turned off one by one', () => {
    expect(kinds(synthProfile('eks-efa', { benchmarks: { enabled: false }, mpiOperator: { enabled: false } }))).toEqual([
      'DaemonSet/aws-efa-k8s-device-plugin',
    ]);
    expect(synthProfile('eks-efa', { devicePlugin: { enabled: false } }).some(o => o.kind === 'DaemonSet')).toBe(false);
  });
  test('errors name the profile and the option path', () => {
    expect(() => synthProfile('eks-efa', { devicePlugin: { instanceTypes: ['p5.48xlarge', 'c5n.18xlarge', 'm5.2xlarge'] } })).toThrow(
      'eks-efa: devicePlugin.instanceTypes[2] "m5.2xlarge" does not support EFA; allowed: an instance type on the EFA instance list (303 types, 2026-08-03); list newer types in additionalInstanceTypes',
    );
    expect(() => synthProfile('eks-efa', { benchmarks: { efaDevices: 0 } })).toThrow(
      'eks-efa: benchmarks.efaDevices 0 is not allowed; allowed: a whole number from 1 to 32',
    );
    expect(() => synthProfile('eks-efa', { benchmarks: { hugepages2Mi: '5121Mi' } })).toThrow(
      'eks-efa: benchmarks.hugepages2Mi "5121Mi" is not a multiple of the 2Mi huge page size',
    );
    expect(() => synthProfile('eks-efa', { benchmarks: { osu: { messageSizes: 'all' } } })).toThrow(
      'eks-efa: benchmarks.osu.messageSizes "all" is not an OSU message size range',
    );
    expect(() => synthProfile('eks-efa', { benchmarks: { pingpong: { iterations: 0 } } })).toThrow(
      'eks-efa: benchmarks.pingpong.iterations 0 is not allowed',
    );
    expect(() => synthProfile('eks-efa', { mpiOperator: { image: 'mpioperator/mpi-operator:latest' } })).toThrow(
      'eks-efa: mpiOperator.image "mpioperator/mpi-operator:latest" is not a pinned image',
    );
    expect(() => synthProfile('eks-efa', { instance: 'EKS' })).toThrow('eks-efa: instance "EKS" is not a valid name');
    expect(() => synthProfile('no-such-profile')).toThrow(
      'cdk8s-rdma: profile "no-such-profile" is not a known profile; allowed: baremetal-ipoib, eks-efa, openshift-efa',
    );
  });
  test('the profile chart works in any app, with any id', () => {
    const app = new App();
    const chart = new EksEfaProfile(app, 'my-efa', { benchmarks: { enabled: false } });
    expect(Testing.synth(chart).map(o => o.metadata.labels['app.kubernetes.io/instance'])).toContain('eks-efa');
  });
});

/** Every container of an object's pod templates (Job, MPIJob replicas). */
const podSpecsOf = (o: any): any[] =>
  o.kind === 'MPIJob'
    ? Object.values(o.spec.mpiReplicaSpecs).map((r: any) => r.template.spec)
    : o.spec?.template?.spec
      ? [o.spec.template.spec]
      : [];

describe('eks-efa with deviceApi dra', () => {
  const objs: any[] = synthProfile('eks-efa', { deviceApi: 'dra', benchmarks: { efaDevices: 2 } });
  const efaChecks = objs.filter(o => ['Job/efa-fi-info', 'Job/fi-pingpong', 'MPIJob/osu-latency-efa'].includes(`${o.kind}/${baseName(o)}`));

  test('aws-dranet and its DeviceClass instead of the device plugin; a claim template for the checks', () => {
    expect(kinds(objs)).toEqual([
      'ClusterRole/aws-dranet',
      'ClusterRole/kubeflow-mpijobs-admin',
      'ClusterRole/kubeflow-mpijobs-edit',
      'ClusterRole/kubeflow-mpijobs-view',
      'ClusterRole/mpi-operator',
      'ClusterRoleBinding/aws-dranet',
      'ClusterRoleBinding/mpi-operator',
      'CustomResourceDefinition/mpijobs.kubeflow.org',
      'DaemonSet/aws-dranet',
      'Deployment/mpi-operator',
      'DeviceClass/efa.networking.k8s.aws',
      'Job/efa-fi-info',
      'Job/fi-pingpong',
      'MPIJob/osu-latency-efa',
      'MPIJob/osu-latency-tcp',
      'Namespace/mpi-operator',
      'Namespace/rdma-benchmarks',
      'ResourceClaimTemplate/efa-devices',
      'Role/mpi-operator-leader-election',
      'RoleBinding/mpi-operator-leader-election',
      'Service/fi-pingpong',
      'ServiceAccount/aws-dranet',
      'ServiceAccount/mpi-operator',
    ]);
    const t = objs.find(o => o.kind === 'ResourceClaimTemplate');
    expect(t.metadata.namespace).toBe('rdma-benchmarks');
    expect(t.spec.spec.devices.requests).toEqual([{ name: 'nic', exactly: { deviceClassName: 'efa.networking.k8s.aws', count: 2 } }]);
  });
  test('the driver runs on the EFA instance types, off Auto Mode nodes, like the plugin would', () => {
    const terms = objs.find(o => o.kind === 'DaemonSet').spec.template.spec.affinity.nodeAffinity
      .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms[0].matchExpressions[0]).toMatchObject({ key: 'node.kubernetes.io/instance-type', operator: 'In' });
    expect(terms[0].matchExpressions[0].values).toContain('p5.48xlarge');
    expect(terms[0].matchExpressions[1]).toEqual({ key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['auto'] });
  });
  test('every EFA check claims its devices; none requests vpc.amazonaws.com/efa; huge pages stay', () => {
    expect(efaChecks).toHaveLength(3);
    for (const o of efaChecks) {
      const specs = podSpecsOf(o).filter(s => s.containers.some((c: any) => c.resources.limits['hugepages-2Mi']));
      expect(specs).toHaveLength(1);
      const [spec] = specs;
      expect(spec.resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'efa-devices' }]);
      expect(spec.containers[0].resources.claims).toEqual([{ name: 'rdma-devices' }]);
    }
    expect(JSON.stringify(objs)).not.toContain('vpc.amazonaws.com/efa"');
    // The TCP twin holds no EFA device and claims none.
    const tcp = objs.find(o => o.kind === 'MPIJob' && baseName(o) === 'osu-latency-tcp');
    expect(JSON.stringify(tcp)).not.toContain('resourceClaims');
  });
  test('the run ids change with the device API (a new run, not an edit of an immutable Job)', () => {
    const plain: any[] = synthProfile('eks-efa', { benchmarks: { efaDevices: 2 } });
    const name = (list: any[], n: string) => list.find(o => o.kind === 'Job' && baseName(o) === n).metadata.name;
    expect(name(objs, 'efa-fi-info')).not.toBe(name(plain, 'efa-fi-info'));
  });
  test("dra.enabled false: the cluster's aws-dranet; only the claims", () => {
    const k = kinds(synthProfile('eks-efa', { deviceApi: 'dra', dra: { enabled: false } }));
    expect(k).toContain('ResourceClaimTemplate/efa-devices');
    expect(k.filter(x => /dranet|DeviceClass|efa-k8s-device-plugin/.test(x))).toEqual([]);
  });
  test('dra.namespace and dra.image place and pull the driver', () => {
    const ds = synthProfile('eks-efa', {
      deviceApi: 'dra',
      dra: { namespace: 'dra-system', image: 'mirror.example.com/eks/dranet:v1.2.0-eksbuild.2' },
    })
      .filter(o => o.metadata.namespace === 'dra-system')
      .map(o => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(ds).toEqual(['DaemonSet/aws-dranet', 'ServiceAccount/aws-dranet']);
    const d: any = synthProfile('eks-efa', { deviceApi: 'dra', dra: { image: 'mirror.example.com/eks/dranet:v1.2.0-eksbuild.2' } }).find(
      o => o.kind === 'DaemonSet',
    );
    expect(d.spec.template.spec.containers[0].image).toBe('mirror.example.com/eks/dranet:v1.2.0-eksbuild.2');
  });
  test('benchmarks off: no claim template', () => {
    expect(
      kinds(synthProfile('eks-efa', { deviceApi: 'dra', benchmarks: { enabled: false } })).filter(x =>
        x.startsWith('ResourceClaimTemplate'),
      ),
    ).toEqual([]);
  });
  test('refusals: an old Kubernetes, the device plugin switched on, dra options without dra', () => {
    expect(() => synthProfile('eks-efa', { deviceApi: 'dra', kubernetesVersion: '1.33' })).toThrow(
      'eks-efa: kubernetesVersion "1.33" is too old for deviceApi "dra" (resource.k8s.io/v1 is served from Kubernetes 1.34); allowed: "1.34" or later, or deviceApi "device-plugin"',
    );
    expect(() => synthProfile('eks-efa', { deviceApi: 'dra', devicePlugin: { enabled: true } })).toThrow(
      'eks-efa: devicePlugin.enabled true is not allowed with deviceApi "dra" (the device plugin and the DRA driver would both manage the EFA devices of the same nodes)',
    );
    expect(() => synthProfile('eks-efa', { dra: { namespace: 'x' } })).toThrow(
      'eks-efa: dra {"namespace":"x"} only applies to deviceApi "dra"',
    );
    expect(() => synthProfile('eks-efa', { deviceApi: 'dra', dra: { image: 'dranet' } })).toThrow(
      'eks-efa: dra.image "dranet" is not a pinned image',
    );
    expect(() => synthProfile('eks-efa', { deviceApi: 'dra', devicePlugin: { instanceTypes: ['t3.micro'] } })).toThrow(
      'eks-efa: devicePlugin.instanceTypes[0] "t3.micro" does not support EFA',
    );
  });
});

describe('eks-efa with the NCCL job', () => {
  test('off by default; benchmarks.nccl.instanceType is all it takes: every GPU and EFA interface of the instance', () => {
    expect(synthProfile('eks-efa').filter(o => o.kind === 'MPIJob' && baseName(o).startsWith('nccl'))).toEqual([]);
    const objs: any[] = synthProfile('eks-efa', { benchmarks: { nccl: { enabled: true, instanceType: 'p5.48xlarge' } } });
    const j = objs.find(o => o.kind === 'MPIJob' && baseName(o) === 'nccl-all-reduce-efa');
    expect(j.metadata.namespace).toBe('rdma-benchmarks');
    const w = j.spec.mpiReplicaSpecs.Worker.template.spec;
    expect(w.containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu': '8', 'vpc.amazonaws.com/efa': '32' });
    // The OSU jobs keep benchmarks.efaDevices (1).
    const osu = objs.find(o => o.kind === 'MPIJob' && baseName(o) === 'osu-latency-efa');
    expect(osu.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe('1');
  });
  test('with DRA: one claim per worker for its 8 GPUs and 32 EFA, aligned per PCIe root', () => {
    const objs: any[] = synthProfile('eks-efa', { deviceApi: 'dra', benchmarks: { nccl: { enabled: true, instanceType: 'p5.48xlarge' } } });
    const t = objs.find(o => o.kind === 'ResourceClaimTemplate' && baseName(o) === 'nccl-devices');
    expect(t.spec.spec.devices.requests).toHaveLength(16);
    expect(t.spec.spec.devices.requests.slice(0, 2)).toEqual([
      { name: 'gpu-0', exactly: { deviceClassName: 'gpu.nvidia.com', count: 1 } },
      { name: 'nic-0', exactly: { deviceClassName: 'efa.networking.k8s.aws', count: 4 } },
    ]);
    expect(t.spec.spec.devices.constraints).toHaveLength(8);
    const w = objs.find(o => o.kind === 'MPIJob' && baseName(o) === 'nccl-all-reduce-efa').spec.mpiReplicaSpecs.Worker.template.spec;
    expect(w.resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'nccl-devices' }]);
    expect(w.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    const unaligned: any[] = synthProfile('eks-efa', {
      deviceApi: 'dra',
      benchmarks: { nccl: { enabled: true, instanceType: 'p5.48xlarge', alignGpus: false } },
    });
    expect(unaligned.find(o => baseName(o) === 'nccl-devices').spec.spec.devices.constraints).toBeUndefined();
  });
  test('refusals name the option', () => {
    expect(() => synthProfile('eks-efa', { benchmarks: { nccl: { enabled: true, instanceType: 'm7g.16xlarge' } } })).toThrow(
      'eks-efa: benchmarks.nccl.instanceType "m7g.16xlarge" has no NVIDIA GPUs',
    );
    expect(() => synthProfile('eks-efa', { benchmarks: { nccl: { enabled: true, alignGpus: false } } })).toThrow(
      'eks-efa: benchmarks.nccl.alignGpus false only applies to deviceApi "dra" (the device plugin cannot align GPUs and NICs)',
    );
    expect(() =>
      synthProfile('eks-efa', {
        deviceApi: 'dra',
        benchmarks: { nccl: { enabled: true, gpusPerWorker: 8, efaDevices: 3, alignGpus: true } },
      }),
    ).toThrow('eks-efa: benchmarks.nccl.efaDevices 3 cannot be split evenly with 8 GPUs for alignment (3 PCIe-root groups)');
    expect(() => synthProfile('eks-efa', { deviceApi: 'dra', benchmarks: { nccl: { enabled: true, alignGpus: true } } })).toThrow(
      'eks-efa: benchmarks.nccl.efaDevices 1 puts more than 2 of the 8 GPUs on one PCIe root with each EFA device; allowed: at least half as many EFA devices as GPUs, or alignGpus false',
    );
    // Without an instance type (8 GPUs, 1 EFA device) the claim is not aligned unless asked.
    const plain: any[] = synthProfile('eks-efa', { deviceApi: 'dra', benchmarks: { nccl: { enabled: true } } });
    expect(plain.find(o => baseName(o) === 'nccl-devices').spec.spec.devices.constraints).toBeUndefined();
  });
});
