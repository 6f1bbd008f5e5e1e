import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { RdmaOptionError } from '../errors';
import { CONFIG_HASH_ANNOTATION, Toleration, configHash, toResources, toTolerations } from '../kube';
import { defaultNamespace, selectorLabels, standardLabels } from '../labels';
import { checkAbsolutePath, checkDnsLabel, checkImage, checkInterfaceName, checkLabels, checkOneOf, checkedTolerations } from '../validate';
import { JARVICE_RDMA_DEVICE_PLUGIN, RDMA_SHARED_DEVICE_PLUGIN } from '../versions';

const WHERE = 'RdmaDevicePlugin';

/**
 * The RDMA device plugins users run today: `rdma-shared` (Mellanox k8s-rdma-shared-dev-plugin, shares of a
 * pool of HCAs per resource) and `jarvice` (nimbix jarvice-k8s-rdma: one `jarvice.com/rdma` per node meaning
 * every HCA, for whole-node HPC jobs).
 */
export type RdmaDevicePluginVariant = 'rdma-shared' | 'jarvice';
export const RDMA_DEVICE_PLUGIN_VARIANTS: readonly RdmaDevicePluginVariant[] = ['rdma-shared', 'jarvice'];

/** Link types the shared plugin's `linkTypes` selector compares (netlink encapsulation type). */
export const RDMA_LINK_TYPES = ['infiniband', 'ether'] as const;
export type RdmaLinkType = (typeof RDMA_LINK_TYPES)[number];

/**
 * Which devices a shared resource pools (k8s-rdma-shared-dev-plugin README "selectors"): OR within a list,
 * AND across lists; at least one list.
 */
export interface RdmaSharedSelectors {
  /** PCI vendor ids, four hex digits (`15b3` is Mellanox/NVIDIA). */
  readonly vendors?: string[];
  /** PCI device ids, four hex digits (e.g. `101b` ConnectX-6). */
  readonly deviceIDs?: string[];
  /** Kernel drivers, e.g. `mlx5_core`. */
  readonly drivers?: string[];
  /** Network interface names, e.g. `ib0`. */
  readonly ifNames?: string[];
  /** `infiniband` or `ether` (RoCE). */
  readonly linkTypes?: RdmaLinkType[];
}

/** One entry of the shared plugin's `configList`: a resource and the devices it pools. */
export interface RdmaSharedResource {
  /** Resource name without prefix, e.g. `rdma_shared_device_a`; pods request `<resourcePrefix>/<resourceName>`. */
  readonly resourceName: string;
  /**
   * Resource prefix.
   * @default 'rdma'
   */
  readonly resourcePrefix?: string;
  /**
   * How many pods per node may hold the resource at once: all of them share every selected HCA (no
   * bandwidth partitioning). RoCE ports allow at most 63 (128 GIDs per port); InfiniBand has no such limit.
   * @default 63
   */
  readonly rdmaHcaMax?: number;
  /** The devices the resource pools. */
  readonly selectors: RdmaSharedSelectors;
}

export interface RdmaDevicePluginProps {
  /**
   * Which plugin.
   * @default 'rdma-shared'
   */
  readonly variant?: RdmaDevicePluginVariant;
  /**
   * Namespace of the DaemonSet (and the shared plugin's ConfigMap).
   * @default 'kube-system'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Image, pinned.
   * @default 'ghcr.io/mellanox/k8s-rdma-shared-dev-plugin:v1.5.3' (rdma-shared), 'us-docker.pkg.dev/jarvice/images/k8s-rdma-device:1.0.3' (jarvice)
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * rdma-shared: the resources to advertise (`configList`), checked as the network-operator's admission
   * webhook checks them.
   * @default [{ resourceName: 'rdma_shared_device_a', rdmaHcaMax: 63, selectors: { vendors: ['15b3'], linkTypes: ['infiniband'] } }]
   */
  readonly configList?: RdmaSharedResource[];
  /**
   * rdma-shared: seconds between device rescans (`periodicUpdateInterval`); 0 turns rescans off.
   * @default - the plugin's 60 seconds
   */
  readonly periodicUpdateInterval?: number;
  /**
   * jarvice: also hand `/dev/knem` to the plugin (the KNEM device Open MPI and Intel MPI can use). The node
   * must have it: the DaemonSet's pods fail to start where `/dev/knem` is not a character device, so target
   * KNEM nodes with nodeSelector.
   * @default false
   */
  readonly knem?: boolean;
  /**
   * The kubelet's root directory (some distributions move it, e.g. to /data/kubelet).
   * @default '/var/lib/kubelet'
   */
  readonly kubeletRootDir?: string;
  /**
   * nodeSelector of the DaemonSet, e.g. a label your InfiniBand nodes carry.
   * @default - every node (the plugin advertises nothing where no device matches)
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations in addition to `CriticalAddonsOnly` and every NoSchedule taint.
   * @default []
   */
  readonly tolerations?: Toleration[];
}

