import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import efaData from '../data/efa-instance-types.json';
import { RdmaOptionError } from '../errors';
import { ResourceRequirements, Toleration, toPullSecrets, toResources, toTolerations } from '../kube';
import { defaultNamespace, selectorLabels, standardLabels } from '../labels';
import {
  checkAnnotations,
  checkedResources,
  checkedTolerations,
  checkDnsLabel,
  checkDnsSubdomain,
  checkImage,
  checkLabels,
  checkNonEmpty,
  checkOneOf,
} from '../validate';
import { EFA_DEVICE_PLUGIN, EKS_ADDON_REGISTRY_ACCOUNTS, efaDevicePluginImage } from '../versions';

const WHERE = 'EfaDevicePlugin';

/** EC2 instance types that support EFA: the project's dated copy (see src/data/efa-instance-types.json). */
export const EFA_INSTANCE_TYPES: readonly string[] = efaData.instanceTypes;

/**
 * The plugin container's resources unless set: the requests of the eks-charts chart (aws/eks-charts
 * stable/aws-efa-k8s-device-plugin values.yaml @5239609: requests 10m/20Mi, no limits) and our
 * 100Mi memory limit (the chart sets none; see the CHANGELOG).
 */
export const EFA_DEVICE_PLUGIN_RESOURCES: ResourceRequirements = { requests: { cpu: '10m', memory: '20Mi' }, limits: { memory: '100Mi' } };

/** How the device plugin DaemonSet chooses its nodes. */
export type EfaNodeTargeting = 'instance-types' | 'node-labels' | 'none';
export const EFA_NODE_TARGETING_MODES: readonly EfaNodeTargeting[] = ['instance-types', 'node-labels', 'none'];

/**
 * Whose DaemonSet the plugin takes the place of, keeping that object's name and selector so that applying
 * the bundle updates it in place (a DaemonSet's `spec.selector` is immutable: another selector under the
 * same name fails with `spec.selector: field is immutable`).
 * - `none`: our own object, `aws-efa-k8s-device-plugin` selected by the `app.kubernetes.io` name and instance.
 * - `eks-charts`: the aws/eks-charts `aws-efa-k8s-device-plugin` chart's DaemonSet: named by the chart's
 *   fullname helper from `helmRelease`, selector `name: <fullname>` (templates/_helpers.tpl, daemonset.yaml).
 * - `eksctl`: the DaemonSet eksctl installs for `efaEnabled` node groups: `aws-efa-k8s-device-plugin-daemonset`,
 *   selector `name: aws-efa-k8s-device-plugin` (eksctl-io/eksctl pkg/addons/assets/efa-device-plugin.yaml).
 */
export type EfaDevicePluginAdoption = 'none' | 'eks-charts' | 'eksctl';
export const EFA_DEVICE_PLUGIN_ADOPTIONS: readonly EfaDevicePluginAdoption[] = ['none', 'eks-charts', 'eksctl'];

/** The eks-charts chart's name (`Chart.yaml` `name`), which its fullname helper appends to the release name. */
export const EKS_CHARTS_EFA_CHART = 'aws-efa-k8s-device-plugin';
/**
 * The DaemonSet name and selector of eksctl's embedded EFA device plugin manifest: eksctl-io/eksctl
 * `pkg/addons/assets/efa-device-plugin.yaml` as read at commit 09dd74f, the same as aws-samples/aws-efa-eks
 * `manifest/efa-k8s-device-plugin.yml` (aws-samples/aws-efa-eks manifest/efa-k8s-device-plugin.yml @9d6557e). [UNVERIFIED for current eksctl: eksctl-io/eksctl
 * pkg/addons/assets/efa-device-plugin.yaml read at 99984ad names the object `aws-efa-k8s-device-plugin`; the README says how to check.]
 */
export const EKSCTL_EFA_DAEMONSET = {
  name: 'aws-efa-k8s-device-plugin-daemonset',
  selector: { name: 'aws-efa-k8s-device-plugin' },
} as const;
/**
 * The node affinity expression that keeps the plugin off EKS Auto Mode nodes, which run their own
 * (aws/eks-charts daemonset.yaml, added in PR #1182, 2024-11-20; aws/eks-charts stable/aws-efa-k8s-device-plugin templates/daemonset.yaml @5239609).
 */
export const EKS_AUTO_MODE_EXCLUSION = { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['auto'] } as const;

/**
 * The eks-charts chart's DaemonSet name for a release: its `fullname` helper (the release name if it contains
 * the chart name, else `<release>-<chart>`, cut to 63 characters without a trailing `-`).
 */
