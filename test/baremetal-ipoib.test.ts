import { baseName } from './helpers';
import { PROFILE_NAMES, synthProfile } from '../src/internal';
import { PROFILE_VARIANTS } from './variants';

const kinds = (objs: any[]) => objs.map(o => `${o.kind}/${baseName(o)}`).sort();
const find = (objs: any[], kind: string, name?: string) => objs.find(o => o.kind === kind && (name === undefined || baseName(o) === name));
/** The pod spec of the ipoib-test Job. */
const testPod = (objs: any[]) => find(objs, 'Job', 'ipoib-test')?.spec.template;
const P = 'baremetal-ipoib';
const variant = (prefix: string) => Object.entries(PROFILE_VARIANTS[P]).find(([k]) => k.startsWith(prefix))![1] as any;

describe('baremetal-ipoib profile', () => {
  const objs: any[] = synthProfile(P);

  test('golden output with default options', () => {
    expect(objs).toMatchSnapshot();
  });
  test('composes Multus, ipoib-cni, whereabouts, the IPoIB network, the RDMA plugin, the MPI operator and the checks', () => {
    expect(PROFILE_NAMES).toContain(P);
    expect(kinds(objs)).toEqual([
      'ClusterRole/kubeflow-mpijobs-admin',
      'ClusterRole/kubeflow-mpijobs-edit',
      'ClusterRole/kubeflow-mpijobs-view',
      'ClusterRole/mpi-operator',
      'ClusterRole/multus',
      'ClusterRole/whereabouts-cni',
      'ClusterRoleBinding/mpi-operator',
      'ClusterRoleBinding/multus',
      'ClusterRoleBinding/whereabouts',
      'ConfigMap/multus-daemon-config',
      'ConfigMap/rdma-devices',
      'ConfigMap/whereabouts-config',
      'CustomResourceDefinition/ippools.whereabouts.cni.cncf.io',
      'CustomResourceDefinition/mpijobs.kubeflow.org',
      'CustomResourceDefinition/network-attachment-definitions.k8s.cni.cncf.io',
      'CustomResourceDefinition/nodeslicepools.whereabouts.cni.cncf.io',
      'CustomResourceDefinition/overlappingrangeipreservations.whereabouts.cni.cncf.io',
      'DaemonSet/kube-ipoib-cni-ds',
      'DaemonSet/kube-multus-ds',
      'DaemonSet/rdma-shared-dp-ds',
      'DaemonSet/whereabouts',
      'Deployment/mpi-operator',
      'Deployment/whereabouts-reconciler',
      'Job/ib-read-bw',
      'Job/ipoib-test',
      'MPIJob/osu-latency-ib',
      'Namespace/mpi-operator',
      'Namespace/rdma-benchmarks',
      'NetworkAttachmentDefinition/ipoib',
      'Role/mpi-operator-leader-election',
      'RoleBinding/mpi-operator-leader-election',
      'Service/ib-read-bw',
      'ServiceAccount/mpi-operator',
      'ServiceAccount/multus',
      'ServiceAccount/whereabouts',
    ]);
  });
  test('every object carries the standard labels; no image is latest or untagged', () => {
    const version = require('../package.json').version;
    for (const o of objs) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': P,
        'app.kubernetes.io/version': version,
        'app.kubernetes.io/managed-by': 'cdk8s-rdma',
      });
    }
    const images = JSON.stringify(objs).match(/"image":"[^"]+"/g)!;
    expect(images.length).toBeGreaterThan(8);
    for (const i of images) expect(i).toMatch(/"image":"[^"]+:(?!latest")[^":]+"$/);
  });
  test("the workloads use the device plugin's resource and the network's annotation", () => {
    const pod = testPod(objs);
    expect(pod.metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBe('rdma-benchmarks/ipoib');
    expect(pod.spec.containers[0].resources.limits['rdma/rdma_shared_device_a']).toBe('1');
    expect(find(objs, 'Job', 'ib-read-bw').spec.template.spec.containers[0].resources.limits['rdma/rdma_shared_device_a']).toBe('1');
    expect(find(objs, 'MPIJob').spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.limits).toEqual({
      cpu: '1',
      memory: '1Gi',
      'rdma/rdma_shared_device_a': '1',
    });
    expect(find(objs, 'Namespace', 'rdma-benchmarks').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });
  test('jarvice variant with OpenShift CNI paths: the paths reach every agent, the resource every workload', () => {
    const o = synthProfile(P, variant('jarvice'));
    expect(find(o, 'DaemonSet', 'kube-multus-ds')).toBeUndefined();
    const hostPaths = (name: string) => find(o, 'DaemonSet', name).spec.template.spec.volumes.map((v: any) => v.hostPath.path);
    expect(hostPaths('kube-ipoib-cni-ds')).toEqual(['/var/lib/cni/bin']);
    expect(hostPaths('whereabouts')).toEqual(['/var/lib/cni/bin', '/etc/kubernetes/cni/net.d']);
    expect(find(o, 'DaemonSet', 'whereabouts').spec.template.spec.containers[0].securityContext).toEqual({ privileged: true });
    expect(testPod(o).spec.containers[0].resources.limits['jarvice.com/rdma']).toBe('1');
    expect(find(o, 'MPIJob').spec.mpiReplicaSpecs.Worker.template.spec.containers[0].resources.limits['jarvice.com/rdma']).toBe('1');
    expect(find(o, 'Job', 'ipoib-test').metadata.namespace).toBe('hpc');
    expect(testPod(o).metadata.annotations).toEqual({ 'k8s.v1.cni.cncf.io/networks': 'hpc/fabric' });
    // /etc/kubernetes/cni/net.d is on whereabouts' search list: no configuration_path needed.
    expect(JSON.parse(find(o, 'NetworkAttachmentDefinition').spec.config).ipam.configuration_path).toBeUndefined();
  });
  test('a CNI configuration directory whereabouts does not search gets configuration_path', () => {
    const o = synthProfile(P, { cni: { cniConfDir: '/etc/cni/custom.d' } });
    expect(JSON.parse(find(o, 'NetworkAttachmentDefinition').spec.config).ipam.configuration_path).toBe(
      '/etc/cni/custom.d/whereabouts.d/whereabouts.conf',
    );
  });
  test('operator mode: NicClusterPolicy, IPoIBNetwork and an NV-IPAM pool instead of the bundle DaemonSets and whereabouts', () => {
    const o = synthProfile(P, { mode: 'operator' });
    // The network-operator removed whereabouts in v25.10.0: no whereabouts objects at all.
    expect(kinds(o).filter(k => k.startsWith('DaemonSet/') || k.startsWith('Deployment/whereabouts') || k.includes('whereabouts'))).toEqual(
      [],
    );
    expect(find(o, 'NetworkAttachmentDefinition')).toBeUndefined();
    expect(find(o, 'NicClusterPolicy').metadata.name).toBe('nic-cluster-policy');
    expect(find(o, 'NicClusterPolicy').spec.nvIpam).toMatchObject({ image: 'nvidia-k8s-ipam', enableWebhook: false });
    expect(find(o, 'IPoIBNetwork').spec).toEqual({
      networkNamespace: 'rdma-benchmarks',
      master: 'ib0',
      ipam: '{"type":"nv-ipam","poolName":"ipoib"}',
    });
    expect(find(o, 'IPPool').metadata).toMatchObject({ name: 'ipoib', namespace: 'nvidia-network-operator' });
    expect(find(o, 'IPPool').spec).toEqual({ subnet: '192.168.0.0/24', perNodeBlockSize: 32 });
    expect(testPod(o).metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBe('rdma-benchmarks/ipoib');
    const custom = synthProfile(P, variant('operator'));
    expect(testPod(custom).spec.containers[0].resources.limits['rdma/rdma_ib']).toBe('1');
    expect(find(custom, 'IPPool').spec).toEqual({ subnet: '10.56.0.0/16', perNodeBlockSize: 32, gateway: '10.56.0.1' });
    const pooled = synthProfile(P, {
      mode: 'operator',
      operator: { ipPool: { perNodeBlockSize: 64, namespace: 'network-operator' } },
      network: { ipam: { range: '10.56.0.0/16', exclude: ['10.56.0.0/24'] } },
    });
    expect(find(pooled, 'IPPool').metadata.namespace).toBe('network-operator');
    expect(find(pooled, 'IPPool').spec).toEqual({
      subnet: '10.56.0.0/16',
      perNodeBlockSize: 64,
      exclusions: [{ startIP: '10.56.0.0', endIP: '10.56.0.255' }],
    });
    // Bundle mode keeps whereabouts.
    expect(kinds(objs)).toContain('DaemonSet/whereabouts');
  });
  test('switches: no plugin (the tests name a resource), no tests, no MPI operator', () => {
    const o = synthProfile(P, {
      devicePlugin: { enabled: false },
      benchmarks: { rdmaResource: 'example.com/hca', bandwidth: { enabled: false }, osu: { enabled: false } },
      mpiOperator: { enabled: false },
    });
    expect(find(o, 'DaemonSet', 'rdma-shared-dp-ds')).toBeUndefined();
    expect(testPod(o).spec.containers[0].resources.limits['example.com/hca']).toBe('1');
    expect(kinds(o).filter(k => /^(Job|MPIJob|Deployment\/mpi-operator)/.test(k))).toEqual(['Job/ipoib-test']);
    expect(kinds(synthProfile(P, { benchmarks: { enabled: false } })).filter(k => /^(Job|MPIJob|Pod)\//.test(k))).toEqual([]);
  });
  test('errors name the profile and the option path', () => {
    const err = (options: object) => () => synthProfile(P, options);
    expect(err({ mode: 'helm' })).toThrow('baremetal-ipoib: mode "helm" is not a known choice; allowed: "bundle", "operator"');
    expect(err({ network: { ipam: { range: '192.168.0.0/33' } } })).toThrow(
      'baremetal-ipoib: network.ipam.range "192.168.0.0/33" is not a CIDR range',
    );
    expect(err({ network: { ipam: { range: '10.0.0.0/24', gateway: '10.0.1.1' } } })).toThrow(
      'baremetal-ipoib: network.ipam.gateway "10.0.1.1" is outside the range 10.0.0.0/24; allowed: an address inside 10.0.0.0/24',
    );
    expect(err({ network: { master: '' } })).toThrow('baremetal-ipoib: network.master "" is empty');
    expect(err({ devicePlugin: { variant: 'sriov' } })).toThrow(
      'baremetal-ipoib: devicePlugin.variant "sriov" is not a known choice; allowed: "rdma-shared", "jarvice"',
    );
    expect(err({ devicePlugin: { configList: [{ resourceName: 'a', rdmaHcaMax: 0, selectors: { vendors: ['15b3'] } }] } })).toThrow(
      'baremetal-ipoib: devicePlugin.configList[0].rdmaHcaMax 0 is out of range',
    );
    expect(
      err({ mode: 'operator', devicePlugin: { configList: [{ resourceName: 'a', rdmaHcaMax: 1001, selectors: { vendors: ['15b3'] } }] } }),
    ).toThrow('baremetal-ipoib: devicePlugin.configList[0].rdmaHcaMax 1001 is out of range');
    expect(err({ mode: 'operator', multus: { enabled: false } })).toThrow(
      'baremetal-ipoib: multus {"enabled":false} does not apply in mode "operator"; allowed: unset in mode "operator" (the operator deploys Multus, ipoib-cni and NV-IPAM)',
    );
    expect(err({ mode: 'operator', whereabouts: { logLevel: 'error' } })).toThrow(
      'baremetal-ipoib: whereabouts {"logLevel":"error"} does not apply in mode "operator"',
    );
    expect(err({ mode: 'operator', network: { ipam: { range: '10.56.0.0/16', rangeStart: '10.56.1.1' } } })).toThrow(
      'baremetal-ipoib: network.ipam.rangeStart "10.56.1.1" does not apply in mode "operator"; allowed: unset (NV-IPAM gives each node a block of network.ipam.range; use network.ipam.exclude)',
    );
    expect(err({ mode: 'operator', network: { ipam: { range: '10.56.0.0/16', gateway: '10.57.0.1' } } })).toThrow(
      'baremetal-ipoib: network.ipam.gateway "10.57.0.1" is outside the range 10.56.0.0/16',
    );
    expect(err({ mode: 'operator', operator: { ipPool: { perNodeBlockSize: 300 } } })).toThrow(
      'baremetal-ipoib: operator.ipPool.perNodeBlockSize 300 is not less than the 256 addresses of 192.168.0.0/24; allowed: a whole number from 1 to 255',
    );
    expect(err({ mode: 'operator', devicePlugin: { variant: 'jarvice' } })).toThrow(
      'baremetal-ipoib: devicePlugin.variant "jarvice" does not apply in mode "operator"',
    );
    expect(err({ operator: { multus: false } })).toThrow(
      'baremetal-ipoib: operator {"multus":false} does not apply in mode "bundle"; allowed: unset in mode "bundle", or mode "operator"',
    );
    expect(err({ cni: { cniBinDir: 'bin' } })).toThrow('baremetal-ipoib: cni.cniBinDir "bin" is not an absolute path');
    expect(err({ multus: { memory: '64Mi' } })).toThrow('baremetal-ipoib: multus.memory "64Mi" is too little');
    expect(err({ whereabouts: { reconcilerSchedule: 'daily' } })).toThrow(
      'baremetal-ipoib: whereabouts.reconcilerSchedule "daily" is not a cron expression',
    );
    expect(err({ benchmarks: { bandwidth: { program: 'ib_send_bw' } } })).toThrow(
      'baremetal-ipoib: benchmarks.bandwidth.program "ib_send_bw" is not a known choice',
    );
    expect(err({ benchmarks: { osu: { ucxNetDevices: 'mlx5_0 1' } } })).toThrow(
      'baremetal-ipoib: benchmarks.osu.ucxNetDevices "mlx5_0 1" is not a UCX device list',
    );
    expect(err({ benchmarks: { memory: 'lots' } })).toThrow('baremetal-ipoib: benchmarks.memory "lots" is not a memory quantity');
    expect(err({ namespace: 'HPC' })).toThrow('baremetal-ipoib: namespace "HPC" is not a valid name');
    expect(err({ mode: 'operator', network: { cniVersion: '1.0.0' } })).toThrow(
      'baremetal-ipoib: network.cniVersion "1.0.0" does not apply in mode "operator"',
    );
  });
});

describe('baremetal-ipoib with deviceApi dra', () => {
  const objs: any[] = synthProfile(P, variant('DRA with dranet'));
  const checks = objs.filter(o => ['Job/ipoib-test', 'Job/ib-read-bw', 'MPIJob/osu-latency-ib'].includes(`${o.kind}/${baseName(o)}`));

  test('dranet and the infiniband-rdma DeviceClass instead of the RDMA device plugin; the IPoIB network stays', () => {
    const k = kinds(objs);
    expect(k).toEqual(
      expect.arrayContaining([
        'DaemonSet/dranet',
        'DeviceClass/infiniband-rdma',
        'ResourceClaimTemplate/rdma-devices',
        'ClusterRole/dranet',
        'ServiceAccount/dranet',
        'NetworkAttachmentDefinition/ipoib',
        'DaemonSet/kube-ipoib-cni-ds',
      ]),
    );
    expect(k.filter(x => /rdma-shared|ConfigMap\/rdma-devices/.test(x))).toEqual([]);
  });
  test('dranet leaves the IPoIB interfaces on the host and the DeviceClass selects the listed HCAs', () => {
    expect(find(objs, 'DaemonSet', 'dranet').spec.template.spec.containers[0].args).toContain('--move-ib-interfaces=false');
    expect(find(objs, 'DeviceClass').spec.selectors.map((s: any) => s.cel.expression)).toEqual([
      'device.driver == "dra.net"',
      'device.attributes["dra.net"].rdma == true',
      'device.attributes["dra.net"].rdmaDevice in ["mlx5_0", "mlx5_1"]',
    ]);
  });
  test('each test pod claims one HCA and requests no device plugin resource; the IPoIB attachment stays', () => {
    expect(checks).toHaveLength(3);
    for (const o of checks) {
      const spec = o.kind === 'MPIJob' ? o.spec.mpiReplicaSpecs.Worker.template.spec : o.spec.template.spec;
      expect(spec.resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'rdma-devices' }]);
      expect(spec.containers[0].resources.claims).toEqual([{ name: 'rdma-devices' }]);
      expect(Object.keys(spec.containers[0].resources.limits).sort()).toEqual(['cpu', 'memory']);
    }
    expect(testPod(objs).metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBe('rdma-benchmarks/ipoib');
    expect(find(objs, 'ResourceClaimTemplate').spec.spec.devices.requests).toEqual([
      { name: 'nic', exactly: { deviceClassName: 'infiniband-rdma', count: 1 } },
    ]);
  });
  test('refusals: operator mode, the plugin switched on, a resource name, a bad HCA name', () => {
    expect(() => synthProfile(P, { deviceApi: 'dra', mode: 'operator' })).toThrow(
      'baremetal-ipoib: deviceApi "dra" is not available in mode "operator"',
    );
    expect(() => synthProfile(P, { deviceApi: 'dra', devicePlugin: { enabled: true } })).toThrow(
      'baremetal-ipoib: devicePlugin.enabled true is not allowed with deviceApi "dra" (the device plugin and dranet would both manage the HCAs of the same nodes)',
    );
    expect(() => synthProfile(P, { deviceApi: 'dra', benchmarks: { rdmaResource: 'rdma/hca' } })).toThrow(
      'baremetal-ipoib: benchmarks.rdmaResource "rdma/hca" does not apply with deviceApi "dra" (each test pod claims an HCA); allowed: unset, or deviceApi "device-plugin"',
    );
    expect(() => synthProfile(P, { deviceApi: 'dra', dra: { rdmaDevices: ['mlx5 0'] } })).toThrow(
      'baremetal-ipoib: dra.rdmaDevices[0] "mlx5 0" is not an RDMA device name',
    );
    expect(() => synthProfile(P, { deviceApi: 'dra', kubernetesVersion: '1.30' })).toThrow(
      'baremetal-ipoib: kubernetesVersion "1.30" is too old for deviceApi "dra"',
    );
  });
  test("dra.enabled false: only the claims, against the cluster's dranet and DeviceClass", () => {
    const k = kinds(synthProfile(P, { deviceApi: 'dra', dra: { enabled: false } }));
    expect(k).toContain('ResourceClaimTemplate/rdma-devices');
    expect(k.filter(x => /dranet|DeviceClass|rdma-shared/.test(x))).toEqual([]);
  });
});

describe('baremetal-ipoib with the NCCL job', () => {
  test('NCCL over IB verbs: the RDMA resource, bootstrap on the IPoIB attachment, the HCAs named', () => {
    const objs: any[] = synthProfile(P, variant('NCCL over InfiniBand'));
    const j = find(objs, 'MPIJob', 'nccl-all-reduce-ib');
    const w = j.spec.mpiReplicaSpecs.Worker.template;
    expect(w.spec.containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu': '4', 'rdma/rdma_shared_device_a': '1' });
    expect(w.metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBe('rdma-benchmarks/ipoib');
    expect(j.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0].args).toEqual(
      expect.arrayContaining(['NCCL_NET=IB', 'NCCL_IB_HCA==mlx5_0,mlx5_1', 'NCCL_SOCKET_IFNAME==net1']),
    );
    expect(j.spec.mpiReplicaSpecs.Worker.replicas).toBe(4);
  });
  test('with DRA: GPUs and HCAs from one claim, aligned per PCIe root (8 GPUs, 8 HCAs: 8 groups)', () => {
    const objs: any[] = synthProfile(P, variant('DRA with dranet'));
    const t = find(objs, 'ResourceClaimTemplate', 'nccl-devices');
    expect(t.spec.spec.devices.constraints).toHaveLength(8);
    expect(t.spec.spec.devices.requests[1]).toEqual({ name: 'nic-0', exactly: { deviceClassName: 'infiniband-rdma', count: 1 } });
    expect(find(objs, 'MPIJob', 'nccl-all-reduce-ib').spec.mpiReplicaSpecs.Worker.template.spec.resourceClaims).toEqual([
      { name: 'rdma-devices', resourceClaimTemplateName: 'nccl-devices' },
    ]);
  });
  test('refusals', () => {
    expect(() => synthProfile(P, { deviceApi: 'dra', benchmarks: { nccl: { enabled: true, ibHcas: ['mlx5_0'] } } })).toThrow(
      'baremetal-ipoib: benchmarks.nccl.ibHcas ["mlx5_0"] does not apply with deviceApi "dra" (the claim picks the HCAs; narrow them with dra.rdmaDevices)',
    );
    expect(() => synthProfile(P, { benchmarks: { nccl: { enabled: true, hcasPerWorker: 2 } } })).toThrow(
      'baremetal-ipoib: benchmarks.nccl.hcasPerWorker 2 only applies to deviceApi "dra"',
    );
    expect(() => synthProfile(P, { deviceApi: 'dra', benchmarks: { nccl: { enabled: true, alignGpus: true } } })).toThrow(
      'baremetal-ipoib: benchmarks.nccl.hcasPerWorker 1 puts more than 2 of the 8 GPUs on one PCIe root with each HCA',
    );
  });
});
