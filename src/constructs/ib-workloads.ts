import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { RdmaOptionError } from '../errors';
import { Toleration, guaranteed, toPullSecrets, toTolerations } from '../kube';
import { checkCheckName, checkJob, checkPair, checkTtl } from '../checks';
import { defaultNamespace, standardLabels, templateLabels } from '../labels';
import {
  checkAnnotations,
  checkCpu,
  checkedTolerations,
  checkDnsLabel,
  checkDnsSubdomain,
  checkImage,
  checkLabels,
  checkMemory,
  checkNonEmpty,
  checkOneOf,
  checkPositiveInt,
} from '../validate';
import type { QuantityValue } from '../validate';
import { IB_BENCHMARK_IMAGE } from '../versions';
import { NetworkSelection, networksAnnotation } from './ipoib-network';
import { DeviceClaim, containerClaims, deviceClaim, refuseRdmaResourceWithClaim } from './dra';

/** Memory and CPU of an InfiniBand test pod, requested and limited alike. */
export const DEFAULT_IB_POD_MEMORY = '1Gi';
export const DEFAULT_IB_POD_CPU = '1';

/** The resource the default rdma-shared configuration advertises. */
export const DEFAULT_RDMA_RESOURCE = 'rdma/rdma_shared_device_a';

/** An extended resource name: `<domain>/<name>`, e.g. `rdma/rdma_shared_device_a` or `jarvice.com/rdma`. */
const EXTENDED_RESOURCE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function checkRdmaResource(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || !EXTENDED_RESOURCE.test(value) || value.length > 253) {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not an extended resource name',
      'a device plugin resource "<prefix>/<name>", e.g. "rdma/rdma_shared_device_a" or "jarvice.com/rdma"',
    );
  }
  return value;
}

/** Options shared by the InfiniBand test workloads (test pod, perftest pair). */
export interface IbPodOptions {
  /**
   * Namespace of the workload. Unset, a construct takes the namespace of its Chart if that has one.
   * @default 'rdma-benchmarks'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Seconds a finished check Job (and its pods' logs) is kept before Kubernetes deletes it.
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Image with rdma-core, perftest, Open MPI with UCX and OSU: build container/Dockerfile.ib and push it.
   * @default 'cdk8s-rdma-ib:bookworm-omb7.4' (the name the README's build command gives it)
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * Names of image pull secrets (created by you) in the namespace.
   * @default []
   */
  readonly imagePullSecrets?: string[];
  /**
   * The RDMA device plugin resource each pod requests (one of it).
   * @default 'rdma/rdma_shared_device_a'
   */
  readonly rdmaResource?: string;
  /**
   * A ResourceClaimTemplate (resource.k8s.io/v1) in the namespace that gives each pod its RDMA device through
   * Dynamic Resource Allocation (see DeviceClaimTemplate). Set, the pods request no `rdmaResource`.
   * @default - the device plugin's rdmaResource
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   */
  readonly deviceClaimTemplate?: string;
  /**
   * Secondary networks the pods attach (the `k8s.v1.cni.cncf.io/networks` annotation, text form).
   * @default - none
   */
  readonly networks?: NetworkSelection[];
  /**
   * Memory each pod requests and is limited to.
   * @default '1Gi'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|k|M|G|T)?$
   * @exclusiveMinimum 0
   */
  readonly memory?: QuantityValue;
  /**
   * CPU each pod requests and is limited to.
   * @default '1'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*|[0-9]*[1-9][0-9]*m)$
   * @exclusiveMinimum 0
   */
  readonly cpu?: QuantityValue;
  /**
   * Extra nodeSelector (the RDMA resource already keeps the pods on RDMA nodes).
   * @default {}
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations, e.g. for a taint on the InfiniBand nodes.
   * @default []
   */
  readonly tolerations?: Toleration[];
  /**
   * Extra pod annotations.
   * @default {}
   */
  readonly podAnnotations?: Record<string, string>;
}

interface ResolvedIbPod {
  readonly namespace: string;
  readonly ttl: number;
  readonly image: string;
  readonly rdmaResource: string;
  readonly annotations?: Record<string, string>;
  readonly resources: k8s.ResourceRequirements;
  readonly deviceClaim?: DeviceClaim;
  readonly placement: Pick<k8s.PodSpec, 'nodeSelector' | 'tolerations' | 'imagePullSecrets' | 'automountServiceAccountToken'>;
}

