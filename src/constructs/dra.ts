import { ApiObject, JsonPatch } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { RdmaOptionError } from '../errors';
import { ResourceRequirements, Toleration, toPullSecrets, toResources, toTolerations } from '../kube';
import { defaultNamespace, selectorLabels, standardLabels } from '../labels';
import {
  FIELD_RULES,
  checkDnsLabel,
  checkDnsSubdomain,
  checkedResources,
  checkedTolerations,
  checkImage,
  checkLabels,
  checkNonEmpty,
  checkOneOf,
  checkPositiveInt,
} from '../validate';
import { AWS_DRANET, DRANET } from '../versions';

/*
 * Dynamic Resource Allocation (DRA): a driver publishes devices in ResourceSlices, a DeviceClass selects some
 * of them by CEL, and a pod's ResourceClaim (here from a ResourceClaimTemplate) asks for devices of a class.
 * Objects and fields: resource.k8s.io/v1 DeviceClass, ResourceClaimTemplate, PodSpec.resourceClaims and
 * ResourceRequirements.claims in the Kubernetes v1.36.0 OpenAPI definitions (kubernetes/kubernetes
 * api/openapi-spec/swagger.json, v1.36.0); resource.k8s.io/v1 is served from Kubernetes 1.34, where DRA is GA
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/dynamic-resource-allocation/).
 */

/** The DRA API group version the objects use. */
export const DRA_API_VERSION = 'resource.k8s.io/v1';
/** The first Kubernetes minor version that serves resource.k8s.io/v1 (DRA GA). */
export const DRA_MIN_KUBERNETES = '1.34';
/** The driver name dranet (and aws-dranet) publishes devices under (kubernetes-sigs/dranet pkg/driver, `dra.net`). */
export const DRANET_DRIVER = 'dra.net';

/**
 * The EFA DeviceClass of aws-dranet, name and CEL exactly as aws/eks-charts stable/aws-dranet
 * templates/deviceclass.yaml @5239609 (identical in kubernetes-sigs/dranet
 * examples/aws_eks_examples/gpu-efa/device-class.yaml @286aa7e). The string is the pci.ids product name of
 * every EFA device id (1d0f:efa0..efa4, pciutils/pciids pci.ids @c1c1254).
 */
export const EFA_DEVICE_CLASS = {
  name: 'efa.networking.k8s.aws',
  expression: 'device.driver == "dra.net" &&\ndevice.attributes["dra.net"].pciDevice == \'Elastic Fabric Adapter (EFA)\'\n',
  /** aws-dranet's `--filter` (stable/aws-dranet values.yaml `filter`): publish EFA devices only (not ENA, veth). */
  driverFilter: '"dra.net/pciDevice" in attributes && attributes["dra.net/pciDevice"].StringValue == "Elastic Fabric Adapter (EFA)"',
} as const;

/**
 * The RDMA DeviceClass for InfiniBand with dranet: devices of driver dra.net with `rdma == true`, the two
 * selectors of kubernetes-sigs/dranet examples/mpi_operator/dra_resources.yaml (DeviceClass
 * dranet-rdma-for-mpi) @f258477. The name is ours.
 */
export const RDMA_DEVICE_CLASS = {
  name: 'infiniband-rdma',
  expressions: [`device.driver == "${DRANET_DRIVER}"`, 'device.attributes["dra.net"].rdma == true'],
} as const;

/** The NVIDIA GPU DRA driver's DeviceClass (kubernetes-sigs/dranet examples/aws_eks_examples/gpu-efa/resource-claim-template.yaml @f258477). */
export const NVIDIA_GPU_DEVICE_CLASS = 'gpu.nvidia.com';
/** The standard device attribute for the PCIe root a device hangs off (same example: `matchAttribute`). */
export const PCIE_ROOT_ATTRIBUTE = 'resource.kubernetes.io/pcieRoot';

