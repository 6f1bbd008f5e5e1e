import { JsonPatch } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { SecurityContextConstraints, SecurityContextConstraintsProps } from '../../imports/security.openshift.io';
import { RdmaOptionError } from '../errors';
import { standardLabels } from '../labels';
import { checkDnsLabel, checkDnsSubdomain } from '../validate';

/** Pod annotation that pins the SCC a pod must be admitted by (openshift/api security/v1 consts.go). */
export const REQUIRED_SCC_ANNOTATION = 'openshift.io/required-scc';

/** A ServiceAccount, by namespace and name. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** How an SCC assigns user ids. */
export type SccRunAsUser =
  { readonly type: 'MustRunAs'; readonly uid: number } | { readonly type: 'MustRunAsNonRoot' } | { readonly type: 'RunAsAny' };

export interface SccGrantProps {
  /** SCC name (cluster-scoped). */
  readonly name: string;
  /** What it is for, kept as the SCC's `kubernetes.io/description` annotation. */
  readonly description: string;
  /** ServiceAccounts allowed to use it: each gets a RoleBinding to the `use` ClusterRole in its namespace. */
  readonly serviceAccounts: ServiceAccountRef[];
  /** How user ids are assigned. */
  readonly runAsUser: SccRunAsUser;
  /** Capabilities containers may add (everything else is dropped: `requiredDropCapabilities: [ALL]`). */
  readonly allowedCapabilities: string[];
  /** Volume types pods may use. */
  readonly volumes: string[];
  /** Allow hostPath volumes. */
  readonly allowHostDirVolumePlugin: boolean;
  /** Allow `hostNetwork: true`. */
  readonly allowHostNetwork: boolean;
  /** Allow host ports (implied by host network: container ports become host ports). */
  readonly allowHostPorts: boolean;
  /**
   * SELinux type to run pods with (`seLinuxContext: MustRunAs` with this type); unset keeps the
   * namespace's default MCS labels and the runtime's default type.
   */
  readonly seLinuxType?: string;
  /**
   * Fixed group for fsGroup and supplemental groups (`MustRunAs` with one range), or the namespace's
   * range when unset.
   */
  readonly fixedGroup?: number;
}

/**
 * A SecurityContextConstraints object granting exactly what a workload needs, a ClusterRole with `use` on
 * it (`security.openshift.io`, resource `securitycontextconstraints`, resourceNames [name]) and one
 * RoleBinding per ServiceAccount: the RBAC way to grant an SCC, scoped to those accounts (openshift/api
 * security/v1/types.go). Privileged containers, host PID/IPC and privilege escalation are never allowed.
 */
export class SccGrant extends Construct {
  public readonly name: string;
  /** Name of the ClusterRole that grants `use`. */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: SccGrantProps) {
    super(scope, id);
    const where = 'SccGrant';
    this.name = checkDnsSubdomain(where, 'name', props.name);
    this.roleName = `use-scc-${this.name}`;
    if (props.serviceAccounts.length === 0) {
      throw new RdmaOptionError(
        where,
        'serviceAccounts',
        props.serviceAccounts,
        'is empty',
        'at least one ServiceAccount to grant the SCC to',
      );
    }
    const labels = standardLabels(this, this.name, 'security');
    const group =
      props.fixedGroup !== undefined
        ? { type: 'MustRunAs', ranges: [{ min: props.fixedGroup, max: props.fixedGroup }] }
        : { type: 'MustRunAs' };
    // Every field typed except `priority`: required and nullable, it is added as null below.
    const sccProps: Omit<SecurityContextConstraintsProps, 'priority'> = {
      metadata: { name: this.name, labels, annotations: { 'kubernetes.io/description': props.description } },
      allowHostDirVolumePlugin: props.allowHostDirVolumePlugin,
      allowHostIpc: false,
      allowHostNetwork: props.allowHostNetwork,
      allowHostPid: false,
      allowHostPorts: props.allowHostPorts,
      allowPrivilegeEscalation: false,
      allowPrivilegedContainer: false,
      allowedCapabilities: [...props.allowedCapabilities],
      defaultAddCapabilities: [],
      fsGroup: group,
      groups: [],
      readOnlyRootFilesystem: false,
      requiredDropCapabilities: ['ALL'],
      runAsUser: props.runAsUser,
      seLinuxContext:
        props.seLinuxType !== undefined ? { type: 'MustRunAs', seLinuxOptions: { type: props.seLinuxType } } : { type: 'MustRunAs' },
      // As restricted-v2 does [inferred]: pods get the runtime's default seccomp profile.
      seccompProfiles: ['runtime/default'],
      supplementalGroups: group,
      users: [],
      volumes: [...props.volumes].sort(),
    };
    const scc = new SecurityContextConstraints(this, 'Resource', sccProps as SecurityContextConstraintsProps);
    // `priority` is required and nullable: null sorts this SCC by restrictiveness like the default SCCs.
    // (cdk8s drops nulls from props, so it is added as a patch.)
    scc.addJsonPatch(JsonPatch.add('/priority', null));

    new k8s.KubeClusterRole(this, 'UseRole', {
      metadata: { name: this.roleName, labels: standardLabels(this, this.roleName, 'security') },
      rules: [
        { apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: [this.name], verbs: ['use'] },
      ],
    });
    const namespaces = new Set<string>();
    props.serviceAccounts.forEach((sa, i) => {
      checkDnsLabel(where, `serviceAccounts[${i}].namespace`, sa.namespace);
      checkDnsSubdomain(where, `serviceAccounts[${i}].name`, sa.name);
      if (namespaces.has(sa.namespace)) {
        throw new RdmaOptionError(
          where,
          `serviceAccounts[${i}].namespace`,
          sa.namespace,
          'appears twice',
          'one ServiceAccount per namespace',
        );
      }
      namespaces.add(sa.namespace);
      new k8s.KubeRoleBinding(this, `Use${i}`, {
        metadata: { name: this.roleName, namespace: sa.namespace, labels: standardLabels(this, this.roleName, 'security') },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.roleName },
        subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }],
      });
    });
  }
}
