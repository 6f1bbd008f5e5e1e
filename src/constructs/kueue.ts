import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { RdmaOptionError } from '../errors';
import { standardLabels } from '../labels';
import { quantityToBytes } from '../quantity';
import {
  QuantityValue,
  checkCpu,
  checkDnsLabel,
  checkHugepages2Mi,
  checkLabels,
  checkMemory,
  checkOneOf,
  checkPositiveInt,
} from '../validate';

/*
 * Kueue objects and job fields (kubernetes-sigs/kueue @v0.19.2: config/components/crd/bases/kueue.x-k8s.io_*.yaml,
 * site/content/en/docs/concepts/topology_aware_scheduling.md, site/content/en/docs/tasks/run/kubeflow/mpijobs.md).
 * v1beta2 is the storage version of v0.19 and the one its documentation uses.
 */
export const KUEUE_API = 'kueue.x-k8s.io/v1beta2';
/** The label that submits a job to a LocalQueue. */
export const QUEUE_NAME_LABEL = 'kueue.x-k8s.io/queue-name';
/** Pod template annotations of Topology-Aware Scheduling: all pods of the pod set in one domain of that level (or as few as possible). */
export const REQUIRED_TOPOLOGY = 'kueue.x-k8s.io/podset-required-topology';
export const PREFERRED_TOPOLOGY = 'kueue.x-k8s.io/podset-preferred-topology';

/**
 * The network topology labels EKS sets on nodes of supported instance types, broadest first
 * (https://docs.aws.amazon.com/eks/latest/userguide/ml-workload-topology.html: layer-1 top, layer-3 the bottom
 * layer of most types), then the node itself: `kubernetes.io/hostname` must be Kueue's lowest level (Topology CRD).
 */
export const EKS_TOPOLOGY_LEVELS = [
  'topology.k8s.aws/network-node-layer-1',
  'topology.k8s.aws/network-node-layer-2',
  'topology.k8s.aws/network-node-layer-3',
  'kubernetes.io/hostname',
] as const;
export type EksTopologyLevel = (typeof EKS_TOPOLOGY_LEVELS)[number];

/** How an MPIJob's pods are placed by topology: all in one domain, as few domains as possible, or no topology. */
export type KueueTopologyMode = 'required' | 'preferred' | 'none';
export const KUEUE_TOPOLOGY_MODES: readonly KueueTopologyMode[] = ['required', 'preferred', 'none'];

/** The resources the ClusterQueue has quota for: everything the checks' pods request. */
export interface KueueQuota {
  /**
   * CPU quota.
   * @default '256'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*|[0-9]*[1-9][0-9]*m)$
   * @exclusiveMinimum 0
   */
  readonly cpu?: QuantityValue;
  /**
   * Memory quota.
   * @default '1Ti'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|k|M|G|T)?$
   * @exclusiveMinimum 0
   */
  readonly memory?: QuantityValue;
  /**
   * 2 MiB huge pages quota (the EFA pods request huge pages).
   * @default '320Gi'
   * @pattern ^(?:[0-9]*[2468]Mi|[0-9]*[1-9][0-9]*0Mi|[0-9]*[1-9][0-9]*Gi)$
   * @exclusiveMinimum 0
   * @multipleOf 2097152
   */
  readonly hugepages2Mi?: QuantityValue;
  /**
   * EFA interfaces (`vpc.amazonaws.com/efa`).
   * @default 1024
   * @asType integer
   * @minimum 1
   */
  readonly efa?: number;
  /**
   * NVIDIA GPUs (`nvidia.com/gpu`).
   * @default 256
   * @asType integer
   * @minimum 1
   */
  readonly gpus?: number;
}

/**
 * The quota defaults. EFA and GPUs: 32 p5.48xlarge nodes (32 EFA interfaces, 8 GPUs each). CPU, memory and huge
 * pages: twice what a 32-worker EFA job and its TCP twin at the checks' pod sizes request together (2 CPUs, 8Gi and,
 * EFA pods only, 5120Mi huge pages per worker: 128 CPUs, 512Gi, 160Gi, launchers aside).
 */
export const DEFAULT_KUEUE_QUOTA = { cpu: '256', memory: '1Ti', hugepages2Mi: '320Gi', efa: 1024, gpus: 256 } as const;

