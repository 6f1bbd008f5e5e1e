import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  EFA_INSTANCE_TYPES,
  EKSCTL_EFA_DAEMONSET,
  EKS_ADDON_REGISTRY_ACCOUNTS,
  EfaDevicePlugin,
  EfaDevicePluginProps,
  eksChartsFullname,
} from '../src/internal';
import efaData from '../src/data/efa-instance-types.json';
import { locateReference } from './reference';
import { only, synth } from './helpers';

const AUTO_MODE = { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['auto'] };
const ds = (props?: EfaDevicePluginProps) =>
  only(
    synth(s => new EfaDevicePlugin(s, 'plugin', props)),
    'DaemonSet',
  );
const podSpec = (props?: EfaDevicePluginProps) => ds(props).spec.template.spec;

describe('EfaDevicePlugin defaults match the upstream DaemonSet point by point', () => {
  const d = ds();
  const spec = d.spec.template.spec;
  const c = spec.containers[0];

  test('stable name in kube-system, version-free selector', () => {
    expect(d.metadata).toMatchObject({ name: 'aws-efa-k8s-device-plugin', namespace: 'kube-system' });
    expect(d.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/instance': 'test',
      'app.kubernetes.io/name': 'aws-efa-k8s-device-plugin',
    });
    expect(d.metadata.labels).toMatchObject({
      'app.kubernetes.io/component': 'device-plugin',
      'app.kubernetes.io/part-of': 'cdk8s-rdma',
      'app.kubernetes.io/managed-by': 'cdk8s-rdma',
    });
    expect(d.metadata.labels['app.kubernetes.io/version']).toBe(require('../package.json').version);
  });
  test('regional ECR image with the pinned tag', () => {
    expect(c.image).toBe('602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.20');
    expect(c.name).toBe('aws-efa-k8s-device-plugin');
    expect(c.args).toBeUndefined();
  });
  test('host network, system-node-critical, RollingUpdate, no API token', () => {
    expect(spec.hostNetwork).toBe(true);
    expect(spec.priorityClassName).toBe('system-node-critical');
    expect(d.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(spec.automountServiceAccountToken).toBe(false);
  });
  test('hostPaths for the kubelet device-plugin socket and /dev/infiniband', () => {
    expect(spec.volumes).toEqual([
      { name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } },
      { name: 'infiniband-volume', hostPath: { path: '/dev/infiniband' } },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' },
      { name: 'infiniband-volume', mountPath: '/dev/infiniband' },
    ]);
  });
  test('non-privileged, all capabilities dropped, requests 10m/20Mi (upstream) and our 100Mi memory limit', () => {
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: false });
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '20Mi' }, limits: { memory: '100Mi' } });
  });
  test('tolerates CriticalAddonsOnly and the EFA taint', () => {
    expect(spec.tolerations).toEqual([
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'aws.amazon.com/efa', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });
  test('targets every EFA-capable instance type by default', () => {
    const terms = spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toHaveLength(1);
    // ... and not EKS Auto Mode nodes, which run their own plugin (as the eks-charts chart does).
    expect(terms[0].matchExpressions).toEqual([
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...EFA_INSTANCE_TYPES] },
      AUTO_MODE,
    ]);
    expect(EFA_INSTANCE_TYPES).toHaveLength(303);
    expect(EFA_INSTANCE_TYPES).toContain('m7g.16xlarge');
    expect(spec.nodeSelector).toBeUndefined();
  });
});

test('the instance list is dated, sourced, and equal to the reference copy when it is present', () => {
  expect(efaData.sourceDate).toBe('2026-08-03');
  expect(efaData.source).toContain('aws/eks-charts');
  const { dir } = locateReference();
  if (!dir) return;
  const ref = readFileSync(join(dir, 'aws', 'efa-instance-types.txt'), 'utf8')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
  expect([...EFA_INSTANCE_TYPES]).toEqual([...new Set(ref)].sort());
});

