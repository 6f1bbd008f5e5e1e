import { EFA_DEVICE_PLUGIN_RESOURCES, EFA_INSTANCE_TYPES } from '../constructs/efa-device-plugin';
import { MPI_OPERATOR_RESOURCES } from '../constructs/mpi-operator';
import { BASELINES } from '../report/baselines';
import { LATENCY_TOLERANCE_US } from '../report/report';
import {
  MPI_WAIT_TIMEOUT_SECONDS,
  OSU_COLLECTIVES,
  OSU_DEFAULT_ITERATIONS,
  OSU_DEFAULT_MESSAGE_SIZES,
} from '../constructs/mpi-latency-job';
import { DRA_MIN_KUBERNETES } from '../constructs/dra';
import { DEFAULT_GPUS_PER_WORKER } from '../constructs/nccl-test-job';
import type { When, WhenAtom } from './infer';
import { BENCHMARK_IMAGE, EFA_DEVICE_PLUGIN, NCCL_IB_IMAGE, NCCL_IMAGE, efaDevicePluginImage } from '../versions';
import type { DeprecatedOption } from '../deprecations';

/*
 * NOTES.txt facts: NicClusterPolicy `status.state` is one of ready, notReady, ignore, error (Mellanox/network-operator
 * api/v1alpha1/nicclusterpolicy_types.go); the fi_info Job fails when no EFA provider is found (EfaInfoJob).
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
  /** Only an option while other values have these values (e.g. bundle-mode options). */
  readonly when?: When;
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
export const RELEASE_NAME: ChartValueSpec = { path: 'instance', probes: ['hv01a', 'hv01b'], ref: '.Release.Name', builtin: true };

/** A namespace value that defaults to the release's: empty in values.yaml, and then the chart creates no Namespace. */
export const releaseNamespace = (path: string, n: string): ChartValueSpec => ({
  path,
  probes: token(n),
  ref: `(.Values.${path} | default .Release.Namespace)`,
  chartDefault: '',
});

/** A string option without a default: '' in values.yaml, and then the field is left out, as the CLI does. */
export const optional = (path: string, n: string): ChartValueSpec => ({ path, probes: token(n), chartDefault: '', default: undefined });

/** OSU `-i`: null in values.yaml, and then the benchmark's default, as the CLI (OSU_DEFAULT_ITERATIONS); `collectives`: the profile offers them. */
export const osuIterations = (path: string, benchmarkPath: string, collectives = false): ChartValueSpec => ({
  path,
  probes: [7919, 7907],
  default: OSU_DEFAULT_ITERATIONS.osu_latency,
  chartDefault: null,
  ref: collectives
    ? `(.Values.${path} | default (get (dict ${Object.entries(OSU_DEFAULT_ITERATIONS)
        .map(([b, n]) => `"${b}" ${n}`)
        .join(' ')}) .Values.${benchmarkPath}))`
    : `(.Values.${path} | default (ternary ${OSU_DEFAULT_ITERATIONS.osu_bw} ${OSU_DEFAULT_ITERATIONS.osu_latency} (eq .Values.${benchmarkPath} "osu_bw")))`,
});

/** The collectives as a Go template list literal. */
const COLLECTIVES_LIST = `(list ${OSU_COLLECTIVES.map(b => `"${b}"`).join(' ')})`;

/** OSU `-m`: null in values.yaml, and then the benchmark's default range, as the CLI (OSU_DEFAULT_MESSAGE_SIZES). */
export const osuMessageSizes = (path: string, benchmarkPath: string): ChartValueSpec => ({
  path,
  probes: ['2:524287', '2:524285'],
  default: OSU_DEFAULT_MESSAGE_SIZES.pt2pt,
  chartDefault: null,
  ref: `(.Values.${path} | default (ternary "${OSU_DEFAULT_MESSAGE_SIZES.collective}" "${OSU_DEFAULT_MESSAGE_SIZES.pt2pt}" (has .Values.${benchmarkPath} ${COLLECTIVES_LIST})))`,
});

/** The OSU collectives: the benchmark values under which the number of workers is a value. */
export const OSU_COLLECTIVE_BENCHMARK = (benchmarkPath: string) => ({ path: benchmarkPath, value: OSU_COLLECTIVES });

/** templates/guards.yaml: workers other than 2 only with a collective (the CLI's refusal). */
export const osuWorkersGuard = (
  where: string,
  workersPath: string,
  benchmarkPath: string,
) => `{{- if and (ne (int .Values.${workersPath}) 2) (not (has .Values.${benchmarkPath} ${COLLECTIVES_LIST})) }}
{{- fail (printf "${where}: ${workersPath} %v is not allowed with benchmark \\"%s\\" (a point-to-point benchmark runs exactly two ranks); allowed: 2, or a collective benchmark (${OSU_COLLECTIVES.map(b => `\\"${b}\\"`).join(', ')})" .Values.${workersPath} .Values.${benchmarkPath}) }}
{{- end }}
`;

