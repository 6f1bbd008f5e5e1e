import { Construct } from 'constructs';
import { ClusterAutoscaler, MachineAutoscaler } from '../../imports/autoscaling.openshift.io';
import { MachineSet } from '../../imports/machine.openshift.io';
import efaData from '../data/efa-instance-types.json';
import { RdmaOptionError } from '../errors';
import { standardLabels } from '../labels';
import { checkDnsLabel, checkLabels, checkNonEmpty, checkPositiveInt } from '../validate';
import { OpenShiftVersion, parseOpenShiftVersion } from './node-feature-discovery';

/** Namespace of the Machine API objects. */
export const MACHINE_API_NAMESPACE = 'openshift-machine-api';

/** The Name tags the OpenShift AWS installer gives a zone's private subnet and the workers' security groups. */
export interface InstallerNames {
  readonly subnet: string;
  readonly securityGroups: string[];
}

/**
 * The installer's names for a release (openshift/installer pkg/asset/machines/aws/machines.go; 4.16 release notes). From 4.16 the AWS installer provisions
 * with Cluster API: openshift/installer pkg/asset/machines/aws/machines.go (`%s-subnet-%s-%s` with `private`;
 * security-group filters `<infraID>-node` and `<infraID>-lb` for workers) and pkg/asset/manifests/aws/zones.go,
 * as the 4.16 MachineSet docs sample shows them. Up to 4.15 (Terraform): `<infraID>-private-<zone>` and
 * `<infraID>-worker-sg` (older machines.go, `%s-%s-sg` by role; the exact release-4.15 commit is UNVERIFIED).
 * The worker instance profile is `<infraID>-worker-profile` in both (`%s-%s-profile`).
 */
export function installerNames(version: OpenShiftVersion, infra: string, zone: string): InstallerNames {
  const capi = version.major > 4 || version.minor >= 16;
  return capi
    ? { subnet: `${infra}-subnet-private-${zone}`, securityGroups: [`${infra}-node`, `${infra}-lb`] }
    : { subnet: `${infra}-private-${zone}`, securityGroups: [`${infra}-worker-sg`] };
}

/** Instance type of an EFA MachineSet when none is given. */
export const DEFAULT_EFA_MACHINE_TYPE = 'c5n.18xlarge';

/** A node taint set by the MachineSet. */
export interface MachineTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Min/max machines of the MachineAutoscaler. */
export interface EfaMachineAutoscalerOptions {
  /**
   * Fewest machines. At least 1: the autoscaler cannot scale an EFA MachineSet up from zero (it cannot know
   * a new machine would offer `vpc.amazonaws.com/efa`; OpenShift enhancement aws-efa-networking).
   * @default 2 (an MPI pair)
   */
  readonly minReplicas?: number;
  /**
   * Most machines.
   * @default 4, or minReplicas when that is larger
   */
  readonly maxReplicas?: number;
}

