import { Construct } from 'constructs';
import { IPoIbNetwork, NicClusterPolicy } from '../../imports/mellanox.com';
import { IpPool } from '../../imports/nv-ipam.nvidia.com';
import { cidrContains, formatIp, networkOf, parseCidr, parseIp } from '../ip';
import { Toleration } from '../kube';
import { standardLabels } from '../labels';
import { RdmaOptionError } from '../errors';
import { checkDnsLabel, checkDnsSubdomain, checkInterfaceName, checkNonEmpty, checkPositiveInt, checkedTolerations } from '../validate';
import { NETWORK_OPERATOR } from '../versions';
import { DEFAULT_IPOIB_RANGE } from './ipoib-network';
import { RdmaSharedResource, checkRdmaSharedConfigList } from './rdma-device-plugin';

const WHERE = 'NicClusterPolicy';

export interface NicClusterPolicyProps {
  /**
   * Image registry path of the components.
   * @default 'nvcr.io/nvidia/mellanox'
   */
  readonly repository?: string;
  /**
   * Image tag of the components (the operator release they come with).
   * @default 'network-operator-v26.4.1'
   */
  readonly version?: string;
  /**
   * Resources of the RDMA shared device plugin, checked as for the bundle's plugin.
   * @default [{ resourceName: 'rdma_shared_device_a', rdmaHcaMax: 63, selectors: { vendors: ['15b3'], linkTypes: ['infiniband'] } }]
   */
  readonly configList?: RdmaSharedResource[];
  /**
   * Let the operator deploy Multus and the reference CNI plugins. Off on OpenShift, which has its own
   * (the operator's OpenShift examples deploy only ipoib-cni).
   * @default true
   */
  readonly multus?: boolean;
  /**
   * Let the operator deploy the DOCA/OFED driver container (with its upgrade policy defaults). Off when the
   * hosts already have the driver installed, as the bundle mode assumes.
   * @default false
   */
  readonly ofedDriver?: boolean;
  /**
   * Names of image pull secrets for the components (in the operator's namespace).
   * @default []
   */
  readonly imagePullSecrets?: string[];
  /**
   * Tolerations injected into every DaemonSet the operator manages.
   * @default []
   */
  readonly tolerations?: Toleration[];
}

/**
 * Operator mode: the NVIDIA network-operator's `NicClusterPolicy` (mellanox.com/v1alpha1) asking for the
 * RDMA shared device plugin, ipoib-cni, NV-IPAM (the operator's IPAM since whereabouts and `ipamPlugin`
 * were removed in v25.10.0, Mellanox/network-operator @v26.4.1; its webhook off, as in the operator's IPoIB
 * example, since it needs cert-manager) and, unless off, Multus and the CNI plugins. The operator acts only
 * on the instance named `nic-cluster-policy` (Mellanox/network-operator api/v1alpha1/nicclusterpolicy_types.go), so the name is fixed. The operator
 * itself is installed from NVIDIA's Helm chart, which no longer renders this resource.
 */
export class NetworkOperatorPolicy extends Construct {
  public readonly resource: NicClusterPolicy;
  /** Resource names the device plugin advertises, prefixed. */
  public readonly resourceNames: string[];