export interface KueueQueuesProps {
  /**
   * Name of the ClusterQueue, its ResourceFlavor and its Topology.
   * @default 'efa'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  readonly name?: string;
  /**
   * Name of the LocalQueue the jobs are submitted to (`kueue.x-k8s.io/queue-name`).
   * @default 'rdma-checks'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  readonly queueName?: string;
  /** Namespace of the LocalQueue: the jobs'. The ClusterQueue admits jobs from it only. */
  readonly namespace: string;
  /**
   * Topology-Aware Scheduling: `required` puts all pods of a job under one node of `topologyLevel`,
   * `preferred` as few as possible, `none` leaves topology out (no Topology object; the flavor has none).
   * @default 'preferred'
   */
  readonly topology?: KueueTopologyMode;
  /**
   * The EKS network layer the pods of one job share (with `topology` required or preferred).
   * @default 'topology.k8s.aws/network-node-layer-3'
   */
  readonly topologyLevel?: EksTopologyLevel;
  /** Node labels of the flavor's nodes (the EFA nodes); needed with a topology. */
  readonly nodeLabels?: Record<string, string>;
  /**
   * The ClusterQueue's quota.
   * @default - DEFAULT_KUEUE_QUOTA
   */
  readonly quota?: KueueQuota;
}

/** Requests of one workload by resource name, as Kueue sums them (CPU in millicores, the rest in bytes or counts). */
export type WorkloadRequests = Record<string, number>;

const CPU = 'cpu';
/** The resources the ClusterQueue covers, in its order, and the KueueQuota option of each. */
const QUOTA_OPTIONS = {
  cpu: 'cpu',
  memory: 'memory',
  'hugepages-2Mi': 'hugepages2Mi',
  'vpc.amazonaws.com/efa': 'efa',
  'nvidia.com/gpu': 'gpus',
} as const satisfies Record<string, keyof KueueQuota>;
const QUOTA_RESOURCES = Object.keys(QUOTA_OPTIONS) as (keyof typeof QUOTA_OPTIONS)[];

/** A quantity as a number in its smallest unit (millicores for CPU). */
function amount(resource: string, value: string | number): number {
  if (resource === CPU) {
    const s = String(value);
    return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
  }
  return typeof value === 'number' ? value : (quantityToBytes(value) ?? Number(value));
}

/**
 * A ClusterQueue with quota for CPU, memory, huge pages, EFA and GPUs, its ResourceFlavor (bound to a Topology of
 * the EKS network layers unless `topology` is none), and a LocalQueue in the jobs' namespace. `admit` labels an
 * MPIJob for the queue, adds the topology annotation to its pod templates and creates it suspended.
 */
export class KueueQueues extends Construct {
  public readonly name: string;
  public readonly queueName: string;
  public readonly namespace: string;
  public readonly topology: KueueTopologyMode;
  public readonly topologyLevel: EksTopologyLevel;
  /** The quota as numbers (see WorkloadRequests). */
  public readonly quota: WorkloadRequests;
  private readonly quotaOptions: Required<KueueQuota>;

