import {
  CONFIG_HASH_ANNOTATION,
  NetworkOperatorPolicy,
  NvIpamPool,
  OperatorIpoibNetwork,
  RdmaDevicePlugin,
  RdmaSharedSelectors,
} from '../src/internal';
import { only, synth } from './helpers';

const build = (props: object = {}) => {
  let dp!: RdmaDevicePlugin;
  const objs = synth(s => {
    dp = new RdmaDevicePlugin(s, 'DP', props);
  });
  return { dp, objs, ds: only(objs, 'DaemonSet') };
};
const volumes = (ds: any) => Object.fromEntries(ds.spec.template.spec.volumes.map((v: any) => [v.name, v.hostPath ?? v.configMap]));
const IB: RdmaSharedSelectors = { vendors: ['15b3'], linkTypes: ['infiniband'] };

describe('RdmaDevicePlugin rdma-shared (default)', () => {
  const { dp, objs, ds } = build();
  const spec = ds.spec.template.spec;
  test('ConfigMap rdma-devices with a config.json that parses to exactly the configList', () => {
    const cm = only(objs, 'ConfigMap', 'rdma-devices');
    expect(Object.keys(cm.data)).toEqual(['config.json']);
    expect(JSON.parse(cm.data['config.json'])).toStrictEqual({
      configList: [{ resourceName: 'rdma_shared_device_a', rdmaHcaMax: 63, selectors: { vendors: ['15b3'], linkTypes: ['infiniband'] } }],
    });
    expect(dp.resourceName).toBe('rdma/rdma_shared_device_a');
  });
  test('DaemonSet as upstream runs it: host network, privileged, critical, kubelet dirs, config, host /dev', () => {
    expect(ds.metadata).toMatchObject({ name: 'rdma-shared-dp-ds', namespace: 'kube-system' });
    expect(spec.hostNetwork).toBe(true);
    expect(spec.priorityClassName).toBe('system-node-critical');
    expect(spec.containers[0].image).toBe('ghcr.io/mellanox/k8s-rdma-shared-dev-plugin:v1.5.3');
    expect(spec.containers[0].securityContext).toEqual({ privileged: true });
    expect(volumes(ds)).toEqual({
      'device-plugin': { path: '/var/lib/kubelet/device-plugins', type: 'Directory' },
      'plugins-registry': { path: '/var/lib/kubelet/plugins_registry', type: 'Directory' },
      config: { name: 'rdma-devices', items: [{ key: 'config.json', path: 'config.json' }] },
      devs: { path: '/dev/' },
    });
    expect(spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual([
      '/var/lib/kubelet/device-plugins',
      '/var/lib/kubelet/plugins_registry',
      '/k8s-rdma-shared-dev-plugin',
      '/dev/',
    ]);
    expect(ds.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
  });
  test('custom configList, rescan interval, kubelet root, scheduling', () => {
    const c = build({
      periodicUpdateInterval: 300,
      kubeletRootDir: '/data/kubelet',
      nodeSelector: { ib: 'true' },
      tolerations: [{ key: 'hpc', operator: 'Exists', effect: 'NoExecute' }],
      configList: [
        {
          resourceName: 'hca_a',
          resourcePrefix: 'example.com',
          rdmaHcaMax: 1000,
          selectors: { deviceIDs: ['101B'], drivers: ['mlx5_core'], ifNames: ['ib0', 'ib1'] },
        },
        { resourceName: 'roce', rdmaHcaMax: 63, selectors: { linkTypes: ['ether'] } },
      ],
    });
    expect(JSON.parse(only(c.objs, 'ConfigMap').data['config.json'])).toStrictEqual({
      periodicUpdateInterval: 300,
      configList: [
        {
          resourceName: 'hca_a',
          resourcePrefix: 'example.com',
          rdmaHcaMax: 1000,
          selectors: { deviceIDs: ['101B'], drivers: ['mlx5_core'], ifNames: ['ib0', 'ib1'] },
        },
        { resourceName: 'roce', rdmaHcaMax: 63, selectors: { linkTypes: ['ether'] } },
      ],
    });
    expect(c.dp.resourceNames).toEqual(['example.com/hca_a', 'rdma/roce']);
    expect(volumes(c.ds)['device-plugin']).toEqual({ path: '/data/kubelet/device-plugins', type: 'Directory' });
    expect(c.ds.spec.template.spec.nodeSelector).toEqual({ ib: 'true' });
    expect(c.ds.spec.template.spec.tolerations).toContainEqual({ key: 'hpc', operator: 'Exists', effect: 'NoExecute' });
    expect(c.ds.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION]).not.toBe(
      ds.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION],
    );
  });
});

