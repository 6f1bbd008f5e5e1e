import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EFA_CAPACITY_SOURCE_DATE, EFA_INSTANCE_CAPACITY } from '../efa-capacity';
import { RdmaOptionError } from '../errors';
import { Toleration } from '../kube';
import { standardLabels } from '../labels';
import { checkDnsLabel, checkNonEmpty, checkOneOf, checkPositiveInt, checkRule } from '../validate';

/*
 * Karpenter v1 objects (https://karpenter.sh/docs/concepts/; CRDs aws/karpenter-provider-aws
 * pkg/apis/crds/karpenter.sh_nodepools.yaml and karpenter.k8s.aws_ec2nodeclasses.yaml @v1.14.1).
 * `spec.networkInterfaces` exists from Karpenter v1.11.0 (commit 1de6d8c6 "feat: support network interface
 * configuration (#9027)"): the output is for Karpenter 1.11 or later.
 */
export const KARPENTER_NODEPOOL_API = 'karpenter.sh/v1';
export const KARPENTER_NODECLASS_API = 'karpenter.k8s.aws/v1';
/** The first Karpenter release whose EC2NodeClass has `networkInterfaces`. */
export const KARPENTER_MIN_VERSION = '1.11.0';

/**
 * The node label Karpenter puts on every node of a NodePool (kubernetes-sigs/karpenter pkg/apis/v1/labels.go
 * NodePoolLabelKey; the NodePool CRD @v1.14.1 refuses it in template labels: 'label "karpenter.sh/nodepool" is restricted').
 */
export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
/**
 * A pod annotation that keeps Karpenter from voluntarily disrupting (consolidating, drifting, expiring) the node
 * the pod runs on while it runs (named in the NodePool CRD @v1.14.1, template.spec.terminationGracePeriod;
 * https://karpenter.sh/docs/concepts/disruption/).
 */
export const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';

/**
 * The taints of the EFA nodes. `aws.amazon.com/efa` is the key the EFA device plugin's upstream manifest and
 * aws-dranet tolerate (aws-efa-k8s-device-plugin manifest; eks-charts stable/aws-dranet); `nvidia.com/gpu` is the
 * GPU taint the NVIDIA device plugin and GPU operator tolerate (its value as in Karpenter's GPU examples).
 */
export const EFA_NODE_TAINT: Toleration = { key: 'aws.amazon.com/efa', operator: 'Exists', effect: 'NoSchedule' };
export const GPU_NODE_TAINT: Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

/** The instance type of a pool that names none. */
export const DEFAULT_POOL_INSTANCE_TYPE = 'p5.48xlarge';

/** Karpenter capacity types (`karpenter.sh/capacity-type`) the pool may launch. */
export type KarpenterCapacityType = 'on-demand' | 'spot';
export const KARPENTER_CAPACITY_TYPES: readonly KarpenterCapacityType[] = ['on-demand', 'spot'];

// UNVERIFIED: that Karpenter resolves the al2023/bottlerocket alias to the accelerated (NVIDIA) variant for GPU
// instance types, and that those AMIs load the EFA driver; check `fi_info -p efa` (the checks do) on the first node.
/** EKS-optimized AMI families (Linux) the alias may name; the EFA driver ships in their accelerated variants. */
const AMI_FAMILIES = ['al2023', 'bottlerocket'];

