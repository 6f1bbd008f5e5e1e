import { EFA_NODE_LABEL } from '../constructs/node-feature-discovery';
import { EFA_DEVICE_PLUGIN_RESOURCES, EFA_INSTANCE_TYPES } from '../constructs/efa-device-plugin';
import { MPI_OPERATOR_RESOURCES } from '../constructs/mpi-operator';
import { DEFAULT_IPOIB_RANGE } from '../constructs/ipoib-network';
import { BAREMETAL_IPOIB, EKS_EFA, OPENSHIFT_EFA, OPENSHIFT_EFA_PLUGIN_PULL_SECRETS } from '../profiles';
import { BASELINES } from '../report/baselines';
import { LATENCY_TOLERANCE_US } from '../report/report';
import { OSU_DEFAULT_ITERATIONS } from '../constructs/mpi-latency-job';
import { NFD_OPERATOR, BENCHMARK_IMAGE, EFA_DEVICE_PLUGIN, IB_BENCHMARK_IMAGE, INTEL_BENCHMARK_IMAGE, RDMA_SHARED_DEVICE_PLUGIN, efaDevicePluginImage } from '../versions';

/*
 * NOTES.txt facts: NicClusterPolicy `status.state` is one of ready, notReady, ignore, error (research
 * ib.md §1.2); the fi_info Job fails when no EFA provider is found (EfaInfoJob).
 */

/**
 * Which options of each profile its Helm chart exposes as values. Booleans and enums need nothing more;
 * strings, numbers, maps and lists carry two probes: valid values that appear nowhere else in the output
 * (tokens `hvNNa`/`hvNNb`, unusual numbers), used to find where the value goes (see infer.ts). `default` is
 * given where the options schema only describes a computed default.
 */
export interface ChartValueSpec {
  readonly path: string;
  readonly probes?: readonly [unknown, unknown];
  readonly default?: unknown;
  /** Only an option while another value has this value (e.g. bundle-mode options). */
  readonly when?: { readonly path: string; readonly value: boolean | string };
  /** Earlier switches whose alternatives this switch's alternatives interact with (see ProbedValue.with). */
  readonly with?: readonly string[];
  /** The construct paths of the only objects a switch changes (see ProbedValue.scope). */
  readonly scope?: readonly string[];
  /** The Go expression the templates read instead of `.Values.<path>` (see ProbedValue.ref). */
  readonly ref?: string;
  /** The default in values.yaml when `ref` computes the profile's ('' or null). */
  readonly chartDefault?: unknown;
  /** A Helm built-in (`ref`), not a value. */
  readonly builtin?: boolean;
}

/** The profile's `instance` is the release name. */
const RELEASE_NAME: ChartValueSpec = { path: 'instance', probes: ['hv01a', 'hv01b'], ref: '.Release.Name', builtin: true };

/** A namespace value that defaults to the release's: empty in values.yaml, and then the chart creates no Namespace. */
const releaseNamespace = (path: string, n: string): ChartValueSpec =>
  ({ path, probes: token(n), ref: `(.Values.${path} | default .Release.Namespace)`, chartDefault: '' });

/** A string option without a default: '' in values.yaml, and then the field is left out, as the CLI does. */
const optional = (path: string, n: string): ChartValueSpec => ({ path, probes: token(n), chartDefault: '', default: undefined });

/** OSU `-i`: null in values.yaml, and then the benchmark's default, as the CLI (OSU_DEFAULT_ITERATIONS). */
const osuIterations = (path: string, benchmarkPath: string): ChartValueSpec => ({
  path, probes: [7919, 7907], default: OSU_DEFAULT_ITERATIONS.osu_latency, chartDefault: null,
  ref: `(.Values.${path} | default (ternary ${OSU_DEFAULT_ITERATIONS.osu_bw} ${OSU_DEFAULT_ITERATIONS.osu_latency} (eq .Values.${benchmarkPath} "osu_bw")))`,
});

export interface ChartSpec {
  readonly values: readonly ChartValueSpec[];
  /**
   * The profile options the chart does not carry, each with the reason (the chart README lists them). A test
   * checks that every option is a value or here.
   */
  readonly exceptions: Readonly<Record<string, string>>;
  /** templates/NOTES.txt: how to verify the install (a Go template over .Values). */
  readonly notes: string;
}