/** The name, in the pod, of the claim the workloads take their RDMA devices from. */
export const DEVICE_CLAIM_NAME = 'rdma-devices';

/** A pod's claim from a ResourceClaimTemplate: `spec.resourceClaims[]` and the containers' `resources.claims[]`. */
export interface DeviceClaim {
  /** The claim's name in the pod. */
  readonly name: string;
  /** The ResourceClaimTemplate (same namespace) each pod's claim is made from. */
  readonly template: string;
}

/** The claim a workload with `deviceClaimTemplate` uses (checked). */
export function deviceClaim(where: string, option: string, template: string | undefined): DeviceClaim | undefined {
  return template === undefined ? undefined : { name: DEVICE_CLAIM_NAME, template: checkDnsSubdomain(where, option, template) };
}

/**
 * `rdmaResource` (a device plugin's resource) and a device claim exclude each other: the claim gives the
 * devices (`gives`: "the device" for a one-device pod).
 */
export function refuseRdmaResourceWithClaim(
  where: string,
  rdmaResource: string | undefined,
  claimed: boolean,
  gives: 'the device' | 'the devices' = 'the devices',
): void {
  if (claimed && rdmaResource !== undefined) {
    throw new RdmaOptionError(
      where,
      'rdmaResource',
      rdmaResource,
      `does not apply with deviceClaimTemplate (the claim gives ${gives})`,
      'unset, or deviceClaimTemplate unset',
    );
  }
}

/** `resources.claims` of a container that uses the claim. */
export function containerClaims(c: DeviceClaim): k8s.ResourceClaim[] {
  return [{ name: c.name }];
}

/**
 * Adds `resourceClaims` (resource.k8s.io/v1 shape: `name` with `resourceClaimTemplateName`) to the pod spec at
 * `podSpecPointer` of `obj`. A JSON patch: the Kubernetes 1.27 L1 classes know only the alpha `source` form.
 */
export function addPodClaims(obj: ApiObject, podSpecPointer: string, c: DeviceClaim | undefined): void {
  if (c) obj.addJsonPatch(JsonPatch.add(`${podSpecPointer}/resourceClaims`, [{ name: c.name, resourceClaimTemplateName: c.template }]));
}

/** Refuses DRA below the version that serves resource.k8s.io/v1. */
export function checkDraKubernetesVersion(where: string, option: string, version: string): void {
  const [major, minor] = version.split('.').map(Number);
  const [minMajor, minMinor] = DRA_MIN_KUBERNETES.split('.').map(Number);
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    throw new RdmaOptionError(
      where,
      option,
      version,
      `is too old for deviceApi "dra" (resource.k8s.io/v1 is served from Kubernetes ${DRA_MIN_KUBERNETES})`,
      `"${DRA_MIN_KUBERNETES}" or later, or deviceApi "device-plugin"`,
    );
  }
}

/** A Kubernetes minor version, `<major>.<minor>` (e.g. "1.34"). */
export function checkKubernetesVersion(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || !new RegExp(FIELD_RULES.kubernetesVersion.pattern).test(value)) {
    throw new RdmaOptionError(where, option, value, FIELD_RULES.kubernetesVersion.problem, FIELD_RULES.kubernetesVersion.allowed);
  }
  return value;
}

export interface DraDeviceClassProps {
  /**
   * Name of the DeviceClass (cluster-scoped) that claims name in `deviceClassName`.
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   */
  readonly name: string;
  /** CEL expressions over `device`; a device is in the class when every one is true. */
  readonly expressions: readonly string[];
}

/** A DeviceClass (resource.k8s.io/v1): the devices a claim may get, selected by CEL. */
export class DraDeviceClass extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: DraDeviceClassProps) {
    super(scope, id);
    const where = 'DraDeviceClass';
    this.name = checkDnsSubdomain(where, 'name', props.name);
    if (props.expressions.length === 0)
      throw new RdmaOptionError(where, 'expressions', props.expressions, 'is empty', 'at least one CEL expression');
    props.expressions.forEach((e, i) => checkNonEmpty(where, `expressions[${i}]`, e));
    new ApiObject(this, 'Resource', {
      apiVersion: DRA_API_VERSION,
      kind: 'DeviceClass',
      metadata: { name: this.name, labels: standardLabels(this, this.name, 'device-class') },
      spec: { selectors: props.expressions.map(expression => ({ cel: { expression } })) },
    });
  }
}