  constructor(scope: Construct, id: string, props: KueueQueuesProps) {
    super(scope, id);
    const where = 'KueueQueues';
    this.name = checkDnsLabel(where, 'name', props.name ?? 'efa');
    this.queueName = checkDnsLabel(where, 'queueName', props.queueName ?? 'rdma-checks');
    this.namespace = checkDnsLabel(where, 'namespace', props.namespace);
    this.topology = checkOneOf(where, 'topology', props.topology ?? 'preferred', KUEUE_TOPOLOGY_MODES);
    this.topologyLevel = checkOneOf(
      where,
      'topologyLevel',
      props.topologyLevel ?? 'topology.k8s.aws/network-node-layer-3',
      EKS_TOPOLOGY_LEVELS,
    );
    const nodeLabels = checkLabels(where, 'nodeLabels', props.nodeLabels ?? {});
    if (this.topology !== 'none' && Object.keys(nodeLabels).length === 0) {
      // ResourceFlavor CEL (v0.19.2): "at least one nodeLabel is required when topology is set".
      throw new RdmaOptionError(
        where,
        'nodeLabels',
        nodeLabels,
        `is empty with topology "${this.topology}" (a flavor with a topology needs the labels of its nodes)`,
        'the labels of the EFA nodes, e.g. {"karpenter.sh/nodepool": "efa"}, or topology "none"',
      );
    }
    const q = { ...DEFAULT_KUEUE_QUOTA, ...props.quota };
    this.quotaOptions = q;
    const quantities: Record<(typeof QUOTA_RESOURCES)[number], string> = {
      cpu: checkCpu(where, 'quota.cpu', q.cpu),
      memory: checkMemory(where, 'quota.memory', q.memory),
      'hugepages-2Mi': checkHugepages2Mi(where, 'quota.hugepages2Mi', q.hugepages2Mi),
      'vpc.amazonaws.com/efa': String(checkPositiveInt(where, 'quota.efa', q.efa)),
      'nvidia.com/gpu': String(checkPositiveInt(where, 'quota.gpus', q.gpus)),
    };
    this.quota = Object.fromEntries(QUOTA_RESOURCES.map(r => [r, amount(r, quantities[r])]));
    const labels = standardLabels(this, this.name, 'queue');
    const tas = this.topology !== 'none';
    if (tas) {
      new ApiObject(this, 'Topology', {
        apiVersion: KUEUE_API,
        kind: 'Topology',
        metadata: { name: this.name, labels },
        spec: { levels: EKS_TOPOLOGY_LEVELS.map(nodeLabel => ({ nodeLabel })) },
      });
    }
    // A flavor of any node (no labels, no topology) has no spec.
    const flavor = { ...(Object.keys(nodeLabels).length > 0 ? { nodeLabels } : {}), ...(tas ? { topologyName: this.name } : {}) };
    new ApiObject(this, 'Flavor', {
      apiVersion: KUEUE_API,
      kind: 'ResourceFlavor',
      metadata: { name: this.name, labels },
      ...(Object.keys(flavor).length > 0 ? { spec: flavor } : {}),
    });
    new ApiObject(this, 'ClusterQueue', {
      apiVersion: KUEUE_API,
      kind: 'ClusterQueue',
      metadata: { name: this.name, labels },
      spec: {
        // Only the checks' namespace (kubernetes.io/metadata.name is set on every namespace by the API server).
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespace } },
        resourceGroups: [
          {
            coveredResources: [...QUOTA_RESOURCES],
            flavors: [{ name: this.name, resources: QUOTA_RESOURCES.map(r => ({ name: r, nominalQuota: quantities[r] })) }],
          },
        ],
      },
    });
    new ApiObject(this, 'LocalQueue', {
      apiVersion: KUEUE_API,
      kind: 'LocalQueue',
      metadata: { name: this.queueName, namespace: this.namespace, labels },
      spec: { clusterQueue: this.name },
    });
  }

  /**
   * Submits an MPIJob (kubeflow.org/v2beta1) to the queue: the queue label, the topology annotation on the launcher
   * and worker pod templates, and `spec.runPolicy.suspend: true` (Kueue unsuspends it once the whole job is admitted).
   * Refuses a job whose pods together ask for more than the quota: Kueue would never admit it.
   */
  public admit(mpiJob: ApiObject, sizedBy: string): void {
    const json = mpiJob.toJson();
    const name = json.metadata.labels?.['app.kubernetes.io/name'] ?? json.metadata.name;
    for (const [resource, value] of Object.entries(workloadRequests(json))) {
      const option = (QUOTA_OPTIONS as Record<string, keyof KueueQuota | undefined>)[resource];
      if (option === undefined) {
        throw new RdmaOptionError(
          'KueueQueues',
          'quota',
          resource,
          `has no entry for ${resource}, which MPIJob ${name} requests`,
          QUOTA_RESOURCES.join(', '),
        );
      }
      const quota = this.quota[resource];
      if (value > quota) {
        const shown = (n: number) =>
          resource === CPU ? String(n / 1000) : resource === 'memory' || resource === 'hugepages-2Mi' ? `${n / 2 ** 20}Mi` : String(n);
        throw new RdmaOptionError(
          'KueueQueues',
          `quota.${option}`,
          this.quotaOptions[option],
          `is less than the ${shown(value)} ${resource} MPIJob ${name} requests in all (${sizedBy}): Kueue would never admit it`,
          `at least ${shown(value)}, or a smaller job`,
        );
      }
    }
    mpiJob.metadata.addLabel(QUEUE_NAME_LABEL, this.queueName);
    mpiJob.addJsonPatch(JsonPatch.add('/spec/runPolicy/suspend', true));
    if (this.topology === 'none') return;
    const annotation = this.topology === 'required' ? REQUIRED_TOPOLOGY : PREFERRED_TOPOLOGY;
    for (const role of Object.keys(json.spec.mpiReplicaSpecs)) {
      const base = `/spec/mpiReplicaSpecs/${role}/template/metadata`;
      const meta = json.spec.mpiReplicaSpecs[role].template.metadata ?? {};
      if (meta.annotations === undefined) mpiJob.addJsonPatch(JsonPatch.add(`${base}/annotations`, {}));
      mpiJob.addJsonPatch(JsonPatch.add(`${base}/annotations/${annotation.replace(/\//g, '~1')}`, this.topologyLevel));
    }
  }
}

/**
 * What an MPIJob's pods request in all (each replica spec's containers times its replicas), as Kueue counts a
 * workload's pod sets (requests; limits where a container states only limits).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a synthesized MPIJob: untyped JSON
export function workloadRequests(mpiJob: any): WorkloadRequests {
  const out: WorkloadRequests = {};
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  for (const spec of Object.values<any>(mpiJob.spec.mpiReplicaSpecs)) {
    const replicas = spec.replicas ?? 1;
    for (const c of spec.template.spec.containers ?? []) {
      const req = { ...c.resources?.limits, ...c.resources?.requests };
      for (const [r, v] of Object.entries<string>(req)) out[r] = (out[r] ?? 0) + replicas * amount(r, v);
    }
  }
  return out;
}