export interface EfaNodePoolProps {
  /**
   * Name of the NodePool and of its EC2NodeClass (nodes carry it as `karpenter.sh/nodepool`).
   * @default 'efa'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  readonly name?: string;
  /**
   * The EFA instance type the pool launches. It must be on the project's EFA table (src/data/efa-instance-capacity.json):
   * the network interface layout comes from it.
   * @default 'p5.48xlarge'
   */
  readonly instanceType?: string;
  /**
   * EFA interfaces per node: one `efa-only` interface per network card, from card 0 (next to the primary ENA
   * interface) up. At most what the instance type takes.
   * @default - all the instance type takes (32 on p5.48xlarge)
   * @asType integer
   * @minimum 1
   */
  readonly efaInterfaces?: number;
  /**
   * The EKS cluster's name: subnets and security groups are found by the `karpenter.sh/discovery: <clusterName>`
   * tag, and the node role is `KarpenterNodeRole-<clusterName>`, as Karpenter's getting-started guide sets them up.
   * Required.
   * @pattern ^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$
   */
  readonly clusterName?: string;
  /**
   * The IAM role of the nodes (EC2NodeClass `spec.role`).
   * @default - `KarpenterNodeRole-<clusterName>`
   */
  readonly role?: string;
  /**
   * The one availability zone the nodes launch in (NodePool requirement on `topology.kubernetes.io/zone`): the
   * ranks of an MPI job never cross zones. Required.
   * @pattern ^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$
   */
  readonly zone?: string;
  /**
   * Subnet IDs instead of the discovery tag (subnets of `zone`).
   * @default - subnets tagged `karpenter.sh/discovery: <clusterName>`
   */
  readonly subnetIds?: string[];
  /**
   * Security group IDs instead of the discovery tag. EFA needs a group that allows all traffic to and from itself.
   * @default - security groups tagged `karpenter.sh/discovery: <clusterName>`
   */
  readonly securityGroupIds?: string[];
  /**
   * The EKS-optimized AMI, as a Karpenter alias `family@version` (al2023 or bottlerocket). Pin a version in
   * production: `latest` rolls the nodes (drift) when a new AMI is released.
   * @default 'al2023@latest'
   */
  readonly amiAlias?: string;
  /**
   * Capacity type of the nodes.
   * @default 'on-demand'
   */
  readonly capacityType?: KarpenterCapacityType;
  /**
   * The most nodes the pool holds (as limits on its EFA interfaces and GPUs, which every node has the same number of).
   * @default 16
   * @asType integer
   * @minimum 1
   */
  readonly maxNodes?: number;
  /**
   * How long a node stays empty before Karpenter removes it. Only empty nodes are consolidated, and pods of the
   * checks carry `karpenter.sh/do-not-disrupt`, so a node is never taken from a running MPI job.
   * @default '10m'
   * @pattern ^(([0-9]+(s|m|h))+|Never)$
   */
  readonly consolidateAfter?: string;
}

/** EC2NodeClass `spec.networkInterfaces[]` entry. */
export interface NetworkInterface {
  readonly networkCardIndex: number;
  readonly deviceIndex: number;
  readonly interfaceType: 'interface' | 'efa-only';
}

/**
 * The EFA layout of a node with `efa` EFA interfaces, as AWS recommends for accelerated instances
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-acc-inst-types.html): the primary ENA `interface` at
 * network card 0 / device 0 (an EFA-only interface cannot be primary), an `efa-only` at card 0 / device 1, then
 * an `efa-only` at device 0 of each further card. Karpenter's CEL rules (EC2NodeClass CRD @v1.14.1) require the
 * primary interface and allow at most one EFA per network card; the EFA capacity of such a node is the number
 * of `efa-only` entries (pkg/providers/instancetype/types.go efas()).
 */