export interface DeviceClaimTemplateProps {
  /**
   * Name of the ResourceClaimTemplate, which pods name in `resourceClaimTemplateName`.
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   */
  readonly name: string;
  /**
   * Namespace (that of the pods using it). Unset, the namespace of the Chart, else rdma-benchmarks.
   * @default 'rdma-benchmarks'
   */
  readonly namespace?: string;
  /** DeviceClass of the network devices (EFA, RDMA NICs). */
  readonly deviceClassName: string;
  /**
   * Network devices each claim gets.
   * @default 1
   */
  readonly count?: number;
  /**
   * GPUs each claim gets with the network devices, from `gpuDeviceClassName`. 0: a NIC-only claim.
   * @default 0
   */
  readonly gpus?: number;
  /**
   * DeviceClass of the GPUs (the NVIDIA DRA driver's).
   * @default 'gpu.nvidia.com'
   */
  readonly gpuDeviceClassName?: string;
  /**
   * With GPUs: GPUs and NICs on shared PCIe roots (`matchAttribute: resource.kubernetes.io/pcieRoot`), so
   * GPUDirect RDMA takes the short path. The devices split into min(gpus, count) groups, each of equal GPUs
   * and NICs on one root (8 GPUs and 32 EFA: 8 groups of 1 GPU and 4 EFA), of at most 2 GPUs. Off: any GPUs
   * and NICs of the node.
   * @default - true when the counts allow it (see canAlign), else false
   */
  readonly alignGpus?: boolean;
}

/**
 * A ResourceClaimTemplate (resource.k8s.io/v1): every pod that names it gets its own claim for `count` network
 * devices of a class and, with `gpus`, GPUs in the same claim, aligned on one PCIe root unless `alignGpus` is
 * off (the request and constraint layout of kubernetes-sigs/dranet
 * examples/aws_eks_examples/gpu-efa/resource-claim-template.yaml @f258477, `gpu-efa-aligned`).
 */
export class DeviceClaimTemplate extends Construct {
  public readonly name: string;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DeviceClaimTemplateProps) {
    super(scope, id);
    const where = 'DeviceClaimTemplate';
    this.name = checkDnsSubdomain(where, 'name', props.name);
    this.namespace = checkDnsLabel(where, 'namespace', props.namespace ?? defaultNamespace(this, 'rdma-benchmarks'));
    const deviceClassName = checkDnsSubdomain(where, 'deviceClassName', props.deviceClassName);
    const count = checkPositiveInt(where, 'count', props.count ?? 1);
    const gpus = props.gpus ?? 0;
    if (!Number.isInteger(gpus) || gpus < 0)
      throw new RdmaOptionError(where, 'gpus', gpus, 'is not a whole number of GPUs', 'a whole number, 0 for a NIC-only claim');
    const gpuClass = checkDnsSubdomain(where, 'gpuDeviceClassName', props.gpuDeviceClassName ?? NVIDIA_GPU_DEVICE_CLASS);
    if (gpus === 0 && props.alignGpus !== undefined) {
      throw new RdmaOptionError(
        where,
        'alignGpus',
        props.alignGpus,
        'only applies to claims with GPUs (gpus is 0)',
        'unset, or gpus of 1 or more',
      );
    }
    const align = gpus > 0 && resolveAlignment(where, 'count', gpus, count, props.alignGpus, 'NIC');
    // Aligned, the devices split into groups, one per PCIe root: min(gpus, nics) groups of equal GPUs and NICs
    // (p5: 8 of 1 GPU + 4 EFA; p4d: 4 of 2 GPUs + 1 EFA), each group's requests under one constraint.
    const groups = align ? Math.min(gpus, count) : 1;
    const suffix = (i: number) => (groups === 1 ? '' : `-${i}`);
    const requests = [...Array(groups).keys()].flatMap(i => [
      ...(gpus > 0 ? [{ name: `gpu${suffix(i)}`, exactly: { deviceClassName: gpuClass, count: gpus / groups } }] : []),
      { name: `nic${suffix(i)}`, exactly: { deviceClassName, count: count / groups } },
    ]);
    const constraints = align
      ? [...Array(groups).keys()].map(i => ({ requests: [`gpu${suffix(i)}`, `nic${suffix(i)}`], matchAttribute: PCIE_ROOT_ATTRIBUTE }))
      : undefined;
    new ApiObject(this, 'Resource', {
      apiVersion: DRA_API_VERSION,
      kind: 'ResourceClaimTemplate',
      metadata: { name: this.name, namespace: this.namespace, labels: standardLabels(this, this.name, 'device-claim') },
      spec: {
        spec: {
          devices: {
            requests,
            constraints,
          },
        },
      },
    });
  }
}