/** rdmaHcaMax when an entry sets none: the network-operator examples' 63 (the RoCE limit, safe for both link types). */
const DEFAULT_RDMA_HCA_MAX = 63;

const DEFAULT_CONFIG_LIST: RdmaSharedResource[] = [
  {
    // The name and vendor of the network-operator's IPoIB example; link type infiniband selects IPoIB ports only.
    resourceName: 'rdma_shared_device_a',
    rdmaHcaMax: DEFAULT_RDMA_HCA_MAX,
    selectors: { vendors: ['15b3'], linkTypes: ['infiniband'] },
  },
];

// network-operator webhook-schemas/rdma_shared_device_plugin.json and validator (Mellanox/network-operator api/v1alpha1/validator/nicpolicy_webhook.go).
const RESOURCE_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const RESOURCE_PREFIX = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z]{2,})+$/;
const PCI_ID = /^[0-9a-fA-F]{4}$/;
const MAX_SHARES = 1000;
const MAX_ROCE_SHARES = 63;

/**
 * An RDMA device plugin DaemonSet that hands `/dev/infiniband` devices to pods requesting its resource.
 *
 * - `rdma-shared`: the `rdma-devices` ConfigMap (`config.json`) and the `rdma-shared-dp-ds` DaemonSet as
 *   upstream runs it: host network, privileged (it reads every HCA and sets matched interfaces up),
 *   kubelet device-plugin and plugin-registry directories, host `/dev` (Mellanox/k8s-rdma-shared-dev-plugin deployment/k8s/base/daemonset.yaml, pkg/resources/rdma_device_spec.go). Needs the
 *   RDMA subsystem in `shared` network-namespace mode on the hosts. A config hash rolls the pods on change.
 * - `jarvice`: the `rdma-device-daemonset` DaemonSet, unprivileged, mounting `/dev/infiniband` (and
 *   `/dev/knem` with `knem`); one `jarvice.com/rdma` per node (nimbix/jarvice-k8s-rdma).
 */
export class RdmaDevicePlugin extends Construct {
  public readonly variant: RdmaDevicePluginVariant;
  public readonly namespace: string;
  public readonly image: string;
  /** Every resource name the plugin advertises, prefixed, e.g. `rdma/rdma_shared_device_a`. */
  public readonly resourceNames: string[];

