import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { NAD_CRD_NAME, NAD_CRD_SPEC } from '../crds';
import { RdmaOptionError } from '../errors';
import { CONFIG_HASH_ANNOTATION, configHash, guaranteed } from '../kube';
import { defaultNamespace, selectorLabels, standardLabels } from '../labels';
import { quantityToBytes } from '../quantity';
import { checkCpu, checkDnsLabel, checkImage, checkMemory, checkOneOf } from '../validate';
import type { QuantityValue } from '../validate';
import { MULTUS } from '../versions';
import { CniHostPaths, DEFAULT_CNI_BIN_DIR, TOLERATE_ALL, resolveCniHostPaths } from './cni-node-agent';

const WHERE = 'Multus';
const NAME = 'multus';

/** Multus daemon log levels (docs/configuration.md). */
export type MultusLogLevel = 'panic' | 'error' | 'verbose' | 'debug';
export const MULTUS_LOG_LEVELS: readonly MultusLogLevel[] = ['panic', 'error', 'verbose', 'debug'];

export interface MultusProps extends CniHostPaths {
  /**
   * Namespace of the DaemonSet, its ServiceAccount and ConfigMap.
   * @default 'kube-system'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Thick-plugin image, pinned to a release (upstream's file ships the moving `snapshot-thick` tag).
   * @default 'ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick'
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * Install the `network-attachment-definitions.k8s.cni.cncf.io` CRD (the project's own definition).
   * @default true
   */
  readonly installCrd?: boolean;
  /**
   * Memory of the daemon, requested and limited alike. Upstream's 50Mi is the most reported cause of
   * Multus being OOM-killed at node reboot or pod bursts (multus-cni #1346, #1383, #1416; the memory of
   * delegate plugins counts against the daemon, #1144).
   * @default '300Mi'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|k|M|G|T)?$
   * @exclusiveMinimum 0
   */
  readonly memory?: QuantityValue;
  /**
   * CPU of the daemon, requested and limited alike.
   * @default '100m'
   * @pattern ^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*|[0-9]*[1-9][0-9]*m)$
   * @exclusiveMinimum 0
   */
  readonly cpu?: QuantityValue;
  /**
   * Daemon log level.
   * @default 'verbose' (upstream's)
   */
  readonly logLevel?: MultusLogLevel;
}

/**
 * Multus CNI as the thick plugin (a daemon per node and a small shim binary), the shape of
 * k8snetworkplumbingwg/multus-cni deployments/multus-daemonset-thick.yml at v4.3.0, hardened:
 * a released image tag, Guaranteed QoS (init container included, so the pod is not first in line for the
 * OOM killer, #1160), system-node-critical priority, and a config hash that rolls the pods when the daemon
 * configuration changes.
 */
export class Multus extends Construct {
  public readonly namespace: string;
  public readonly image: string;
  /** The CRD object, when installCrd is true. */
  public readonly crd?: ApiObject;