export interface EfaMachineSetProps {
  /** Cluster infrastructure id: `oc get infrastructure cluster -o jsonpath='{.status.infrastructureName}'`. */
  readonly infrastructureId: string;
  /** Availability zone of the machines, e.g. `us-east-1a`. EFA does not cross zones: one MachineSet, one zone. */
  readonly zone: string;
  /**
   * AWS region.
   * @default - the zone without its letter (us-east-1a → us-east-1)
   */
  readonly region?: string;
  /** RHCOS AMI id for the region, as in your existing worker MachineSets (`ami-…`). */
  readonly amiId: string;
  /** An existing placement group (create it with the AWS CLI; a `cluster` strategy group suits MPI). */
  readonly placementGroupName: string;
  /**
   * EC2 instance type; it must support EFA.
   * @default 'c5n.18xlarge'
   */
  readonly instanceType?: string;
  /**
   * MachineSet name (also a label value, so at most 63 characters).
   * @default '<infrastructureId>-efa-<zone>'
   */
  readonly name?: string;
  /**
   * Machines to run when there is no autoscaler. With an autoscaler the MachineSet has no `replicas` field:
   * the MachineAutoscaler owns it, and a GitOps sync or `kubectl apply` that set it would fight the
   * autoscaler. A new MachineSet then starts at the CRD's default of 1 machine.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Labels of the nodes, e.g. the role label of a custom MachineConfigPool.
   * @default { 'node-role.kubernetes.io/worker-efa': '' }
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Node taints (pods then need a matching toleration).
   * @default []
   */
  readonly taints?: MachineTaint[];
  /**
   * OpenShift release of the cluster (`4.<minor>`): decides the default names of the installer's subnet and
   * security groups, which changed when the AWS installer moved to Cluster API in 4.16.
   * @default '4.18'
   */
  readonly openshiftVersion?: string;
  /**
   * Subnet id (`subnet-…`); unset, the subnet is found by its Name tag.
   * @default - the installer's private subnet of the zone, tag Name `<infrastructureId>-subnet-private-<zone>` (4.16 and later), `<infrastructureId>-private-<zone>` (4.15 and earlier)
   */
  readonly subnetId?: string;
  /**
   * Name tags of the security groups. The groups must allow all traffic to and from themselves for EFA.
   * @default - the installer's worker groups: ['<infrastructureId>-node', '<infrastructureId>-lb'] (4.16 and later), ['<infrastructureId>-worker-sg'] (4.15 and earlier)
   */
  readonly securityGroupNames?: string[];
  /**
   * IAM instance profile.
   * @default '<infrastructureId>-worker-profile'
   */
  readonly iamInstanceProfile?: string;
  /**
   * Root volume size in GiB (gp3).
   * @default 120
   */
  readonly rootVolumeSize?: number;
  /**
   * Extra AWS tags of the instances.
   * @default {}
   */
  readonly tags?: Record<string, string>;
  /**
   * A MachineAutoscaler for the MachineSet, or false for none.
   * @default { minReplicas: 2, maxReplicas: 4 }
   */
  readonly autoscaler?: EfaMachineAutoscalerOptions | false;
}

/** What Machine API reports when EC2 rejects an EFA interface on an instance type. */
export function efaUnsupportedMessage(instanceType: string): string {
  return `EFA interfaces are not supported on ${instanceType}`;
}

/** An EfaMachineSet's props, checked and defaulted: what its MachineSet and MachineAutoscaler are made from. */
export interface ResolvedEfaMachineSet {
  readonly infra: string;
  readonly zone: string;
  readonly region: string;
  readonly amiId: string;
  readonly placementGroup: string;
  readonly instanceType: string;
  readonly name: string;
  readonly nodeLabels: Record<string, string>;
  readonly taints: readonly MachineTaint[];
  readonly securityGroups: readonly string[];
  /** The subnet: its id, or the installer's subnet Name tag of the zone. */
  readonly subnet: { readonly id: string } | { readonly nameTag: string };
  readonly iamProfile: string;
  readonly rootVolumeSize: number;
  readonly extraTags: Record<string, string>;
  readonly scaling: ReturnType<typeof resolveScaling>;
}