/**
 * How many PCIe-root groups an aligned claim of `gpus` GPUs and `nics` NICs splits into: min(gpus, nics), each of
 * equal GPUs and NICs; refused (naming `option`, the NIC count) when they do not split evenly.
 */
export function alignmentGroups(where: string, option: string, gpus: number, nics: number): number {
  const groups = Math.min(gpus, nics);
  if (gpus % groups !== 0 || nics % groups !== 0) {
    throw new RdmaOptionError(
      where,
      option,
      nics,
      `cannot be split evenly with ${gpus} GPUs for alignment (${groups} PCIe-root groups)`,
      'a NIC count that the GPU count divides or that divides it, or alignGpus false',
    );
  }
  return groups;
}

/**
 * Most GPUs that share a PCIe root with a NIC on the EFA GPU instances: 2 on p4d.24xlarge (4 EFA on 4 roots, 2
 * GPUs each: kubernetes-sigs/dranet examples/aws_eks_examples/gpu-efa/README.md @f258477). A group with more
 * GPUs per NIC cannot be allocated on such nodes.
 */
export const MAX_ALIGNED_GPUS_PER_GROUP = 2;

/**
 * Whether `gpus` GPUs and `nics` NICs can be claimed aligned: they split evenly into min(gpus, nics) groups of at
 * most MAX_ALIGNED_GPUS_PER_GROUP GPUs.
 */
export function canAlign(gpus: number, nics: number): boolean {
  const groups = Math.min(gpus, nics);
  return gpus % groups === 0 && nics % groups === 0 && gpus / groups <= MAX_ALIGNED_GPUS_PER_GROUP;
}

/**
 * Whether a claim of `gpus` GPUs and `nics` NICs is aligned: as asked (`alignGpus`), else when the counts allow
 * it (canAlign). Asked for counts that cannot be aligned, refused naming `option`, the NIC count (`nicWord`
 * says what a NIC is: "EFA device", "HCA").
 */
export function resolveAlignment(
  where: string,
  option: string,
  gpus: number,
  nics: number,
  alignGpus: boolean | undefined,
  nicWord: string,
): boolean {
  const align = alignGpus ?? canAlign(gpus, nics);
  if (align && !canAlign(gpus, nics)) {
    alignmentGroups(where, option, gpus, nics);
    throw new RdmaOptionError(
      where,
      option,
      nics,
      `puts more than ${MAX_ALIGNED_GPUS_PER_GROUP} of the ${gpus} GPUs on one PCIe root with each ${nicWord}`,
      `at least half as many ${nicWord}s as GPUs, or alignGpus false`,
    );
  }
  return align;
}