export function eksChartsFullname(release: string): string {
  const full = release.includes(EKS_CHARTS_EFA_CHART) ? release : `${release}-${EKS_CHARTS_EFA_CHART}`;
  return full.slice(0, 63).replace(/-+$/, '');
}

/** DaemonSet update strategy, as in a DaemonSetSpec. */
export interface DaemonSetUpdateStrategy {
  readonly type: 'RollingUpdate' | 'OnDelete';
  readonly rollingUpdate?: { readonly maxUnavailable?: number | string; readonly maxSurge?: number | string };
}

export interface EfaDevicePluginProps {
  /**
   * Name of the DaemonSet and of its pod selector label. Part of the selector: never change it on a
   * running cluster. Not with `adopt`, which names the object it takes over.
   * @default 'aws-efa-k8s-device-plugin'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly name?: string;
  /**
   * Namespace of the DaemonSet (upstream runs it in kube-system, at system-node-critical priority). Unset, the
   * namespace of the enclosing Chart if it has one.
   * @default 'kube-system'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Take the place of a plugin the cluster already runs, in place: `eks-charts` (a Helm install of the
   * aws/eks-charts chart, named from `helmRelease`), `eksctl` (the plugin eksctl installs for `efaEnabled`
   * node groups), or `none` (our own object). Two plugins registering `vpc.amazonaws.com/efa` on one node
   * must not run side by side.
   * @default 'none'
   */
  readonly adopt?: EfaDevicePluginAdoption;
  /**
   * Release name of the eks-charts install `adopt: 'eks-charts'` takes over (the EKS user guide installs it as
   * `aws-efa-k8s-device-plugin`, the chart README as `efa`).
   * @default 'aws-efa-k8s-device-plugin'
   */
  readonly helmRelease?: string;
  /**
   * Also run on EKS Auto Mode nodes (`eks.amazonaws.com/compute-type: auto`). Auto Mode nodes run their own
   * EFA plugin, so by default they are excluded, as the eks-charts chart does.
   * @default false
   */
  readonly includeAutoModeNodes?: boolean;
  /**
   * AWS region whose EKS add-on ECR registry serves the image. Nodes pull it with the node IAM role
   * (AmazonEC2ContainerRegistryReadOnly).
   * @default 'us-west-2'
   */
  readonly imageRegion?: string;
  /**
   * Image tag of the plugin.
   * @default 'v0.5.20' (appVersion of the aws/eks-charts chart)
   */
  readonly imageTag?: string;
  /**
   * Full image reference; overrides imageRegion and imageTag (for mirrors and regions without a known registry).
   * @default - the regional EKS registry image for imageRegion and imageTag
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * How the DaemonSet chooses nodes: `instance-types` (node affinity on an allowlist of EFA-capable types),
   * `node-labels` (a nodeSelector on labels your node groups set when EFA is really attached), or `none`.
   * @default 'instance-types'
   */
  readonly nodeTargeting?: EfaNodeTargeting;
  /**
   * Allowlist for `instance-types` targeting; each must be on the project's EFA instance list.
   * @default - every type on the EFA instance list (303 types, eks-charts 2026-08-03)
   */
  readonly instanceTypes?: string[];
  /**
   * Instance types to allow in addition, without checking them against the list (types newer than the list).
   * @default []
   */
  readonly additionalInstanceTypes?: string[];
  /**
   * Node label keys that carry the instance type; one node selector term per key (eks-charts `supportedInstanceLabels.keys`).
   * @default ['node.kubernetes.io/instance-type']
   */
  readonly instanceTypeLabelKeys?: string[];
  /**
   * Node labels for `node-labels` targeting, e.g. `{ 'vpc.amazonaws.com/efa': 'enabled' }`. Required in that mode.
   * @default - none
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Extra nodeSelector, ANDed with the targeting above (eks-charts `nodeSelector`).
   * @default {}
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations added to `CriticalAddonsOnly` and `aws.amazon.com/efa:NoSchedule`, e.g. a GPU taint
   * `{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }`.
   * @default []
   */
  readonly tolerations?: Toleration[];
  /**
   * Run the plugin privileged as root with `/opt/aws/neuron` mounted, as the eks-charts chart does since
   * 2025-09 (needed for EFA/GPU/Neuron topology alignment on p5, trn). Off: non-privileged, all capabilities dropped.
   * @default false
   */
  readonly privileged?: boolean;
  /**
   * Container resources. The requests are upstream's (eks-charts values); upstream sets no limits, so the memory
   * limit is our sizing (not an upstream figure), the same ceiling as our RDMA shared device plugin's.
   * @default { requests: { cpu: '10m', memory: '20Mi' }, limits: { memory: '100Mi' } }
   */
  readonly resources?: ResourceRequirements;
  /**
   * DaemonSet update strategy.
   * @default { type: 'RollingUpdate' }
   */
  readonly updateStrategy?: DaemonSetUpdateStrategy;
  /**
   * Extra pod labels (eks-charts `additionalPodLabels`).
   * @default {}
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Extra pod annotations (eks-charts `additionalPodAnnotations`).
   * @default {}
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Names of image pull secrets in the plugin's namespace (for mirrors; ECR on EKS uses the node role).
   * @default []
   */
  readonly imagePullSecrets?: string[];
  /**
   * ServiceAccount the pods run as; the plugin makes no API calls, so its token is never mounted.
   * @default - the namespace's default ServiceAccount
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   * @maxLength 253
   */
  readonly serviceAccountName?: string;
  /**
   * SELinux type of the plugin container (`securityContext.seLinuxOptions.type`), for SELinux-enforcing
   * nodes such as RHCOS where the default `container_t` may not create the kubelet socket.
   * @default - the runtime's default type
   */
  readonly seLinuxType?: string;
}