export interface ChartSpec {
  readonly values: readonly ChartValueSpec[];
  /**
   * The profile options the chart does not carry, each with the reason (the chart README lists them). A test
   * checks that every option is a value or here.
   */
  readonly exceptions: Readonly<Record<string, string>>;
  /** templates/NOTES.txt: how to verify the install (a Go template over .Values). */
  readonly notes: string;
  /** templates/guards.yaml: `fail` calls for rules a JSON schema cannot hold (renders nothing otherwise). */
  readonly guards?: string;
}

/** Exceptions for a profile's deprecated option paths: the chart takes the new paths only. */
export function deprecatedExceptions(deprecated: readonly DeprecatedOption[]): Record<string, string> {
  return Object.fromEntries(
    deprecated.map(d => [d.from, `The deprecated name of ${d.to} (the CLI reads it until ${d.removedIn}); the chart takes ${d.to}.`]),
  );
}

export const ADOPT =
  'Adopting objects another installer made means giving them its ownership annotations; Helm refuses objects another release owns. Adopt with the YAML bundle, or `helm upgrade` that release.';
export const RUN_AS_USER = "Its null (no runAsUser, for OpenShift's UID ranges) leaves the field out, which a number value cannot say.";
export const IMAGE_PARTS = "They only compose the default of devicePlugin.image; the chart's devicePlugin.image is the whole reference.";
export const CONFIG_HASH =
  'It feeds the configuration hash annotation that rolls the DaemonSet when its configuration changes; a template cannot compute the hash.';
export const DROPPED_FLAG =
  'Unset, the flag and its argument (or the env entry) are left out together, which the templates cannot express for one value.';

export const BUNDLE_MODE = { path: 'mode', value: 'bundle' };
export const DRA_API = { path: 'deviceApi', value: 'dra' };
export const DEVICE_PLUGIN_API = { path: 'deviceApi', value: 'device-plugin' };
export const KUBERNETES_VERSION = `The chart renders for the cluster it installs into: templates/guards.yaml refuses deviceApi "dra" when .Capabilities.KubeVersion is below ${DRA_MIN_KUBERNETES} (helm template: pass --kube-version).`;

/**
 * The `deviceApi` switch and the DRA driver's values (only with deviceApi "dra"). `scope`: the construct paths
 * the switch changes (the device plugin, the driver, its DeviceClass, the claim template and the EFA or RDMA checks).
 */
export const draValues = (n: number, driverImage: string, scope: readonly string[], only?: WhenAtom): ChartValueSpec[] => [
  { path: 'deviceApi', scope: ['DevicePlugin', 'DraDriver', 'DeviceClass', 'ClaimTemplate', ...scope], ...(only ? { when: only } : {}) },
  // Only an option with deviceApi "dra": flipped under each deviceApi (`with`).
  { path: 'dra.enabled', when: DRA_API, with: ['deviceApi'] },
  { path: 'dra.namespace', probes: token(String(n)), when: DRA_API },
  { path: 'dra.image', probes: image(String(n + 1)), default: driverImage, when: DRA_API },
];

/** Why `<prefix>.alignGpus` is not a chart value: with DRA the chart keeps the default counts, which cannot be aligned. */
export const ncclAlignGpus = (nic: string, aligned: string) =>
  `With deviceApi "dra" the chart's NCCL job keeps ${DEFAULT_GPUS_PER_WORKER} GPUs and 1 ${nic} per worker (the counts shape the claim template), which cannot be aligned on PCIe roots: the claim is unaligned. Aligned claims come from the YAML bundle (${aligned}).`;
export const NCCL_INSTANCE_TYPE = `A preset: it fills gpusPerWorker, efaDevices and the node selector from the instance table, a lookup the templates cannot make; set those values (the chart, like the profile without an instance type, defaults to ${DEFAULT_GPUS_PER_WORKER} GPUs and 1 EFA device: p5.48xlarge has 8 and 32) and pin the nodes with benchmarks.nodeSelector.`;

/**
 * The NCCL job's values under `prefix` (one shape in every profile); the counts default as the profile's do
 * without an instance type (8 GPUs, 1 EFA device). `efa`: the EFA count is a value.
 */