describe('RdmaDevicePlugin jarvice', () => {
  const { dp, objs, ds } = build({ variant: 'jarvice' });
  const c = ds.spec.template.spec.containers[0];
  test('one jarvice.com/rdma per node; unprivileged; /dev/infiniband only', () => {
    expect(dp.resourceName).toBe('jarvice.com/rdma');
    expect(objs.map(o => o.kind)).toEqual(['DaemonSet']);
    expect(ds.metadata.name).toBe('rdma-device-daemonset');
    expect(c.image).toBe('us-docker.pkg.dev/jarvice/images/k8s-rdma-device:1.0.3');
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(volumes(ds)).toEqual({
      'device-plugin': { path: '/var/lib/kubelet/device-plugins', type: 'Directory' },
      infiniband: { path: '/dev/infiniband', type: 'Directory' },
    });
  });
  test('knem mounts /dev/knem, required to be a character device', () => {
    const k = build({ variant: 'jarvice', knem: true });
    expect(volumes(k.ds).knem).toEqual({ path: '/dev/knem', type: 'CharDevice' });
    expect(k.ds.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'knem', mountPath: '/dev/knem' });
  });
});

describe('RdmaDevicePlugin errors', () => {
  const err = (props: object) => () => build(props);
  const one = (r: object) => ({ configList: [{ resourceName: 'a', selectors: IB, ...r }] });
  test('unknown variant and options of the other variant', () => {
    expect(err({ variant: 'tencent' })).toThrow(
      'RdmaDevicePlugin: variant "tencent" is not a known choice; allowed: "rdma-shared", "jarvice"',
    );
    expect(err({ variant: 'jarvice', configList: [] })).toThrow(
      'RdmaDevicePlugin: configList [] only applies to variant "rdma-shared"; allowed: unset with variant "jarvice"',
    );
    expect(err({ variant: 'jarvice', periodicUpdateInterval: 5 })).toThrow(
      'RdmaDevicePlugin: periodicUpdateInterval 5 only applies to variant "rdma-shared"',
    );
    expect(err({ knem: true })).toThrow(
      'RdmaDevicePlugin: knem true only applies to variant "jarvice"; allowed: unset with variant "rdma-shared" (it mounts all of /dev)',
    );
  });
  test('rdmaHcaMax out of range, stricter for RoCE', () => {
    expect(err(one({ rdmaHcaMax: 0 }))).toThrow(
      'RdmaDevicePlugin: configList[0].rdmaHcaMax 0 is out of range; allowed: a whole number from 1 to 1000 (0 would advertise no devices)',
    );
    expect(err(one({ rdmaHcaMax: 1001 }))).toThrow('configList[0].rdmaHcaMax 1001 is out of range; allowed: a whole number from 1 to 1000');
    expect(err(one({ rdmaHcaMax: 2.5 }))).toThrow('configList[0].rdmaHcaMax 2.5 is out of range');
    expect(err(one({ rdmaHcaMax: 64, selectors: { linkTypes: ['ether'] } }))).toThrow(
      'RdmaDevicePlugin: configList[0].rdmaHcaMax 64 is out of range; allowed: a whole number from 1 to 63 for RoCE (linkTypes "ether": 128 GIDs per port)',
    );
  });
  test('configList syntax as the operator webhook checks it', () => {
    expect(err({ configList: [] })).toThrow(
      'RdmaDevicePlugin: configList [] is empty; allowed: at least one resource with resourceName, rdmaHcaMax and selectors',
    );
    expect(err(one({ resourceName: 'rdma/a' }))).toThrow(
      'RdmaDevicePlugin: configList[0].resourceName "rdma/a" is not a valid resource name',
    );
    expect(err(one({ resourceName: '_a' }))).toThrow('configList[0].resourceName "_a" is not a valid resource name');
    expect(err(one({ resourcePrefix: 'rdma' }))).toThrow(
      'RdmaDevicePlugin: configList[0].resourcePrefix "rdma" is not a valid resource prefix; allowed: a domain name such as "example.com"',
    );
    expect(
      err({
        configList: [
          { resourceName: 'a', selectors: IB },
          { resourceName: 'a', selectors: IB },
        ],
      }),
    ).toThrow('RdmaDevicePlugin: configList[1].resourceName "a" repeats the resource rdma/a; allowed: a resource name used once');
    expect(err(one({ selectors: {} }))).toThrow(
      'RdmaDevicePlugin: configList[0].selectors {} selects no devices; allowed: at least one non-empty list of vendors, deviceIDs, drivers, ifNames, linkTypes',
    );
    expect(err(one({ selectors: { vendors: [] } }))).toThrow('configList[0].selectors {"vendors":[]} selects no devices');
    expect(err(one({ selectors: { devices: ['ib0'] } }))).toThrow(
      'RdmaDevicePlugin: configList[0].selectors.devices ["ib0"] is not a selector; allowed: vendors, deviceIDs, drivers, ifNames, linkTypes',
    );
    expect(err(one({ selectors: { vendors: ['mellanox'] } }))).toThrow(
      'RdmaDevicePlugin: configList[0].selectors.vendors[0] "mellanox" is not a PCI vendor id; allowed: four hex digits, e.g. "15b3"',
    );
    expect(err(one({ selectors: { deviceIDs: ['0x101b'] } }))).toThrow(
      'configList[0].selectors.deviceIDs[0] "0x101b" is not a PCI device id',
    );
    expect(err(one({ selectors: { drivers: [''] } }))).toThrow('configList[0].selectors.drivers[0] "" is not a driver name');
    expect(err(one({ selectors: { ifNames: ['ib 0'] } }))).toThrow(
      'configList[0].selectors.ifNames[0] "ib 0" is not a valid interface name',
    );
    expect(err(one({ selectors: { linkTypes: ['ib'] } }))).toThrow(
      'RdmaDevicePlugin: configList[0].selectors.linkTypes[0] "ib" is not a known choice; allowed: "infiniband", "ether"',
    );
  });
  test('other options', () => {
    expect(err({ periodicUpdateInterval: -1 })).toThrow(
      'RdmaDevicePlugin: periodicUpdateInterval -1 is not allowed; allowed: a whole number of seconds, 0 to turn rescans off',
    );
    expect(err({ kubeletRootDir: 'var/lib/kubelet' })).toThrow(
      'RdmaDevicePlugin: kubeletRootDir "var/lib/kubelet" is not an absolute path',
    );
    expect(err({ image: 'ghcr.io/mellanox/k8s-rdma-shared-dev-plugin' })).toThrow(
      'RdmaDevicePlugin: image "ghcr.io/mellanox/k8s-rdma-shared-dev-plugin" is not a pinned image',
    );
    expect(err({ nodeSelector: { 'bad key!': 'x' } })).toThrow('RdmaDevicePlugin: nodeSelector "bad key!" is not a valid label key');
  });
});

