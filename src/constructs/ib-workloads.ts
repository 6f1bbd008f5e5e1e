import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RdmaOptionError } from '../errors';
import { Toleration, guaranteed, spreadAcrossNodes, toPullSecrets, toTolerations } from '../kube';
import { selectorLabels, standardLabels } from '../labels';
import {
  checkAnnotations, checkCpu, checkDnsLabel, checkDnsSubdomain, checkImage, checkLabels, checkMemory, checkNonEmpty, checkOneOf, checkPositiveInt,
} from '../validate';
import { IB_BENCHMARK_IMAGE } from '../versions';
import { NetworkSelection, networksAnnotation } from './ipoib-network';

/** Memory and CPU of an InfiniBand test pod, requested and limited alike. */
export const DEFAULT_IB_POD_MEMORY = '1Gi';
export const DEFAULT_IB_POD_CPU = '1';

/** The resource the default rdma-shared configuration advertises. */
export const DEFAULT_RDMA_RESOURCE = 'rdma/rdma_shared_device_a';

/** An extended resource name: `<domain>/<name>`, e.g. `rdma/rdma_shared_device_a` or `jarvice.com/rdma`. */
const EXTENDED_RESOURCE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function checkRdmaResource(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || !EXTENDED_RESOURCE.test(value) || value.length > 253) {
    throw new RdmaOptionError(where, option, value, 'is not an extended resource name',
      'a device plugin resource "<prefix>/<name>", e.g. "rdma/rdma_shared_device_a" or "jarvice.com/rdma"');
  }
  return value;
}

/** Options shared by the InfiniBand test workloads (test pod, perftest pair). */
export interface IbPodOptions {
  /**
   * Namespace of the workload.
   * @default 'rdma-benchmarks'
   */
  readonly namespace?: string;
  /**
   * Image with rdma-core, perftest, Open MPI with UCX and OSU: build container/Dockerfile.ib and push it.
   * @default 'cdk8s-rdma-ib:bookworm-omb7.4' (the name the README's build command gives it)
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
   * Secondary networks the pods attach (the `k8s.v1.cni.cncf.io/networks` annotation, text form).
   * @default - none
   */
  readonly networks?: NetworkSelection[];
  /**
   * Memory each pod requests and is limited to.
   * @default '1Gi'
   */
  readonly memory?: string;
  /**
   * CPU each pod requests and is limited to.
   * @default '1'
   */
  readonly cpu?: string;
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
  readonly image: string;
  readonly rdmaResource: string;
  readonly annotations?: Record<string, string>;
  readonly resources: k8s.ResourceRequirements;
  readonly placement: Pick<k8s.PodSpec, 'nodeSelector' | 'tolerations' | 'imagePullSecrets' | 'automountServiceAccountToken'>;
}

function resolveIbPod(where: string, o: IbPodOptions): ResolvedIbPod {
  const nodeSelector = checkLabels(where, 'nodeSelector', o.nodeSelector ?? {});
  const tolerations: Toleration[] = o.tolerations ?? [];
  const rdmaResource = checkRdmaResource(where, 'rdmaResource', o.rdmaResource ?? DEFAULT_RDMA_RESOURCE);
  const annotations = {
    ...checkAnnotations(where, 'podAnnotations', o.podAnnotations ?? {}),
    ...(o.networks && o.networks.length > 0 ? networksAnnotation(o.networks, 'text') : {}),
  };
  return {
    namespace: checkDnsLabel(where, 'namespace', o.namespace ?? 'rdma-benchmarks'),
    image: checkImage(where, 'image', o.image ?? IB_BENCHMARK_IMAGE.image),
    rdmaResource,
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    resources: guaranteed({
      [rdmaResource]: '1',
      memory: checkMemory(where, 'memory', o.memory ?? DEFAULT_IB_POD_MEMORY),
      cpu: checkCpu(where, 'cpu', o.cpu ?? DEFAULT_IB_POD_CPU),
    }),
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
 * (research ib.md §8.1).
 */
function rdmaRootSecurityContext(): k8s.SecurityContext {
  return { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['IPC_LOCK'] } };
}

export interface IpoibTestPodProps extends IbPodOptions {
  /**
   * Pod name.
   * @default 'ipoib-test'
   */
  readonly name?: string;
}

/**
 * The IPoIB check pod of the JARVICE recipe (seed 001): attaches the IPoIB network, requests the RDMA
 * resource with IPC_LOCK, lists `/dev/infiniband`, `/sys/class/infiniband` and `/sys/class/net` and the
 * addresses of its interfaces, then stays up so you can `kubectl exec` into it.
 */
export class IpoibTestPod extends Construct {
  public readonly name: string;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: IpoibTestPodProps = {}) {
    super(scope, id);
    const where = 'IpoibTestPod';
    const pod = resolveIbPod(where, props);
    this.name = checkDnsLabel(where, 'name', props.name ?? 'ipoib-test');
    this.namespace = pod.namespace;
    if (!props.networks || props.networks.length === 0) {
      throw new RdmaOptionError(where, 'networks', props.networks, 'is empty', 'the IPoIB network to check, e.g. [{ name: "ipoib" }]');
    }
    new k8s.KubePod(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: standardLabels(this, this.name, 'rdma-check'), annotations: pod.annotations },
      spec: {
        ...pod.placement,
        restartPolicy: 'OnFailure',
        containers: [{
          name: 'ipoib-test',
          image: pod.image,
          command: ['/bin/sh', '-c', 'ls -l /dev/infiniband /sys/class/infiniband /sys/class/net\nip -brief address\nexec sleep infinity\n'],
          securityContext: rdmaRootSecurityContext(),
          resources: pod.resources,
        }],
      },
    });
  }
}

