import { deprecatedExceptions, type ChartSpec } from '../helm/specs';
import { EKS_EFA_DEPRECATED_OPTIONS } from './eks-efa';
import { AWS_DRANET } from '../versions';
import {
  ADOPT,
  DEVICE_PLUGIN_API,
  ncclAlignGpus,
  NCCL_INSTANCE_TYPE,
  ncclValues,
  DRA_GUARD,
  KUBERNETES_VERSION,
  draValues,
  IMAGE_PARTS,
  RELEASE_NAME,
  RUN_AS_USER,
  annotations,
  efaBenchmarks,
  efaDevicePlugin,
  efaInstanceTypes,
  efaRollouts,
  HELM_TEST_NOTES,
  mpiJobChecks,
  mpiOperator,
  ncclNotes,
  optional,
  osuIterations,
  osuMessageSizes,
  OSU_COLLECTIVE_BENCHMARK,
  osuWorkersGuard,
  selector,
  token,
} from '../helm/specs';
import { DEFAULT_POOL_INSTANCE_TYPE } from '../constructs/karpenter';
import { EFA_INSTANCE_CAPACITY } from '../efa-capacity';

const KARPENTER = { path: 'karpenter.enabled', value: true };
const KUEUE = { path: 'kueue.enabled', value: true };
/** What karpenter.enabled changes (and so any switch that is only an option with it). */
const KARPENTER_SCOPE = ['NodePool', 'DevicePlugin', 'DraDriver', 'Checks', 'Kueue'];

/** The CLI's refusals a JSON schema cannot hold: required Karpenter values, and Kueue's flavor labels and combinations. */
const KARPENTER_KUEUE_GUARDS = `{{- if .Values.karpenter.enabled }}
{{- if not .Values.karpenter.clusterName }}
{{- fail "eks-efa: karpenter.clusterName (unset) is required (it finds the subnets, the security groups and the node role); allowed: the EKS cluster's name" }}
{{- end }}
{{- if not .Values.karpenter.zone }}
{{- fail "eks-efa: karpenter.zone (unset) is required (the nodes of an MPI job stay in one availability zone); allowed: a zone such as \\"us-west-2a\\"" }}
{{- end }}
{{- end }}
{{- if .Values.kueue.enabled }}
{{- if eq .Values.deviceApi "dra" }}
{{- fail "eks-efa: kueue.enabled true is not allowed with deviceApi \\"dra\\" (Kueue counts DRA devices only with its alpha DynamicResourceAllocation feature and a device class mapping, so the quota would not hold the EFA devices); allowed: false with deviceApi \\"dra\\", or deviceApi \\"device-plugin\\"" }}
{{- end }}
{{- if not .Values.benchmarks.enabled }}
{{- fail "eks-efa: kueue.enabled true needs the benchmarks (its LocalQueue lives in their namespace, and it queues their MPI jobs); allowed: false with benchmarks.enabled false, or benchmarks.enabled true" }}
{{- end }}
{{- if and (not .Values.karpenter.enabled) (not .Values.kueue.nodeLabels) (not .Values.benchmarks.nodeSelector) }}
{{- fail "eks-efa: kueue.nodeLabels {} is empty, and neither karpenter nor benchmarks.nodeSelector names the EFA nodes (the flavor of the quota must); allowed: the labels of the EFA nodes, e.g. {\\"eks.amazonaws.com/nodegroup\\": \\"efa\\"}, or karpenter.enabled, or benchmarks.nodeSelector" }}
{{- end }}
{{- end }}
`;