describe('operator mode: NicClusterPolicy, IPoIBNetwork and the NV-IPAM pool', () => {
  test('the policy is always named nic-cluster-policy and carries the checked plugin config', () => {
    const objs = synth(s => new NetworkOperatorPolicy(s, 'P'));
    const ncp = only(objs, 'NicClusterPolicy');
    expect(ncp.apiVersion).toBe('mellanox.com/v1alpha1');
    expect(ncp.metadata.name).toBe('nic-cluster-policy');
    expect(ncp.spec.ofedDriver).toBeUndefined();
    const img = (name: string) => ({ image: name, repository: 'nvcr.io/nvidia/mellanox', version: 'network-operator-v26.4.1' });
    expect(ncp.spec.secondaryNetwork).toEqual({ multus: img('multus-cni'), cniPlugins: img('plugins'), ipoib: img('ipoib-cni') });
    expect(ncp.spec.rdmaSharedDevicePlugin).toMatchObject(img('k8s-rdma-shared-dev-plugin'));
    expect(JSON.parse(ncp.spec.rdmaSharedDevicePlugin.config)).toStrictEqual({
      configList: [{ resourceName: 'rdma_shared_device_a', rdmaHcaMax: 63, selectors: IB }],
    });
    // NV-IPAM, the operator's IPAM since v25.10.0 (no ipamPlugin/whereabouts field any more), webhook off as in its example.
    expect(ncp.spec.nvIpam).toEqual({ ...img('nvidia-k8s-ipam'), enableWebhook: false });
    expect(ncp.spec.ipamPlugin).toBeUndefined();
  });
  test('custom: no Multus (OpenShift), the driver container, pull secrets, tolerations', () => {
    const ncp = only(
      synth(
        s =>
          new NetworkOperatorPolicy(s, 'P', {
            multus: false,
            ofedDriver: true,
            imagePullSecrets: ['ngc'],
            version: 'network-operator-v26.7.0',
            tolerations: [{ key: 'hpc', operator: 'Exists' }],
          }),
      ),
      'NicClusterPolicy',
    );
    expect(Object.keys(ncp.spec.secondaryNetwork)).toEqual(['ipoib']);
    expect(ncp.spec.secondaryNetwork.ipoib).toEqual({
      image: 'ipoib-cni',
      repository: 'nvcr.io/nvidia/mellanox',
      version: 'network-operator-v26.7.0',
      imagePullSecrets: ['ngc'],
    });
    expect(ncp.spec.ofedDriver).toEqual({
      image: 'doca-driver',
      repository: 'nvcr.io/nvidia/mellanox',
      version: 'doca3.4.1-26.04-1.1.0.0-1',
      imagePullSecrets: ['ngc'],
    });
    expect(ncp.spec.tolerations).toEqual([{ key: 'hpc', operator: 'Exists' }]);
  });
  test('the IPoIBNetwork takes its addresses from an NV-IPAM pool (compact JSON)', () => {
    const net = only(
      synth(s => new OperatorIpoibNetwork(s, 'N', { master: 'ib1' })),
      'IPoIBNetwork',
    );
    expect(net.metadata.namespace).toBeUndefined();
    expect(net.spec).toEqual({ networkNamespace: 'rdma-benchmarks', master: 'ib1', ipam: '{"type":"nv-ipam","poolName":"ipoib"}' });
    expect(
      only(
        synth(s => new OperatorIpoibNetwork(s, 'N', { name: 'fabric', poolName: 'ib-pool' })),
        'IPoIBNetwork',
      ).spec.ipam,
    ).toBe('{"type":"nv-ipam","poolName":"ib-pool"}');
  });
  test("the IPPool: subnet, per-node blocks, gateway, exclusions as address ranges, in the operator's namespace", () => {
    const pool = only(
      synth(s => new NvIpamPool(s, 'P')),
      'IPPool',
    );
    expect(pool.apiVersion).toBe('nv-ipam.nvidia.com/v1alpha1');
    expect(pool.metadata).toMatchObject({ name: 'ipoib', namespace: 'nvidia-network-operator' });
    expect(pool.spec).toEqual({ subnet: '192.168.0.0/24', perNodeBlockSize: 32 });
    const custom = only(
      synth(
        s =>
          new NvIpamPool(s, 'P', {
            name: 'fabric',
            namespace: 'network-operator',
            subnet: '10.56.0.0/16',
            perNodeBlockSize: 256,
            gateway: '10.56.0.1',
            exclude: ['10.56.0.0/28', '10.56.255.255/32'],
          }),
      ),
      'IPPool',
    );
    expect(custom.spec).toEqual({
      subnet: '10.56.0.0/16',
      perNodeBlockSize: 256,
      gateway: '10.56.0.1',
      exclusions: [
        { startIP: '10.56.0.0', endIP: '10.56.0.15' },
        { startIP: '10.56.255.255', endIP: '10.56.255.255' },
      ],
    });
    const v6 = only(
      synth(s => new NvIpamPool(s, 'P', { subnet: 'fd00:ab::/64', exclude: ['fd00:ab::/126'] })),
      'IPPool',
    );
    expect(v6.spec.exclusions).toEqual([{ startIP: 'fd00:ab::', endIP: 'fd00:ab::3' }]);
    const err = (props: object) => () => synth(s => new NvIpamPool(s, 'P', props));
    expect(err({ perNodeBlockSize: 256 })).toThrow(
      'NvIpamPool: perNodeBlockSize 256 is not less than the 256 addresses of 192.168.0.0/24; allowed: a whole number from 1 to 255',
    );
    expect(err({ subnet: '192.168.0.1/24' })).toThrow(
      'NvIpamPool: subnet "192.168.0.1/24" is not a network address (the network is 192.168.0.0/24)',
    );
    expect(err({ gateway: '10.0.0.1' })).toThrow(
      'NvIpamPool: gateway "10.0.0.1" is outside the subnet 192.168.0.0/24; allowed: an address inside 192.168.0.0/24',
    );
    expect(err({ exclude: ['10.0.0.0/28'] })).toThrow('NvIpamPool: exclude[0] "10.0.0.0/28" is not a CIDR range inside 192.168.0.0/24');
  });
  test('error messages', () => {
    expect(() =>
      synth(s => new NetworkOperatorPolicy(s, 'P', { configList: [{ resourceName: 'a', rdmaHcaMax: 5000, selectors: IB }] })),
    ).toThrow('NicClusterPolicy: configList[0].rdmaHcaMax 5000 is out of range; allowed: a whole number from 1 to 1000');
    expect(() => synth(s => new NetworkOperatorPolicy(s, 'P', { version: '' }))).toThrow('NicClusterPolicy: version "" is empty');
    expect(() => synth(s => new NetworkOperatorPolicy(s, 'P', { version: 'latest' }))).toThrow(
      'NicClusterPolicy: version "latest" is not a pinned image tag; allowed: a release tag such as "network-operator-v26.4.1" (not "latest")',
    );
    expect(() => synth(s => new NetworkOperatorPolicy(s, 'P', { repository: 'nvcr.io/nvidia/mellanox:v1' }))).toThrow(
      'NicClusterPolicy: repository "nvcr.io/nvidia/mellanox:v1" is not a registry path; allowed: letters, digits, ".", "-" and "/": a registry and path without tag or port, e.g. "nvcr.io/nvidia/mellanox"',
    );
    expect(() => synth(s => new NetworkOperatorPolicy(s, 'P', { repository: '"' }))).toThrow(
      'NicClusterPolicy: repository "\\"" is not a registry path',
    );
    expect(() => synth(s => new OperatorIpoibNetwork(s, 'N', { master: '' }))).toThrow('OperatorIpoibNetwork: master "" is empty');
    expect(() => synth(s => new OperatorIpoibNetwork(s, 'N', { poolName: 'Bad_Pool' }))).toThrow(
      'OperatorIpoibNetwork: poolName "Bad_Pool" is not a valid name',
    );
  });
});
