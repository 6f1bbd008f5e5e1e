import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { guaranteed } from '../kube';
import { defaultNamespace, selectorLabels, standardLabels } from '../labels';
import { checkDnsLabel, checkImage } from '../validate';
import { IPOIB_CNI } from '../versions';
import { CniHostPaths, TOLERATE_ALL, cniInstallerSecurityContext, resolveCniHostPaths } from './cni-node-agent';

const WHERE = 'IpoibCni';
const NAME = 'ipoib-cni';

export interface IpoibCniProps extends Pick<CniHostPaths, 'cniBinDir'> {
  /**
   * Namespace of the DaemonSet.
   * @default 'kube-system'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Image, pinned to a release (upstream's DaemonSet uses `latest`).
   * @default 'ghcr.io/mellanox/ipoib-cni:v1.2.2'
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * Run privileged, as upstream does. Off: root with every capability dropped, which is all copying a
   * binary into the host's CNI directory needs; turn on for SELinux-enforcing hosts that deny it.
   * @default false
   */
  readonly privileged?: boolean;
  /**
   * Extra nodeSelector (e.g. only InfiniBand nodes). Every node by default, as upstream.
   * @default {}
   */
  readonly nodeSelector?: Record<string, string>;
}

/**
 * Mellanox ipoib-cni: a DaemonSet whose entrypoint copies the `ipoib` CNI plugin into the host's CNI
 * plugin directory and then sleeps (Mellanox/ipoib-cni images/ipoib-cni-daemonset.yaml and
 * cmd/entrypoint). The plugin creates an IPoIB child link of the `master` interface and moves it into the pod.
 */
export class IpoibCni extends Construct {
  public readonly namespace: string;
  public readonly image: string;

  constructor(scope: Construct, id: string, props: IpoibCniProps = {}) {
    super(scope, id);
    this.namespace = checkDnsLabel(WHERE, 'namespace', props.namespace ?? defaultNamespace(this, 'kube-system'));
    this.image = checkImage(WHERE, 'image', props.image ?? IPOIB_CNI.image);
    const { binDir } = resolveCniHostPaths(WHERE, { cniBinDir: props.cniBinDir });
    const nodeSelector = props.nodeSelector ?? {};

    new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: { name: 'kube-ipoib-cni-ds', namespace: this.namespace, labels: standardLabels(this, NAME, 'cni') },
      spec: {
        selector: { matchLabels: selectorLabels(this, NAME) },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: selectorLabels(this, NAME) },
          spec: {
            // Unlike upstream, no host network: the pod only copies a file into a hostPath.
            priorityClassName: 'system-node-critical',
            tolerations: TOLERATE_ALL,
            nodeSelector: Object.keys(nodeSelector).length > 0 ? { ...nodeSelector } : undefined,
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'kube-ipoib-cni',
                image: this.image,
                // The entrypoint's default target (--cni-bin-dir) is /host/opt/cni/bin, where the host directory is mounted.
                resources: guaranteed({ cpu: '100m', memory: '50Mi' }),
                securityContext: cniInstallerSecurityContext(props.privileged ?? false),
                volumeMounts: [{ name: 'cnibin', mountPath: '/host/opt/cni/bin' }],
              },
            ],
            volumes: [{ name: 'cnibin', hostPath: { path: binDir, type: 'Directory' } }],
          },
        },
      },
    });
  }
}