  constructor(scope: Construct, id: string, props: NicClusterPolicyProps = {}) {
    super(scope, id);
    const repository = checkNonEmpty(WHERE, 'repository', props.repository ?? NETWORK_OPERATOR.repository);
    // The NicClusterPolicy CRD's pattern for every repository field is [a-zA-Z0-9.-/]+ (unanchored there; whole here).
    if (!/^[a-zA-Z0-9./-]+$/.test(repository)) {
      throw new RdmaOptionError(
        WHERE,
        'repository',
        repository,
        'is not a registry path',
        'letters, digits, ".", "-" and "/": a registry and path without tag or port, e.g. "nvcr.io/nvidia/mellanox"',
      );
    }
    const version = checkNonEmpty(WHERE, 'version', props.version ?? NETWORK_OPERATOR.version);
    if (version === 'latest' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(version)) {
      throw new RdmaOptionError(
        WHERE,
        'version',
        version,
        'is not a pinned image tag',
        'a release tag such as "network-operator-v26.4.1" (not "latest")',
      );
    }
    const configList = checkRdmaSharedConfigList(WHERE, props.configList);
    this.resourceNames = configList.names;
    const pullSecrets = (props.imagePullSecrets ?? []).map((s, i) => checkDnsSubdomain(WHERE, `imagePullSecrets[${i}]`, s));
    const image = (name: string) => ({
      image: name,
      repository,
      version,
      imagePullSecrets: pullSecrets.length > 0 ? pullSecrets : undefined,
    });
    const multus = props.multus ?? true;
    const tolerations = checkedTolerations(WHERE, 'tolerations', props.tolerations ?? []);

    this.resource = new NicClusterPolicy(this, 'Resource', {
      metadata: { name: NETWORK_OPERATOR.policyName, labels: standardLabels(this, NETWORK_OPERATOR.policyName, 'network-operator') },
      spec: {
        ofedDriver: props.ofedDriver
          ? { ...NETWORK_OPERATOR.docaDriver, imagePullSecrets: pullSecrets.length > 0 ? pullSecrets : undefined }
          : undefined,
        rdmaSharedDevicePlugin: { ...image(NETWORK_OPERATOR.images.rdmaSharedDevicePlugin), config: configList.json },
        secondaryNetwork: {
          multus: multus ? image(NETWORK_OPERATOR.images.multus) : undefined,
          cniPlugins: multus ? image(NETWORK_OPERATOR.images.cniPlugins) : undefined,
          ipoib: image(NETWORK_OPERATOR.images.ipoib),
        },
        nvIpam: { ...image(NETWORK_OPERATOR.images.nvIpam), enableWebhook: false },
        tolerations: tolerations.length > 0 ? tolerations.map(t => ({ ...t })) : undefined,
      },
    });
  }
}

export interface OperatorIpoibNetworkProps {
  /**
   * Name of the IPoIBNetwork, and of the NetworkAttachmentDefinition the operator renders from it.
   * @default 'ipoib'
   */
  readonly name?: string;
  /**
   * Namespace the operator writes the NetworkAttachmentDefinition to.
   * @default 'rdma-benchmarks'
   */
  readonly networkNamespace?: string;
  /**
   * The host's IPoIB interface.
   * @default 'ib0'
   */
  readonly master?: string;
  /**
   * The NV-IPAM pool the network's addresses come from (an NvIpamPool).
   * @default - the network's name
   */
  readonly poolName?: string;
}

/**
 * Operator mode's `IPoIBNetwork` (mellanox.com/v1alpha1, cluster-scoped): the operator renders it into a
 * NetworkAttachmentDefinition of CNI type ipoib in `networkNamespace` (Mellanox/network-operator api/v1alpha1 IPoIBNetwork and its NAD rendering), its addresses
 * from an NV-IPAM pool (`{"type":"nv-ipam","poolName":...}`, the operator's IPoIBNetwork example).
 */
export class OperatorIpoibNetwork extends Construct {
  public readonly name: string;
  public readonly networkNamespace: string;

  constructor(scope: Construct, id: string, props: OperatorIpoibNetworkProps = {}) {
    super(scope, id);
    const where = 'OperatorIpoibNetwork';
    this.name = checkDnsLabel(where, 'name', props.name ?? 'ipoib');
    this.networkNamespace = checkDnsLabel(where, 'networkNamespace', props.networkNamespace ?? 'rdma-benchmarks');
    const master = checkInterfaceName(where, 'master', props.master ?? 'ib0');
    const poolName = checkDnsSubdomain(where, 'poolName', props.poolName ?? this.name);
    // The operator strips all whitespace from this string (Mellanox/network-operator api/v1alpha1 IPoIBNetwork and its NAD rendering): compact JSON has none.
    const ipam = JSON.stringify({ type: 'nv-ipam', poolName });
    new IPoIbNetwork(this, 'Resource', {
      metadata: { name: this.name, labels: standardLabels(this, this.name, 'network') },
      spec: { networkNamespace: this.networkNamespace, master, ipam },
    });
  }
}

