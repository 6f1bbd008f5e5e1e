import {
  DRA_API_VERSION,
  DeviceClaimTemplate,
  DeviceClaimTemplateProps,
  DraDeviceClass,
  DranetDriver,
  DranetDriverProps,
  EFA_DEVICE_CLASS,
  RDMA_DEVICE_CLASS,
  checkDraKubernetesVersion,
  resolveDeviceApi,
} from '../src/internal';
import { only, synth } from './helpers';

const driver = (props?: DranetDriverProps) => synth(s => new DranetDriver(s, 'dra', props));
const ds = (props?: DranetDriverProps) => only(driver(props), 'DaemonSet');
const template = (props: DeviceClaimTemplateProps) =>
  only(
    synth(s => new DeviceClaimTemplate(s, 't', props)),
    'ResourceClaimTemplate',
  );

describe('DranetDriver, variant aws: the eks-charts stable/aws-dranet objects', () => {
  const objects = driver({ variant: 'aws' });
  const d = only(objects, 'DaemonSet');
  const spec = d.spec.template.spec;
  const c = spec.containers[0];

  test('ServiceAccount, ClusterRole, ClusterRoleBinding and DaemonSet named aws-dranet in kube-system', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole//aws-dranet',
      'ClusterRoleBinding//aws-dranet',
      'DaemonSet/kube-system/aws-dranet',
      'ServiceAccount/kube-system/aws-dranet',
    ]);
    expect(only(objects, 'ClusterRoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'aws-dranet', namespace: 'kube-system' },
    ]);
  });
  test("the chart's RBAC rules, the per-driver claim status for dra.net only", () => {
    expect(only(objects, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
      { apiGroups: ['resource.k8s.io'], resources: ['resourceslices'], verbs: ['list', 'watch', 'create', 'update', 'delete'] },
      { apiGroups: ['resource.k8s.io'], resources: ['resourceclaims', 'deviceclasses'], verbs: ['get'] },
      { apiGroups: ['resource.k8s.io'], resources: ['resourceclaims/status'], verbs: ['patch', 'update'] },
      {
        apiGroups: ['resource.k8s.io'],
        resources: ['resourceclaims/driver'],
        verbs: ['associated-node:patch', 'associated-node:update'],
        resourceNames: ['dra.net'],
      },
    ]);
  });
  test('image, args with the EFA filter, health probe on 9177', () => {
    expect(c.image).toBe('602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/dranet:v1.2.0-eksbuild.2');
    expect(c.args).toEqual([
      '/dranet',
      '--v=4',
      '--hostname-override=$(NODE_NAME)',
      '--bind-address=:9177',
      '--cloud-provider-hint=AWS',
      '--filter="dra.net/pciDevice" in attributes && attributes["dra.net/pciDevice"].StringValue == "Elastic Fabric Adapter (EFA)"',
    ]);
    expect(c.env).toEqual([{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/healthz', port: 9177 } });
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '50Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });
  test('unprivileged root with a read-only root file system, host network, system-node-critical', () => {
    expect(c.securityContext).toEqual({
      privileged: false,
      runAsUser: 0,
      runAsGroup: 0,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.hostNetwork).toBe(true);
    expect(spec.priorityClassName).toBe('system-node-critical');
    expect(spec.serviceAccountName).toBe('aws-dranet');
  });
  test('kubelet plugin directories, NRI socket, netns and /dev/infiniband from the host, an in-memory /tmp', () => {
    expect(spec.volumes.map((v: any) => [v.name, v.hostPath?.path ?? v.emptyDir])).toEqual([
      ['device-plugin', '/var/lib/kubelet/plugins'],
      ['plugin-registry', '/var/lib/kubelet/plugins_registry'],
      ['nri-plugin', '/var/run/nri'],
      ['netns', '/var/run/netns'],
      ['infiniband', '/dev/infiniband'],
      ['dranet-run', '/var/run/dranet'],
      ['tmp', { medium: 'Memory', sizeLimit: '10Mi' }],
    ]);
    expect(spec.volumes.filter((v: any) => v.hostPath).every((v: any) => v.hostPath.type === 'DirectoryOrCreate')).toBe(true);
    expect(c.volumeMounts.filter((m: any) => m.mountPropagation).map((m: any) => m.name)).toEqual(['netns', 'infiniband']);
  });
});

describe("DranetDriver, variant upstream (the default): kubernetes-sigs/dranet's Helm chart layout", () => {
  const d = ds();
  const c = d.spec.template.spec.containers[0];
  test('dranet v1.4.0, privileged, events in its RBAC, startup and readiness probes', () => {
    expect(d.metadata).toMatchObject({ name: 'dranet', namespace: 'kube-system' });
    expect(c.image).toBe('registry.k8s.io/networking/dranet:v1.4.0');
    expect(c.securityContext).toEqual({ privileged: true });
    expect(c.args).toEqual(['/dranet', '--v=4', '--hostname-override=$(NODE_NAME)']);
    expect(c.startupProbe).toEqual({ httpGet: { path: '/healthz', port: 9177 }, failureThreshold: 12, periodSeconds: 5 });
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9177, protocol: 'TCP' }]);
    expect(only(driver(), 'ClusterRole').rules[1]).toEqual({
      apiGroups: [''],
      resources: ['events'],
      verbs: ['create', 'patch', 'update'],
    });
    expect(d.spec.template.spec.tolerations).toEqual([{ operator: 'Exists', effect: 'NoSchedule' }]);
    expect(d.spec.template.spec.volumes.map((v: any) => v.name)).toContain('bpf-programs');
    // Upstream sets no limits; ours caps memory.
    expect(c.resources.limits).toEqual({ memory: '256Mi' });
  });
  test('custom props: IPoIB interfaces stay on the host, image, namespace, filter, placement', () => {
    const x = ds({
      moveIbInterfaces: false,
      image: 'mirror.example.com/dranet:v1.4.0',
      namespace: 'dra-system',
      filter: 'attributes["dra.net/rdma"].BoolValue',
      nodeSelector: { 'example.com/ib': 'true' },
      tolerations: [{ key: 'hpc', operator: 'Exists' }],
      imagePullSecrets: ['pull'],
      name: 'ib-dranet',
    });
    const s = x.spec.template.spec;
    expect(x.metadata).toMatchObject({ name: 'ib-dranet', namespace: 'dra-system' });
    expect(s.containers[0].args).toEqual([
      '/dranet',
      '--v=4',
      '--hostname-override=$(NODE_NAME)',
      '--filter=attributes["dra.net/rdma"].BoolValue',
      '--move-ib-interfaces=false',
    ]);
    expect(s.containers[0].image).toBe('mirror.example.com/dranet:v1.4.0');
    expect(s.nodeSelector).toEqual({ 'example.com/ib': 'true' });
    expect(s.tolerations).toEqual([
      { operator: 'Exists', effect: 'NoSchedule' },
      { key: 'hpc', operator: 'Exists' },
    ]);
    expect(s.imagePullSecrets).toEqual([{ name: 'pull' }]);
    expect(s.serviceAccountName).toBe('ib-dranet');
  });
  test('exact errors', () => {
    expect(() => ds({ variant: 'gke' as any })).toThrow('DranetDriver: variant "gke" is not a known choice; allowed: "aws", "upstream"');
    expect(() => ds({ image: 'dranet:latest' })).toThrow('DranetDriver: image "dranet:latest" is not a pinned image');
    expect(() => ds({ filter: ' ' })).toThrow('DranetDriver: filter " " is empty');
    expect(() => ds({ namespace: 'Kube_System' })).toThrow('DranetDriver: namespace "Kube_System" is not a valid name');
  });
});

describe('DraDeviceClass', () => {
  test('resource.k8s.io/v1, one CEL selector per expression', () => {
    const d = only(
      synth(s => new DraDeviceClass(s, 'c', { name: EFA_DEVICE_CLASS.name, expressions: [EFA_DEVICE_CLASS.expression] })),
      'DeviceClass',
    );
    expect(d.apiVersion).toBe(DRA_API_VERSION);
    expect(d.metadata.name).toBe('efa.networking.k8s.aws');
    expect(d.spec).toEqual({
      selectors: [
        {
          cel: {
            expression: 'device.driver == "dra.net" &&\ndevice.attributes["dra.net"].pciDevice == \'Elastic Fabric Adapter (EFA)\'\n',
          },
        },
      ],
    });
    const ib = only(
      synth(s => new DraDeviceClass(s, 'c', { name: RDMA_DEVICE_CLASS.name, expressions: [...RDMA_DEVICE_CLASS.expressions] })),
      'DeviceClass',
    );
    expect(ib.spec.selectors).toEqual([
      { cel: { expression: 'device.driver == "dra.net"' } },
      { cel: { expression: 'device.attributes["dra.net"].rdma == true' } },
    ]);
  });
  test('exact errors', () => {
    expect(() => synth(s => new DraDeviceClass(s, 'c', { name: 'x', expressions: [] }))).toThrow(
      'DraDeviceClass: expressions [] is empty; allowed: at least one CEL expression',
    );
    expect(() => synth(s => new DraDeviceClass(s, 'c', { name: 'EFA', expressions: ['true'] }))).toThrow(
      'DraDeviceClass: name "EFA" is not a valid name',
    );
  });
});

describe('DeviceClaimTemplate', () => {
  test('defaults: one NIC of the class, NIC only, in rdma-benchmarks', () => {
    const t = template({ name: 'efa-devices', deviceClassName: 'efa.networking.k8s.aws' });
    expect(t).toMatchObject({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceClaimTemplate',
      metadata: { name: 'efa-devices', namespace: 'rdma-benchmarks' },
    });
    expect(t.spec).toEqual({
      spec: { devices: { requests: [{ name: 'nic', exactly: { deviceClassName: 'efa.networking.k8s.aws', count: 1 } }] } },
    });
  });
  test("GPUs and NICs in one claim on one PCIe root, as dranet's gpu-efa-aligned example; alignment off leaves the constraint out", () => {
    const t = template({ name: 'gpu-efa', deviceClassName: 'efa.networking.k8s.aws', count: 4, gpus: 1, namespace: 'ml' });
    expect(t.metadata.namespace).toBe('ml');
    expect(t.spec.spec.devices).toEqual({
      requests: [
        { name: 'gpu', exactly: { deviceClassName: 'gpu.nvidia.com', count: 1 } },
        { name: 'nic', exactly: { deviceClassName: 'efa.networking.k8s.aws', count: 4 } },
      ],
      constraints: [{ requests: ['gpu', 'nic'], matchAttribute: 'resource.kubernetes.io/pcieRoot' }],
    });
    // Several GPUs: one group per PCIe root, min(gpus, nics) of them (p5: 8 × (1 GPU + 4 EFA); p4d: 4 × (2 GPUs + 1 EFA)).
    const p4d = template({ name: 'p4d', deviceClassName: 'efa.networking.k8s.aws', count: 4, gpus: 8 }).spec.spec.devices;
    expect(p4d.requests).toHaveLength(8);
    expect(p4d.requests.slice(0, 2)).toEqual([
      { name: 'gpu-0', exactly: { deviceClassName: 'gpu.nvidia.com', count: 2 } },
      { name: 'nic-0', exactly: { deviceClassName: 'efa.networking.k8s.aws', count: 1 } },
    ]);
    expect(p4d.constraints[3]).toEqual({ requests: ['gpu-3', 'nic-3'], matchAttribute: 'resource.kubernetes.io/pcieRoot' });
    const p5 = template({ name: 'p5', deviceClassName: 'efa.networking.k8s.aws', count: 32, gpus: 8 }).spec.spec.devices;
    expect(p5.constraints).toHaveLength(8);
    expect(p5.requests[1]).toEqual({ name: 'nic-0', exactly: { deviceClassName: 'efa.networking.k8s.aws', count: 4 } });
    expect(() => template({ name: 't', deviceClassName: 'c', count: 3, gpus: 8, alignGpus: true })).toThrow(
      'DeviceClaimTemplate: count 3 cannot be split evenly with 8 GPUs for alignment (3 PCIe-root groups)',
    );
    expect(() => template({ name: 't', deviceClassName: 'c', count: 1, gpus: 8, alignGpus: true })).toThrow(
      'DeviceClaimTemplate: count 1 puts more than 2 of the 8 GPUs on one PCIe root with each NIC; allowed: at least half as many NICs as GPUs, or alignGpus false',
    );
    // Unset, counts that cannot be aligned give an unaligned claim (one that a node can satisfy).
    expect(template({ name: 't', deviceClassName: 'c', count: 1, gpus: 8 }).spec.spec.devices).toEqual({
      requests: [
        { name: 'gpu', exactly: { deviceClassName: 'gpu.nvidia.com', count: 8 } },
        { name: 'nic', exactly: { deviceClassName: 'c', count: 1 } },
      ],
    });
    const unaligned = template({
      name: 'gpu-efa',
      deviceClassName: 'efa.networking.k8s.aws',
      gpus: 8,
      alignGpus: false,
      gpuDeviceClassName: 'gpu.example.com',
    });
    expect(unaligned.spec.spec.devices.constraints).toBeUndefined();
    expect(unaligned.spec.spec.devices.requests[0]).toEqual({ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com', count: 8 } });
  });
  test('exact errors', () => {
    expect(() => template({ name: 't', deviceClassName: 'c', count: 0 })).toThrow(
      'DeviceClaimTemplate: count 0 is not allowed; allowed: a whole number of at least 1',
    );
    expect(() => template({ name: 't', deviceClassName: 'c', gpus: 1.5 })).toThrow(
      'DeviceClaimTemplate: gpus 1.5 is not a whole number of GPUs; allowed: a whole number, 0 for a NIC-only claim',
    );
    expect(() => template({ name: 't', deviceClassName: 'c', alignGpus: true })).toThrow(
      'DeviceClaimTemplate: alignGpus true only applies to claims with GPUs (gpus is 0); allowed: unset, or gpus of 1 or more',
    );
    expect(() => template({ name: 't', deviceClassName: 'Bad Class' })).toThrow(
      'DeviceClaimTemplate: deviceClassName "Bad Class" is not a valid name',
    );
  });
});

describe('the device API and the Kubernetes version', () => {
  test('device-plugin by default at 1.34; dra from 1.34; older refused with one line', () => {
    expect(resolveDeviceApi('p', {})).toBe('device-plugin');
    expect(resolveDeviceApi('p', { deviceApi: 'dra' })).toBe('dra');
    expect(resolveDeviceApi('p', { deviceApi: 'dra', kubernetesVersion: '1.36' })).toBe('dra');
    expect(resolveDeviceApi('p', { deviceApi: 'device-plugin', kubernetesVersion: '1.27' })).toBe('device-plugin');
    expect(() => resolveDeviceApi('p', { deviceApi: 'dra', kubernetesVersion: '1.33' })).toThrow(
      'p: kubernetesVersion "1.33" is too old for deviceApi "dra" (resource.k8s.io/v1 is served from Kubernetes 1.34); allowed: "1.34" or later, or deviceApi "device-plugin"',
    );
    expect(() => checkDraKubernetesVersion('p', 'v', '0.40')).toThrow('p: v "0.40" is too old');
    expect(() => resolveDeviceApi('p', { kubernetesVersion: 'v1.34' })).toThrow(
      'p: kubernetesVersion "v1.34" is not a Kubernetes minor version; allowed: a version such as "1.34"',
    );
    expect(() => resolveDeviceApi('p', { deviceApi: 'cdi' as any })).toThrow(
      'p: deviceApi "cdi" is not a known choice; allowed: "device-plugin", "dra"',
    );
    expect(() => resolveDeviceApi('p', { dra: { enabled: false } })).toThrow(
      'p: dra {"enabled":false} only applies to deviceApi "dra" (deviceApi is "device-plugin"); allowed: unset, or deviceApi "dra"',
    );
  });
});