  constructor(scope: Construct, id: string, props: MultusProps = {}) {
    super(scope, id);
    this.namespace = checkDnsLabel(WHERE, 'namespace', props.namespace ?? defaultNamespace(this, 'kube-system'));
    this.image = checkImage(WHERE, 'image', props.image ?? MULTUS.image);
    const { binDir, confDir } = resolveCniHostPaths(WHERE, props);
    const memory = checkMemory(WHERE, 'memory', props.memory ?? '300Mi');
    const cpu = checkCpu(WHERE, 'cpu', props.cpu ?? '100m');
    const logLevel = checkOneOf(WHERE, 'logLevel', props.logLevel ?? 'verbose', MULTUS_LOG_LEVELS);
    const labels = standardLabels(this, NAME, 'cni');

    if (props.installCrd ?? true) {
      this.crd = new ApiObject(this, 'Crd', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: NAD_CRD_NAME, labels },
        spec: NAD_CRD_SPEC,
      });
    }

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: NAME, namespace: this.namespace, labels } });
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: NAME, labels },
      rules: [
        { apiGroups: ['k8s.cni.cncf.io'], resources: ['*'], verbs: ['*'] },
        { apiGroups: [''], resources: ['pods', 'pods/status'], verbs: ['get', 'list', 'update', 'watch'] },
        // Dynamic Resource Allocation claims (v4.3.0).
        {
          apiGroups: ['resource.k8s.io'],
          resources: ['resourceclaims', 'resourceclaims/status', 'resourceslices'],
          verbs: ['get', 'list'],
        },
        { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: this.namespace }],
    });

    // Paths inside the container: the host's CNI configuration directory is mounted at /host/etc/cni/net.d.
    const daemonConfig: Record<string, unknown> = {
      chrootDir: '/hostroot',
      cniVersion: '0.3.1',
      logLevel,
      logToStderr: true,
      cniConfigDir: '/host/etc/cni/net.d',
      multusAutoconfigDir: '/host/etc/cni/net.d',
      multusConfigFile: 'auto',
      socketDir: '/host/run/multus/',
    };
    // `binDir` is a Multus configuration key (default /opt/cni/bin) that the thick daemon config accepts.
    if (binDir !== DEFAULT_CNI_BIN_DIR) daemonConfig.binDir = binDir;
    const daemonConfigJson = JSON.stringify(daemonConfig, null, 2) + '\n';
    new k8s.KubeConfigMap(this, 'DaemonConfig', {
      metadata: { name: 'multus-daemon-config', namespace: this.namespace, labels },
      data: { 'daemon-config.json': daemonConfigJson },
    });

    const hostPath = (name: string, path: string): k8s.Volume => ({ name, hostPath: { path } });
    new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: { name: 'kube-multus-ds', namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: selectorLabels(this, NAME) },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: selectorLabels(this, NAME), annotations: { [CONFIG_HASH_ANNOTATION]: configHash(daemonConfigJson) } },
          spec: {
            // The daemon configures pod network namespaces from the host: host network and PID namespaces.
            hostNetwork: true,
            hostPid: true,
            priorityClassName: 'system-node-critical',
            tolerations: TOLERATE_ALL,
            serviceAccountName: NAME,
            terminationGracePeriodSeconds: 30,
            initContainers: [
              {
                name: 'install-multus-binary',
                image: this.image,
                command: ['/usr/src/multus-cni/bin/install_multus', '-d', '/host/opt/cni/bin', '-t', 'thick'],
                // Requests equal to limits here too, or the pod is Burstable (multus-cni #1160).
                resources: guaranteed({ cpu: '10m', memory: '50Mi' }),
                securityContext: { privileged: true },
                terminationMessagePolicy: 'FallbackToLogsOnError',
                volumeMounts: [{ name: 'cnibin', mountPath: '/host/opt/cni/bin', mountPropagation: 'Bidirectional' }],
              },
            ],
            containers: [
              {
                name: 'kube-multus',
                image: this.image,
                command: ['/usr/src/multus-cni/bin/multus-daemon'],
                env: [{ name: 'MULTUS_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                resources: guaranteed({ cpu, memory: checkMinMemory(memory) }),
                // Enters pod network namespaces and runs the delegate plugins chrooted to the host.
                securityContext: { privileged: true },
                terminationMessagePolicy: 'FallbackToLogsOnError',
                volumeMounts: [
                  { name: 'cni', mountPath: '/host/etc/cni/net.d' },
                  // The daemon needs the plugin directory at the same path as on the host.
                  { name: 'cnibin', mountPath: binDir },
                  { name: 'host-run', mountPath: '/host/run' },
                  { name: 'host-var-lib-cni-multus', mountPath: '/var/lib/cni/multus' },
                  { name: 'host-var-lib-kubelet', mountPath: '/var/lib/kubelet', mountPropagation: 'HostToContainer' },
                  { name: 'host-run-k8s-cni-cncf-io', mountPath: '/run/k8s.cni.cncf.io' },
                  { name: 'host-run-netns', mountPath: '/run/netns', mountPropagation: 'HostToContainer' },
                  { name: 'multus-daemon-config', mountPath: '/etc/cni/net.d/multus.d', readOnly: true },
                  { name: 'hostroot', mountPath: '/hostroot', mountPropagation: 'HostToContainer' },
                  { name: 'multus-conf-dir', mountPath: '/etc/cni/multus/net.d' },
                ],
              },
            ],
            volumes: [
              hostPath('cni', confDir),
              hostPath('cnibin', binDir),
              hostPath('hostroot', '/'),
              {
                name: 'multus-daemon-config',
                configMap: { name: 'multus-daemon-config', items: [{ key: 'daemon-config.json', path: 'daemon-config.json' }] },
              },
              hostPath('host-run', '/run'),
              hostPath('host-var-lib-cni-multus', '/var/lib/cni/multus'),
              hostPath('host-var-lib-kubelet', '/var/lib/kubelet'),
              hostPath('host-run-k8s-cni-cncf-io', '/run/k8s.cni.cncf.io'),
              hostPath('host-run-netns', '/run/netns/'),
              hostPath('multus-conf-dir', '/etc/cni/multus/net.d'),
            ],
          },
        },
      },
    });
  }
}

/** Below this the daemon is OOM-killed in the reports cited on `memory`. */
const MIN_MEMORY = '100Mi';

function checkMinMemory(memory: string): string {
  if ((quantityToBytes(memory) ?? 0) < (quantityToBytes(MIN_MEMORY) ?? 0)) {
    throw new RdmaOptionError(
      WHERE,
      'memory',
      memory,
      "is too little (Multus is OOM-killed at upstream's 50Mi)",
      `at least "${MIN_MEMORY}"; the default is "300Mi"`,
    );
  }
  return memory;
}