/** Checks and defaults an EfaMachineSet's props (every error names the prop); nothing is built. */
export function resolveEfaMachineSet(props: EfaMachineSetProps): ResolvedEfaMachineSet {
  const where = 'EfaMachineSet';
  const { infra, zone, region } = resolvePlacement(where, props);
  if (typeof props.amiId !== 'string' || !/^ami-[0-9a-f]{8,17}$/.test(props.amiId)) {
    throw new RdmaOptionError(
      where,
      'amiId',
      props.amiId,
      'is not an AMI id',
      '"ami-" and 8 to 17 hex digits, the RHCOS AMI of your worker MachineSets',
    );
  }
  const placementGroup = checkNonEmpty(where, 'placementGroupName', props.placementGroupName);
  if (/\s/.test(placementGroup) || placementGroup.length > 255) {
    throw new RdmaOptionError(
      where,
      'placementGroupName',
      placementGroup,
      'is not a placement group name',
      'at most 255 characters without spaces',
    );
  }
  const instanceType = props.instanceType ?? DEFAULT_EFA_MACHINE_TYPE;
  if (!efaData.instanceTypes.includes(instanceType)) {
    throw new RdmaOptionError(
      where,
      'instanceType',
      instanceType,
      `is rejected: ${efaUnsupportedMessage(instanceType)} (what Machine API reports at launch)`,
      `an instance type on the EFA instance list (${efaData.instanceTypes.length} types, ${efaData.sourceDate}), e.g. "c5n.18xlarge"`,
    );
  }
  const name = checkDnsLabel(where, 'name', props.name ?? `${infra}-efa-${zone}`);
  const nodeLabels = checkLabels(where, 'nodeLabels', props.nodeLabels ?? { 'node-role.kubernetes.io/worker-efa': '' });
  const taints = (props.taints ?? []).map((t, i) => {
    checkLabels(where, `taints[${i}].key`, { [t.key]: t.value ?? '' });
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      throw new RdmaOptionError(
        where,
        `taints[${i}].effect`,
        t.effect,
        'is not a taint effect',
        '"NoSchedule", "PreferNoSchedule", "NoExecute"',
      );
    }
    return { key: t.key, value: t.value, effect: t.effect };
  });
  const names = installerNames(parseOpenShiftVersion(where, 'openshiftVersion', props.openshiftVersion ?? '4.18'), infra, zone);
  const securityGroups = props.securityGroupNames ?? names.securityGroups;
  if (securityGroups.length === 0) {
    throw new RdmaOptionError(where, 'securityGroupNames', securityGroups, 'is empty', 'the Name tags of the worker security groups');
  }
  securityGroups.forEach((g, i) => checkNonEmpty(where, `securityGroupNames[${i}]`, g));
  if (props.subnetId !== undefined && !/^subnet-[0-9a-f]{8,17}$/.test(props.subnetId)) {
    throw new RdmaOptionError(where, 'subnetId', props.subnetId, 'is not a subnet id', '"subnet-" and 8 to 17 hex digits');
  }
  const iamProfile = checkNonEmpty(where, 'iamInstanceProfile', props.iamInstanceProfile ?? `${infra}-worker-profile`);
  const rootVolumeSize = checkPositiveInt(where, 'rootVolumeSize', props.rootVolumeSize ?? 120, 16384);
  const extraTags = props.tags ?? {};
  Object.keys(extraTags).forEach(k => checkNonEmpty(where, 'tags', k));
  return {
    infra,
    zone,
    region,
    amiId: props.amiId,
    placementGroup,
    instanceType,
    name,
    nodeLabels,
    taints,
    securityGroups,
    subnet: props.subnetId !== undefined ? { id: props.subnetId } : { nameTag: names.subnet },
    iamProfile,
    rootVolumeSize,
    extraTags,
    scaling: resolveScaling(where, props),
  };
}

/**
 * A MachineSet (machine.openshift.io/v1beta1) of EFA machines: the AWS provider spec sets
 * `networkInterfaceType: EFA` (the API's enum is ENA/EFA; EFA becomes the primary interface), the instance
 * type, the placement group and zone, plus the usual AWS fields; with a MachineAutoscaler by default.
 * Sources: openshift/api machine/v1beta1/types_awsprovider.go (AWSMachineProviderConfig, `networkInterfaceType`
 * ENA/EFA), openshift/enhancements enhancements/machine-api/aws-efa-networking.md, openshift-docs
 * modules/machineset-yaml-aws.adoc and modules/machine-autoscaler-cr.adoc.
 */