export const ncclValues = (prefix: string, n: number, construct: string, opts: { efa: boolean; dra: boolean }): ChartValueSpec[] => {
  // With deviceApi "dra" the counts shape the claim template (its PCIe-root groups), which templates cannot
  // compute: they are values of the device-plugin mode only (dra renders the profile's defaults, 8 and 1).
  const counts = opts.dra ? { when: DEVICE_PLUGIN_API } : {};
  return [
    { path: `${prefix}.enabled` },
    { path: `${prefix}.collective`, scope: [construct] },
    { path: `${prefix}.workers`, probes: [211, 223] },
    { path: `${prefix}.gpusPerWorker`, probes: [59, 61], default: DEFAULT_GPUS_PER_WORKER, ...counts },
    ...(opts.efa ? [{ path: `${prefix}.efaDevices`, probes: [29, 31] as const, default: 1, ...counts }] : []),
    { path: `${prefix}.maxBytes`, probes: [8589934611, 8589934613] },
    { path: `${prefix}.iterations`, probes: [1117, 1123] },
    { path: `${prefix}.image`, probes: image(String(n)), default: (opts.efa ? NCCL_IMAGE : NCCL_IB_IMAGE).image },
  ];
};

/** templates/guards.yaml: the cross-field rule the chart can check and a JSON schema cannot (renders nothing). */
export const DRA_GUARD = `{{- if and (eq .Values.deviceApi "dra") (semverCompare "<${DRA_MIN_KUBERNETES}-0" .Capabilities.KubeVersion.Version) }}
{{- fail (printf "deviceApi \\"dra\\" needs Kubernetes ${DRA_MIN_KUBERNETES} or later (resource.k8s.io/v1); the cluster is %s" .Capabilities.KubeVersion.Version) }}
{{- end }}
`;
export const OPERATOR_MODE = { path: 'mode', value: 'operator' };

export const image = (n: string): [string, string] => [`probe.invalid/hv${n}a:v1`, `probe.invalid/hv${n}b:v1`];
export const token = (n: string): [string, string] => [`hv${n}a`, `hv${n}b`];
export const selector = (n: string): [Record<string, string>, Record<string, string>] => [
  { [`hv${n}a.example.com/pool`]: `hv${n}a` },
  { [`hv${n}b.example.com/pool`]: `hv${n}b` },
];
export const tolerations = (n: string): [object[], object[]] => [
  [{ key: `hv${n}a.example.com/gpu`, operator: 'Exists', effect: 'NoSchedule' }],
  [{ key: `hv${n}b.example.com/gpu`, operator: 'Equal', value: `hv${n}b`, effect: 'NoExecute' }],
];

export const resources = (n: string): [object, object] => [
  { requests: { cpu: `${n}1m`, memory: `${n}3Mi` }, limits: { memory: `${n}7Mi` } },
  { requests: { cpu: `${n}2m` }, limits: { cpu: `${n}9m`, memory: `${n}1Mi` } },
];
export const annotations = (n: string): [Record<string, string>, Record<string, string>] => [
  { [`hv${n}a.example.com/note`]: `hv${n}a` },
  { [`hv${n}b.example.com/note`]: `hv${n}b` },
];
export const names = (n: string): [string[], string[]] => [[`hv${n}a`], [`hv${n}b`, `hv${n}c`]];

/** Options of the MPI operator, the same in every profile. */
export const mpiOperator = (n: number): ChartValueSpec[] => [
  { path: 'mpiOperator.enabled' },
  { path: 'mpiOperator.namespace', probes: token(String(n)) },
  { path: 'mpiOperator.image', probes: image(String(n + 1)) },
  { path: 'mpiOperator.rbac', scope: ['MpiOperator'] },
  { path: 'mpiOperator.resources', probes: resources(`${n + 2}`), default: MPI_OPERATOR_RESOURCES },
];