/** The Helm chart of the eks-efa profile: its values (with probes and scopes), exceptions and NOTES.txt (see src/helm/specs.ts). */
export const EKS_EFA_CHART: ChartSpec = {
  values: [
    RELEASE_NAME,
    ...draValues(71, AWS_DRANET.image, ['Checks/OsuEfa', 'Checks/FiInfo', 'Checks/FiPingpong', 'Checks/Nccl', 'NcclClaimTemplate']),
    { path: 'devicePlugin.enabled', when: DEVICE_PLUGIN_API },
    { path: 'devicePlugin.name', probes: token('07') },
    { path: 'devicePlugin.namespace', probes: token('02') },
    ...efaDevicePlugin(),
    ...efaInstanceTypes,
    optional('devicePlugin.serviceAccountName', '64'),
    { path: 'devicePlugin.privileged', scope: ['DevicePlugin'] },
    ...mpiOperator(6),
    // With karpenter.enabled the EFA pods take every EFA interface of a pool node unless efaDevices is set.
    ...efaBenchmarks(10).map(v =>
      v.path !== 'benchmarks.efaDevices'
        ? v
        : {
            ...v,
            default: 1,
            chartDefault: null,
            ref: `(.Values.benchmarks.efaDevices | default (ternary ${EFA_INSTANCE_CAPACITY[DEFAULT_POOL_INSTANCE_TYPE].maxEfa} 1 .Values.karpenter.enabled))`,
          },
    ),
    { path: 'benchmarks.osu.benchmark', scope: ['Checks/OsuEfa', 'Checks/OsuTcp'] },
    osuMessageSizes('benchmarks.osu.messageSizes', 'benchmarks.osu.benchmark'),
    osuIterations('benchmarks.osu.iterations', 'benchmarks.osu.benchmark', true),
    { path: 'benchmarks.osu.workers', probes: [227, 229], when: OSU_COLLECTIVE_BENCHMARK('benchmarks.osu.benchmark') },
    { path: 'benchmarks.osu.tcpTwin' },
    { path: 'benchmarks.fiInfo' },
    { path: 'benchmarks.podAnnotations', probes: annotations('16') },
    optional('benchmarks.serviceAccountName', '17'),
    { path: 'benchmarks.pingpong.enabled' },
    { path: 'benchmarks.pingpong.iterations', probes: [1234567, 1234577] },
    {
      path: 'benchmarks.pingpong.messageSizes',
      probes: [
        [4099, 8209],
        [4111, 8219],
      ],
    },
    ...ncclValues('benchmarks.nccl', 81, 'Checks/Nccl', { efa: true, dra: true }),
    // Karpenter: the pool, and the device plugin and checks on its nodes (so the switch changes them too).
    { path: 'karpenter.enabled', scope: KARPENTER_SCOPE },
    { path: 'karpenter.name', probes: token('90'), when: KARPENTER },
    { path: 'karpenter.clusterName', probes: token('91'), chartDefault: '', default: undefined, when: KARPENTER },
    {
      path: 'karpenter.role',
      probes: token('92'),
      chartDefault: '',
      default: undefined,
      when: KARPENTER,
      ref: '(.Values.karpenter.role | default (printf "KarpenterNodeRole-%s" .Values.karpenter.clusterName))',
    },
    { path: 'karpenter.zone', probes: ['hv-hvzone-93a', 'hv-hvzone-93b'], chartDefault: '', default: undefined, when: KARPENTER },
    { path: 'karpenter.amiAlias', probes: ['al2023@hv94a', 'al2023@hv94b'], when: KARPENTER },
    { path: 'karpenter.capacityType', when: KARPENTER, scope: KARPENTER_SCOPE },
    { path: 'karpenter.consolidateAfter', probes: ['17m41s', '17m43s'], when: KARPENTER },
    // Kueue: the queues, and every MPIJob of the checks submitted to them.
    { path: 'kueue.enabled', with: ['karpenter.enabled'] },
    { path: 'kueue.name', probes: token('95'), when: KUEUE },
    { path: 'kueue.queueName', probes: token('96'), when: KUEUE },
    { path: 'kueue.topology', when: KUEUE, with: ['karpenter.enabled'] },
    { path: 'kueue.nodeLabels', probes: selector('97'), when: KUEUE },
    { path: 'kueue.quota.cpu', probes: ['99991', '99989'], when: KUEUE },
    { path: 'kueue.quota.memory', probes: ['99971Gi', '99961Gi'], when: KUEUE },
    { path: 'kueue.quota.hugepages2Mi', probes: ['99958Gi', '99956Gi'], when: KUEUE },
    { path: 'kueue.quota.efa', probes: [99929, 99923], when: KUEUE },
    { path: 'kueue.quota.gpus', probes: [99907, 99901], when: KUEUE },
  ],
  exceptions: {
    ...deprecatedExceptions(EKS_EFA_DEPRECATED_OPTIONS),
    kubernetesVersion: KUBERNETES_VERSION,
    'benchmarks.nccl.instanceType': NCCL_INSTANCE_TYPE,
    'benchmarks.nccl.alignGpus': ncclAlignGpus('EFA device', 'benchmarks.nccl.instanceType'),
    'devicePlugin.adopt': ADOPT,
    'devicePlugin.helmRelease': ADOPT,
    'devicePlugin.imageRegion': IMAGE_PARTS,
    'devicePlugin.imageTag': IMAGE_PARTS,
    'devicePlugin.nodeTargeting':
      'Each targeting mode builds another node-affinity structure; the chart targets instance types, listed in devicePlugin.instanceTypes and devicePlugin.additionalInstanceTypes.',
    'devicePlugin.nodeLabels': 'Only with devicePlugin.nodeTargeting "node-labels" (not in the chart).',
    'devicePlugin.instanceTypeLabelKeys': 'Each key is a node-affinity term of its own, which the templates cannot build from a list.',
    'devicePlugin.seLinuxType': 'Set, it adds a whole seLinuxOptions block; the templates cannot leave the block out for an empty value.',
    'mpiOperator.adopt': ADOPT,
    'mpiOperator.runAsUser': RUN_AS_USER,
    'karpenter.instanceType':
      "The EFA interface layout (one entry per interface) and the taints come from the instance table, a lookup the templates cannot make: the chart's pool is p5.48xlarge with its 32 EFA interfaces. Other types: the YAML bundle.",
    'karpenter.efaInterfaces':
      "It sets the length of the EC2NodeClass's interface list, which the templates cannot build from a number: the chart attaches all 32 of p5.48xlarge.",
    'karpenter.maxNodes':
      'The NodePool limits are maxNodes times the EFA interfaces and GPUs per node, products the templates do not compute: the chart keeps 16 nodes (512 EFA interfaces, 128 GPUs).',
    'kueue.topologyLevel':
      'Which annotation (kueue.topology) and which level combine in one field, a pair of switches the chart generator does not merge: the chart places by topology.k8s.aws/network-node-layer-3, the bottom EKS layer. Other levels: the YAML bundle.',
    'karpenter.subnetIds':
      'IDs replace the discovery tag with a list of selector terms of another shape; the chart selects subnets by the karpenter.sh/discovery tag.',
    'karpenter.securityGroupIds':
      'IDs replace the discovery tag with a list of selector terms of another shape; the chart selects security groups by the karpenter.sh/discovery tag.',
  },
  guards: `${DRA_GUARD}${osuWorkersGuard('eks-efa', 'benchmarks.osu.workers', 'benchmarks.osu.benchmark')}${KARPENTER_KUEUE_GUARDS}`,
  // The Karpenter and Kueue commands read the printer columns of their CRDs: EC2NodeClass READY and NodeClaim
  // NODEPOOL (the karpenter.sh/nodepool label; aws/karpenter-provider-aws pkg/apis/crds @v1.14.1), LocalQueue and
  // ClusterQueue pending and admitted workloads (kubernetes-sigs/kueue config/components/crd @v0.19.2).
  notes: `cdk8s-rdma {{ .Chart.Version }}, profile eks-efa (release {{ .Release.Name }}).

{{- if eq .Values.deviceApi "dra" }}
Check that aws-dranet publishes the EFA devices (one ResourceSlice per EFA node, driver dra.net) and that the
checks' pods get them (their claims show allocated):
  kubectl get resourceslices -o custom-columns='NODE:.spec.nodeName,DRIVER:.spec.driver,DEVICES:.spec.devices[*].name'
  kubectl -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} get resourceclaims
{{- else }}
Check that the nodes advertise EFA devices:
  kubectl get nodes -o custom-columns='NAME:.metadata.name,EFA:.status.allocatable.vpc\\.amazonaws\\.com/efa'
{{- end }}
${efaRollouts('kubectl', true)}
{{- if .Values.karpenter.enabled }}

EFA nodes come from Karpenter (NodePool and EC2NodeClass {{ .Values.karpenter.name }}): it launches them for
the checks' pending pods and removes them once empty. The node class must be READY; then watch the node claims:
  kubectl get ec2nodeclass {{ .Values.karpenter.name }}
  kubectl get nodeclaims -l karpenter.sh/nodepool={{ .Values.karpenter.name }}
{{- end }}
{{- if .Values.kueue.enabled }}

The MPI jobs are queued in LocalQueue {{ .Values.kueue.queueName }} (ClusterQueue {{ .Values.kueue.name }}): created
suspended and admitted whole when the quota (and the topology) allow; the queues count pending and admitted ones:
  kubectl -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} get localqueue {{ .Values.kueue.queueName }}
  kubectl get clusterqueue {{ .Values.kueue.name }}
{{- end }}
{{- if .Values.benchmarks.enabled }}

${HELM_TEST_NOTES}
Then read them in namespace {{ .Values.benchmarks.namespace | default .Release.Namespace }}:
{{- if .Values.benchmarks.fiInfo }}
  kubectl -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} logs job/efa-fi-info            # the EFA provider; the job fails without one
{{- end }}
{{- if .Values.benchmarks.pingpong.enabled }}
  kubectl -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} logs -l app.kubernetes.io/name=fi-pingpong,batch.kubernetes.io/job-completion-index=1 --tail=-1   # the client
{{- end }}
${ncclNotes('kubectl', 'benchmarks.nccl', '{{ .Values.benchmarks.namespace | default .Release.Namespace }}', 'efa')}${mpiJobChecks('kubectl')}{{- end }}
`,
};
