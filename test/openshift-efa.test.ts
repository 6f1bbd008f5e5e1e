import { baseName } from './helpers';
import { App, Testing } from 'cdk8s';
import { NFD_WORKER_TOLERATIONS, OpenShiftEfaProfile, PROFILE_NAMES, synthProfile } from '../src/internal';

const kinds = (objs: any[]) => objs.map(o => `${o.kind}/${baseName(o)}`).sort();
const podSpecs = (o: any) => Object.values(o.spec.mpiReplicaSpecs).map((r: any) => r.template);
const MACHINE_SET = {
  infrastructureId: 'mycluster-x7k2p',
  zone: 'us-east-1a',
  amiId: 'ami-0123456789abcdef0',
  placementGroupName: 'mycluster-efa',
};

describe('openshift-efa profile', () => {
  const objs: any[] = synthProfile('openshift-efa');
  const find = (kind: string, name: string) => objs.find(o => o.kind === kind && baseName(o) === name);

  test('golden output with default options', () => {
    expect(objs).toMatchSnapshot();
  });
  test('composes node config, NFD, device plugin, MPI operator, job security and the four jobs', () => {
    expect(PROFILE_NAMES).toContain('openshift-efa');
    expect(kinds(objs)).toEqual([
      'ClusterRole/kubeflow-mpijobs-admin',
      'ClusterRole/kubeflow-mpijobs-edit',
      'ClusterRole/kubeflow-mpijobs-view',
      'ClusterRole/mpi-operator',
      'ClusterRole/use-scc-aws-efa-device-plugin',
      'ClusterRole/use-scc-cdk8s-rdma-mpi-job',
      'ClusterRoleBinding/mpi-operator',
      'CustomResourceDefinition/mpijobs.kubeflow.org',
      'DaemonSet/aws-efa-k8s-device-plugin',
      'Deployment/mpi-operator',
      'MPIJob/efa-support',
      'MPIJob/osu-latency-efa',
      'MPIJob/osu-latency-intel-efa',
      'MPIJob/osu-latency-tcp',
      'MachineConfig/50-worker-efa-hugepages',
      'MachineConfig/99-worker-efa-memlock',
      'MachineConfigPool/worker-efa',
      'Namespace/aws-efa-device-plugin',
      'Namespace/mpi-operator',
      'Namespace/openshift-nfd',
      'Namespace/rdma-benchmarks',
      'NodeFeatureDiscovery/nfd-instance',
      'NodeFeatureRule/aws-efa',
      'OperatorGroup/openshift-nfd',
      'Role/mpi-operator-leader-election',
      'RoleBinding/mpi-operator-leader-election',
      'RoleBinding/use-scc-aws-efa-device-plugin',
      'RoleBinding/use-scc-cdk8s-rdma-mpi-job',
      'SecurityContextConstraints/aws-efa-device-plugin',
      'SecurityContextConstraints/cdk8s-rdma-mpi-job',
      'ServiceAccount/aws-efa-device-plugin',
      'ServiceAccount/mpi-job',
      'ServiceAccount/mpi-operator',
      'Subscription/nfd',
    ]);
  });
  test('every object carries the standard labels', () => {
    const version = require('../package.json').version;
    for (const o of objs) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': 'openshift-efa',
        'app.kubernetes.io/version': version,
        'app.kubernetes.io/managed-by': 'cdk8s-rdma',
      });
    }
  });
  test('node config targets the worker-efa pool only, which the MachineSet nodes join', () => {
    expect(find('MachineConfig', '50-worker-efa-hugepages').metadata.labels['machineconfiguration.openshift.io/role']).toBe('worker-efa');
    expect(find('MachineConfig', '99-worker-efa-memlock').metadata.labels['machineconfiguration.openshift.io/role']).toBe('worker-efa');
    expect(find('MachineConfig', '50-worker-efa-hugepages').spec.kernelArguments).toEqual([
      'default_hugepagesz=2M',
      'hugepagesz=2M',
      'hugepages=5128',
    ]);
    const withMachines = synthProfile('openshift-efa', { machineSet: MACHINE_SET });
    const ms = withMachines.find(o => o.kind === 'MachineSet')!;
    expect(ms.spec.template.spec.metadata.labels).toEqual(find('MachineConfigPool', 'worker-efa').spec.nodeSelector.matchLabels);
    expect(withMachines.some(o => o.kind === 'MachineAutoscaler')).toBe(true);
    expect(withMachines.some(o => o.kind === 'ClusterAutoscaler')).toBe(false);
  });
  test("the MachineSet's taints are tolerated by exactly what must run on the EFA machines", () => {
    const taint = { key: 'example.com/efa', value: 'true', effect: 'NoSchedule' as const };
    const tainted = synthProfile('openshift-efa', {
      machineSet: { ...MACHINE_SET, taints: [taint, { key: 'dedicated', effect: 'PreferNoSchedule' }] },
    });
    const wanted = [
      { key: 'example.com/efa', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Exists', effect: 'PreferNoSchedule' },
    ];
    const same = (t: any, w: any) => ['key', 'operator', 'value', 'effect', 'tolerationSeconds'].every(k => t[k] === w[k]);
    // Every pod template (MPIJob replicas too), and NFD's worker with the operator's own tolerations.
    const tolerating = (o: any): any[][] => [
      ...(o.spec?.template?.spec ? [o.spec.template.spec.tolerations ?? []] : []),
      ...Object.values(o.spec?.mpiReplicaSpecs ?? {}).map((r: any) => r.template.spec.tolerations ?? []),
      ...(o.kind === 'NodeFeatureDiscovery' ? [[...NFD_WORKER_TOLERATIONS]] : []),
    ];
    const tolerates = (list: any[], t: any) =>
      list.some(x => same(x, t) || (x.operator === 'Exists' && x.key === undefined && x.effect === t.effect));
    const who: string[] = [];
    for (const o of tainted) {
      const lists = tolerating(o);
      if (lists.length === 0) continue;
      // NoSchedule blocks scheduling; PreferNoSchedule only steers it: "exactly" is about the blocking taint.
      const blocked = lists.map(l => tolerates(l, wanted[0]));
      if (!blocked.some(Boolean)) continue;
      // All of an object's pods, or none of them.
      expect({ o: o.metadata.name, blocked }).toEqual({ o: o.metadata.name, blocked: blocked.map(() => true) });
      // What we emit tolerates both taints exactly.
      if (o.kind !== 'NodeFeatureDiscovery')
        for (const l of lists) for (const w of wanted) expect(l).toContainEqual(expect.objectContaining(w));
      who.push(`${o.kind}/${baseName(o)}`);
    }
    expect(who.sort()).toEqual([
      'DaemonSet/aws-efa-k8s-device-plugin',
      'MPIJob/efa-support',
      'MPIJob/osu-latency-efa',
      'MPIJob/osu-latency-intel-efa',
      'MPIJob/osu-latency-tcp',
      'NodeFeatureDiscovery/nfd-instance',
    ]);
    // The user's own tolerations stay, before the taints'.
    const plugin = synthProfile('openshift-efa', {
      devicePlugin: { tolerations: [{ key: 'gpu', operator: 'Exists' }] },
      machineSet: { ...MACHINE_SET, taints: [taint] },
    }).find(o => o.kind === 'DaemonSet')!;
    expect(plugin.spec.template.spec.tolerations.slice(-2)).toEqual([{ key: 'gpu', operator: 'Exists' }, wanted[0]]);
    // NFD's worker cannot tolerate NoExecute: refused, naming the taint.
    expect(() =>
      synthProfile('openshift-efa', { machineSet: { ...MACHINE_SET, taints: [taint, { key: 'efa', effect: 'NoExecute' }] } }),
    ).toThrow(
      'openshift-efa: machineSet.taints[1].effect "NoExecute" would keep NFD\'s worker off the EFA machines (it tolerates NoSchedule taints only), so they would never get the EFA label; allowed: "NoSchedule" or "PreferNoSchedule", or nfd.enabled false',
    );
    expect(() =>
      synthProfile('openshift-efa', {
        nfd: { enabled: false },
        devicePlugin: { nodeTargeting: 'none' },
        machineSet: { ...MACHINE_SET, taints: [{ key: 'efa', effect: 'NoExecute' }] },
      }),
    ).not.toThrow();
  });
  test('the mpi-operator runs restricted with the UID the SCC assigns (no fixed UID on OpenShift)', () => {
    const d = objs.find(o => o.kind === 'Deployment' && o.metadata.name === 'mpi-operator');
    expect(d.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(find('Namespace', 'mpi-operator').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
  test('with a MachineAutoscaler the MachineSet has no replicas (the autoscaler owns them); without one it has', () => {
    const auto = synthProfile('openshift-efa', { machineSet: MACHINE_SET }).find(o => o.kind === 'MachineSet')!;
    expect(auto.spec).not.toHaveProperty('replicas');
    const fixed = synthProfile('openshift-efa', { machineSet: { ...MACHINE_SET, autoscaler: false } }).find(o => o.kind === 'MachineSet')!;
    expect(fixed.spec.replicas).toBe(2);
    expect(() => synthProfile('openshift-efa', { machineSet: { ...MACHINE_SET, replicas: 3 } })).toThrow(
      'openshift-efa: machineSet.replicas 3 cannot be set with an autoscaler',
    );
  });
  test('the jobs run in their namespace as mpi-job under the pinned SCC, on NFD-labelled EFA nodes; no token in output', () => {
    const jobs = objs.filter(o => o.kind === 'MPIJob');
    expect(jobs.map(j => j.metadata.namespace)).toEqual(['rdma-benchmarks', 'rdma-benchmarks', 'rdma-benchmarks', 'rdma-benchmarks']);
    for (const t of jobs.flatMap(podSpecs)) {
      expect(t.metadata.annotations).toEqual({ 'openshift.io/required-scc': 'cdk8s-rdma-mpi-job' });
      expect(t.spec.serviceAccountName).toBe('mpi-job');
      expect(t.spec.nodeSelector).toEqual({ 'feature.node.kubernetes.io/aws-efa.present': 'true' });
      for (const c of t.spec.containers) expect(c.securityContext.runAsUser).toBe(1000);
    }
    expect(find('MPIJob', 'osu-latency-intel-efa').spec.mpiImplementation).toBe('Intel');
    expect(podSpecs(find('MPIJob', 'osu-latency-intel-efa'))[0].spec.containers[0].image).toBe(
      'cdk8s-rdma-efa-intelmpi:efa1.47.0-impi2021.14-omb7.4',
    );
    expect(objs.some(o => o.kind === 'Secret')).toBe(false);
    expect(JSON.stringify(objs)).not.toMatch(/dockerconfigjson|get-login-password|"auth"/);
  });
  test('the device plugin pulls with a secret reference only, and targets the NFD label', () => {
    const ds = find('DaemonSet', 'aws-efa-k8s-device-plugin');
    expect(ds.spec.template.spec.imagePullSecrets).toEqual([{ name: 'ecr-eks-addons' }]);
    expect(ds.spec.template.spec.nodeSelector).toEqual({ 'feature.node.kubernetes.io/aws-efa.present': 'true' });
  });
  test('options reach the components', () => {
    const custom: any[] = synthProfile('openshift-efa', {
      instance: 'efa-prod',
      openshiftVersion: '4.19',
      nodeConfig: { pool: { enabled: false }, hugepages: { vcpus: 72 }, memlock: { enabled: false } },
      nfd: { operator: { enabled: false } },
      devicePlugin: { imagePullSecrets: [], image: 'quay.io/example/aws-efa-k8s-device-plugin:v0.5.20' },
      mpiOperator: { enabled: false },
      benchmarks: {
        namespace: 'hpc',
        fiInfo: false,
        osu: { tcpTwin: false, intel: false, benchmark: 'osu_bw' },
        nodeSelector: { 'example.com/efa': 'yes' },
      },
      machineSet: { ...MACHINE_SET, autoscaler: false },
      clusterAutoscaler: { maxNodesTotal: 30 },
    });
    expect(custom.every(o => o.metadata.labels['app.kubernetes.io/instance'] === 'efa-prod')).toBe(true);
    expect(custom.find(o => o.kind === 'NodeFeatureRule').apiVersion).toBe('nfd.k8s-sigs.io/v1alpha1');
    const hp = custom.find(o => o.kind === 'MachineConfig');
    expect(hp.metadata.labels['machineconfiguration.openshift.io/role']).toBe('worker');
    expect(hp.spec.kernelArguments).toContain('hugepages=7921');
    expect(custom.filter(o => o.kind === 'MPIJob').map(o => `${o.metadata.namespace}/${baseName(o)}`)).toEqual(['hpc/osu-bw-efa']);
    expect(podSpecs(custom.find(o => o.kind === 'MPIJob'))[1].spec.nodeSelector).toEqual({ 'example.com/efa': 'yes' });
    expect(custom.find(o => o.kind === 'DaemonSet').spec.template.spec.imagePullSecrets).toBeUndefined();
    expect(custom.find(o => o.kind === 'ClusterAutoscaler').spec.resourceLimits.maxNodesTotal).toBe(30);
    expect(custom.some(o => o.kind === 'MachineAutoscaler' || o.kind === 'MachineConfigPool' || o.kind === 'Subscription')).toBe(false);
  });
  test('errors name the profile and the option path', () => {
    const err = (o: any) => () => synthProfile('openshift-efa', o);
    expect(err({ openshiftVersion: '4.9' })).toThrow('openshift-efa: openshiftVersion "4.9" is not a supported OpenShift version');
    expect(err({ nodeConfig: { hugepages: { pageSize: '4M' } } })).toThrow(
      'openshift-efa: nodeConfig.hugepages.pageSize "4M" is not a known choice',
    );
    expect(err({ nodeConfig: { hugepages: { vcpus: 72, count: 100 } } })).toThrow(
      'openshift-efa: nodeConfig.hugepages.vcpus 72 conflicts with nodeConfig.hugepages.count',
    );
    expect(err({ nodeConfig: { hugepages: { vcpus: 0 } } })).toThrow('openshift-efa: nodeConfig.hugepages.vcpus 0 is not allowed');
    expect(err({ nodeConfig: { memlock: { soft: 0 } } })).toThrow('openshift-efa: nodeConfig.memlock.soft 0 is not a memlock limit');
    expect(err({ nodeConfig: { pool: { name: 'master' } } })).toThrow('openshift-efa: nodeConfig.pool.name "master" is a built-in pool');
    expect(err({ nfd: { efaRule: { deviceIds: ['EFA0'] } } })).toThrow(
      'openshift-efa: nfd.efaRule.deviceIds[0] "EFA0" is not a PCI device id',
    );
    expect(err({ nfd: { enabled: false } })).toThrow(
      'openshift-efa: devicePlugin.nodeTargeting (unset) must be set when nfd.enabled is false',
    );
    expect(err({ machineSet: { ...MACHINE_SET, instanceType: 'm5.2xlarge' } })).toThrow(
      'openshift-efa: machineSet.instanceType "m5.2xlarge" is rejected: EFA interfaces are not supported on m5.2xlarge',
    );
    expect(err({ machineSet: { ...MACHINE_SET, autoscaler: { minReplicas: 0 } } })).toThrow(
      'openshift-efa: machineSet.autoscaler.minReplicas 0 cannot scale EFA machines up from zero',
    );
    expect(err({ benchmarks: { intelImage: 'intel:latest' } })).toThrow(
      'openshift-efa: benchmarks.intelImage "intel:latest" is not a pinned image',
    );
    expect(err({ benchmarks: { efaDevices: 0 } })).toThrow('openshift-efa: benchmarks.efaDevices 0 is not allowed');
    expect(err({ clusterAutoscaler: { maxNodesTotal: -1 } })).toThrow('openshift-efa: clusterAutoscaler.maxNodesTotal -1 is not allowed');
  });
  test('the profile chart works in any app, with any id', () => {
    const chart = new OpenShiftEfaProfile(new App(), 'my-ocp', { benchmarks: { enabled: false } });
    expect(Testing.synth(chart).every(o => o.metadata.labels['app.kubernetes.io/instance'] === 'openshift-efa')).toBe(true);
  });
});

test('openshift-efa: a custom EFA node label is what the device plugin and the jobs select', () => {
  const objs = synthProfile('openshift-efa', { nfd: { efaRule: { label: 'feature.node.kubernetes.io/efa' } } });
  expect(objs.find(o => o.kind === 'NodeFeatureRule')!.spec.rules[0].labels).toEqual({ 'feature.node.kubernetes.io/efa': 'true' });
  expect(objs.find(o => o.kind === 'DaemonSet')!.spec.template.spec.nodeSelector).toEqual({ 'feature.node.kubernetes.io/efa': 'true' });
  expect(objs.find(o => o.kind === 'MPIJob')!.spec.mpiReplicaSpecs.Worker.template.spec.nodeSelector).toEqual({
    'feature.node.kubernetes.io/efa': 'true',
  });
});

describe('openshift-efa with the NCCL job', () => {
  test("on p4d: 8 GPUs and 4 EFA per worker, under the jobs' SCC and ServiceAccount, on the EFA nodes", () => {
    const objs: any[] = synthProfile('openshift-efa', { benchmarks: { nccl: { enabled: true, instanceType: 'p4d.24xlarge' } } });
    const j = objs.find(o => o.kind === 'MPIJob' && o.metadata.name.startsWith('nccl-all-reduce-efa-'));
    const w = j.spec.mpiReplicaSpecs.Worker.template;
    expect(w.spec.containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu': '8', 'vpc.amazonaws.com/efa': '4' });
    expect(w.spec.serviceAccountName).toBe('mpi-job');
    expect(w.metadata.annotations['openshift.io/required-scc']).toBe('cdk8s-rdma-mpi-job');
    expect(w.spec.nodeSelector).toMatchObject({ 'node.kubernetes.io/instance-type': 'p4d.24xlarge' });
  });
});