/** Which dranet build and layout: aws-dranet as eks-charts deploys it, or upstream dranet as its own Helm chart does. */
export type DranetVariant = 'aws' | 'upstream';
export const DRANET_VARIANTS: readonly DranetVariant[] = ['aws', 'upstream'];

export interface DranetDriverProps {
  /**
   * `aws`: aws-dranet (EFA; the eks-charts stable/aws-dranet layout: unprivileged, `--cloud-provider-hint=AWS`,
   * the EFA filter). `upstream`: kubernetes-sigs/dranet (its Helm chart's layout: privileged).
   * @default 'upstream'
   */
  readonly variant?: DranetVariant;
  /**
   * Name of the DaemonSet, ServiceAccount, ClusterRole and ClusterRoleBinding.
   * @default 'aws-dranet' (variant aws) or 'dranet'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly name?: string;
  /**
   * Namespace of the DaemonSet and its ServiceAccount (both charts install into kube-system).
   * @default 'kube-system'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * The driver image.
   * @default - aws-dranet v1.2.0-eksbuild.2 (us-west-2 EKS registry), or dranet v1.4.0 from registry.k8s.io
   */
  readonly image?: string;
  /**
   * dranet's `--filter`: a CEL expression over `attributes` that decides which devices it publishes.
   * @default - the EFA filter (variant aws), none (upstream)
   */
  readonly filter?: string;
  /**
   * dranet's `--move-ib-interfaces`. False keeps IPoIB interfaces on the host and hands a pod only the claimed
   * HCA's `/dev/infiniband` character devices (kubernetes-sigs/dranet cmd/dranet/app.go flag help), so IPoIB
   * secondary networks made from the same interface keep working. Unset: dranet's default (true: the IPoIB
   * interface moves into the pod).
   * @default - unset
   */
  readonly moveIbInterfaces?: boolean;
  /** Node selector of the DaemonSet. @default {} */
  readonly nodeSelector?: Record<string, string>;
  /** Node affinity of the DaemonSet (e.g. the EFA instance types). @default - none */
  readonly affinity?: k8s.Affinity;
  /** Extra tolerations. @default [] */
  readonly tolerations?: Toleration[];
  /** Names of image pull secrets in the namespace. @default [] */
  readonly imagePullSecrets?: string[];
  /**
   * The container's resources.
   * @default - requests cpu 100m, memory 50Mi (both charts); limits cpu 500m (aws only) and memory 256Mi (aws-dranet's)
   */
  readonly resources?: ResourceRequirements;
}

/** dranet's health endpoint port (`--bind-address`, default :9177 in both charts). */
const HEALTH_PORT = 9177;

/**
 * The dranet DRA driver: ServiceAccount, ClusterRole, ClusterRoleBinding and a DaemonSet that publishes the
 * node's network devices in ResourceSlices (kubelet plugin sockets under /var/lib/kubelet) and hands claimed
 * devices to pods through containerd's NRI (/var/run/nri: NRI must be enabled in containerd). Variant `aws`
 * follows aws/eks-charts stable/aws-dranet templates @5239609; `upstream` kubernetes-sigs/dranet
 * deployments/helm/dranet templates/daemonset.yaml @49c2e67 and install.yaml @19c8d05 (RBAC).
 */
