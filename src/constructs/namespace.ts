import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { standardLabels } from '../labels';
import { checkDnsLabel, checkLabels } from '../validate';

/** Pod Security Standards level a namespace enforces. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** Annotation that says why a namespace has its Pod Security level. */
export const POD_SECURITY_REASON = 'rdma.cdk8s.io/pod-security-reason';

/** Labels that make the Pod Security admission enforce (and warn/audit at) `level`. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/audit': level,
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/warn': level,
  };
}

export interface RdmaNamespaceProps {
  /** Namespace name. */
  readonly name: string;
  /** Pod Security level its workloads need; say why in `reason`. */
  readonly podSecurity: PodSecurityLevel;
  /** Why this level (kept as an annotation so reviewers see it in the cluster). */
  readonly reason: string;
  /**
   * Extra labels, e.g. `security.openshift.io/scc.podSecurityLabelSync: "false"` on OpenShift.
   * @default {}
   */
  readonly labels?: Record<string, string>;
}

/**
 * Labels that keep OpenShift's pod-security label synchronizer from rewriting the Pod Security labels we
 * set (it would derive them from the SCCs the namespace's service accounts can use).
 */
export const OPENSHIFT_NO_LABEL_SYNC: Readonly<Record<string, string>> = { 'security.openshift.io/scc.podSecurityLabelSync': 'false' };

/** A namespace labelled with the Pod Security level its workloads need, and why. */
export class RdmaNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: RdmaNamespaceProps) {
    super(scope, id);
    this.name = checkDnsLabel('RdmaNamespace', 'name', props.name);
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: {
          ...standardLabels(this, this.name, 'namespace'),
          ...checkLabels('RdmaNamespace', 'labels', props.labels ?? {}),
          ...podSecurityLabels(props.podSecurity),
        },
        annotations: { [POD_SECURITY_REASON]: props.reason },
      },
    });
  }
}