function resolveIbPod(where: string, o: IbPodOptions, scope: Construct): ResolvedIbPod {
  const nodeSelector = checkLabels(where, 'nodeSelector', o.nodeSelector ?? {});
  const tolerations: Toleration[] = checkedTolerations(where, 'tolerations', o.tolerations ?? []);
  const claim = deviceClaim(where, 'deviceClaimTemplate', o.deviceClaimTemplate);
  refuseRdmaResourceWithClaim(where, o.rdmaResource, claim !== undefined, 'the device');
  const rdmaResource = checkRdmaResource(where, 'rdmaResource', o.rdmaResource ?? DEFAULT_RDMA_RESOURCE);
  const annotations = {
    ...checkAnnotations(where, 'podAnnotations', o.podAnnotations ?? {}),
    ...(o.networks && o.networks.length > 0 ? networksAnnotation(o.networks, 'text') : {}),
  };
  return {
    namespace: checkDnsLabel(where, 'namespace', o.namespace ?? defaultNamespace(scope, 'rdma-benchmarks')),
    ttl: checkTtl(where, o.ttlSecondsAfterFinished),
    image: checkImage(where, 'image', o.image ?? IB_BENCHMARK_IMAGE.image),
    rdmaResource,
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    resources: {
      ...guaranteed({
        ...(claim ? {} : { [rdmaResource]: '1' }),
        memory: checkMemory(where, 'memory', o.memory ?? DEFAULT_IB_POD_MEMORY),
        cpu: checkCpu(where, 'cpu', o.cpu ?? DEFAULT_IB_POD_CPU),
      }),
      claims: claim ? containerClaims(claim) : undefined,
    },
    deviceClaim: claim,
    placement: {
      nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
      tolerations: tolerations.length > 0 ? toTolerations(tolerations) : undefined,
      imagePullSecrets: toPullSecrets((o.imagePullSecrets ?? []).map((s, i) => checkDnsSubdomain(where, `imagePullSecrets[${i}]`, s))),
      // The tests never call the API server.
      automountServiceAccountToken: false,
    },
  };
}

/**
 * Root with only IPC_LOCK: verbs programs pin (register) their buffers, and the capability lifts
 * RLIMIT_MEMLOCK only for root; a non-root process gets an empty effective capability set
 * (NVIDIA/nvidia-container-toolkit #2037 and kubernetes #3595 on memlock; IPC_LOCK only lifts it for root).
 */
function rdmaRootSecurityContext(): k8s.SecurityContext {
  return { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['IPC_LOCK'] } };
}

export interface IpoibTestPodProps extends IbPodOptions {
  /**
   * Base name of the check Job (`<name>-<run id>`).
   * @default 'ipoib-test'
   */
  readonly name?: string;
}

/**
 * The IPoIB check of the JARVICE recipe (seed 001), as a one-shot Job: its pod attaches the IPoIB network,
 * requests the RDMA resource with IPC_LOCK, lists `/dev/infiniband`, `/sys/class/infiniband` and
 * `/sys/class/net` and the addresses of its interfaces, and fails when the pod sees no RDMA device.
 * (The class name is kept from the release that ran it as a long-lived Pod.)
 */