export class DranetDriver extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly image: string;
  public readonly daemonSet: ApiObject;

  constructor(scope: Construct, id: string, props: DranetDriverProps = {}) {
    super(scope, id);
    const where = 'DranetDriver';
    const variant = checkOneOf(where, 'variant', props.variant ?? 'upstream', DRANET_VARIANTS);
    const aws = variant === 'aws';
    this.name = checkDnsLabel(where, 'name', props.name ?? (aws ? 'aws-dranet' : 'dranet'));
    this.namespace = checkDnsLabel(where, 'namespace', props.namespace ?? 'kube-system');
    this.image = checkImage(where, 'image', props.image ?? (aws ? AWS_DRANET.image : DRANET.image));
    const filter = props.filter ?? (aws ? EFA_DEVICE_CLASS.driverFilter : undefined);
    if (filter !== undefined) checkNonEmpty(where, 'filter', filter);
    const labels = standardLabels(this, this.name, 'dra-driver');
    const selector = selectorLabels(this, this.name);
    const nodeSelector = checkLabels(where, 'nodeSelector', props.nodeSelector ?? {});

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.name, namespace: this.namespace, labels } });
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: this.name, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
        // install.yaml only: dranet records events on claims and pods.
        ...(aws ? [] : [{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] }]),
        { apiGroups: ['resource.k8s.io'], resources: ['resourceslices'], verbs: ['list', 'watch', 'create', 'update', 'delete'] },
        { apiGroups: ['resource.k8s.io'], resources: ['resourceclaims', 'deviceclasses'], verbs: ['get'] },
        { apiGroups: ['resource.k8s.io'], resources: ['resourceclaims/status'], verbs: ['patch', 'update'] },
        // The per-node status a driver writes into the claims it prepares (both RBAC copies).
        {
          apiGroups: ['resource.k8s.io'],
          resources: ['resourceclaims/driver'],
          verbs: ['associated-node:patch', 'associated-node:update'],
          resourceNames: [DRANET_DRIVER],
        },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: this.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.name },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }],
    });

    const hostPath = (name: string, path: string, propagation?: string): [k8s.Volume, k8s.VolumeMount] => [
      // aws-dranet creates every directory it mounts; upstream only its run directory.
      { name, hostPath: { path, type: aws || name === 'dranet-run' ? 'DirectoryOrCreate' : undefined } },
      { name, mountPath: path, mountPropagation: propagation },
    ];
    const mounts: [k8s.Volume, k8s.VolumeMount][] = [
      // kubelet's DRA plugin and registration directories.
      hostPath('device-plugin', '/var/lib/kubelet/plugins'),
      hostPath('plugin-registry', '/var/lib/kubelet/plugins_registry'),
      // containerd's NRI socket directory.
      hostPath('nri-plugin', '/var/run/nri'),
      hostPath('netns', '/var/run/netns', 'HostToContainer'),
      hostPath('infiniband', '/dev/infiniband', 'HostToContainer'),
      ...(aws ? [] : [hostPath('bpf-programs', '/sys/fs/bpf', 'HostToContainer')]),
      hostPath('dranet-run', '/var/run/dranet'),
    ];
    const volumes = mounts.map(m => m[0]);
    const volumeMounts = mounts.map(m => m[1]);
    if (aws) {
      // The root file system is read-only: a small in-memory /tmp.
      volumes.push({ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('10Mi') } });
      volumeMounts.push({ name: 'tmp', mountPath: '/tmp' });
    }
    const args = [
      // The image has no ENTRYPOINT (CMD ["/dranet"], kubernetes-sigs/dranet Dockerfile): args[0] is the binary.
      '/dranet',
      '--v=4',
      '--hostname-override=$(NODE_NAME)',
      ...(aws ? [`--bind-address=:${HEALTH_PORT}`, '--cloud-provider-hint=AWS'] : []),
      ...(filter !== undefined ? [`--filter=${filter}`] : []),
      ...(props.moveIbInterfaces !== undefined ? [`--move-ib-interfaces=${props.moveIbInterfaces}`] : []),
    ];
    const healthz = { httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(HEALTH_PORT) } };
    // Upstream sets no limits; ours caps memory at aws-dranet's limit (every container here has a memory limit).
    const defaults: ResourceRequirements = aws
      ? { requests: { cpu: '100m', memory: '50Mi' }, limits: { cpu: '500m', memory: '256Mi' } }
      : { requests: { cpu: '100m', memory: '50Mi' }, limits: { memory: '256Mi' } };

    this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...selector, 'app.kubernetes.io/component': 'dra-driver' } },
          spec: {
            serviceAccountName: this.name,
            priorityClassName: aws ? 'system-node-critical' : undefined,
            hostNetwork: true,
            tolerations: [
              // aws-dranet's CriticalAddonsOnly, plus the EFA taint our EFA device plugin tolerates (ours: the
              // chart leaves it to .Values.tolerations); upstream dranet tolerates every NoSchedule taint.
              ...(aws
                ? [
                    { key: 'CriticalAddonsOnly', operator: 'Exists' },
                    { key: 'aws.amazon.com/efa', operator: 'Exists', effect: 'NoSchedule' },
                  ]
                : [{ operator: 'Exists', effect: 'NoSchedule' }]),
              ...toTolerations(checkedTolerations(where, 'tolerations', props.tolerations ?? [])),
            ],
            nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
            affinity: props.affinity,
            imagePullSecrets: toPullSecrets(
              (props.imagePullSecrets ?? []).map((n, i) => checkDnsSubdomain(where, `imagePullSecrets[${i}]`, n)),
            ),
            containers: [
              {
                name: 'dranet',
                image: this.image,
                args,
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: aws ? undefined : [{ name: 'metrics', containerPort: HEALTH_PORT, protocol: 'TCP' }],
                resources: toResources(checkedResources(where, 'resources', props.resources ?? defaults)),
                securityContext: aws
                  ? {
                      privileged: false,
                      runAsUser: 0,
                      runAsGroup: 0,
                      readOnlyRootFilesystem: true,
                      allowPrivilegeEscalation: false,
                      capabilities: { drop: ['ALL'] },
                      seccompProfile: { type: 'RuntimeDefault' },
                    }
                  : { privileged: true },
                startupProbe: aws ? undefined : { ...healthz, failureThreshold: 12, periodSeconds: 5 },
                readinessProbe: healthz,
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    });
  }
}