describe('EfaDevicePlugin custom props', () => {
  test('privileged mode: root, privileged, /opt/aws/neuron mounted', () => {
    const spec = podSpec({ privileged: true });
    expect(spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: true,
      privileged: true,
      runAsNonRoot: false,
      runAsUser: 0,
    });
    expect(spec.volumes[2]).toEqual({ name: 'neuron-volume', hostPath: { path: '/opt/aws/neuron', type: 'DirectoryOrCreate' } });
    expect(spec.containers[0].volumeMounts[2]).toEqual({ name: 'neuron-volume', mountPath: '/opt/aws/neuron' });
  });
  test('instance allowlist, extra types, several label keys', () => {
    const terms = podSpec({
      instanceTypes: ['p5.48xlarge', 'c5n.18xlarge'],
      additionalInstanceTypes: ['p7.48xlarge'],
      instanceTypeLabelKeys: ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'],
    }).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    // The Auto Mode exclusion in every term: terms are ORed, a term's expressions ANDed.
    expect(terms).toEqual([
      {
        matchExpressions: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge', 'c5n.18xlarge', 'p7.48xlarge'] },
          AUTO_MODE,
        ],
      },
      {
        matchExpressions: [
          { key: 'beta.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge', 'c5n.18xlarge', 'p7.48xlarge'] },
          AUTO_MODE,
        ],
      },
    ]);
  });
  const autoModeOnly = {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [AUTO_MODE] }] } },
  };
  test('node-label targeting uses a nodeSelector; extra nodeSelector is ANDed; the affinity only excludes Auto Mode nodes', () => {
    const spec = podSpec({
      nodeTargeting: 'node-labels',
      nodeLabels: { 'vpc.amazonaws.com/efa': 'enabled' },
      nodeSelector: { pool: 'hpc' },
    });
    expect(spec.nodeSelector).toEqual({ 'vpc.amazonaws.com/efa': 'enabled', pool: 'hpc' });
    expect(spec.affinity).toEqual(autoModeOnly);
  });
  test('no targeting', () => {
    const spec = podSpec({ nodeTargeting: 'none' });
    expect(spec.affinity).toEqual(autoModeOnly);
    expect(spec.nodeSelector).toBeUndefined();
  });
  test('includeAutoModeNodes: no exclusion term', () => {
    expect(podSpec({ nodeTargeting: 'none', includeAutoModeNodes: true }).affinity).toBeUndefined();
    expect(
      podSpec({ includeAutoModeNodes: true }).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    ).toEqual([{ matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...EFA_INSTANCE_TYPES] }] }]);
  });
  test('user tolerations come after the built-in ones', () => {
    const spec = podSpec({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(spec.tolerations[2]).toEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });
  test('region, tag, image override, pull secrets, pod labels and annotations, update strategy, resources, namespace, name', () => {
    expect(podSpec({ imageRegion: 'af-south-1', imageTag: 'v0.5.21' }).containers[0].image).toBe(
      '877085696533.dkr.ecr.af-south-1.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.21',
    );
    expect(podSpec({ imageRegion: 'cn-north-1' }).containers[0].image).toBe(
      '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/eks/aws-efa-k8s-device-plugin:v0.5.20',
    );
    expect(podSpec({ image: 'mirror.example.com/efa-plugin:v0.5.20' }).containers[0].image).toBe('mirror.example.com/efa-plugin:v0.5.20');
    const d = ds({
      name: 'efa-plugin',
      namespace: 'efa-system',
      imagePullSecrets: ['mirror'],
      podLabels: { team: 'hpc' },
      podAnnotations: { a: 'b' },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
      resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '64Mi' } },
      serviceAccountName: 'efa-plugin',
    });
    expect(d.metadata).toMatchObject({ name: 'efa-plugin', namespace: 'efa-system' });
    expect(d.spec.template.metadata).toEqual({
      labels: { team: 'hpc', 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/name': 'efa-plugin' },
      annotations: { a: 'b' },
    });
    expect(d.spec.template.spec.imagePullSecrets).toEqual([{ name: 'mirror' }]);
    expect(d.spec.template.spec.serviceAccountName).toBe('efa-plugin');
    expect(d.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } });
    expect(d.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '64Mi' } });
  });
});

