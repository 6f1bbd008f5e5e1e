import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { standardLabels } from '../labels';
import { checkDnsLabel, checkDnsSubdomain } from '../validate';
import { BENCHMARK_IMAGE } from '../versions';
import { REQUIRED_SCC_ANNOTATION, SccGrant } from './openshift-scc';

export interface MpiJobSecurityProps {
  /** Namespace the MPI jobs run in (not `default`: OpenShift cannot grant SCCs to pods there). */
  readonly namespace: string;
  /**
   * ServiceAccount the launcher and worker pods run as.
   * @default 'mpi-job'
   */
  readonly serviceAccountName?: string;
  /**
   * SCC name.
   * @default 'cdk8s-rdma-mpi-job'
   */
  readonly sccName?: string;
  /**
   * Allow the pods to use the node's network namespace (the proof of concept did; EFA does not need it).
   * @default false
   */
  readonly allowHostNetwork?: boolean;
}

/**
 * What MPI job pods need on OpenShift and nothing more: a ServiceAccount and an SCC that lets them run as
 * the image's fixed `mpiuser` (UID/GID 1000) with the IPC_LOCK capability, huge pages and the usual
 * non-host volumes, granted to that ServiceAccount only through RBAC `use`.
 *
 * Why this replaces the proof of concept's `kubectl exec` patch of the operator: under `restricted-v2` a pod
 * gets a random UID that has no /etc/passwd entry, and OpenSSH refuses users it cannot look up. Running as
 * the image's own user (a fixed UID the SCC allows), sshd finds its user and home, reads the host key the
 * operator mounts there, listens on port 2222 (no privileged port) and needs no root, SYS_CHROOT or
 * NET_BIND_SERVICE: the v2 operator's ssh launcher works unpatched (kubeflow/mpi-operator issues #151 and #288 on OpenShift).
 */
export class MpiJobSecurity extends Construct {
  public readonly serviceAccountName: string;
  public readonly sccName: string;
  /** Pod annotations that pin the SCC, so a pod it does not admit fails with a clear message. */
  public readonly podAnnotations: Record<string, string>;

  constructor(scope: Construct, id: string, props: MpiJobSecurityProps) {
    super(scope, id);
    const where = 'MpiJobSecurity';
    const namespace = checkDnsLabel(where, 'namespace', props.namespace);
    this.serviceAccountName = checkDnsSubdomain(where, 'serviceAccountName', props.serviceAccountName ?? 'mpi-job');
    this.sccName = checkDnsSubdomain(where, 'sccName', props.sccName ?? 'cdk8s-rdma-mpi-job');
    const hostNetwork = props.allowHostNetwork ?? false;

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace, labels: standardLabels(this, this.serviceAccountName, 'benchmark') },
      // MPI pods never call the API server (the v2 operator launches ranks over ssh).
      automountServiceAccountToken: false,
    });
    new SccGrant(this, 'Scc', {
      name: this.sccName,
      description:
        'MPI job pods: fixed UID/GID 1000 (the image user sshd runs as), IPC_LOCK for RDMA memory registration' +
        (hostNetwork ? ', host network' : '') +
        '; no host paths, no privileged containers.',
      serviceAccounts: [{ namespace, name: this.serviceAccountName }],
      runAsUser: { type: 'MustRunAs', uid: BENCHMARK_IMAGE.uid },
      fixedGroup: BENCHMARK_IMAGE.uid,
      allowedCapabilities: ['IPC_LOCK'],
      // The volume types of restricted-v2 [inferred from the default SCCs, not from a cited source]; huge pages
      // and /dev/shm are emptyDir volumes.
      volumes: ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'],
      allowHostDirVolumePlugin: false,
      allowHostNetwork: hostNetwork,
      // With host network, Kubernetes sets each container port's hostPort (sshd's 2222).
      allowHostPorts: hostNetwork,
    });
    this.podAnnotations = { [REQUIRED_SCC_ANNOTATION]: this.sccName };
  }
}
