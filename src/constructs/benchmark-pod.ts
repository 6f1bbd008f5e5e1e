import { k8s } from 'cdk8s-plus-27';
import { Toleration, guaranteed, toPullSecrets, toTolerations } from '../kube';
import { checkCpu, checkDnsLabel, checkDnsSubdomain, checkHugepages2Mi, checkImage, checkLabels, checkMemory, checkPositiveInt } from '../validate';
import { BENCHMARK_IMAGE, EFA_DEVICE_PLUGIN } from '../versions';

/** How a benchmark reaches the other node. */
export type EfaTransport = 'efa' | 'tcp';
export const EFA_TRANSPORTS: readonly EfaTransport[] = ['efa', 'tcp'];

/** Options shared by every benchmark and check workload (MPI jobs, fi_info, fi_pingpong). */
export interface BenchmarkPodOptions {
  /**
   * Namespace of the workload.
   * @default 'rdma-benchmarks'
   */
  readonly namespace?: string;
  /**
   * Image with the EFA userspace (libfabric, fi_info, fi_pingpong), Amazon Open MPI, the OSU benchmarks and
   * an sshd for user `mpiuser` (UID 1000) on port 2222: build container/Dockerfile.openmpi and push it.
   * @default 'cdk8s-rdma-efa-openmpi:efa1.47.0-omb7.4' (the name the README's build command gives it)
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
   */
  readonly efaDevices?: number;
  /**
   * `hugepages-2Mi` each EFA pod requests (libfabric's EFA provider uses huge pages for bounce buffers;
   * EFA nodes reserve 5128 pages by default). A whole number of 2Mi pages.
   * @default '5120Mi'
   */
  readonly hugepages2Mi?: string;
  /**
   * Memory each benchmark pod requests and is limited to.
   * @default '8Gi'
   */
  readonly memory?: string;
  /**
   * CPU each benchmark pod requests and is limited to.
   * @default '2'
   */
  readonly cpu?: string;
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
}

export const DEFAULT_BENCHMARK_NAMESPACE = 'rdma-benchmarks';

export function resolveBenchmarkPod(where: string, o: BenchmarkPodOptions): ResolvedBenchmarkPod {
  return {
    namespace: checkDnsLabel(where, 'namespace', o.namespace ?? DEFAULT_BENCHMARK_NAMESPACE),
    image: checkImage(where, 'image', o.image ?? BENCHMARK_IMAGE.image),
    imagePullSecrets: (o.imagePullSecrets ?? []).map((s, i) => checkDnsSubdomain(where, `imagePullSecrets[${i}]`, s)),
    efaDevices: checkPositiveInt(where, 'efaDevices', o.efaDevices ?? 1, 32),
    hugepages2Mi: checkHugepages2Mi(where, 'hugepages2Mi', o.hugepages2Mi ?? '5120Mi'),
    memory: checkMemory(where, 'memory', o.memory ?? '8Gi'),
    cpu: checkCpu(where, 'cpu', o.cpu ?? '2'),
    nodeSelector: checkLabels(where, 'nodeSelector', o.nodeSelector ?? {}),
    tolerations: o.tolerations ?? [],
  };
}

/** Resources of a pod that uses EFA: devices, huge pages, memory and CPU, requests equal to limits. */
export function efaPodResources(p: ResolvedBenchmarkPod): k8s.ResourceRequirements {
  return guaranteed({
    [EFA_DEVICE_PLUGIN.resourceName]: String(p.efaDevices),
    'hugepages-2Mi': p.hugepages2Mi,
    'memory': p.memory,
    'cpu': p.cpu,
  });
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

/** Pod-level scheduling fields shared by benchmark pods. */
export function podPlacement(p: ResolvedBenchmarkPod): Pick<k8s.PodSpec, 'nodeSelector' | 'tolerations' | 'imagePullSecrets'> {
  return {
    nodeSelector: Object.keys(p.nodeSelector).length > 0 ? p.nodeSelector : undefined,
    tolerations: p.tolerations.length > 0 ? toTolerations(p.tolerations) : undefined,
    imagePullSecrets: toPullSecrets(p.imagePullSecrets),
  };
}
