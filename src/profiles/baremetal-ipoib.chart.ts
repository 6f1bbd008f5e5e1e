import { deprecatedExceptions, type ChartSpec } from '../helm/specs';
import { BAREMETAL_IPOIB_DEPRECATED_OPTIONS } from './baremetal-ipoib';
import {
  ADOPT,
  BUNDLE_MODE,
  DEVICE_PLUGIN_API,
  ncclNotes,
  DRA_GUARD,
  ncclAlignGpus,
  ncclValues,
  KUBERNETES_VERSION,
  draValues,
  CONFIG_HASH,
  DROPPED_FLAG,
  OPERATOR_MODE,
  RELEASE_NAME,
  RUN_AS_USER,
  annotations,
  HELM_TEST_NOTES,
  image,
  mpiOperator,
  names,
  osuIterations,
  releaseNamespace,
  selector,
  token,
  tolerations,
} from '../helm/specs';
import { DEFAULT_IPOIB_RANGE } from '../constructs/ipoib-network';
import { DRANET, IB_BENCHMARK_IMAGE, RDMA_SHARED_DEVICE_PLUGIN } from '../versions';

/** The Helm chart of the baremetal-ipoib profile: its values (with probes and scopes), exceptions and NOTES.txt (see src/helm/specs.ts). */
export const BAREMETAL_IPOIB_CHART: ChartSpec = {
  values: [
    RELEASE_NAME,
    { path: 'mode' },
    releaseNamespace('namespace', '02'),
    // Off, the bundle no longer installs the NetworkAttachmentDefinition CRD: the network's sync options change.
    { path: 'multus.enabled', when: BUNDLE_MODE, scope: ['Multus', 'Network'] },
    { path: 'multus.image', probes: image('03'), when: BUNDLE_MODE },
    { path: 'multus.memory', probes: ['317Mi', '319Mi'], when: BUNDLE_MODE },
    { path: 'multus.cpu', probes: ['113m', '117m'], when: BUNDLE_MODE },
    { path: 'multus.namespace', probes: token('30'), when: BUNDLE_MODE },
    { path: 'cni.privileged', when: BUNDLE_MODE, scope: ['IpoibCni', 'Whereabouts'] },
    { path: 'ipoibCni.image', probes: image('04'), when: BUNDLE_MODE },
    { path: 'ipoibCni.namespace', probes: token('31'), when: BUNDLE_MODE },
    { path: 'ipoibCni.nodeSelector', probes: selector('32'), when: BUNDLE_MODE },
    { path: 'whereabouts.image', probes: image('05'), when: BUNDLE_MODE },
    { path: 'whereabouts.namespace', probes: token('33'), when: BUNDLE_MODE },
    { path: 'network.name', probes: token('06') },
    { path: 'network.master', probes: ['hv07a', 'hv07b'] },
    { path: 'network.ipam.range', probes: ['10.173.0.0/16', '10.179.0.0/16'], default: DEFAULT_IPOIB_RANGE },
    { path: 'network.cniVersion', probes: ['0.4.0', '1.0.0'], when: BUNDLE_MODE },
    ...draValues(73, DRANET.image, ['Checks/TestPod', 'Checks/Bandwidth', 'Checks/Mpi', 'Checks/Nccl', 'NcclClaimTemplate'], BUNDLE_MODE),
    { path: 'devicePlugin.enabled', when: [BUNDLE_MODE, DEVICE_PLUGIN_API] },
    { path: 'devicePlugin.image', probes: image('08'), default: RDMA_SHARED_DEVICE_PLUGIN.image, when: BUNDLE_MODE },
    { path: 'devicePlugin.tolerations', probes: tolerations('09'), when: BUNDLE_MODE },
    { path: 'devicePlugin.namespace', probes: token('34'), when: BUNDLE_MODE },
    { path: 'devicePlugin.nodeSelector', probes: selector('35'), default: {}, when: BUNDLE_MODE },
    { path: 'devicePlugin.kubeletRootDir', probes: ['/var/lib/hv36a-kubelet', '/var/lib/hv36b-kubelet'], when: BUNDLE_MODE },
    { path: 'operator.repository', probes: ['probe.invalid/hv37a', 'probe.invalid/hv37b'], when: OPERATOR_MODE },
    { path: 'operator.imagePullSecrets', probes: names('38'), when: OPERATOR_MODE },
    { path: 'operator.tolerations', probes: tolerations('39'), when: OPERATOR_MODE },
    { path: 'operator.ipPool.perNodeBlockSize', probes: [61, 67], when: OPERATOR_MODE },
    { path: 'operator.version', probes: ['network-operator-v97.1.1', 'network-operator-v97.2.3'], when: OPERATOR_MODE },
    { path: 'operator.ipPool.namespace', probes: token('42'), when: OPERATOR_MODE },
    ...mpiOperator(11),
    { path: 'benchmarks.enabled' },
    { path: 'benchmarks.image', probes: image('13'), default: IB_BENCHMARK_IMAGE.image },
    { path: 'benchmarks.rdmaResource', probes: ['rdma/hv14a', 'rdma/hv14b'], when: DEVICE_PLUGIN_API },
    { path: 'benchmarks.memory', probes: ['1279Mi', '1283Mi'] },
    { path: 'benchmarks.cpu', probes: ['1237m', '1239m'] },
    { path: 'benchmarks.nodeSelector', probes: selector('15') },
    { path: 'benchmarks.tolerations', probes: tolerations('16') },
    { path: 'benchmarks.imagePullSecrets', probes: names('17') },
    { path: 'benchmarks.podAnnotations', probes: annotations('18') },
    { path: 'benchmarks.ttlSecondsAfterFinished', probes: [86413, 86423] },
    { path: 'benchmarks.bandwidth.ibPort', probes: [173, 179] },
    { path: 'benchmarks.bandwidth.port', probes: [18533, 18539] },
    { path: 'benchmarks.testPod' },
    { path: 'benchmarks.bandwidth.enabled' },
    { path: 'benchmarks.bandwidth.program', scope: ['Checks/Bandwidth'] },
    { path: 'benchmarks.osu.enabled' },
    { path: 'benchmarks.osu.messageSizes', probes: ['2:524287', '2:524285'] },
    { path: 'benchmarks.osu.benchmark', scope: ['Checks/Mpi'] },
    osuIterations('benchmarks.osu.iterations', 'benchmarks.osu.benchmark'),
    ...ncclValues('benchmarks.nccl', 85, 'Checks/Nccl', { efa: false, dra: true }),
  ],
  exceptions: {
    ...deprecatedExceptions(BAREMETAL_IPOIB_DEPRECATED_OPTIONS),
    kubernetesVersion: KUBERNETES_VERSION,
    'benchmarks.nccl.alignGpus': ncclAlignGpus('HCA', 'benchmarks.nccl.gpusPerWorker with hcasPerWorker'),
    'benchmarks.nccl.hcasPerWorker':
      'With deviceApi "dra" it shapes the claim template (its PCIe-root groups), which the templates cannot compute: the chart claims 1 HCA per worker.',
    'benchmarks.nccl.ibHcas':
      'NCCL_IB_HCA is the names joined into one string ("=mlx5_0,mlx5_1"), which the chart generator cannot template from a list; set it with the YAML bundle.',
    'dra.rdmaDevices':
      "The names go into a CEL expression of the DeviceClass (one more selector when the list is not empty), which the templates cannot build from a list; the chart's DeviceClass selects every RDMA device.",
    'cni.cniBinDir': CONFIG_HASH,
    'cni.cniConfDir': CONFIG_HASH,
    'multus.installCrd': 'The CRD is in crds/, which Helm installs first and never templates; leave it out with helm --skip-crds.',
    'multus.logLevel': CONFIG_HASH,
    'whereabouts.installCrds':
      'The CRDs are in crds/, which Helm installs first and never templates; leave them out with helm --skip-crds.',
    'whereabouts.reconcilerSchedule': CONFIG_HASH,
    'whereabouts.logLevel': CONFIG_HASH,
    'network.ipam.rangeStart': 'Checked against network.ipam.range, and left out of the IPAM JSON when unset.',
    'network.ipam.rangeEnd': 'Checked against network.ipam.range, and left out of the IPAM JSON when unset.',
    'network.ipam.exclude': 'Checked against network.ipam.range, and left out of the IPAM JSON when empty.',
    'network.ipam.gateway': 'Checked against network.ipam.range, and left out of the IPAM JSON when unset.',
    'network.ipam.configurationPath': 'Its default is computed from the CNI configuration directory.',
    'devicePlugin.variant': 'Another plugin: another image, configuration format and resource names.',
    'devicePlugin.configList': CONFIG_HASH,
    'devicePlugin.periodicUpdateInterval': CONFIG_HASH,
    'devicePlugin.knem': 'Only with devicePlugin.variant "jarvice" (not in the chart).',
    'operator.multus': 'A switch of operator mode; the generator flips switches in the default mode (bundle).',
    'operator.ofedDriver': 'A switch of operator mode; the generator flips switches in the default mode (bundle).',
    'mpiOperator.adopt': ADOPT,
    'mpiOperator.runAsUser': RUN_AS_USER,
    'benchmarks.bandwidth.device': DROPPED_FLAG,
    'benchmarks.bandwidth.iterations': DROPPED_FLAG,
    'benchmarks.bandwidth.messageSize': DROPPED_FLAG,
    'benchmarks.osu.ucxNetDevices': DROPPED_FLAG,
  },
  guards: `${DRA_GUARD}{{- if and (eq .Values.deviceApi "dra") (eq .Values.mode "operator") }}
{{- fail "deviceApi \\"dra\\" is not available in mode \\"operator\\" (the NicClusterPolicy runs the RDMA shared device plugin on the same HCAs)" }}
{{- end }}
`,
  notes: `cdk8s-rdma {{ .Chart.Version }}, profile baremetal-ipoib (release {{ .Release.Name }}, {{ .Values.mode }} mode).

Check the node agents and the RDMA resource:
{{- if eq .Values.mode "bundle" }}
{{- if .Values.multus.enabled }}
  kubectl -n {{ .Values.multus.namespace }} rollout status daemonset/kube-multus-ds
{{- end }}
  kubectl -n {{ .Values.ipoibCni.namespace }} rollout status daemonset/kube-ipoib-cni-ds
  kubectl -n {{ .Values.whereabouts.namespace }} rollout status daemonset/whereabouts
{{- if eq .Values.deviceApi "dra" }}
{{- if .Values.dra.enabled }}
  kubectl -n {{ .Values.dra.namespace }} rollout status daemonset/dranet
{{- end }}
{{- else if .Values.devicePlugin.enabled }}
  kubectl -n {{ .Values.devicePlugin.namespace }} rollout status daemonset/rdma-shared-dp-ds
{{- end }}
{{- else }}
  kubectl get nicclusterpolicy nic-cluster-policy -o jsonpath='{.status.state}'   # ready
{{- end }}
{{- if eq .Values.deviceApi "dra" }}
  kubectl get resourceslices -o custom-columns='NODE:.spec.nodeName,DRIVER:.spec.driver,DEVICES:.spec.devices[*].name'   # dra.net: the HCAs
  kubectl -n {{ .Values.namespace | default .Release.Namespace }} get resourceclaims   # allocated while the tests run
{{- else }}
  kubectl get nodes -o custom-columns='NAME:.metadata.name,RDMA:.status.allocatable.{{ .Values.benchmarks.rdmaResource | replace "." "\\\\." }}'
{{- end }}
{{- if .Values.benchmarks.enabled }}

${HELM_TEST_NOTES}
Then read them in namespace {{ .Values.namespace | default .Release.Namespace }}:
{{- if .Values.benchmarks.testPod }}
  kubectl -n {{ .Values.namespace | default .Release.Namespace }} logs job/ipoib-test          # an IPoIB address from {{ .Values.network.ipam.range }}
{{- end }}
{{- if .Values.benchmarks.bandwidth.enabled }}
  kubectl -n {{ .Values.namespace | default .Release.Namespace }} logs -l app.kubernetes.io/name={{ .Values.benchmarks.bandwidth.program | replace "_" "-" }},batch.kubernetes.io/job-completion-index=1 --tail=-1   # the client
{{- end }}
{{- if .Values.benchmarks.osu.enabled }}
  kubectl -n {{ .Values.namespace | default .Release.Namespace }} logs -l training.kubeflow.org/job-role=launcher --tail=-1
{{- end }}
${ncclNotes('kubectl', 'benchmarks.nccl', '{{ .Values.namespace | default .Release.Namespace }}', 'ib').trimEnd()}
{{- end }}
`,
};