export class EfaMachineSet extends Construct {
  public readonly name: string;
  public readonly instanceType: string;
  /** Node labels the machines get. */
  public readonly nodeLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: EfaMachineSetProps) {
    super(scope, id);
    const r = resolveEfaMachineSet(props);
    this.name = r.name;
    this.instanceType = r.instanceType;
    this.nodeLabels = r.nodeLabels;
    const { infra, zone, region, placementGroup, taints, securityGroups, iamProfile, rootVolumeSize, extraTags } = r;
    const { autoscaler, minReplicas, maxReplicas, replicas } = r.scaling;

    const clusterLabel = { 'machine.openshift.io/cluster-api-cluster': infra };
    const machineSetLabel = { 'machine.openshift.io/cluster-api-machineset': this.name };
    new MachineSet(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: MACHINE_API_NAMESPACE,
        labels: { ...standardLabels(this, this.name, 'machines'), ...clusterLabel },
      },
      spec: {
        replicas,
        selector: { matchLabels: { ...clusterLabel, ...machineSetLabel } },
        template: {
          metadata: {
            labels: {
              ...clusterLabel,
              'machine.openshift.io/cluster-api-machine-role': 'worker',
              'machine.openshift.io/cluster-api-machine-type': 'worker',
              ...machineSetLabel,
            },
          },
          spec: {
            metadata: { labels: { ...this.nodeLabels } },
            taints: taints.length > 0 ? [...taints] : undefined,
            providerSpec: {
              value: {
                apiVersion: 'machine.openshift.io/v1beta1',
                kind: 'AWSMachineProviderConfig',
                ami: { id: r.amiId },
                instanceType: this.instanceType,
                // EFA as the primary (only) interface; Machine API maps it to the EC2 interface type "efa".
                networkInterfaceType: 'EFA',
                placement: { availabilityZone: zone, region },
                placementGroupName: placementGroup,
                subnet:
                  'id' in r.subnet
                    ? { id: r.subnet.id }
                    : // The installer's subnet of the zone (installerNames); compare with `oc get machineset -n openshift-machine-api -o yaml`.
                      { filters: [{ name: 'tag:Name', values: [r.subnet.nameTag] }] },
                securityGroups: securityGroups.map(g => ({ filters: [{ name: 'tag:Name', values: [g] }] })),
                iamInstanceProfile: { id: iamProfile },
                // Secret names of the documented AWS MachineSet (openshift-docs modules/machineset-yaml-aws.adoc).
                credentialsSecret: { name: 'aws-cloud-credentials' },
                userDataSecret: { name: 'worker-user-data' },
                deviceIndex: 0,
                blockDevices: [{ ebs: { encrypted: true, volumeSize: rootVolumeSize, volumeType: 'gp3' } }],
                tags: [
                  { name: `kubernetes.io/cluster/${infra}`, value: 'owned' },
                  ...Object.keys(extraTags)
                    .sort()
                    .map(name => ({ name, value: extraTags[name] })),
                ],
              },
            },
          },
        },
      },
    });

    if (autoscaler) {
      new MachineAutoscaler(this, 'Autoscaler', {
        metadata: { name: this.name, namespace: MACHINE_API_NAMESPACE, labels: standardLabels(this, this.name, 'machines') },
        spec: {
          minReplicas: minReplicas!,
          maxReplicas: maxReplicas!,
          scaleTargetRef: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', name: this.name },
        },
      });
    }
  }
}

/** Where the machines go: the cluster's infrastructure id, the zone and its region (checked together). */
function resolvePlacement(where: string, props: EfaMachineSetProps): { infra: string; zone: string; region: string } {
  const infra = checkDnsLabel(where, 'infrastructureId', props.infrastructureId);
  const zone = props.zone;
  if (typeof zone !== 'string' || !/^[a-z]{2}(-[a-z0-9]+)+[a-z]$/.test(zone)) {
    throw new RdmaOptionError(where, 'zone', zone, 'is not an availability zone', 'a zone name such as "us-east-1a"');
  }
  const derived = /^([a-z]{2}-[a-z]+-\d+)[a-z]$/.exec(zone)?.[1];
  const region = props.region ?? derived;
  if (region === undefined) {
    throw new RdmaOptionError(where, 'region', region, `cannot be derived from zone "${zone}"`, 'the zone\'s region, e.g. "us-east-1"');
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new RdmaOptionError(where, 'region', region, 'is not an AWS region', 'a region name such as "us-east-1"');
  }
  if (!zone.startsWith(region)) {
    throw new RdmaOptionError(where, 'zone', zone, `is not in region "${region}"`, `a zone of ${region}`);
  }
  return { infra, zone, region };
}