/** Options of the EFA benchmark pods, shared by eks-efa and openshift-efa. */
export const efaBenchmarks = (n: number, nodeSelector: Record<string, string> = {}): ChartValueSpec[] => [
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
export function efaLatency(name: string): string {
  const b = BASELINES.find(x => x.name === name);
  if (!b) throw new Error(`cdk8s-rdma: no baseline ${name}`);
  const v = b.smallRange ? `${b.smallRange.low}-${b.smallRange.high}` : String(b.points[0].value);
  return `${v} µs (${b.title})`;
}

/** NOTES.txt lines of the EFA charts that wait for the device plugin and the MPI operator to roll out. */
export const efaRollouts = (cli: 'kubectl' | 'oc', dra = false) => `${
  dra
    ? `{{- if eq .Values.deviceApi "dra" }}
{{- if .Values.dra.enabled }}
  ${cli} -n {{ .Values.dra.namespace }} rollout status daemonset/aws-dranet
{{- end }}
{{- else if .Values.devicePlugin.enabled }}`
    : '{{- if .Values.devicePlugin.enabled }}'
}
  ${cli} -n {{ .Values.devicePlugin.namespace }} rollout status daemonset/{{ .Values.devicePlugin.name }}
{{- end }}
{{- if .Values.mpiOperator.enabled }}
  ${cli} -n {{ .Values.mpiOperator.namespace }} rollout status deployment/mpi-operator
{{- end }}`;

/** How to run the checks (helm test hooks) of a chart. */
export const HELM_TEST_NOTES = `Run the checks: they are helm test hooks, created anew by each run; each MPI job has a waiter Job
that fails when the MPI run does not succeed within ${MPI_WAIT_TIMEOUT_SECONDS / 60} minutes, so give helm test more time than that:
  helm test {{ .Release.Name }} -n {{ .Release.Namespace }} --timeout ${MPI_WAIT_TIMEOUT_SECONDS / 60 + 5}m`;

/**
 * NOTES.txt lines that read the EFA MPI jobs' launcher logs, and what their figures mean: the report's own
 * baselines and verdict rule (cdk8s-rdma report; src/report/baselines.ts, report.ts).
 */
export const mpiJobChecks = (
  cli: 'kubectl' | 'oc',
) => `  ${cli} -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} get mpijobs
  ${cli} -n {{ .Values.benchmarks.namespace | default .Release.Namespace }} logs -l training.kubeflow.org/job-role=launcher --tail=-1
Published small-message EFA latencies: ${efaLatency('efa-pingpong-m7g-pods')};
${efaLatency('efa-osu-c5n-openmpi')}. An EFA run no better than its TCP twin, or more than
${LATENCY_TOLERANCE_US} µs above these, is TCP fallback: \`cdk8s-rdma report efa=<log> tcp=<log>\` gives the verdict.
`;

/** NOTES.txt lines for the NCCL job of `prefix` (its launcher log and the report's verdict), in namespace `ns`. */
export const ncclNotes = (
  cli: 'kubectl' | 'oc',
  prefix: string,
  ns: string,
  transport: 'efa' | 'ib',
) => `{{- if .Values.${prefix}.enabled }}
  ${cli} -n ${ns} logs -l app.kubernetes.io/name=nccl-{{ .Values.${prefix}.collective | trimSuffix "_perf" | replace "_" "-" }}-${transport},app.kubernetes.io/component=mpi-launcher --tail=-1 > nccl.log
  npx cdk8s-rdma report nccl.log   # NCCL's network (${transport === 'efa' ? 'NET/OFI with provider efa' : 'NET/IB'}), socket fallback, #wrong, busbw
{{- end }}
`;

/**
 * The EFA device plugin's values, the same in both EFA profiles: the knobs of the eks-charts chart
 * (aws/eks-charts stable/aws-efa-k8s-device-plugin values.yaml: image, supportedInstanceTypes / nodeSelector,
 * tolerations, resources, updateStrategy, imagePullSecrets, podLabels, podAnnotations).
 */
export const efaDevicePlugin = (pullSecrets: readonly string[] = []): ChartValueSpec[] => [
  {
    path: 'devicePlugin.image',
    probes: image('03'),
    default: efaDevicePluginImage(EFA_DEVICE_PLUGIN.defaultRegion, EFA_DEVICE_PLUGIN.tag),
  },
  { path: 'devicePlugin.nodeSelector', probes: selector('04') },
  { path: 'devicePlugin.tolerations', probes: tolerations('05') },
  { path: 'devicePlugin.resources', probes: resources('6'), default: EFA_DEVICE_PLUGIN_RESOURCES },
  {
    path: 'devicePlugin.updateStrategy',
    probes: [{ type: 'OnDelete' }, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '17%' } }],
    default: { type: 'RollingUpdate' },
  },
  { path: 'devicePlugin.podLabels', probes: [{ 'hv61a.example.com/team': 'hv61a' }, { 'hv61b.example.com/team': 'hv61b' }] },
  { path: 'devicePlugin.podAnnotations', probes: annotations('62') },
  { path: 'devicePlugin.imagePullSecrets', probes: names('63'), default: [...pullSecrets] },
];

/** The EFA device plugin's node allowlist (eks-efa: instance-type targeting). */
export const efaInstanceTypes: ChartValueSpec[] = [
  // Real EFA types (the plugin checks them against its list) that take the efaDevices probes (p5: 32 EFA interfaces).
  { path: 'devicePlugin.instanceTypes', probes: [['p5.48xlarge', 'c5n.18xlarge'], ['p5e.48xlarge']], default: [...EFA_INSTANCE_TYPES] },
  { path: 'devicePlugin.additionalInstanceTypes', probes: [['hv65a.metal'], ['hv65b.metal', 'hv65c.metal']] },
  // The device plugin's targeting also places the EFA DRA driver, which exists only with deviceApi "dra": the
  // flip is merged under each deviceApi too (`with`).
  { path: 'devicePlugin.includeAutoModeNodes', with: ['deviceApi'] },
];