export interface NvIpamPoolProps {
  /**
   * Name of the pool (the network's `poolName`).
   * @default 'ipoib'
   */
  readonly name?: string;
  /**
   * Namespace nv-ipam reads pools from (the operator's namespace when the operator deploys nv-ipam).
   * @default 'nvidia-network-operator'
   */
  readonly namespace?: string;
  /**
   * The pool's subnet, a canonical IPv4 or IPv6 CIDR.
   * @default '192.168.0.0/24'
   */
  readonly subnet?: string;
  /**
   * Addresses each node gets from the subnet; the subnet must hold more (nv-ipam IPPool CRD). A /24 with
   * the default 32 serves 7 nodes (the network and broadcast addresses aside).
   * @default 32
   */
  readonly perNodeBlockSize?: number;
  /**
   * Gateway of the pool, inside the subnet.
   * @default - none
   */
  readonly gateway?: string;
  /**
   * CIDR ranges inside the subnet that nv-ipam never hands out (IPPool `exclusions`).
   * @default []
   */
  readonly exclude?: string[];
}

/**
 * An NV-IPAM `IPPool` (nv-ipam.nvidia.com/v1alpha1, namespaced; Mellanox/network-operator @v26.4.1): nv-ipam hands
 * each node a block of `perNodeBlockSize` addresses from `subnet` and pods on the node addresses from its block.
 */
export class NvIpamPool extends Construct {
  public readonly name: string;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: NvIpamPoolProps = {}) {
    super(scope, id);
    const where = 'NvIpamPool';
    this.name = checkDnsSubdomain(where, 'name', props.name ?? 'ipoib');
    this.namespace = checkDnsLabel(where, 'namespace', props.namespace ?? NETWORK_OPERATOR.nvIpamPoolNamespace);
    const subnetText = props.subnet ?? DEFAULT_IPOIB_RANGE;
    const subnet = parseCidr(subnetText);
    if (typeof subnet === 'string') {
      throw new RdmaOptionError(
        where,
        'subnet',
        subnetText,
        subnet === 'host-bits' ? `is not a network address (the network is ${networkOf(subnetText)})` : 'is not a CIDR range',
        'a canonical IPv4 or IPv6 CIDR such as "192.168.0.0/24"',
      );
    }
    const size = subnet.last - subnet.first + 1n;
    const perNodeBlockSize = checkPositiveInt(where, 'perNodeBlockSize', props.perNodeBlockSize ?? 32);
    if (BigInt(perNodeBlockSize) >= size) {
      throw new RdmaOptionError(
        where,
        'perNodeBlockSize',
        perNodeBlockSize,
        `is not less than the ${size} addresses of ${subnetText}`,
        `a whole number from 1 to ${size - 1n}`,
      );
    }
    let gateway: string | undefined;
    if (props.gateway !== undefined) {
      const ip = parseIp(props.gateway);
      if (!ip || !cidrContains(subnet, ip)) {
        throw new RdmaOptionError(
          where,
          'gateway',
          props.gateway,
          `is outside the subnet ${subnetText}`,
          `an address inside ${subnetText}`,
        );
      }
      gateway = props.gateway;
    }
    const exclusions = (props.exclude ?? []).map((text, i) => {
      const range = parseCidr(text);
      if (typeof range === 'string' || !cidrContains(subnet, range)) {
        throw new RdmaOptionError(
          where,
          `exclude[${i}]`,
          text,
          `is not a CIDR range inside ${subnetText}`,
          `a canonical CIDR inside ${subnetText}`,
        );
      }
      return {
        startIp: formatIp({ family: range.family, value: range.first }),
        endIp: formatIp({ family: range.family, value: range.last }),
      };
    });
    new IpPool(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: standardLabels(this, this.name, 'network') },
      spec: { subnet: subnetText, perNodeBlockSize, gateway, exclusions: exclusions.length > 0 ? exclusions : undefined },
    });
  }
}