/**
 * The AWS EFA Kubernetes device plugin: a DaemonSet that advertises `vpc.amazonaws.com/efa` on EFA nodes.
 *
 * Shape per aws-samples/aws-efa-eks `manifest/efa-k8s-device-plugin.yml` and aws/eks-charts
 * `stable/aws-efa-k8s-device-plugin` (aws-samples/aws-efa-eks manifest/efa-k8s-device-plugin.yml @9d6557e; aws/eks-charts stable/aws-efa-k8s-device-plugin @5239609).
 */
export class EfaDevicePlugin extends Construct {
  /** The resource name pods request. */
  public static readonly RESOURCE_NAME = EFA_DEVICE_PLUGIN.resourceName;

  public readonly name: string;
  public readonly namespace: string;
  public readonly image: string;
  public readonly daemonSet: ApiObject;

  constructor(scope: Construct, id: string, props: EfaDevicePluginProps = {}) {
    super(scope, id);
    const adopt = checkOneOf(WHERE, 'adopt', props.adopt ?? 'none', EFA_DEVICE_PLUGIN_ADOPTIONS);
    if (adopt !== 'none' && props.name !== undefined) {
      throw new RdmaOptionError(
        WHERE,
        'name',
        props.name,
        `cannot be set with adopt "${adopt}" (the adopted object's name is used)`,
        'unset, or adopt "none"',
      );
    }
    if (adopt !== 'eks-charts' && props.helmRelease !== undefined) {
      throw new RdmaOptionError(
        WHERE,
        'helmRelease',
        props.helmRelease,
        `only applies to adopt "eks-charts" (adopt is "${adopt}")`,
        'unset, or adopt "eks-charts"',
      );
    }
    const release = checkDnsLabel(WHERE, 'helmRelease', props.helmRelease ?? EKS_CHARTS_EFA_CHART);
    this.name =
      adopt === 'eks-charts'
        ? eksChartsFullname(release)
        : adopt === 'eksctl'
          ? EKSCTL_EFA_DAEMONSET.name
          : checkDnsLabel(WHERE, 'name', props.name ?? 'aws-efa-k8s-device-plugin');
    this.namespace = checkDnsLabel(WHERE, 'namespace', props.namespace ?? defaultNamespace(this, 'kube-system'));
    this.image = resolveImage(props);
    const privileged = props.privileged ?? false;

    // The selector of the adopted object, or ours; never anything that changes per release.
    const selector: Record<string, string> =
      adopt === 'eks-charts'
        ? { name: this.name }
        : adopt === 'eksctl'
          ? { ...EKSCTL_EFA_DAEMONSET.selector }
          : selectorLabels(this, this.name);
    const labels =
      adopt === 'eks-charts'
        ? // The chart's name and instance labels (its _helpers.tpl), so selectors over them keep matching.
          {
            ...standardLabels(this, this.name, 'device-plugin'),
            'app.kubernetes.io/name': EKS_CHARTS_EFA_CHART,
            'app.kubernetes.io/instance': release,
          }
        : standardLabels(this, this.name, 'device-plugin');
    const podLabels = { ...checkLabels(WHERE, 'podLabels', props.podLabels ?? {}), ...selectorLabels(this, this.name), ...selector };
    const targeting = efaNodeTargeting(WHERE, props);
    const nodeSelector = { ...targeting.nodeSelector, ...checkLabels(WHERE, 'nodeSelector', props.nodeSelector ?? {}) };

    const volumes: k8s.Volume[] = [
      // kubelet's device-plugin socket directory: the plugin registers here (aws-samples/aws-efa-eks
      // manifest/efa-k8s-device-plugin.yml @9d6557e; the same path in eks-charts stable/aws-efa-k8s-device-plugin).
      { name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } },
      // EFA verbs devices (uverbsN); required since plugin v0.5.x (eks-charts PR #1069).
      { name: 'infiniband-volume', hostPath: { path: '/dev/infiniband' } },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' },
      { name: 'infiniband-volume', mountPath: '/dev/infiniband' },
    ];
    if (privileged) {
      // Neuron device info for EFA/Neuron topology alignment (eks-charts PR #1245).
      volumes.push({ name: 'neuron-volume', hostPath: { path: '/opt/aws/neuron', type: 'DirectoryOrCreate' } });
      mounts.push({ name: 'neuron-volume', mountPath: '/opt/aws/neuron' });
    }