const ADOPT = 'Adopting objects another installer made means giving them its ownership annotations; Helm refuses objects another release owns. Adopt with the YAML bundle, or `helm upgrade` that release.';
const RUN_AS_USER = 'Its null (no runAsUser, for OpenShift\'s UID ranges) leaves the field out, which a number value cannot say.';
const IMAGE_PARTS = 'They only compose the default of devicePlugin.image; the chart\'s devicePlugin.image is the whole reference.';
const CONFIG_HASH = 'It feeds the configuration hash annotation that rolls the DaemonSet when its configuration changes; a template cannot compute the hash.';
const DROPPED_FLAG = 'Unset, the flag and its argument (or the env entry) are left out together, which the templates cannot express for one value.';

const BUNDLE_MODE = { path: 'mode', value: 'bundle' };
const OPERATOR_MODE = { path: 'mode', value: 'operator' };

const image = (n: string): [string, string] => [`probe.invalid/hv${n}a:v1`, `probe.invalid/hv${n}b:v1`];
const token = (n: string): [string, string] => [`hv${n}a`, `hv${n}b`];
const selector = (n: string): [Record<string, string>, Record<string, string>] =>
  [{ [`hv${n}a.example.com/pool`]: `hv${n}a` }, { [`hv${n}b.example.com/pool`]: `hv${n}b` }];
const tolerations = (n: string): [object[], object[]] => [
  [{ key: `hv${n}a.example.com/gpu`, operator: 'Exists', effect: 'NoSchedule' }],
  [{ key: `hv${n}b.example.com/gpu`, operator: 'Equal', value: `hv${n}b`, effect: 'NoExecute' }],
];

const resources = (n: string): [object, object] => [
  { requests: { cpu: `${n}1m`, memory: `${n}3Mi` }, limits: { memory: `${n}7Mi` } },
  { requests: { cpu: `${n}2m` }, limits: { cpu: `${n}9m`, memory: `${n}1Mi` } },
];
const annotations = (n: string): [Record<string, string>, Record<string, string>] =>
  [{ [`hv${n}a.example.com/note`]: `hv${n}a` }, { [`hv${n}b.example.com/note`]: `hv${n}b` }];
const names = (n: string): [string[], string[]] => [[`hv${n}a`], [`hv${n}b`, `hv${n}c`]];

/** Options of the MPI operator, the same in every profile. */
const mpiOperator = (n: number): ChartValueSpec[] => [
  { path: 'mpiOperator.install' },
  { path: 'mpiOperator.namespace', probes: token(String(n)) },
  { path: 'mpiOperator.image', probes: image(String(n + 1)) },
  { path: 'mpiOperator.rbac', scope: ['MpiOperator'] },
  { path: 'mpiOperator.resources', probes: resources(`${n + 2}`), default: MPI_OPERATOR_RESOURCES },
];

/** Options of the EFA benchmark pods, shared by eks-efa and openshift-efa. */
const efaBenchmarks = (n: number, nodeSelector: Record<string, string> = {}): ChartValueSpec[] => [
  { path: 'benchmarks.enabled' },
  releaseNamespace('benchmarks.namespace', String(n)),
  { path: 'benchmarks.image', probes: image(String(n + 1)), default: BENCHMARK_IMAGE.image },
  { path: 'benchmarks.efaDevices', probes: [23, 19] },
  { path: 'benchmarks.hugepages2Mi', probes: ['3074Mi', '3078Mi'] },
  { path: 'benchmarks.memory', probes: ['9437Mi', '9439Mi'] },
  { path: 'benchmarks.cpu', probes: ['3141m', '3143m'] },
  { path: 'benchmarks.nodeSelector', probes: selector(String(n + 2)), default: nodeSelector },
  { path: 'benchmarks.tolerations', probes: tolerations(String(n + 3)) },
  { path: 'benchmarks.imagePullSecrets', probes: names(String(n + 4)) },
  { path: 'benchmarks.hostNetwork', scope: ['Checks', 'JobSecurity'] },
];

