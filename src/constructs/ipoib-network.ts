import { Construct } from 'constructs';
import { NetworkAttachmentDefinition } from '../../imports/k8s.cni.cncf.io';
import { RdmaOptionError } from '../errors';
import { Cidr, cidrContains, networkOf, parseCidr, parseIp } from '../ip';
import { defaultNamespace, standardLabels } from '../labels';
import { checkAbsolutePath, checkDnsLabel, checkDnsSubdomain, checkInterfaceName, checkOneOf } from '../validate';

const WHERE = 'IpoibNetwork';

/** The pod annotation that asks Multus for secondary networks (network-attachment-definition spec). */
export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';

/** CNI spec versions the network's configuration may declare. */
export const CNI_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] as const;
export type CniVersion = (typeof CNI_VERSIONS)[number];

/** Whereabouts IPAM options (k8snetworkplumbingwg/whereabouts pkg/types/types.go IPAMConfig). */
/** The IPoIB range when none is given: a private /24 (pick the fabric's own subnet in production). */
export const DEFAULT_IPOIB_RANGE = '192.168.0.0/24';

export interface WhereaboutsIpam {
  /**
   * The range addresses are allocated from: an IPv4 or IPv6 network in CIDR notation (host bits zero).
   * Whereabouts never hands out the network address itself.
   * @pattern ^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}/([0-9]|[12][0-9]|3[0-2])$|^[0-9A-Fa-f.]*(:[0-9A-Fa-f.]*)+/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$
   */
  readonly range: string;
  /**
   * First address to allocate (`range_start`); inside the range.
   * @default - the start of the range
   */
  readonly rangeStart?: string;
  /**
   * Last address to allocate (`range_end`); inside the range, not before rangeStart.
   * @default - the end of the range
   */
  readonly rangeEnd?: string;
  /**
   * Sub-ranges never allocated (`exclude`), each a CIDR inside the range.
   * @default []
   */
  readonly exclude?: string[];
  /**
   * Gateway address given to pods (`gateway`); inside the range.
   * @default - none (IPoIB pods talk to each other on the fabric's subnet)
   */
  readonly gateway?: string;
  /**
   * Path of whereabouts.conf on the host (`configuration_path`), when the CNI configuration directory is
   * not one the plugin searches (/etc/kubernetes/cni/net.d or /etc/cni/net.d).
   * @default - the plugin's search list
   */
  readonly configurationPath?: string;
}

export interface IpoibNetworkProps {
  /**
   * Name of the NetworkAttachmentDefinition (and of the CNI network).
   * @default 'ipoib'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly name?: string;
  /**
   * Namespace of the NetworkAttachmentDefinition: pods of this namespace attach it by name.
   * @default 'rdma-benchmarks'
   */
  readonly namespace?: string;
  /**
   * The host's IPoIB interface the pods' child links are created on (must be of link type ipoib and up).
   * @default 'ib0'
   */
  readonly master?: string;
  /**
   * Whereabouts IPAM of the network.
   * @default { range: '192.168.0.0/24' }
   */
  readonly ipam?: WhereaboutsIpam;
  /**
   * CNI spec version the configuration declares.
   * @default '0.3.1'
   */
  readonly cniVersion?: CniVersion;
}

/** One network a pod attaches (an element of the `k8s.v1.cni.cncf.io/networks` JSON form). */
export interface NetworkSelection {
  /** NetworkAttachmentDefinition name. */
  readonly name: string;
  /**
   * Its namespace.
   * @default - the pod's namespace
   */
  readonly namespace?: string;
  /**
   * Interface name in the pod.
   * @default - net1, net2, ... in order
   */
  readonly interface?: string;
  /**
   * Addresses to request (JSON form only; the IPAM plugin must support static requests).
   * @default - none
   */
  readonly ips?: string[];
  /**
   * Routes through this network's gateway become the pod's default route (JSON form only).
   * @default - none
   */
  readonly defaultRoute?: string[];
}

export type NetworksAnnotationFormat = 'text' | 'json';
export const NETWORKS_ANNOTATION_FORMATS: readonly NetworksAnnotationFormat[] = ['text', 'json'];

/**
 * The pod annotation `k8s.v1.cni.cncf.io/networks` for the given networks, in the text form
 * (`namespace/name@interface, ...`) or the JSON form (a list of network selection elements).
 */
export function networksAnnotation(selections: NetworkSelection[], format: NetworksAnnotationFormat = 'text'): Record<string, string> {
  const where = 'networksAnnotation';
  checkOneOf(where, 'format', format, NETWORKS_ANNOTATION_FORMATS);
  if (selections.length === 0) {
    throw new RdmaOptionError(where, 'selections', selections, 'is empty', 'at least one network');
  }
  selections.forEach((s, i) => {
    checkDnsSubdomain(where, `selections[${i}].name`, s.name);
    if (s.namespace !== undefined) checkDnsLabel(where, `selections[${i}].namespace`, s.namespace);
    if (s.interface !== undefined) checkInterfaceName(where, `selections[${i}].interface`, s.interface);
    (s.ips ?? []).forEach((ip, j) => checkAddress(where, `selections[${i}].ips[${j}]`, ip.replace(/\/\d+$/, '')));
    (s.defaultRoute ?? []).forEach((ip, j) => checkAddress(where, `selections[${i}].defaultRoute[${j}]`, ip));
    if (format === 'text' && (s.ips !== undefined || s.defaultRoute !== undefined)) {
      throw new RdmaOptionError(where, 'format', format, `cannot express ips or defaultRoute (selections[${i}])`, '"json"');
    }
  });
  if (format === 'text') {
    const text = selections.map(s => `${s.namespace ? `${s.namespace}/` : ''}${s.name}${s.interface ? `@${s.interface}` : ''}`).join(', ');
    return { [NETWORKS_ANNOTATION]: text };
  }
  const json = selections.map(s => ({
    name: s.name,
    namespace: s.namespace,
    interface: s.interface,
    ips: s.ips,
    'default-route': s.defaultRoute,
  }));
  return { [NETWORKS_ANNOTATION]: JSON.stringify(json) };
}