export function efaInterfaceLayout(efa: number): NetworkInterface[] {
  return [
    { networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' },
    ...Array.from({ length: efa }, (_, i) => ({ networkCardIndex: i, deviceIndex: i === 0 ? 1 : 0, interfaceType: 'efa-only' as const })),
  ];
}

/** EfaNodePoolProps checked, with defaults applied. */
export interface ResolvedEfaNodePool {
  readonly name: string;
  readonly instanceType: string;
  readonly efaInterfaces: number;
  readonly gpus: number;
  readonly clusterName: string;
  readonly role: string;
  readonly zone: string;
  readonly subnetIds?: string[];
  readonly securityGroupIds?: string[];
  readonly amiAlias: string;
  readonly capacityType: KarpenterCapacityType;
  readonly maxNodes: number;
  readonly consolidateAfter: string;
}

const ids = (where: string, option: string, values: string[] | undefined, prefix: string): string[] | undefined => {
  if (values === undefined) return undefined;
  if (values.length === 0) throw new RdmaOptionError(where, option, values, 'is empty', `at least one ID, or unset for the discovery tag`);
  values.forEach((v, i) => {
    if (typeof v !== 'string' || !new RegExp(`^${prefix}-[0-9a-z]+$`).test(v)) {
      throw new RdmaOptionError(
        where,
        `${option}[${i}]`,
        v,
        `is not a ${prefix === 'sg' ? 'security group' : 'subnet'} ID`,
        `"${prefix}-" followed by lower-case letters and digits`,
      );
    }
  });
  return [...new Set(values)];
};

/** Checks the props and applies the defaults (the EFA count and GPUs from the instance table). */
export function resolveEfaNodePool(where: string, props: EfaNodePoolProps): ResolvedEfaNodePool {
  const instanceType = checkNonEmpty(where, 'instanceType', props.instanceType ?? DEFAULT_POOL_INSTANCE_TYPE);
  const capacity = EFA_INSTANCE_CAPACITY[instanceType];
  if (capacity === undefined) {
    throw new RdmaOptionError(
      where,
      'instanceType',
      instanceType,
      `is not on the EFA instance table (as of ${EFA_CAPACITY_SOURCE_DATE}), so its EFA interface layout is unknown`,
      'an EFA instance type such as "p5.48xlarge", "p5en.48xlarge", "p4d.24xlarge" or "hpc7g.16xlarge"',
    );
  }
  const efaInterfaces = checkPositiveInt(where, 'efaInterfaces', props.efaInterfaces ?? capacity.maxEfa);
  if (efaInterfaces > capacity.maxEfa) {
    throw new RdmaOptionError(
      where,
      'efaInterfaces',
      efaInterfaces,
      `is more EFA interfaces than ${instanceType} takes`,
      `1 to ${capacity.maxEfa} (EFA interfaces of ${instanceType} as of ${EFA_CAPACITY_SOURCE_DATE})`,
    );
  }
  if (props.clusterName === undefined) {
    throw new RdmaOptionError(
      where,
      'clusterName',
      props.clusterName,
      'is required (it finds the subnets, the security groups and the node role)',
      "the EKS cluster's name",
    );
  }
  const clusterName = checkRule(where, 'clusterName', props.clusterName, 'eksClusterName');
  if (props.zone === undefined) {
    throw new RdmaOptionError(
      where,
      'zone',
      props.zone,
      'is required (the nodes of an MPI job stay in one availability zone)',
      'a zone such as "us-west-2a"',
    );
  }
  const alias = checkNonEmpty(where, 'amiAlias', props.amiAlias ?? 'al2023@latest');
  const family = /^([a-zA-Z0-9]+)@.+$/.exec(alias)?.[1];
  if (family === undefined || !AMI_FAMILIES.includes(family) || alias.length > 30) {
    throw new RdmaOptionError(
      where,
      'amiAlias',
      alias,
      'is not an EKS-optimized Linux AMI alias',
      'at most 30 characters "family@version", family al2023 or bottlerocket, e.g. "al2023@v20260601" or "al2023@latest"',
    );
  }
  return {
    name: checkDnsLabel(where, 'name', props.name ?? 'efa'),
    instanceType,
    efaInterfaces,
    gpus: capacity.nvidiaGpus,
    clusterName,
    role: checkNonEmpty(where, 'role', props.role ?? `KarpenterNodeRole-${clusterName}`),
    zone: checkRule(where, 'zone', props.zone, 'awsZone'),
    subnetIds: ids(where, 'subnetIds', props.subnetIds, 'subnet'),
    securityGroupIds: ids(where, 'securityGroupIds', props.securityGroupIds, 'sg'),
    amiAlias: alias,
    capacityType: checkOneOf(where, 'capacityType', props.capacityType ?? 'on-demand', KARPENTER_CAPACITY_TYPES),
    maxNodes: checkPositiveInt(where, 'maxNodes', props.maxNodes ?? 16),
    consolidateAfter: checkRule(where, 'consolidateAfter', props.consolidateAfter ?? '10m', 'karpenterDuration'),
  };
}

/**
 * EFA nodes from Karpenter: an EC2NodeClass that attaches the instance type's EFA interfaces (`networkInterfaces`,
 * Karpenter 1.11 and later) and a NodePool of that one instance type in one availability zone, tainted for EFA
 * (and GPUs), that only consolidates empty nodes. Pods reach the nodes with `nodeSelector` and `tolerations`.
 */
export class EfaNodePool extends Construct {
  public readonly name: string;
  public readonly instanceType: string;
  /** EFA interfaces (`vpc.amazonaws.com/efa`) each node offers. */
  public readonly efaInterfaces: number;
  /** NVIDIA GPUs each node has (0 on CPU instances). */
  public readonly gpus: number;
  public readonly maxNodes: number;
  /** What places a pod on the pool's nodes. */
  public readonly nodeSelector: Record<string, string>;
  /** The tolerations of the pool's taints. */
  public readonly tolerations: Toleration[];

  constructor(scope: Construct, id: string, props: EfaNodePoolProps) {
    super(scope, id);
    const r = resolveEfaNodePool('EfaNodePool', props);
    this.name = r.name;
    this.instanceType = r.instanceType;
    this.efaInterfaces = r.efaInterfaces;
    this.gpus = r.gpus;
    this.maxNodes = r.maxNodes;
    this.nodeSelector = { [NODEPOOL_LABEL]: r.name };
    this.tolerations = r.gpus > 0 ? [EFA_NODE_TAINT, GPU_NODE_TAINT] : [EFA_NODE_TAINT];
    const labels = standardLabels(this, r.name, 'node-pool');
    const discovery = [{ tags: { 'karpenter.sh/discovery': r.clusterName } }];
    new ApiObject(this, 'NodeClass', {
      apiVersion: KARPENTER_NODECLASS_API,
      kind: 'EC2NodeClass',
      metadata: { name: r.name, labels },
      spec: {
        role: r.role,
        amiSelectorTerms: [{ alias: r.amiAlias }],
        subnetSelectorTerms: r.subnetIds ? r.subnetIds.map(id => ({ id })) : discovery,
        securityGroupSelectorTerms: r.securityGroupIds ? r.securityGroupIds.map(id => ({ id })) : discovery,
        // Several EFA interfaces and a public IP address fail to launch (Karpenter docs, concepts/nodeclasses.md).
        associatePublicIPAddress: false,
        networkInterfaces: efaInterfaceLayout(r.efaInterfaces),
      },
    });
    // Every node has the same EFA interfaces and GPUs: limits on them cap the number of nodes (both are resources
    // Karpenter knows, pkg/apis/v1/labels.go WellKnownResources and the NVIDIA resource).
    const limits: Record<string, string> = { 'vpc.amazonaws.com/efa': String(r.maxNodes * r.efaInterfaces) };
    if (r.gpus > 0) limits['nvidia.com/gpu'] = String(r.maxNodes * r.gpus);
    new ApiObject(this, 'Resource', {
      apiVersion: KARPENTER_NODEPOOL_API,
      kind: 'NodePool',
      metadata: { name: r.name, labels },
      spec: {
        template: {
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: r.name },
            requirements: [
              { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [r.instanceType] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: [r.capacityType] },
              { key: 'topology.kubernetes.io/zone', operator: 'In', values: [r.zone] },
            ],
            taints: this.tolerations.map(t => ({ key: t.key, value: 'true', effect: t.effect })),
          },
        },
        limits,
        // Only empty nodes are removed: a node running a rank is never consolidated (WhenEmptyOrUnderutilized,
        // the default, would move ranks of a running MPI job).
        disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: r.consolidateAfter },
      },
    });
  }
}