export class IpoibTestPod extends Construct {
  /** Base name. */
  public readonly name: string;
  public readonly namespace: string;
  public readonly runId: string;
  /** The Job's name, `<name>-<run id>`. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: IpoibTestPodProps = {}) {
    super(scope, id);
    const where = 'IpoibTestPod';
    const pod = resolveIbPod(where, props, this);
    this.name = checkCheckName(where, 'name', props.name ?? 'ipoib-test');
    this.namespace = pod.namespace;
    if (!props.networks || props.networks.length === 0) {
      throw new RdmaOptionError(where, 'networks', props.networks, 'is empty', 'the IPoIB network to check, e.g. [{ name: "ipoib" }]');
    }
    const labels = standardLabels(this, this.name, 'rdma-check');
    const r = checkJob(
      this,
      { name: this.name, namespace: this.namespace, labels, deviceClaim: pod.deviceClaim },
      { backoffLimit: 0, ttl: pod.ttl },
      run => ({
        metadata: { labels: templateLabels({ ...labels, ...run }), annotations: pod.annotations },
        spec: {
          ...pod.placement,
          restartPolicy: 'Never',
          containers: [
            {
              name: 'ipoib-test',
              image: pod.image,
              // `set -e`: a missing /dev/infiniband (no RDMA device handed to the pod) fails the Job.
              command: ['/bin/sh', '-c', 'set -eu\nls -l /dev/infiniband /sys/class/infiniband /sys/class/net\nip -brief address\n'],
              securityContext: rdmaRootSecurityContext(),
              resources: pod.resources,
            },
          ],
        },
      }),
    );
    this.runId = r.runId;
    this.jobName = r.jobName;
  }
}

/** An RDMA device name as in /sys/class/infiniband (e.g. `mlx5_0`). */
export function checkRdmaDeviceName(where: string, option: string, value: string): string {
  const device = checkNonEmpty(where, option, value);
  if (!/^[A-Za-z0-9_.-]+$/.test(device)) {
    throw new RdmaOptionError(where, option, device, 'is not an RDMA device name', 'a name from /sys/class/infiniband, e.g. "mlx5_0"');
  }
  return device;
}

/** perftest bandwidth programs (linux-rdma/perftest). */
export type PerftestBandwidth = 'ib_read_bw' | 'ib_write_bw';
export const PERFTEST_BANDWIDTH: readonly PerftestBandwidth[] = ['ib_read_bw', 'ib_write_bw'];

export interface IbBandwidthTestProps extends IbPodOptions {
  /**
   * Base name of the pair: the headless Service, and the Indexed Job `<name>-<run id>` of the two pods.
   * @default 'ib-read-bw' or 'ib-write-bw'
   */
  readonly name?: string;
  /**
   * The perftest program.
   * @default 'ib_read_bw'
   */
  readonly program?: PerftestBandwidth;
  /**
   * HCA to use (`-d`), e.g. `mlx5_0`.
   * @default - the first one the pod sees
   */
  readonly device?: string;
  /**
   * HCA port (`-i`).
   * @default 1
   */
  readonly ibPort?: number;
  /**
   * Iterations (`-n`).
   * @default - perftest's (1000; 5000 for ib_write_bw)
   * @minimum 1
   */
  readonly iterations?: number;
  /**
   * Message size in bytes (`-s`).
   * @default - perftest's 65536
   */
  readonly messageSize?: number;
  /**
   * TCP port of the connection exchange (`-p`).
   * @default 18515
   * @minimum 1
   * @maximum 65535
   */
  readonly port?: number;
}

/**
 * A perftest bandwidth pair between two nodes (one Indexed Job of two pods, a headless Service), reporting in
 * Gb/s: `ib_read_bw -F --report_gbits` (linux-rdma/perftest README, src/perftest_parameters.c; the jarvice-k8s-rdma README's test). The
 * connection exchange goes over the pod network to the server's Service name; the transfer itself over the
 * HCA. The same options are passed to both sides, as perftest requires.
 */
export class IbBandwidthTest extends Construct {
  /** Base name (also the Service's name). */
  public readonly name: string;
  public readonly namespace: string;
  public readonly runId: string;
  /** The Job's name, `<name>-<run id>`. */
  public readonly jobName: string;
  /** DNS name the client (index 1) connects to. */
  public readonly serverHost: string;
  /** The perftest command line both sides run (the client adds the server host). */
  public readonly command: string;

  constructor(scope: Construct, id: string, props: IbBandwidthTestProps = {}) {
    super(scope, id);
    const where = 'IbBandwidthTest';
    const pod = resolveIbPod(where, props, this);
    const program = checkOneOf(where, 'program', props.program ?? 'ib_read_bw', PERFTEST_BANDWIDTH);
    // The pod host names are `<job>-<index>`: room for "-1".
    this.name = checkCheckName(where, 'name', props.name ?? program.replace(/_/g, '-'), 2);
    this.namespace = pod.namespace;
    const port = checkPositiveInt(where, 'port', props.port ?? 18515, 65535);
    const args = [`${IB_BENCHMARK_IMAGE.perftestDir}/${program}`];
    if (props.device !== undefined) {
      args.push('-d', checkRdmaDeviceName(where, 'device', props.device));
    }
    args.push('-i', String(checkPositiveInt(where, 'ibPort', props.ibPort ?? 1, 255)));
    if (props.iterations !== undefined) args.push('-n', String(checkPositiveInt(where, 'iterations', props.iterations)));
    if (props.messageSize !== undefined) args.push('-s', String(checkPositiveInt(where, 'messageSize', props.messageSize)));
    args.push('-p', String(port), '-F', '--report_gbits');
    this.command = args.join(' ');
    const labels = standardLabels(this, this.name, 'perftest');

    // One Indexed Job of two pods on two nodes (checkPair): index 0 serves, index 1 connects to it,
    // retrying until the server listens (60 tries, 2 s apart).
    const r = checkPair(this, {
      name: this.name,
      namespace: this.namespace,
      labels,
      ttl: pod.ttl,
      deviceClaim: pod.deviceClaim,
      ports: [{ name: 'perftest', port, protocol: 'TCP' }],
      template: serverHost => ({
        metadata: { annotations: pod.annotations },
        spec: {
          ...pod.placement,
          containers: [
            {
              name: 'perftest',
              image: pod.image,
              command: [
                '/bin/sh',
                '-c',
                `set -eu\nif [ "$JOB_COMPLETION_INDEX" = 0 ]; then\n  exec ${this.command}\nfi\nn=0\n` +
                  `until ${this.command} ${serverHost}; do\n  n=$((n + 1)); [ "$n" -lt 60 ] || exit 1; sleep 2\ndone\n`,
              ],
              ports: [{ name: 'perftest', containerPort: port, protocol: 'TCP' }],
              securityContext: rdmaRootSecurityContext(),
              resources: pod.resources,
            },
          ],
        },
      }),
    });
    this.runId = r.runId;
    this.jobName = r.jobName;
    this.serverHost = r.serverHost;
  }
}
