import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { checkAbsolutePath } from '../validate';

/**
 * Host paths of the CNI plugins and their configuration, shared by the node agents that install CNI
 * binaries (Multus, ipoib-cni, whereabouts). Kubernetes distributions use /opt/cni/bin and /etc/cni/net.d;
 * OpenShift uses /var/lib/cni/bin ("/opt/cni/bin directory is read-only on OCP", network-operator
 * pkg/consts) and /etc/kubernetes/cni/net.d (Mellanox/network-operator manifests/ DaemonSets; the latter not checked against
 * OpenShift documentation).
 */
export interface CniHostPaths {
  /**
   * Host directory the container runtime loads CNI plugins from.
   * @default '/opt/cni/bin'
   */
  readonly cniBinDir?: string;
  /**
   * Host directory of the CNI network configuration files.
   * @default '/etc/cni/net.d'
   */
  readonly cniConfDir?: string;
}

export const DEFAULT_CNI_BIN_DIR = '/opt/cni/bin';
export const DEFAULT_CNI_CONF_DIR = '/etc/cni/net.d';

export interface ResolvedCniHostPaths {
  readonly binDir: string;
  readonly confDir: string;
}

export function resolveCniHostPaths(where: string, p: CniHostPaths): ResolvedCniHostPaths {
  return {
    binDir: checkAbsolutePath(where, 'cniBinDir', p.cniBinDir ?? DEFAULT_CNI_BIN_DIR),
    confDir: checkAbsolutePath(where, 'cniConfDir', p.cniConfDir ?? DEFAULT_CNI_CONF_DIR),
  };
}

/**
 * Security context of an agent that only writes files into host CNI directories: root (the directories
 * are root's), every capability dropped, no privilege escalation. `privileged` restores the upstream
 * manifests' `privileged: true`, for SELinux-enforcing hosts whose policy keeps container_t from writing
 * there.
 */
export function cniInstallerSecurityContext(privileged: boolean): k8s.SecurityContext {
  return privileged
    ? { privileged: true }
    : { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
}

/** Tolerate every NoSchedule and NoExecute taint: a CNI agent missing from a node breaks its pods' networks. */
export const TOLERATE_ALL: k8s.Toleration[] = [
  { operator: 'Exists', effect: 'NoSchedule' },
  { operator: 'Exists', effect: 'NoExecute' },
];