/** The MachineSet's size: a MachineAutoscaler's bounds, or fixed replicas (never both). */
function resolveScaling(
  where: string,
  props: EfaMachineSetProps,
): { autoscaler?: EfaMachineAutoscalerOptions; minReplicas?: number; maxReplicas?: number; replicas?: number } {
  const autoscaler = props.autoscaler === false ? undefined : (props.autoscaler ?? {});
  const minReplicas = autoscaler ? checkMin(where, autoscaler.minReplicas ?? 2) : undefined;
  const maxReplicas = autoscaler
    ? checkPositiveInt(where, 'autoscaler.maxReplicas', autoscaler.maxReplicas ?? Math.max(4, minReplicas!))
    : undefined;
  if (minReplicas !== undefined && maxReplicas! < minReplicas) {
    throw new RdmaOptionError(
      where,
      'autoscaler.maxReplicas',
      maxReplicas,
      `is below minReplicas ${minReplicas}`,
      `a number of at least ${minReplicas}`,
    );
  }
  if (autoscaler && props.replicas !== undefined) {
    throw new RdmaOptionError(
      where,
      'replicas',
      props.replicas,
      "cannot be set with an autoscaler (the MachineAutoscaler owns the MachineSet's replicas)",
      'unset (size the pool with autoscaler.minReplicas and maxReplicas), or autoscaler: false',
    );
  }
  // machine.openshift.io MachineSet CRD: `replicas` defaults to 1 when unset (../shared/reference crds).
  const replicas = autoscaler ? undefined : props.replicas !== undefined ? checkReplicas(where, props.replicas) : 2;

  return { autoscaler, minReplicas, maxReplicas, replicas };
}

function checkMin(where: string, value: number): number {
  if (value === 0) {
    throw new RdmaOptionError(
      where,
      'autoscaler.minReplicas',
      value,
      'cannot scale EFA machines up from zero',
      'a whole number of at least 1 (the autoscaler cannot see that a new machine would offer vpc.amazonaws.com/efa)',
    );
  }
  return checkPositiveInt(where, 'autoscaler.minReplicas', value);
}

function checkReplicas(where: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RdmaOptionError(where, 'replicas', value, 'is not allowed', 'a whole number of at least 0');
  }
  return value;
}

/** A Go duration as the cluster autoscaler reads it, e.g. `10m`, `30s`, `1h30m`. */
function checkDuration(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || !/^(\d+(h|m|s))+$/.test(value)) {
    throw new RdmaOptionError(where, option, value, 'is not a duration', 'a Go duration such as "10m", "30s" or "1h30m"');
  }
  return value;
}

export interface EfaClusterAutoscalerProps {
  /** Most nodes in the cluster, control plane included (at least all nodes plus every MachineAutoscaler's max). */
  readonly maxNodesTotal: number;
  /**
   * Wait after a node is added before considering scale-down. EFA capacity (`vpc.amazonaws.com/efa`)
   * appears some time after the node joins, so a short delay removes nodes MPI jobs are about to use.
   * @default '10m'
   */
  readonly scaleDownDelayAfterAdd?: string;
  /**
   * How long a node must be unneeded before it is removed.
   * @default '5m'
   */
  readonly scaleDownUnneededTime?: string;
  /**
   * Pods below this priority do not trigger scale-up.
   * @default -10
   */
  readonly podPriorityThreshold?: number;
}

/**
 * The cluster's `ClusterAutoscaler` (a singleton named `default`) with a scale-down delay after add suited to
 * EFA machines (openshift-docs modules/cluster-autoscaler-cr.adoc, machine-autoscaler-cr.adoc; kwozyman/ocp-aws-efa-poc autoscaler.yaml; the proof of concept's values).
 */
export class EfaClusterAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: EfaClusterAutoscalerProps) {
    super(scope, id);
    const where = 'EfaClusterAutoscaler';
    const maxNodesTotal = checkPositiveInt(where, 'maxNodesTotal', props.maxNodesTotal);
    const threshold = props.podPriorityThreshold ?? -10;
    if (!Number.isInteger(threshold)) {
      throw new RdmaOptionError(where, 'podPriorityThreshold', threshold, 'is not a whole number', 'a pod priority such as -10');
    }
    new ClusterAutoscaler(this, 'Resource', {
      metadata: { name: 'default', labels: standardLabels(this, 'default', 'machines') },
      spec: {
        podPriorityThreshold: threshold,
        resourceLimits: { maxNodesTotal },
        scaleDown: {
          enabled: true,
          delayAfterAdd: checkDuration(where, 'scaleDownDelayAfterAdd', props.scaleDownDelayAfterAdd ?? '10m'),
          delayAfterDelete: '5m',
          delayAfterFailure: '30s',
          unneededTime: checkDuration(where, 'scaleDownUnneededTime', props.scaleDownUnneededTime ?? '5m'),
        },
      },
    });
  }
}