describe('EfaDevicePlugin adoption of an existing install', () => {
  test("eks-charts: the chart's fullname, selector `name: <fullname>`, chart name and release as name and instance labels", () => {
    for (const [release, fullname] of [
      [undefined, 'aws-efa-k8s-device-plugin'],
      ['efa', 'efa-aws-efa-k8s-device-plugin'],
      ['my-aws-efa-k8s-device-plugin', 'my-aws-efa-k8s-device-plugin'],
    ]) {
      const d = ds({ adopt: 'eks-charts', ...(release ? { helmRelease: release } : {}) });
      expect(d.metadata.name).toBe(fullname);
      expect(d.spec.selector.matchLabels).toEqual({ name: fullname });
      expect(d.spec.template.metadata.labels).toMatchObject({ name: fullname });
      expect(d.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'aws-efa-k8s-device-plugin',
        'app.kubernetes.io/instance': release ?? 'aws-efa-k8s-device-plugin',
      });
    }
    expect(eksChartsFullname(`${'r'.repeat(40)}-`)).toBe(`${'r'.repeat(40)}--aws-efa-k8s-device-plugin`.slice(0, 63).replace(/-+$/, ''));
  });
  test('eksctl: aws-efa-k8s-device-plugin-daemonset with selector `name: aws-efa-k8s-device-plugin`', () => {
    const d = ds({ adopt: 'eksctl' });
    expect(d.metadata).toMatchObject({ name: 'aws-efa-k8s-device-plugin-daemonset', namespace: 'kube-system' });
    expect(d.spec.selector.matchLabels).toEqual({ name: 'aws-efa-k8s-device-plugin' });
    expect(d.spec.template.metadata.labels).toMatchObject({ name: 'aws-efa-k8s-device-plugin' });
  });
  test('the adopted names and selectors are the ones the research notes cite (../shared/research/efa.md)', () => {
    const { dir } = locateReference();
    const notes = dir ? join(dir, '..', 'research', 'efa.md') : undefined;
    if (!notes || !existsSync(notes)) {
      console.log('SKIPPED adoption facts against ../shared/research/efa.md: the notes are not beside the reference folder');
      return;
    }
    const text = readFileSync(notes, 'utf8');
    // eks-charts §2.3: DaemonSet name = fullname; "selector/pod label `name: <fullname>`"; fullname is `<release>-aws-efa-k8s-device-plugin`.
    expect(text).toContain('DaemonSet name = fullname (`<release>-aws-efa-k8s-device-plugin` unless release contains chart name)');
    expect(text).toContain('selector/pod label `name: <fullname>`');
    expect(text).toContain('`key: eks.amazonaws.com/compute-type, operator: NotIn, values: [auto]`');
    expect(eksChartsFullname('efa')).toBe('efa-aws-efa-k8s-device-plugin');
    // The aws-efa-eks manifest eksctl's asset descends from (§1.2): its name and selector.
    expect(text).toContain('`metadata.name: aws-efa-k8s-device-plugin-daemonset`');
    expect(text).toContain('`spec.selector.matchLabels: {name: aws-efa-k8s-device-plugin}`');
    expect(EKSCTL_EFA_DAEMONSET).toEqual({ name: 'aws-efa-k8s-device-plugin-daemonset', selector: { name: 'aws-efa-k8s-device-plugin' } });
  });
  test('errors', () => {
    const err = (props: EfaDevicePluginProps) => () => ds(props);
    expect(err({ adopt: 'helm' as any })).toThrow(
      'EfaDevicePlugin: adopt "helm" is not a known choice; allowed: "none", "eks-charts", "eksctl"',
    );
    expect(err({ adopt: 'eksctl', name: 'efa' })).toThrow(
      'EfaDevicePlugin: name "efa" cannot be set with adopt "eksctl" (the adopted object\'s name is used); allowed: unset, or adopt "none"',
    );
    expect(err({ helmRelease: 'efa' })).toThrow(
      'EfaDevicePlugin: helmRelease "efa" only applies to adopt "eks-charts" (adopt is "none"); allowed: unset, or adopt "eks-charts"',
    );
    expect(err({ adopt: 'eks-charts', helmRelease: 'EFA' })).toThrow('EfaDevicePlugin: helmRelease "EFA" is not a valid name');
  });
});