/** How the workloads get their RDMA devices: a device plugin's extended resource, or DRA claims. */
export type DeviceApi = 'device-plugin' | 'dra';
export const DEVICE_APIS: readonly DeviceApi[] = ['device-plugin', 'dra'];

/**
 * The Kubernetes version a profile targets unless told: 1.34, the first with resource.k8s.io/v1. Set the
 * cluster's version to have the profile refuse what it does not serve.
 */
export const DEFAULT_KUBERNETES_VERSION = DRA_MIN_KUBERNETES;

/** A profile's DRA driver options (with `deviceApi: dra`). */
export interface DraDriverOptions {
  /**
   * Install the DRA driver (DaemonSet, RBAC) and its DeviceClass. Turn off where the cluster already runs the
   * driver: the claim templates name its DeviceClass either way.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The former name of `enabled`, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `enabled`
   */
  readonly install?: boolean;
  /**
   * Namespace of the driver's DaemonSet and ServiceAccount.
   * @default 'kube-system'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * The driver image.
   * @default - the profile's driver (aws-dranet v1.2.0-eksbuild.2, or dranet v1.4.0)
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
}

/**
 * The device API a profile's options choose, checked with the Kubernetes version and the options that go with
 * it: `dra` options only with `dra`, and `dra` only from Kubernetes 1.34.
 */
export function resolveDeviceApi(
  where: string,
  o: { readonly kubernetesVersion?: string; readonly deviceApi?: DeviceApi; readonly dra?: object },
): DeviceApi {
  const version = checkKubernetesVersion(where, 'kubernetesVersion', o.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION);
  const api = checkOneOf(where, 'deviceApi', o.deviceApi ?? 'device-plugin', DEVICE_APIS);
  if (api === 'dra') checkDraKubernetesVersion(where, 'kubernetesVersion', version);
  if (api !== 'dra' && o.dra !== undefined) {
    throw new RdmaOptionError(
      where,
      'dra',
      o.dra,
      'only applies to deviceApi "dra" (deviceApi is "device-plugin")',
      'unset, or deviceApi "dra"',
    );
  }
  return api;
}