  constructor(scope: Construct, id: string, props: RdmaDevicePluginProps = {}) {
    super(scope, id);
    this.variant = checkOneOf(WHERE, 'variant', props.variant ?? 'rdma-shared', RDMA_DEVICE_PLUGIN_VARIANTS);
    this.namespace = checkDnsLabel(WHERE, 'namespace', props.namespace ?? defaultNamespace(this, 'kube-system'));
    const shared = this.variant === 'rdma-shared';
    this.image = checkImage(WHERE, 'image', props.image ?? (shared ? RDMA_SHARED_DEVICE_PLUGIN.image : JARVICE_RDMA_DEVICE_PLUGIN.image));
    const kubeletDir = checkAbsolutePath(WHERE, 'kubeletRootDir', props.kubeletRootDir ?? '/var/lib/kubelet');
    const nodeSelector = checkLabels(WHERE, 'nodeSelector', props.nodeSelector ?? {});
    if (!shared) {
      for (const key of ['configList', 'periodicUpdateInterval'] as const) {
        if (props[key] !== undefined) {
          throw new RdmaOptionError(WHERE, key, props[key], 'only applies to variant "rdma-shared"', 'unset with variant "jarvice"');
        }
      }
    } else if (props.knem !== undefined) {
      throw new RdmaOptionError(
        WHERE,
        'knem',
        props.knem,
        'only applies to variant "jarvice"',
        'unset with variant "rdma-shared" (it mounts all of /dev)',
      );
    }

    const name = shared ? 'rdma-shared-dp-ds' : 'rdma-device-daemonset';
    const labels = standardLabels(this, name, 'device-plugin');
    const volumes: k8s.Volume[] = [{ name: 'device-plugin', hostPath: { path: `${kubeletDir}/device-plugins`, type: 'Directory' } }];
    const mounts: k8s.VolumeMount[] = [{ name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' }];
    let annotations: Record<string, string> | undefined;
    let securityContext: k8s.SecurityContext;

    if (shared) {
      const interval = props.periodicUpdateInterval;
      if (interval !== undefined && (!Number.isInteger(interval) || interval < 0)) {
        throw new RdmaOptionError(
          WHERE,
          'periodicUpdateInterval',
          interval,
          'is not allowed',
          'a whole number of seconds, 0 to turn rescans off',
        );
      }
      const checked = checkRdmaSharedConfigList(WHERE, props.configList, interval);
      this.resourceNames = checked.names;
      const config = checked.json;
      new k8s.KubeConfigMap(this, 'Config', {
        metadata: { name: 'rdma-devices', namespace: this.namespace, labels },
        data: { 'config.json': config },
      });
      annotations = { [CONFIG_HASH_ANNOTATION]: configHash(config) };
      volumes.push(
        { name: 'plugins-registry', hostPath: { path: `${kubeletDir}/plugins_registry`, type: 'Directory' } },
        { name: 'config', configMap: { name: 'rdma-devices', items: [{ key: 'config.json', path: 'config.json' }] } },
        { name: 'devs', hostPath: { path: '/dev/' } },
      );
      mounts.push(
        { name: 'plugins-registry', mountPath: '/var/lib/kubelet/plugins_registry' },
        { name: 'config', mountPath: '/k8s-rdma-shared-dev-plugin' },
        { name: 'devs', mountPath: '/dev/' },
      );
      securityContext = { privileged: true };
    } else {
      this.resourceNames = [JARVICE_RDMA_DEVICE_PLUGIN.resourceName];
      volumes.push({ name: 'infiniband', hostPath: { path: '/dev/infiniband', type: 'Directory' } });
      mounts.push({ name: 'infiniband', mountPath: '/dev/infiniband' });
      if (props.knem ?? false) {
        volumes.push({ name: 'knem', hostPath: { path: '/dev/knem', type: 'CharDevice' } });
        mounts.push({ name: 'knem', mountPath: '/dev/knem' });
      }
      // It only lists /dev/infiniband and serves the kubelet socket (jarvice-k8s-rdma rdma-device.yaml).
      securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    }

    new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: { name, namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: selectorLabels(this, name) },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: selectorLabels(this, name), annotations },
          spec: {
            // As upstream (both variants): host network, critical priority.
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            automountServiceAccountToken: false,
            nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              // A device plugin missing from a tainted RDMA node leaves its jobs unschedulable.
              { operator: 'Exists', effect: 'NoSchedule' },
              ...toTolerations(checkedTolerations(WHERE, 'tolerations', props.tolerations ?? [])),
            ],
            containers: [
              {
                name: shared ? 'k8s-rdma-shared-dp-ds' : 'rdma-device-plugin',
                image: this.image,
                securityContext,
                // Sized here (not an upstream figure): a small Go server polling sysfs.
                resources: toResources({ requests: { cpu: '10m', memory: '30Mi' }, limits: { memory: '100Mi' } }),
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    });
  }

  /** The resource pods request (the first of resourceNames). */
  public get resourceName(): string {
    return this.resourceNames[0];
  }
}

/** A checked `configList`: the resource names it advertises and the plugin's config.json text. */
export interface CheckedRdmaSharedConfig {
  readonly names: string[];
  readonly json: string;
}

/**
 * Checks a shared plugin `configList` as the network-operator's admission webhook does (plus PCI id,
 * interface and link-type syntax, and the RoCE share limit) and renders the plugin's config.json.
 */
export function checkRdmaSharedConfigList(
  where: string,
  list: RdmaSharedResource[] = DEFAULT_CONFIG_LIST,
  periodicUpdateInterval?: number,
): CheckedRdmaSharedConfig {
  checkConfigList(where, list);
  const json =
    JSON.stringify(
      {
        periodicUpdateInterval,
        configList: list.map(r => ({
          resourceName: r.resourceName,
          resourcePrefix: r.resourcePrefix,
          rdmaHcaMax: r.rdmaHcaMax ?? DEFAULT_RDMA_HCA_MAX,
          selectors: r.selectors,
        })),
      },
      null,
      2,
    ) + '\n';
  return { names: list.map(r => `${r.resourcePrefix ?? RDMA_SHARED_DEVICE_PLUGIN.defaultResourcePrefix}/${r.resourceName}`), json };
}

function checkConfigList(where: string, list: RdmaSharedResource[]): void {
  if (!Array.isArray(list) || list.length === 0) {
    throw new RdmaOptionError(where, 'configList', list, 'is empty', 'at least one resource with resourceName, rdmaHcaMax and selectors');
  }
  const seen = new Set<string>();
  list.forEach((r, i) => {
    const at = `configList[${i}]`;
    if (typeof r.resourceName !== 'string' || !RESOURCE_NAME.test(r.resourceName)) {
      throw new RdmaOptionError(
        where,
        `${at}.resourceName`,
        r.resourceName,
        'is not a valid resource name',
        'letters, digits, "-", "_" and ".", starting and ending with a letter or digit, e.g. "rdma_shared_device_a"',
      );
    }
    if (r.resourcePrefix !== undefined && !RESOURCE_PREFIX.test(r.resourcePrefix)) {
      throw new RdmaOptionError(
        where,
        `${at}.resourcePrefix`,
        r.resourcePrefix,
        'is not a valid resource prefix',
        'a domain name such as "example.com" (unset for the plugin\'s "rdma")',
      );
    }
    const full = `${r.resourcePrefix ?? RDMA_SHARED_DEVICE_PLUGIN.defaultResourcePrefix}/${r.resourceName}`;
    if (seen.has(full)) {
      throw new RdmaOptionError(where, `${at}.resourceName`, r.resourceName, `repeats the resource ${full}`, 'a resource name used once');
    }
    seen.add(full);
    const s = r.selectors ?? {};
    const linkTypes = s.linkTypes ?? [];
    const max = r.rdmaHcaMax ?? DEFAULT_RDMA_HCA_MAX;
    const limit = linkTypes.includes('ether') ? MAX_ROCE_SHARES : MAX_SHARES;
    if (!Number.isInteger(max) || max < 1 || max > limit) {
      throw new RdmaOptionError(
        where,
        `${at}.rdmaHcaMax`,
        r.rdmaHcaMax,
        'is out of range',
        limit === MAX_ROCE_SHARES
          ? `a whole number from 1 to ${MAX_ROCE_SHARES} for RoCE (linkTypes "ether": 128 GIDs per port)`
          : `a whole number from 1 to ${MAX_SHARES} (0 would advertise no devices)`,
      );
    }
    checkSelectors(where, `${at}.selectors`, s);
  });
}

const SELECTOR_KEYS = ['vendors', 'deviceIDs', 'drivers', 'ifNames', 'linkTypes'] as const;

function checkSelectors(where: string, at: string, s: RdmaSharedSelectors): void {
  const unknown = Object.keys(s).filter(k => !(SELECTOR_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new RdmaOptionError(
      where,
      `${at}.${unknown[0]}`,
      (s as Record<string, unknown>)[unknown[0]],
      'is not a selector',
      SELECTOR_KEYS.join(', '),
    );
  }
  if (!SELECTOR_KEYS.some(k => (s[k] ?? []).length > 0)) {
    throw new RdmaOptionError(where, at, s, 'selects no devices', `at least one non-empty list of ${SELECTOR_KEYS.join(', ')}`);
  }
  const each = (key: (typeof SELECTOR_KEYS)[number], check: (v: string, option: string) => void) =>
    (s[key] ?? []).forEach((v, j) => check(v, `${at}.${key}[${j}]`));
  const pciId = (what: string, example: string) => (v: string, option: string) => {
    if (typeof v !== 'string' || !PCI_ID.test(v))
      throw new RdmaOptionError(where, option, v, `is not a PCI ${what} id`, `four hex digits, e.g. "${example}"`);
  };
  each('vendors', pciId('vendor', '15b3'));
  each('deviceIDs', pciId('device', '101b'));
  each('drivers', (v, option) => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9_-]+$/.test(v))
      throw new RdmaOptionError(where, option, v, 'is not a driver name', 'a kernel driver name such as "mlx5_core"');
  });
  each('ifNames', (v, option) => checkInterfaceName(where, option, v));
  each('linkTypes', (v, option) => checkOneOf(where, option, v as RdmaLinkType, RDMA_LINK_TYPES));
}
