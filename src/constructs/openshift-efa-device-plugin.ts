import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { defaultNamespace, standardLabels } from '../labels';
import { checkDnsLabel, checkDnsSubdomain } from '../validate';
import { EfaDevicePlugin, EfaDevicePluginProps } from './efa-device-plugin';
import { OPENSHIFT_NO_LABEL_SYNC, RdmaNamespace } from './namespace';
import { EFA_NODE_LABEL } from './node-feature-discovery';
import { SccGrant } from './openshift-scc';

export interface OpenShiftEfaDevicePluginProps extends Omit<
  EfaDevicePluginProps,
  'privileged' | 'serviceAccountName' | 'adopt' | 'helmRelease' | 'includeAutoModeNodes'
> {
  /**
   * Namespace of the plugin. Not kube-system or default: OpenShift cannot grant an SCC to pods in its
   * default namespaces.
   * @default 'aws-efa-device-plugin'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Create the namespace (Pod Security `privileged`: the plugin uses host network and hostPath).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * ServiceAccount of the plugin pods, the only account the SCC is granted to.
   * @default 'aws-efa-device-plugin'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   * @maxLength 253
   */
  readonly serviceAccountName?: string;
  /**
   * Name of the plugin's SCC.
   * @default 'aws-efa-device-plugin'
   */
  readonly sccName?: string;
  /**
   * SELinux type of the plugin container. RHCOS enforces SELinux, and the default `container_t` domain is
   * not allowed to create the plugin socket in the kubelet's device-plugins directory [UNVERIFIED on a
   * cluster; device plugins on OpenShift run privileged or in a dedicated domain]. `spc_t` is the stock
   * unconfined container domain; set your own type if you load a dedicated policy.
   * @default 'spc_t'
   */
  readonly seLinuxType?: string;
}

/**
 * The EFA device plugin on OpenShift: the same DaemonSet as on EKS, in its own namespace with its own
 * ServiceAccount, and an SCC granting exactly what it uses: hostPath volumes (the kubelet's
 * device-plugins directory and /dev/infiniband), host network, root (the plugin runs as root, all
 * capabilities dropped) and its SELinux type. Nothing else: no privileged container, no added
 * capabilities, no host PID/IPC. By default it runs on the nodes NFD labels as having an EFA device.
 */
export class OpenShiftEfaDevicePlugin extends Construct {
  public readonly plugin: EfaDevicePlugin;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: OpenShiftEfaDevicePluginProps = {}) {
    super(scope, id);
    const where = 'OpenShiftEfaDevicePlugin';
    const { createNamespace = true, sccName = 'aws-efa-device-plugin', seLinuxType = 'spc_t', ...pluginProps } = props;
    this.namespace = checkDnsLabel(where, 'namespace', props.namespace ?? defaultNamespace(this, 'aws-efa-device-plugin'));
    const serviceAccountName = checkDnsLabel(where, 'serviceAccountName', props.serviceAccountName ?? 'aws-efa-device-plugin');

    if (createNamespace) {
      new RdmaNamespace(this, 'Namespace', {
        name: this.namespace,
        podSecurity: 'privileged',
        reason: 'The EFA device plugin uses host network and hostPath volumes (kubelet device-plugins directory, /dev/infiniband).',
        labels: { ...OPENSHIFT_NO_LABEL_SYNC },
      });
    }
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountName, namespace: this.namespace, labels: standardLabels(this, serviceAccountName, 'device-plugin') },
      // The plugin never calls the API server.
      automountServiceAccountToken: false,
    });
    new SccGrant(this, 'Scc', {
      name: checkDnsSubdomain(where, 'sccName', sccName),
      description:
        'EFA device plugin: hostPath (kubelet device-plugins, /dev/infiniband) and host network, as root with all capabilities dropped.',
      serviceAccounts: [{ namespace: this.namespace, name: serviceAccountName }],
      // The plugin image runs as root; it creates its socket in the root-owned kubelet directory.
      runAsUser: { type: 'MustRunAs', uid: 0 },
      allowedCapabilities: [],
      volumes: ['hostPath'],
      allowHostDirVolumePlugin: true,
      allowHostNetwork: true,
      // Host network turns the plugin's container ports (none today) into host ports; none are allowed.
      allowHostPorts: false,
      seLinuxType,
    });
    this.plugin = new EfaDevicePlugin(this, 'Plugin', {
      nodeTargeting: 'node-labels',
      nodeLabels: { [EFA_NODE_LABEL]: 'true' },
      ...pluginProps,
      namespace: this.namespace,
      serviceAccountName,
      seLinuxType,
      privileged: false,
      // No EKS Auto Mode nodes on OpenShift: no exclusion term.
      includeAutoModeNodes: true,
    });
  }
}