/** A published small-message EFA latency of the report's baselines, e.g. `10.4 µs (fi_pingpong, ...)`. */
function efaLatency(name: string): string {
  const b = BASELINES.find(x => x.name === name);
  if (!b) throw new Error(`cdk8s-rdma: no baseline ${name}`);
  const v = b.smallRange ? `${b.smallRange.low}-${b.smallRange.high}` : String(b.points[0].value);
  return `${v} µs (${b.title})`;
}

/** How to run the checks (helm test hooks) of a chart. */
const helmTest = (cli: 'kubectl' | 'oc') => `Run the checks: they are helm test hooks, created anew by each run (helm waits for the Jobs, not for
the MPIJobs: read those with ${cli}):
  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}`;

/**
 * NOTES.txt lines that read the EFA MPI jobs' launcher logs, and what their figures mean: the report's own
 * baselines and verdict rule (cdk8s-rdma report; src/report/baselines.ts, report.ts).
 */
const mpiJobChecks = (cli: 'kubectl' | 'oc') => `  ${cli} -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} get mpijobs
  ${cli} -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} logs -l training.kubeflow.org/job-role=launcher --tail=-1
Published small-message EFA latencies: ${efaLatency('efa-pingpong-m7g-pods')};
${efaLatency('efa-osu-c5n-openmpi')}. An EFA run no better than its TCP twin, or more than
${LATENCY_TOLERANCE_US} µs above these, is TCP fallback: \`cdk8s-rdma report efa=<log> tcp=<log>\` gives the verdict.
`;

/**
 * The EFA device plugin's values, the same in both EFA profiles: the knobs of the eks-charts chart
 * (aws/eks-charts stable/aws-efa-k8s-device-plugin values.yaml: image, supportedInstanceTypes / nodeSelector,
 * tolerations, resources, updateStrategy, imagePullSecrets, podLabels, podAnnotations).
 */
const efaDevicePlugin = (pullSecrets: readonly string[] = []): ChartValueSpec[] => [
  { path: 'devicePlugin.image', probes: image('03'), default: efaDevicePluginImage(EFA_DEVICE_PLUGIN.defaultRegion, EFA_DEVICE_PLUGIN.tag) },
  { path: 'devicePlugin.nodeSelector', probes: selector('04') },
  { path: 'devicePlugin.tolerations', probes: tolerations('05') },
  { path: 'devicePlugin.resources', probes: resources('6'), default: EFA_DEVICE_PLUGIN_RESOURCES },
  { path: 'devicePlugin.updateStrategy', probes: [{ type: 'OnDelete' }, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '17%' } }], default: { type: 'RollingUpdate' } },
  { path: 'devicePlugin.podLabels', probes: [{ 'hv61a.example.com/team': 'hv61a' }, { 'hv61b.example.com/team': 'hv61b' }] },
  { path: 'devicePlugin.podAnnotations', probes: annotations('62') },
  { path: 'devicePlugin.imagePullSecrets', probes: names('63'), default: [...pullSecrets] },
];

/** The EFA device plugin's node allowlist (eks-efa: instance-type targeting). */
const efaInstanceTypes: ChartValueSpec[] = [
  // Real EFA types (the plugin checks them against its list) that take the efaDevices probes (p5: 32 EFA interfaces).
  { path: 'devicePlugin.instanceTypes', probes: [['p5.48xlarge', 'c5n.18xlarge'], ['p5e.48xlarge']], default: [...EFA_INSTANCE_TYPES] },
  { path: 'devicePlugin.additionalInstanceTypes', probes: [['hv65a.metal'], ['hv65b.metal', 'hv65c.metal']] },
  { path: 'devicePlugin.includeAutoModeNodes', scope: ['DevicePlugin'] },
];