    this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels,
      },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: toUpdateStrategy(props.updateStrategy ?? { type: 'RollingUpdate' }),
        template: {
          metadata: {
            labels: podLabels,
            annotations:
              props.podAnnotations && Object.keys(props.podAnnotations).length > 0
                ? { ...checkAnnotations(WHERE, 'podAnnotations', props.podAnnotations) }
                : undefined,
          },
          spec: {
            serviceAccountName:
              props.serviceAccountName !== undefined ? checkDnsSubdomain(WHERE, 'serviceAccountName', props.serviceAccountName) : undefined,
            // The plugin talks to kubelet over its socket, never to the API server (eks-charts PR #1222).
            automountServiceAccountToken: false,
            priorityClassName: 'system-node-critical',
            // Upstream runs the plugin in the host network namespace (all anchors).
            hostNetwork: true,
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { key: 'aws.amazon.com/efa', operator: 'Exists', effect: 'NoSchedule' },
              ...toTolerations(checkedTolerations(WHERE, 'tolerations', props.tolerations ?? [])),
            ],
            nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
            affinity: targeting.affinity,
            imagePullSecrets: toPullSecrets(
              (props.imagePullSecrets ?? []).map((n, i) => checkDnsSubdomain(WHERE, `imagePullSecrets[${i}]`, n)),
            ),
            containers: [
              {
                name: 'aws-efa-k8s-device-plugin',
                image: this.image,
                securityContext: privileged
                  ? // eks-charts values since 2025-09 (PR #1245): privileged root for topology discovery.
                    { allowPrivilegeEscalation: true, privileged: true, runAsNonRoot: false, runAsUser: 0 }
                  : // aws-efa-eks manifest / eksctl: no privileges, but root (runAsNonRoot true broke it: eksctl #6222).
                    {
                      allowPrivilegeEscalation: false,
                      capabilities: { drop: ['ALL'] },
                      runAsNonRoot: false,
                      seLinuxOptions: props.seLinuxType !== undefined ? { type: checkSeLinuxType(props.seLinuxType) } : undefined,
                    },
                resources: toResources(checkedResources(WHERE, 'resources', props.resources ?? EFA_DEVICE_PLUGIN_RESOURCES)),
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    });
  }
}

function checkSeLinuxType(value: string): string {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9_]*_t$/.test(value)) {
    throw new RdmaOptionError(
      WHERE,
      'seLinuxType',
      value,
      'is not an SELinux type',
      'a type name such as "spc_t" or "container_device_plugin_t"',
    );
  }
  return value;
}

function toUpdateStrategy(u: DaemonSetUpdateStrategy): k8s.DaemonSetUpdateStrategy {
  checkOneOf(WHERE, 'updateStrategy.type', u.type, ['RollingUpdate', 'OnDelete']);
  const intOrString = (v?: number | string) =>
    v === undefined ? undefined : typeof v === 'number' ? k8s.IntOrString.fromNumber(v) : k8s.IntOrString.fromString(v);
  return {
    type: u.type,
    rollingUpdate: u.rollingUpdate
      ? { maxUnavailable: intOrString(u.rollingUpdate.maxUnavailable), maxSurge: intOrString(u.rollingUpdate.maxSurge) }
      : undefined,
  };
}

