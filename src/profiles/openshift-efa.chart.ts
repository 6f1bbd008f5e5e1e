import { deprecatedExceptions, type ChartSpec } from '../helm/specs';
import { OPENSHIFT_EFA_DEPRECATED_OPTIONS } from './openshift-efa';
import {
  ADOPT,
  IMAGE_PARTS,
  NCCL_INSTANCE_TYPE,
  ncclValues,
  RELEASE_NAME,
  RUN_AS_USER,
  efaBenchmarks,
  efaDevicePlugin,
  efaRollouts,
  HELM_TEST_NOTES,
  image,
  mpiJobChecks,
  mpiOperator,
  ncclNotes,
  osuIterations,
  token,
} from '../helm/specs';
import { EFA_NODE_LABEL } from '../constructs/node-feature-discovery';
import { NFD_OPERATOR, INTEL_BENCHMARK_IMAGE } from '../versions';
import { OPENSHIFT_EFA_PLUGIN_PULL_SECRETS } from './openshift-efa';

/** The Helm chart of the openshift-efa profile: its values (with probes and scopes), exceptions and NOTES.txt (see src/helm/specs.ts). */
export const OPENSHIFT_EFA_CHART: ChartSpec = {
  values: [
    RELEASE_NAME,
    // The pool's name is the MachineConfigs' role (their names too).
    { path: 'nodeConfig.pool.enabled', scope: ['EfaPool', 'Hugepages', 'Memlock'] },
    { path: 'nodeConfig.pool.name', probes: ['hv20a-efa', 'hv20b-efa'] },
    { path: 'nodeConfig.hugepages.enabled' },
    { path: 'nodeConfig.hugepages.count', probes: [4099, 4111], default: 5128 },
    { path: 'nodeConfig.memlock.enabled' },
    { path: 'nfd.operator.enabled', scope: ['Nfd/Namespace', 'Nfd/OperatorGroup', 'Nfd/Subscription'] },
    { path: 'nfd.channel', probes: ['hv02a-channel', 'hv02b-channel'] },
    { path: 'nfd.namespace', probes: token('21') },
    { path: 'nfd.source', probes: token('22') },
    { path: 'nfd.sourceNamespace', probes: token('23') },
    { path: 'nfd.efaRule.name', probes: token('24') },
    { path: 'nfd.efaRule.deviceIds', probes: [['e7a1', 'e7a2'], ['e7b3']], default: [...NFD_OPERATOR.efaDeviceIds] },
    { path: 'nfd.instance', scope: ['Nfd/Instance'] },
    { path: 'nfd.installPlanApproval', scope: ['Nfd/Subscription'] },
    { path: 'nfd.operandImage', probes: image('25'), chartDefault: '', default: undefined },
    { path: 'devicePlugin.enabled' },
    { path: 'devicePlugin.name', probes: token('07') },
    ...efaDevicePlugin(OPENSHIFT_EFA_PLUGIN_PULL_SECRETS),
    { path: 'devicePlugin.namespace', probes: token('08') },
    { path: 'devicePlugin.serviceAccountName', probes: token('64') },
    { path: 'devicePlugin.sccName', probes: token('68') },
    { path: 'devicePlugin.createNamespace', scope: ['DevicePlugin'] },
    { path: 'devicePlugin.seLinuxType', probes: ['hv66a_t', 'hv66b_t'] },
    ...mpiOperator(6),
    // The profile selects the NFD label when NFD is on; the chart states it.
    ...efaBenchmarks(10, { [EFA_NODE_LABEL]: 'true' }),
    { path: 'benchmarks.intelImage', probes: image('15'), default: INTEL_BENCHMARK_IMAGE.image },
    { path: 'benchmarks.serviceAccountName', probes: token('16') },
    { path: 'benchmarks.sccName', probes: token('17') },
    { path: 'benchmarks.osu.benchmark', scope: ['Checks'] },
    { path: 'benchmarks.osu.messageSizes', probes: ['2:524287', '2:524285'] },
    osuIterations('benchmarks.osu.iterations', 'benchmarks.osu.benchmark'),
    { path: 'benchmarks.osu.tcpTwin' },
    { path: 'benchmarks.fiInfo' },
    { path: 'benchmarks.osu.openmpi' },
    { path: 'benchmarks.osu.intel' },
    ...ncclValues('benchmarks.nccl', 83, 'Checks/Nccl', { efa: true, dra: false }),
  ],
  exceptions: {
    ...deprecatedExceptions(OPENSHIFT_EFA_DEPRECATED_OPTIONS),
    'benchmarks.nccl.instanceType': NCCL_INSTANCE_TYPE,
    openshiftVersion:
      'It chooses names and files by OpenShift release (the NFD installer names of 4.16 and later): a choice made while synthesizing, not text the templates print.',
    'nodeConfig.pool.nodeSelector': 'Its default is computed from nodeConfig.pool.name.',
    'nodeConfig.pool.maxUnavailable': 'Unset, the pool leaves the field out, which a number value cannot say.',
    'nodeConfig.hugepages.pageSize': 'It sizes the kernel arguments together with count (1G pages need an explicit count).',
    'nodeConfig.hugepages.vcpus': 'It computes nodeConfig.hugepages.count (110 × vCPUs + 1): set the count instead.',
    'nodeConfig.memlock.soft': 'Written into the MachineConfig file, which is base64-encoded: a template cannot encode it.',
    'nodeConfig.memlock.hard': 'Written into the MachineConfig file, which is base64-encoded: a template cannot encode it.',
    'nodeConfig.memlock.extraUlimits': 'Written into the MachineConfig file, which is base64-encoded: a template cannot encode it.',
    'nfd.enabled': 'Off, the device plugin needs devicePlugin.nodeTargeting, which the chart does not carry.',
    'nfd.efaRule.label': 'The label key is a map key of node selectors in several objects, and the default of benchmarks.nodeSelector.',
    'devicePlugin.imageRegion': IMAGE_PARTS,
    'devicePlugin.imageTag': IMAGE_PARTS,
    'devicePlugin.nodeTargeting':
      "The chart targets the nodes NFD labels (the profile's default); other modes build other node-affinity structures.",
    'devicePlugin.instanceTypes': 'Only with devicePlugin.nodeTargeting "instance-types" (not in the chart).',
    'devicePlugin.additionalInstanceTypes': 'Only with devicePlugin.nodeTargeting "instance-types" (not in the chart).',
    'devicePlugin.instanceTypeLabelKeys': 'Only with devicePlugin.nodeTargeting "instance-types" (not in the chart).',
    'devicePlugin.nodeLabels': 'The chart uses the NFD label (nfd.efaRule).',
    'mpiOperator.adopt': ADOPT,
    'mpiOperator.runAsUser': RUN_AS_USER,
    machineSet:
      'Cluster-specific identifiers without defaults (infrastructure id, AMI, subnet, zone) for objects that exist only when set: use the YAML bundle or the TypeScript API.',
    clusterAutoscaler:
      'A cluster singleton (ClusterAutoscaler "default") that exists only when set; it belongs with the MachineSets (YAML bundle or TypeScript API).',
  },
  notes: `cdk8s-rdma {{ .Chart.Version }}, profile openshift-efa (release {{ .Release.Name }}).
{{- if or .Values.nodeConfig.hugepages.enabled .Values.nodeConfig.memlock.enabled }}

The MachineConfigs reboot the nodes of pool worker-efa; wait for the pool to finish:
  oc wait mcp/worker-efa --for=condition=Updated --timeout=60m
{{- end }}

Check that the nodes advertise EFA devices:
  oc get nodes -l feature.node.kubernetes.io/aws-efa.present=true -o custom-columns='NAME:.metadata.name,EFA:.status.allocatable.vpc\\.amazonaws\\.com/efa'
${efaRollouts('oc')}
{{- if .Values.benchmarks.enabled }}

${HELM_TEST_NOTES}
Then read the MPI jobs in namespace {{ .Values.benchmarks.namespace | default .Release.Namespace }}:
${ncclNotes('oc', 'benchmarks.nccl', '{{ .Values.benchmarks.namespace | default .Release.Namespace }}', 'efa')}${mpiJobChecks('oc')}{{- end }}
`,
};
