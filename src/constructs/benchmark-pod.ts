import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { defaultNamespace, templateLabels } from '../labels';
import { Toleration, guaranteed, toPullSecrets, toTolerations } from '../kube';
import {
  checkAnnotations,
  checkCpu,
  checkedTolerations,
  checkDnsLabel,
  checkDnsSubdomain,
  checkHugepages2Mi,
  checkImage,
  checkLabels,
  checkMemory,
  checkPositiveInt,
} from '../validate';
import type { QuantityValue } from '../validate';
import { BENCHMARK_IMAGE, EFA_DEVICE_PLUGIN } from '../versions';
import { DeviceClaim, containerClaims, deviceClaim } from './dra';

/** How a benchmark reaches the other node. */
export type EfaTransport = 'efa' | 'tcp';
export const EFA_TRANSPORTS: readonly EfaTransport[] = ['efa', 'tcp'];

/** Options shared by every benchmark and check workload (MPI jobs, fi_info, fi_pingpong). */
export interface BenchmarkPodOptions {
  /**
   * Namespace of the workload. Unset, a construct takes the namespace of its Chart if that has one.
   * @default 'rdma-benchmarks'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Image with the EFA userspace (libfabric, fi_info, fi_pingpong), Amazon Open MPI, the OSU benchmarks and
   * an sshd for user `mpiuser` (UID 1000) on port 2222: build container/Dockerfile.openmpi and push it.
   * @default 'cdk8s-rdma-efa-openmpi:efa1.47.0-omb7.4' (the name the README's build command gives it)
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * Names of image pull secrets (created by you) in the namespace. Credentials are never part of the output.
   * @default []
   */
  readonly imagePullSecrets?: string[];
  /**
   * EFA devices (`vpc.amazonaws.com/efa`) each EFA pod requests. Each EFA is exclusive to one pod.
   * @default 1
   * @asType integer
   * @minimum 1
   * @maximum 32
   */
  readonly efaDevices?: number;
  /**
   * `hugepages-2Mi` each EFA pod requests (libfabric's EFA provider uses huge pages for bounce buffers;
   * EFA nodes reserve 5128 pages by default). A whole number of 2Mi pages.
   * @default '5120Mi'
   * @pattern ^(?:[0-9]*[2468]Mi|[0-9]*[1-9][0-9]*0Mi|[0-9]*[1-9][0-9]*Gi)$
   * @exclusiveMinimum 0
   * @multipleOf 2097152
   */
  readonly hugepages2Mi?: QuantityValue;
  /**
   * Memory each benchmark pod requests and is limited to.
   * @default '8Gi'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|k|M|G|T)?$
   * @exclusiveMinimum 0
   */
  readonly memory?: QuantityValue;
  /**
   * CPU each benchmark pod requests and is limited to.
   * @default '2'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*|[0-9]*[1-9][0-9]*m)$
   * @exclusiveMinimum 0
   */
  readonly cpu?: QuantityValue;
  /**
   * Extra nodeSelector for the pods (the EFA resource request already keeps EFA pods on EFA nodes).
   * @default {}
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations for the pods, e.g. for GPU or EFA node taints.
   * @default []
   */
  readonly tolerations?: Toleration[];
  /**
   * ServiceAccount the pods run as (on OpenShift: the one allowed to use the jobs' SCC).
   * @default - the namespace's default ServiceAccount
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   * @maxLength 253
   */
  readonly serviceAccountName?: string;
  /**
   * Extra pod annotations, e.g. `openshift.io/required-scc` to pin the SCC that admits the pods.
   * @default {}
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Run the pods in the node's network namespace (as the OpenShift proof of concept did). EFA traffic does
   * not need it: the device is handed to the pod by the device plugin; only the out-of-band ssh and
   * bootstrap traffic changes path. Needs an SCC or Pod Security level that allows host network.
   * @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * A ResourceClaimTemplate (resource.k8s.io/v1) in the namespace that gives each EFA pod its EFA devices
   * through Dynamic Resource Allocation (see DeviceClaimTemplate). Set, EFA pods request no
   * `vpc.amazonaws.com/efa` (the template's count applies, not `efaDevices`).
   * @default - the device plugin's vpc.amazonaws.com/efa
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   */
  readonly deviceClaimTemplate?: string;
}

/** Validated options with defaults applied. */
export interface ResolvedBenchmarkPod {
  readonly namespace: string;
  readonly image: string;
  readonly imagePullSecrets: string[];
  readonly efaDevices: number;
  readonly hugepages2Mi: string;
  readonly memory: string;
  readonly cpu: string;
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: Toleration[];
  readonly serviceAccountName?: string;
  readonly podAnnotations: Record<string, string>;
  readonly hostNetwork: boolean;
  readonly deviceClaim?: DeviceClaim;
}

export const DEFAULT_BENCHMARK_NAMESPACE = 'rdma-benchmarks';