/** perftest bandwidth programs (linux-rdma/perftest). */
export type PerftestBandwidth = 'ib_read_bw' | 'ib_write_bw';
export const PERFTEST_BANDWIDTH: readonly PerftestBandwidth[] = ['ib_read_bw', 'ib_write_bw'];

export interface IbBandwidthTestProps extends IbPodOptions {
  /**
   * Name of the pair (the Service; the Jobs are `<name>-server` and `<name>-client`).
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
   */
  readonly port?: number;
}

/**
 * A perftest bandwidth pair between two nodes (server Job, client Job, headless Service), reporting in
 * Gb/s: `ib_read_bw -F --report_gbits` (research ib.md §7.1; the jarvice-k8s-rdma README's test). The
 * connection exchange goes over the pod network to the server's Service name; the transfer itself over the
 * HCA. The same options are passed to both sides, as perftest requires.
 */
export class IbBandwidthTest extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** DNS name the client connects to. */
  public readonly serverHost: string;
  /** The perftest command line both sides run (the client adds the server host). */
  public readonly command: string;

  constructor(scope: Construct, id: string, props: IbBandwidthTestProps = {}) {
    super(scope, id);
    const where = 'IbBandwidthTest';
    const pod = resolveIbPod(where, props);
    const program = checkOneOf(where, 'program', props.program ?? 'ib_read_bw', PERFTEST_BANDWIDTH);
    this.name = checkDnsLabel(where, 'name', props.name ?? program.replace(/_/g, '-'));
    checkDnsLabel(where, 'name', `${this.name}-server`);
    this.namespace = pod.namespace;
    const port = checkPositiveInt(where, 'port', props.port ?? 18515, 65535);
    const args = [`${IB_BENCHMARK_IMAGE.perftestDir}/${program}`];
    if (props.device !== undefined) {
      const device = checkNonEmpty(where, 'device', props.device);
      if (!/^[A-Za-z0-9_.-]+$/.test(device)) {
        throw new RdmaOptionError(where, 'device', device, 'is not an RDMA device name', 'a name from /sys/class/infiniband, e.g. "mlx5_0"');
      }
      args.push('-d', device);
    }
    args.push('-i', String(checkPositiveInt(where, 'ibPort', props.ibPort ?? 1, 255)));
    if (props.iterations !== undefined) args.push('-n', String(checkPositiveInt(where, 'iterations', props.iterations)));
    if (props.messageSize !== undefined) args.push('-s', String(checkPositiveInt(where, 'messageSize', props.messageSize)));
    args.push('-p', String(port), '-F', '--report_gbits');
    this.command = args.join(' ');

    const serverName = `${this.name}-server`;
    this.serverHost = `${serverName}.${this.name}.${this.namespace}.svc`;
    const pairLabels = selectorLabels(this, this.name);
    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: standardLabels(this, this.name, 'rdma-check') },
      spec: {
        clusterIp: 'None',
        // The client may connect before the server pod reports Ready.
        publishNotReadyAddresses: true,
        selector: { ...pairLabels, 'app.kubernetes.io/component': 'perftest-server' },
        ports: [{ name: 'perftest', port, protocol: 'TCP' }],
      },
    });

    // The client retries until the server listens (60 tries, 2 s apart): the two Jobs start together.
    const client = `set -eu\nn=0\nuntil ${this.command} ${this.serverHost}; do\n`
      + '  n=$((n + 1)); [ "$n" -lt 60 ] || exit 1; sleep 2\ndone\n';
    const job = (role: 'server' | 'client', command: string[], extra: Partial<k8s.PodSpec>) => {
      const labels = standardLabels(this, this.name, `perftest-${role}`);
      new k8s.KubeJob(this, role === 'server' ? 'Server' : 'Client', {
        metadata: { name: `${this.name}-${role}`, namespace: this.namespace, labels },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels, annotations: pod.annotations },
            spec: {
              ...pod.placement,
              ...extra,
              restartPolicy: 'Never',
              // Two different nodes: the point is the fabric between them.
              affinity: spreadAcrossNodes(pairLabels),
              containers: [{
                name: 'perftest',
                image: pod.image,
                command,
                ports: role === 'server' ? [{ name: 'perftest', containerPort: port, protocol: 'TCP' }] : undefined,
                securityContext: rdmaRootSecurityContext(),
                resources: pod.resources,
              }],
            },
          },
        },
      });
    };
    job('server', args, { hostname: serverName, subdomain: this.name });
    job('client', ['/bin/sh', '-c', client], {});
  }
}
