import { Construct } from 'constructs';
import { IPoIbNetwork, NicClusterPolicy } from '../../imports/mellanox.com';
import { Toleration } from '../kube';
import { standardLabels } from '../labels';
import { RdmaOptionError } from '../errors';
import { checkDnsLabel, checkDnsSubdomain, checkInterfaceName, checkNonEmpty } from '../validate';
import { NETWORK_OPERATOR } from '../versions';
import { DEFAULT_IPOIB_RANGE, WhereaboutsIpam, whereaboutsIpam } from './ipoib-network';
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
 * RDMA shared device plugin, ipoib-cni and, unless off, Multus and the CNI plugins. The operator acts only
 * on the instance named `nic-cluster-policy` (research ib.md §1.1-1.2), so the name is fixed. The operator
 * itself is installed from NVIDIA's Helm chart, which no longer renders this resource.
 */
export class NetworkOperatorPolicy extends Construct {
  public readonly resource: NicClusterPolicy;
  /** Resource names the device plugin advertises, prefixed. */
  public readonly resourceNames: string[];

  constructor(scope: Construct, id: string, props: NicClusterPolicyProps = {}) {
    super(scope, id);
    const repository = checkNonEmpty(WHERE, 'repository', props.repository ?? NETWORK_OPERATOR.repository);
    if (/\s|:|@/.test(repository)) {
      throw new RdmaOptionError(WHERE, 'repository', repository, 'is not a registry path', 'a registry and path without tag, e.g. "nvcr.io/nvidia/mellanox"');
    }
    const version = checkNonEmpty(WHERE, 'version', props.version ?? NETWORK_OPERATOR.version);
    if (version === 'latest' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(version)) {
      throw new RdmaOptionError(WHERE, 'version', version, 'is not a pinned image tag', 'a release tag such as "network-operator-v26.4.1" (not "latest")');
    }
    const configList = checkRdmaSharedConfigList(WHERE, props.configList);
    this.resourceNames = configList.names;
    const pullSecrets = (props.imagePullSecrets ?? []).map((s, i) => checkDnsSubdomain(WHERE, `imagePullSecrets[${i}]`, s));
    const image = (name: string) => ({ image: name, repository, version, imagePullSecrets: pullSecrets.length > 0 ? pullSecrets : undefined });
    const multus = props.multus ?? true;
    const tolerations = props.tolerations ?? [];

    this.resource = new NicClusterPolicy(this, 'Resource', {
      metadata: { name: NETWORK_OPERATOR.policyName, labels: standardLabels(this, NETWORK_OPERATOR.policyName, 'network-operator') },
      spec: {
        ofedDriver: props.ofedDriver ? { ...NETWORK_OPERATOR.docaDriver, imagePullSecrets: pullSecrets.length > 0 ? pullSecrets : undefined } : undefined,
        rdmaSharedDevicePlugin: { ...image(NETWORK_OPERATOR.images.rdmaSharedDevicePlugin), config: configList.json },
        secondaryNetwork: {
          multus: multus ? image(NETWORK_OPERATOR.images.multus) : undefined,
          cniPlugins: multus ? image(NETWORK_OPERATOR.images.cniPlugins) : undefined,
          ipoib: image(NETWORK_OPERATOR.images.ipoib),
        },
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
   * Whereabouts IPAM, checked as for the bundle's network. The operator no longer ships whereabouts
   * (removed in v25.10.0), so the profile installs it.
   * @default { range: '192.168.0.0/24' }
   */
  readonly ipam?: WhereaboutsIpam;
}

/**
 * Operator mode's `IPoIBNetwork` (mellanox.com/v1alpha1, cluster-scoped): the operator renders it into a
 * NetworkAttachmentDefinition of CNI type ipoib in `networkNamespace` (research ib.md §1.3).
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
    // The operator strips all whitespace from this string (research ib.md §1.3): compact JSON has none.
    const ipam = JSON.stringify(whereaboutsIpam(where, 'ipam', props.ipam ?? { range: DEFAULT_IPOIB_RANGE }));
    new IPoIbNetwork(this, 'Resource', {
      metadata: { name: this.name, labels: standardLabels(this, this.name, 'network') },
      spec: { networkNamespace: this.networkNamespace, master, ipam },
    });
  }
}