/** Checks the options and applies the defaults; the namespace defaults to that of `scope`'s Chart, if it has one. */
export function resolveBenchmarkPod(where: string, o: BenchmarkPodOptions, scope?: Construct): ResolvedBenchmarkPod {
  const fallback = scope ? defaultNamespace(scope, DEFAULT_BENCHMARK_NAMESPACE) : DEFAULT_BENCHMARK_NAMESPACE;
  return {
    namespace: checkDnsLabel(where, 'namespace', o.namespace ?? fallback),
    image: checkImage(where, 'image', o.image ?? BENCHMARK_IMAGE.image),
    imagePullSecrets: (o.imagePullSecrets ?? []).map((s, i) => checkDnsSubdomain(where, `imagePullSecrets[${i}]`, s)),
    efaDevices: checkPositiveInt(where, 'efaDevices', o.efaDevices ?? 1, 32),
    hugepages2Mi: checkHugepages2Mi(where, 'hugepages2Mi', o.hugepages2Mi ?? '5120Mi'),
    memory: checkMemory(where, 'memory', o.memory ?? '8Gi'),
    cpu: checkCpu(where, 'cpu', o.cpu ?? '2'),
    nodeSelector: checkLabels(where, 'nodeSelector', o.nodeSelector ?? {}),
    tolerations: checkedTolerations(where, 'tolerations', o.tolerations ?? []),
    serviceAccountName:
      o.serviceAccountName !== undefined ? checkDnsSubdomain(where, 'serviceAccountName', o.serviceAccountName) : undefined,
    podAnnotations: checkAnnotations(where, 'podAnnotations', o.podAnnotations ?? {}),
    hostNetwork: o.hostNetwork ?? false,
    deviceClaim: deviceClaim(where, 'deviceClaimTemplate', o.deviceClaimTemplate),
  };
}

/**
 * Resources of a pod that uses EFA: devices, huge pages, memory and CPU, requests equal to limits. With a
 * device claim (DRA) the devices come from the claim instead of `vpc.amazonaws.com/efa`.
 */
export function efaPodResources(p: ResolvedBenchmarkPod): k8s.ResourceRequirements {
  const devices: Record<string, string> = p.deviceClaim ? {} : { [EFA_DEVICE_PLUGIN.resourceName]: String(p.efaDevices) };
  return {
    ...guaranteed({ ...devices, 'hugepages-2Mi': p.hugepages2Mi, memory: p.memory, cpu: p.cpu }),
    claims: p.deviceClaim ? containerClaims(p.deviceClaim) : undefined,
  };
}

/** Resources of a pod on the TCP path: the same memory and CPU, no EFA, no huge pages. */
export function tcpPodResources(p: ResolvedBenchmarkPod): k8s.ResourceRequirements {
  return guaranteed({ memory: p.memory, cpu: p.cpu });
}

/** Runs as the image's unprivileged `mpiuser`. */
export function mpiUserSecurityContext(capabilities: string[] = []): k8s.SecurityContext {
  return {
    runAsUser: BENCHMARK_IMAGE.uid,
    runAsGroup: BENCHMARK_IMAGE.uid,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: capabilities.length > 0 ? { drop: ['ALL'], add: capabilities } : { drop: ['ALL'] },
  };
}

/**
 * An MPIJob worker's container: sshd as `mpiuser` on the image's port (the launcher reaches the ranks over
 * ssh), Ready once sshd accepts connections (WaitForWorkersReady starts the launcher then), IPC_LOCK to pin
 * memory for RDMA (as mpiuser the runtime's memlock limit applies: EKS AMIs raise it for containers
 * [UNVERIFIED value], check `ulimit -l` in a worker).
 */
export function mpiWorkerContainer(image: string, resources: k8s.ResourceRequirements, volumeMounts?: k8s.VolumeMount[]): k8s.Container {
  return {
    name: 'worker',
    image,
    command: [BENCHMARK_IMAGE.sshd],
    args: ['-De', '-f', BENCHMARK_IMAGE.sshdConfig],
    ports: [{ name: 'ssh', containerPort: BENCHMARK_IMAGE.sshPort, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(BENCHMARK_IMAGE.sshPort) }, initialDelaySeconds: 2, periodSeconds: 2 },
    securityContext: mpiUserSecurityContext(['IPC_LOCK']),
    resources,
    volumeMounts,
  };
}

/** Pod-level fields shared by benchmark pods: scheduling, identity, pull secrets, network namespace. */
export function podPlacement(
  p: ResolvedBenchmarkPod,
): Pick<
  k8s.PodSpec,
  'nodeSelector' | 'tolerations' | 'imagePullSecrets' | 'serviceAccountName' | 'automountServiceAccountToken' | 'hostNetwork' | 'dnsPolicy'
> {
  return {
    serviceAccountName: p.serviceAccountName,
    // The benchmarks never call the API server (mpirun reaches the workers over ssh): no token in the pods.
    automountServiceAccountToken: false,
    nodeSelector: Object.keys(p.nodeSelector).length > 0 ? p.nodeSelector : undefined,
    tolerations: p.tolerations.length > 0 ? toTolerations(p.tolerations) : undefined,
    imagePullSecrets: toPullSecrets(p.imagePullSecrets),
    hostNetwork: p.hostNetwork ? true : undefined,
    // With host network, cluster DNS (worker host names, the pingpong Service) still has to resolve.
    dnsPolicy: p.hostNetwork ? 'ClusterFirstWithHostNet' : undefined,
  };
}

/** Pod template metadata: the given labels (without the version: Job templates are immutable) and the user's pod annotations. */
export function podMetadata(p: ResolvedBenchmarkPod, labels: Record<string, string>): k8s.ObjectMeta {
  return { labels: templateLabels(labels), annotations: Object.keys(p.podAnnotations).length > 0 ? { ...p.podAnnotations } : undefined };
}