function resolveImage(props: EfaDevicePluginProps): string {
  if (props.image !== undefined) return checkImage(WHERE, 'image', props.image);
  const region = props.imageRegion ?? EFA_DEVICE_PLUGIN.defaultRegion;
  const tag = checkNonEmpty(WHERE, 'imageTag', props.imageTag ?? EFA_DEVICE_PLUGIN.tag);
  const image = efaDevicePluginImage(region, tag);
  if (!image) {
    throw new RdmaOptionError(
      WHERE,
      'imageRegion',
      region,
      'has no known EKS add-on registry',
      `one of ${Object.keys(EKS_ADDON_REGISTRY_ACCOUNTS).sort().join(', ')}; or set image to a full reference`,
    );
  }
  return checkImage(WHERE, 'imageTag', image);
}

/** Where a node agent for EFA devices runs: a nodeSelector and, for instance-type targeting, a node affinity. */
export interface EfaNodeTargetingResult {
  readonly nodeSelector: Record<string, string>;
  readonly affinity?: k8s.Affinity;
}
type Targeting = EfaNodeTargetingResult;

/** The targeting options the device plugin and the EFA DRA driver share (they describe the EFA nodes). */
export type EfaNodeTargetingOptions = Pick<
  EfaDevicePluginProps,
  'nodeTargeting' | 'nodeLabels' | 'instanceTypes' | 'additionalInstanceTypes' | 'instanceTypeLabelKeys' | 'includeAutoModeNodes'
>;

/**
 * The EFA nodes as the targeting options select them (checked; errors name `where` and the option), without
 * EKS Auto Mode nodes unless `includeAutoModeNodes`.
 */
export function efaNodeTargeting(where: string, props: EfaNodeTargetingOptions): EfaNodeTargetingResult {
  const t = targetNodes(where, props);
  if (props.includeAutoModeNodes ?? false) return t;
  // Auto Mode nodes run their own plugin: one more expression in every term (terms are ORed, expressions ANDed).
  const terms = t.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [{ matchExpressions: [] }];
  return {
    nodeSelector: t.nodeSelector,
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: terms.map(term => ({
            ...term,
            matchExpressions: [
              ...(term.matchExpressions ?? []),
              { ...EKS_AUTO_MODE_EXCLUSION, values: [...EKS_AUTO_MODE_EXCLUSION.values] },
            ],
          })),
        },
      },
    },
  };
}

function targetNodes(where: string, props: EfaNodeTargetingOptions): Targeting {
  const mode = checkOneOf(where, 'nodeTargeting', props.nodeTargeting ?? 'instance-types', EFA_NODE_TARGETING_MODES);
  if (mode === 'node-labels') {
    const labels = props.nodeLabels ?? {};
    if (Object.keys(labels).length === 0) {
      throw new RdmaOptionError(
        where,
        'nodeLabels',
        props.nodeLabels,
        'is required when nodeTargeting is "node-labels"',
        'a map of node labels your EFA node groups set, e.g. {"vpc.amazonaws.com/efa": "enabled"}',
      );
    }
    return { nodeSelector: checkLabels(where, 'nodeLabels', labels) };
  }
  if (mode === 'none') return { nodeSelector: {} };

  const known = new Set(EFA_INSTANCE_TYPES);
  const listed = props.instanceTypes ?? [...EFA_INSTANCE_TYPES];
  if (listed.length === 0 && (props.additionalInstanceTypes ?? []).length === 0) {
    throw new RdmaOptionError(
      where,
      'instanceTypes',
      listed,
      'is empty',
      'at least one EFA-capable instance type, or nodeTargeting "none"',
    );
  }
  listed.forEach((t, i) => {
    if (!known.has(t)) {
      throw new RdmaOptionError(
        where,
        `instanceTypes[${i}]`,
        t,
        'does not support EFA',
        `an instance type on the EFA instance list (${EFA_INSTANCE_TYPES.length} types, ${efaData.sourceDate}); list newer types in additionalInstanceTypes`,
      );
    }
  });
  const extra = props.additionalInstanceTypes ?? [];
  extra.forEach((t, i) => checkNonEmpty(where, `additionalInstanceTypes[${i}]`, t));
  const values = [...new Set([...listed, ...extra])];
  const keys = props.instanceTypeLabelKeys ?? ['node.kubernetes.io/instance-type'];
  if (keys.length === 0) {
    throw new RdmaOptionError(
      where,
      'instanceTypeLabelKeys',
      keys,
      'is empty',
      'at least one node label key, e.g. "node.kubernetes.io/instance-type"',
    );
  }
  keys.forEach((k, i) => checkLabels(where, `instanceTypeLabelKeys[${i}]`, { [k]: '' }));
  return {
    nodeSelector: {},
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: keys.map(key => ({ matchExpressions: [{ key, operator: 'In', values }] })),
        },
      },
    },
  };
}