describe('EfaDevicePlugin errors', () => {
  const err = (props: any) => () => synth(s => new EfaDevicePlugin(s, 'plugin', props));
  test('a non-EFA instance type', () => {
    expect(err({ instanceTypes: ['p5.48xlarge', 'c5n.18xlarge', 'm5.2xlarge'] })).toThrow(
      'EfaDevicePlugin: instanceTypes[2] "m5.2xlarge" does not support EFA; allowed: an instance type on the EFA instance list (303 types, 2026-08-03); list newer types in additionalInstanceTypes',
    );
  });
  test('an unknown targeting mode', () => {
    expect(err({ nodeTargeting: 'labels' })).toThrow(
      'EfaDevicePlugin: nodeTargeting "labels" is not a known choice; allowed: "instance-types", "node-labels", "none"',
    );
  });
  test('node-labels without labels', () => {
    expect(err({ nodeTargeting: 'node-labels' })).toThrow(
      'EfaDevicePlugin: nodeLabels (unset) is required when nodeTargeting is "node-labels"; allowed: a map of node labels your EFA node groups set, e.g. {"vpc.amazonaws.com/efa": "enabled"}',
    );
  });
  test("every region of the EKS add-on registry page, the partitions' own domains", () => {
    const image = (imageRegion: string) => podSpec({ imageRegion }).containers[0].image;
    for (const [region, account] of [
      ['eu-south-1', '590381155156'],
      ['eu-south-2', '455263428931'],
      ['eu-central-2', '900612956339'],
      ['me-south-1', '558608220178'],
      ['me-central-1', '759879836304'],
      ['il-central-1', '066635153087'],
      ['ca-west-1', '761377655185'],
      ['mx-central-1', '730335286997'],
      ['us-gov-east-1', '151742754352'],
      ['us-gov-west-1', '013241004608'],
    ]) {
      expect(image(region)).toBe(`${account}.dkr.ecr.${region}.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.20`);
    }
    expect(image('eusc-de-east-1')).toBe('877088126301.dkr.ecr.eusc-de-east-1.amazonaws.eu/eks/aws-efa-k8s-device-plugin:v0.5.20');
    expect(Object.keys(EKS_ADDON_REGISTRY_ACCOUNTS)).toHaveLength(39);
  });
  test('a region without a known registry', () => {
    expect(err({ imageRegion: 'xx-moon-1' })).toThrow(
      /^EfaDevicePlugin: imageRegion "xx-moon-1" has no known EKS add-on registry; allowed: one of af-south-1, .*; or set image to a full reference$/,
    );
  });
  test('an unpinned image', () => {
    expect(err({ image: 'example.com/efa-plugin:latest' })).toThrow(
      'EfaDevicePlugin: image "example.com/efa-plugin:latest" is not a pinned image; allowed: an image reference with a version tag or @sha256 digest (not "latest", not tag-less)',
    );
    expect(err({ image: 'example.com:5000/efa-plugin' })).toThrow('is not a pinned image');
  });
  test('an empty allowlist, a bad namespace, a bad label, a bad update strategy', () => {
    expect(err({ instanceTypes: [] })).toThrow(
      'EfaDevicePlugin: instanceTypes [] is empty; allowed: at least one EFA-capable instance type, or nodeTargeting "none"',
    );
    expect(err({ namespace: 'Kube_System' })).toThrow('EfaDevicePlugin: namespace "Kube_System" is not a valid name');
    expect(err({ nodeSelector: { pool: 'not ok' } })).toThrow('EfaDevicePlugin: nodeSelector["pool"] "not ok" is not a valid label value');
    expect(err({ imagePullSecrets: ['Bad_Secret'] })).toThrow(
      'EfaDevicePlugin: imagePullSecrets[0] "Bad_Secret" is not a valid name; allowed: an RFC 1123 subdomain',
    );
    expect(err({ updateStrategy: { type: 'Recreate' } })).toThrow(
      'EfaDevicePlugin: updateStrategy.type "Recreate" is not a known choice; allowed: "RollingUpdate", "OnDelete"',
    );
    expect(err({ podAnnotations: { 'not a key': 'x' } })).toThrow(
      'EfaDevicePlugin: podAnnotations "not a key" is not a valid annotation key',
    );
    expect(err({ serviceAccountName: 'Plugin' })).toThrow('EfaDevicePlugin: serviceAccountName "Plugin" is not a valid name');
  });
});
