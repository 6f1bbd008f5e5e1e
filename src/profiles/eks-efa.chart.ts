import type { ChartSpec } from '../helm/specs';
import { AWS_DRANET } from '../versions';
import { ADOPT, DEVICE_PLUGIN_API, ncclAlignGpus, NCCL_INSTANCE_TYPE, ncclValues, DRA_GUARD, KUBERNETES_VERSION, draValues, IMAGE_PARTS, RELEASE_NAME, RUN_AS_USER, annotations, efaBenchmarks, efaDevicePlugin, efaInstanceTypes, efaRollouts, HELM_TEST_NOTES, mpiJobChecks, mpiOperator, ncclNotes, optional, osuIterations, token } from '../helm/specs';

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
    ...ncclValues('benchmarks.nccl', 81, 'Checks/Nccl', { efa: true, dra: true }),
  ],
  exceptions: {
    'kubernetesVersion': KUBERNETES_VERSION,
    'benchmarks.nccl.instanceType': NCCL_INSTANCE_TYPE,
    'benchmarks.nccl.alignGpus': ncclAlignGpus('EFA device', 'benchmarks.nccl.instanceType'),
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
  guards: DRA_GUARD,
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