/**
 * A NetworkAttachmentDefinition for IPoIB: CNI type `ipoib` (Mellanox ipoib-cni) on the host interface
 * `master`, addresses from whereabouts. The CNI JSON is opaque to the API server, so every field is
 * checked here: the interface name, the range (a canonical CIDR) and that rangeStart, rangeEnd, exclude
 * and gateway lie inside it.
 */
export class IpoibNetwork extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly master: string;
  /** The CNI configuration (`spec.config`) as an object. */
  public readonly cniConfig: Record<string, unknown>;
  public readonly resource: NetworkAttachmentDefinition;

  constructor(scope: Construct, id: string, props: IpoibNetworkProps = {}) {
    super(scope, id);
    this.name = checkDnsLabel(WHERE, 'name', props.name ?? 'ipoib');
    this.namespace = checkDnsLabel(WHERE, 'namespace', props.namespace ?? defaultNamespace(this, 'rdma-benchmarks'));
    this.master = checkInterfaceName(WHERE, 'master', props.master ?? 'ib0');
    const cniVersion = checkOneOf(WHERE, 'cniVersion', props.cniVersion ?? '0.3.1', CNI_VERSIONS);
    this.cniConfig = {
      cniVersion,
      name: this.name,
      type: 'ipoib',
      master: this.master,
      ipam: whereaboutsIpam(WHERE, 'ipam', props.ipam ?? { range: DEFAULT_IPOIB_RANGE }),
    };
    this.resource = new NetworkAttachmentDefinition(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: standardLabels(this, this.name, 'network') },
      spec: { config: JSON.stringify(this.cniConfig) },
    });
  }

  /** This network as a selection for `networksAnnotation`. */
  public selection(options: { interface?: string } = {}): NetworkSelection {
    return { name: this.name, namespace: this.namespace, interface: options.interface };
  }

  /** The pod annotation attaching this network. */
  public annotation(format: NetworksAnnotationFormat = 'text', options: { interface?: string } = {}): Record<string, string> {
    return networksAnnotation([this.selection(options)], format);
  }
}

function checkAddress(where: string, option: string, value: string): void {
  if (!parseIp(value)) {
    throw new RdmaOptionError(where, option, value, 'is not an IP address', 'an IPv4 or IPv6 address such as "192.168.0.1"');
  }
}

/**
 * The whereabouts IPAM object of a CNI configuration, checked. Exported for operator mode, whose
 * IPoIBNetwork carries the same object as a string.
 */
export function whereaboutsIpam(where: string, option: string, ipam: WhereaboutsIpam): Record<string, unknown> {
  const range = checkRange(where, `${option}.range`, ipam.range);
  const inside = (key: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const ip = parseIp(value);
    if (!ip) {
      throw new RdmaOptionError(where, `${option}.${key}`, value, 'is not an IP address', `an address inside the range ${ipam.range}`);
    }
    if (!cidrContains(range, ip)) {
      throw new RdmaOptionError(where, `${option}.${key}`, value, `is outside the range ${ipam.range}`, `an address inside ${ipam.range}`);
    }
    return ip;
  };
  const start = inside('rangeStart', ipam.rangeStart);
  const end = inside('rangeEnd', ipam.rangeEnd);
  if (start && end && start.value > end.value) {
    throw new RdmaOptionError(
      where,
      `${option}.rangeEnd`,
      ipam.rangeEnd,
      `is before rangeStart ${ipam.rangeStart}`,
      `an address from ${ipam.rangeStart} to the end of ${ipam.range}`,
    );
  }
  inside('gateway', ipam.gateway);
  (ipam.exclude ?? []).forEach((text, i) => {
    const ex = parseCidr(text);
    if (typeof ex === 'string') {
      throw new RdmaOptionError(
        where,
        `${option}.exclude[${i}]`,
        text,
        'is not a CIDR range',
        `a network in CIDR notation inside ${ipam.range}, e.g. a /32 for one address`,
      );
    }
    if (!cidrContains(range, ex)) {
      throw new RdmaOptionError(
        where,
        `${option}.exclude[${i}]`,
        text,
        `is outside the range ${ipam.range}`,
        `a CIDR inside ${ipam.range}`,
      );
    }
  });
  return withoutUndefined({
    type: 'whereabouts',
    range: ipam.range,
    range_start: ipam.rangeStart,
    range_end: ipam.rangeEnd,
    exclude: ipam.exclude && ipam.exclude.length > 0 ? [...ipam.exclude] : undefined,
    gateway: ipam.gateway,
    configuration_path:
      ipam.configurationPath !== undefined ? checkAbsolutePath(where, `${option}.configurationPath`, ipam.configurationPath) : undefined,
  });
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function checkRange(where: string, option: string, value: string): Cidr {
  const parsed = parseCidr(value);
  if (parsed === 'syntax') {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not a CIDR range',
      'an IPv4 or IPv6 network in CIDR notation, e.g. "192.168.0.0/24"',
    );
  }
  if (parsed === 'host-bits') {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not a network address (host bits are set)',
      `the network "${networkOf(value)}", with rangeStart to begin later in it`,
    );
  }
  const maxPrefix = parsed.family === 4 ? 30 : 126;
  if (parsed.prefix > maxPrefix) {
    throw new RdmaOptionError(where, option, value, 'leaves fewer than two addresses for pods', `a prefix length of at most ${maxPrefix}`);
  }
  return parsed;
}