export const CHART_SPECS: Readonly<Record<string, ChartSpec>> = {
  [EKS_EFA]: {
    values: [
      RELEASE_NAME,
      { path: 'devicePlugin.enabled' },
      { path: 'devicePlugin.name', probes: token('07') },
      { path: 'devicePlugin.namespace', probes: token('02') },
      ...efaDevicePlugin(),
      ...efaInstanceTypes,
      optional('devicePlugin.serviceAccountName', '64'),
      { path: 'devicePlugin.privileged', scope: ['DevicePlugin'] },
      ...mpiOperator(6),
      ...efaBenchmarks(10),
      { path: 'benchmarks.osu.benchmark', scope: ['Checks/OsuEfa', 'Checks/OsuTcp'] },
      { path: 'benchmarks.osu.messageSizes', probes: ['2:524287', '2:524285'] },
      osuIterations('benchmarks.osu.iterations', 'benchmarks.osu.benchmark'),
      { path: 'benchmarks.osu.tcpTwin' },
      { path: 'benchmarks.fiInfo' },
      { path: 'benchmarks.podAnnotations', probes: annotations('16') },
      optional('benchmarks.serviceAccountName', '17'),
      { path: 'benchmarks.pingpong.enabled' },
      { path: 'benchmarks.pingpong.iterations', probes: [1234567, 1234577] },
      { path: 'benchmarks.pingpong.messageSizes', probes: [[4099, 8209], [4111, 8219]] },
    ],
    exceptions: {
      'devicePlugin.adopt': ADOPT,
      'devicePlugin.helmRelease': ADOPT,
      'devicePlugin.imageRegion': IMAGE_PARTS,
      'devicePlugin.imageTag': IMAGE_PARTS,
      'devicePlugin.nodeTargeting': 'Each targeting mode builds another node-affinity structure; the chart targets instance types, listed in devicePlugin.instanceTypes and devicePlugin.additionalInstanceTypes.',
      'devicePlugin.nodeLabels': 'Only with devicePlugin.nodeTargeting "node-labels" (not in the chart).',
      'devicePlugin.instanceTypeLabelKeys': 'Each key is a node-affinity term of its own, which the templates cannot build from a list.',
      'devicePlugin.seLinuxType': 'Set, it adds a whole seLinuxOptions block; the templates cannot leave the block out for an empty value.',
      'mpiOperator.adopt': ADOPT,
      'mpiOperator.runAsUser': RUN_AS_USER,
    },
    notes: `cdk8s-rdma {{ .Chart.Version }}, profile eks-efa (release {{ .Release.Name }}).

Check that the nodes advertise EFA devices:
  kubectl get nodes -o custom-columns='NAME:.metadata.name,EFA:.status.allocatable.vpc\\.amazonaws\\.com/efa'
{{- if .Values.devicePlugin.enabled }}
  kubectl -n {{ .Values.devicePlugin.namespace }} rollout status daemonset/{{ .Values.devicePlugin.name }}
{{- end }}
{{- if .Values.mpiOperator.install }}
  kubectl -n {{ .Values.mpiOperator.namespace }} rollout status deployment/mpi-operator
{{- end }}
{{- if .Values.benchmarks.enabled }}

${helmTest('kubectl')}
Then read them in namespace {{ .Values.benchmarks.namespace | default .Release.Namespace }}:
{{- if .Values.benchmarks.fiInfo }}
  kubectl -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} logs job/efa-fi-info            # the EFA provider; the job fails without one
{{- end }}
{{- if .Values.benchmarks.pingpong.enabled }}
  kubectl -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} logs -l app.kubernetes.io/name=fi-pingpong,batch.kubernetes.io/job-completion-index=1 --tail=-1   # the client
{{- end }}
${mpiJobChecks('kubectl')}{{- end }}
`,
  },
  [OPENSHIFT_EFA]: {
    values: [
      RELEASE_NAME,
      // The pool's name is the MachineConfigs' role (their names too).
      { path: 'nodeConfig.pool.enabled', scope: ['EfaPool', 'Hugepages', 'Memlock'] },
      { path: 'nodeConfig.pool.name', probes: ['hv20a-efa', 'hv20b-efa'] },
      { path: 'nodeConfig.hugepages.enabled' },
      { path: 'nodeConfig.hugepages.count', probes: [4099, 4111], default: 5128 },
      { path: 'nodeConfig.memlock.enabled' },
      { path: 'nfd.installOperator', scope: ['Nfd'] },
      { path: 'nfd.channel', probes: ['hv02a-channel', 'hv02b-channel'] },
      { path: 'nfd.namespace', probes: token('21') },
      { path: 'nfd.source', probes: token('22') },
      { path: 'nfd.sourceNamespace', probes: token('23') },
      { path: 'nfd.efaRule.name', probes: token('24') },
      { path: 'nfd.efaRule.deviceIds', probes: [['e7a1', 'e7a2'], ['e7b3']], default: [...NFD_OPERATOR.efaDeviceIds] },
      { path: 'nfd.instance', scope: ['Nfd'] },
      { path: 'nfd.installPlanApproval', scope: ['Nfd'] },
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
      { path: 'benchmarks.benchmark', scope: ['Checks'] },
      { path: 'benchmarks.messageSizes', probes: ['2:524287', '2:524285'] },
      osuIterations('benchmarks.iterations', 'benchmarks.benchmark'),
      { path: 'benchmarks.jobs.tcp' },
      { path: 'benchmarks.jobs.support' },
      { path: 'benchmarks.jobs.openmpi' },
      { path: 'benchmarks.jobs.intel' },
    ],
    exceptions: {
      openshiftVersion: 'It chooses names and files by OpenShift release (the NFD installer names of 4.16 and later): a choice made while synthesizing, not text the templates print.',
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
      'devicePlugin.nodeTargeting': 'The chart targets the nodes NFD labels (the profile\'s default); other modes build other node-affinity structures.',
      'devicePlugin.instanceTypes': 'Only with devicePlugin.nodeTargeting "instance-types" (not in the chart).',
      'devicePlugin.additionalInstanceTypes': 'Only with devicePlugin.nodeTargeting "instance-types" (not in the chart).',
      'devicePlugin.instanceTypeLabelKeys': 'Only with devicePlugin.nodeTargeting "instance-types" (not in the chart).',
      'devicePlugin.nodeLabels': 'The chart uses the NFD label (nfd.efaRule).',
      'mpiOperator.adopt': ADOPT,
      'mpiOperator.runAsUser': RUN_AS_USER,
      machineSet: 'Cluster-specific identifiers without defaults (infrastructure id, AMI, subnet, zone) for objects that exist only when set: use the YAML bundle or the TypeScript API.',
      clusterAutoscaler: 'A cluster singleton (ClusterAutoscaler "default") that exists only when set; it belongs with the MachineSets (YAML bundle or TypeScript API).',
    },
    notes: `cdk8s-rdma {{ .Chart.Version }}, profile openshift-efa (release {{ .Release.Name }}).
{{- if or .Values.nodeConfig.hugepages.enabled .Values.nodeConfig.memlock.enabled }}

The MachineConfigs reboot the nodes of pool worker-efa; wait for the pool to finish:
  oc wait mcp/worker-efa --for=condition=Updated --timeout=60m
{{- end }}

Check that the nodes advertise EFA devices:
  oc get nodes -l feature.node.kubernetes.io/aws-efa.present=true -o custom-columns='NAME:.metadata.name,EFA:.status.allocatable.vpc\\.amazonaws\\.com/efa'
{{- if .Values.devicePlugin.enabled }}
  oc -n {{ .Values.devicePlugin.namespace }} rollout status daemonset/{{ .Values.devicePlugin.name }}
{{- end }}
{{- if .Values.mpiOperator.install }}
  oc -n {{ .Values.mpiOperator.namespace }} rollout status deployment/mpi-operator
{{- end }}
{{- if .Values.benchmarks.enabled }}

${helmTest('oc')}
Then read the MPI jobs in namespace {{ .Values.benchmarks.namespace | default .Release.Namespace }}:
${mpiJobChecks('oc')}{{- end }}
`,
  },
  [BAREMETAL_IPOIB]: {
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
      { path: 'devicePlugin.enabled', when: BUNDLE_MODE },
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
      { path: 'tests.enabled' },
      { path: 'tests.image', probes: image('13'), default: IB_BENCHMARK_IMAGE.image },
      { path: 'tests.rdmaResource', probes: ['rdma/hv14a', 'rdma/hv14b'] },
      { path: 'tests.memory', probes: ['1279Mi', '1283Mi'] },
      { path: 'tests.cpu', probes: ['1237m', '1239m'] },
      { path: 'tests.nodeSelector', probes: selector('15') },
      { path: 'tests.tolerations', probes: tolerations('16') },
      { path: 'tests.imagePullSecrets', probes: names('17') },
      { path: 'tests.podAnnotations', probes: annotations('18') },
      { path: 'tests.ttlSecondsAfterFinished', probes: [86413, 86423] },
      { path: 'tests.bandwidth.ibPort', probes: [173, 179] },
      { path: 'tests.bandwidth.port', probes: [18533, 18539] },
      { path: 'tests.testPod' },
      { path: 'tests.bandwidth.enabled' },
      { path: 'tests.bandwidth.program', scope: ['Checks/Bandwidth'] },
      { path: 'tests.mpi.enabled' },
      { path: 'tests.mpi.messageSizes', probes: ['2:524287', '2:524285'] },
      { path: 'tests.mpi.benchmark', scope: ['Checks/Mpi'] },
      osuIterations('tests.mpi.iterations', 'tests.mpi.benchmark'),
    ],
    exceptions: {
      'cni.cniBinDir': CONFIG_HASH,
      'cni.cniConfDir': CONFIG_HASH,
      'multus.installCrd': 'The CRD is in crds/, which Helm installs first and never templates; leave it out with helm --skip-crds.',
      'multus.logLevel': CONFIG_HASH,
      'whereabouts.installCrds': 'The CRDs are in crds/, which Helm installs first and never templates; leave them out with helm --skip-crds.',
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
      'tests.bandwidth.device': DROPPED_FLAG,
      'tests.bandwidth.iterations': DROPPED_FLAG,
      'tests.bandwidth.messageSize': DROPPED_FLAG,
      'tests.mpi.ucxNetDevices': DROPPED_FLAG,
    },
    notes: `cdk8s-rdma {{ .Chart.Version }}, profile baremetal-ipoib (release {{ .Release.Name }}, {{ .Values.mode }} mode).

Check the node agents and the RDMA resource:
{{- if eq .Values.mode "bundle" }}
{{- if .Values.multus.enabled }}
  kubectl -n {{ .Values.multus.namespace }} rollout status daemonset/kube-multus-ds
{{- end }}
  kubectl -n {{ .Values.ipoibCni.namespace }} rollout status daemonset/kube-ipoib-cni-ds
  kubectl -n {{ .Values.whereabouts.namespace }} rollout status daemonset/whereabouts
{{- if .Values.devicePlugin.enabled }}
  kubectl -n {{ .Values.devicePlugin.namespace }} rollout status daemonset/rdma-shared-dp-ds
{{- end }}
{{- else }}
  kubectl get nicclusterpolicy nic-cluster-policy -o jsonpath='{.status.state}'   # ready
{{- end }}
  kubectl get nodes -o custom-columns='NAME:.metadata.name,RDMA:.status.allocatable.{{ .Values.tests.rdmaResource | replace "." "\\\\." }}'
{{- if .Values.tests.enabled }}

${helmTest('kubectl')}
Then read them in namespace {{ .Values.namespace | default .Release.Namespace }}:
{{- if .Values.tests.testPod }}
  kubectl -n {{ .Values.namespace | default .Release.Namespace }} logs job/ipoib-test          # an IPoIB address from {{ .Values.network.ipam.range }}
{{- end }}
{{- if .Values.tests.bandwidth.enabled }}
  kubectl -n {{ .Values.namespace | default .Release.Namespace }} logs -l app.kubernetes.io/name={{ .Values.tests.bandwidth.program | replace "_" "-" }},batch.kubernetes.io/job-completion-index=1 --tail=-1   # the client
{{- end }}
{{- if .Values.tests.mpi.enabled }}
  kubectl -n {{ .Values.namespace | default .Release.Namespace }} logs -l training.kubeflow.org/job-role=launcher --tail=-1
{{- end }}
{{- end }}
`,
  },
};
