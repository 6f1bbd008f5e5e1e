import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { MPIJOB_CRD_NAME, MPIJOB_CRD_SPEC } from '../crds';
import { ResourceRequirements, toResources } from '../kube';
import { defaultNamespace, selectorLabels, standardLabels } from '../labels';
import { checkDnsLabel, checkImage, checkOneOf, checkPositiveInt, checkedResources } from '../validate';
import { MPI_OPERATOR } from '../versions';
import { POD_SECURITY_REASON, podSecurityLabels } from './namespace';

const WHERE = 'MpiOperator';
const NAME = 'mpi-operator';

/** Default operator resources: our sizing, not an upstream figure (upstream's Deployment sets none). */
export const MPI_OPERATOR_RESOURCES: ResourceRequirements = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } };

/**
 * Labels of every object in upstream's `deploy/v2beta1/mpi-operator.yaml` (kustomize commonLabels, which
 * kustomize also puts into selectors): the Deployment's `spec.selector.matchLabels` (kubeflow/mpi-operator,
 * kubeflow/mpi-operator deploy/v2beta1/mpi-operator.yaml, v0.8.0).
 */
export const UPSTREAM_MPI_OPERATOR_LABELS: Readonly<Record<string, string>> = {
  app: 'mpi-operator',
  'app.kubernetes.io/component': 'mpijob',
  'app.kubernetes.io/name': 'mpi-operator',
  'kustomize.component': 'mpi-operator',
};

/**
 * The operator's RBAC in `least-privilege` mode: what the v2 (ssh) controller's code paths call, read in
 * kubeflow/mpi-operator `pkg/controller/mpi_job_controller.go` (@012dae5) and `cmd/mpi-operator/app/server.go`
 * (@067a81e); [UNVERIFIED against the v0.8.0 tag itself, whose upstream rules equal HEAD's]. Every informer's
 * list and watch (a Forbidden watch makes the operator exit): ConfigMaps, Secrets, Services, Pods, batch Jobs,
 * PriorityClasses (its informer is always started), MPIJobs. Writes: ConfigMap, Secret and Service create and
 * update (getOrCreate*), Pod create and delete (workers, cleanPodPolicy), Job create and update (the launcher,
 * suspension), MPIJob status update (doUpdateJobStatus), MPIJob finalizers update (its controller references
 * block owner deletion: OpenShift's OwnerReferencesPermissionEnforcement checks it), Event create and patch
 * (the recorders). Leader election uses a Lease in the lock namespace (resourcelock.LeaseLock: get, create,
 * update), granted by a Role there. Not called: `pods/exec` (the v1 flow), `endpoints` (older lock types),
 * CRD create/get (checkCRDExists lists MPIJobs), Pod get/update/patch, and the volcano/scheduler-plugins
 * resources (only with `--gang-scheduling`, which these manifests never pass). Secrets, like every watched
 * kind, are read cluster-wide: the operator watches all namespaces.
 */
export const LEAST_PRIVILEGE_MPI_OPERATOR_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'services'], verbs: ['create', 'list', 'watch', 'update'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'list', 'watch', 'update'] },
  { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['list', 'watch'] },
  { apiGroups: ['kubeflow.org'], resources: ['mpijobs'], verbs: ['list', 'watch'] },
  { apiGroups: ['kubeflow.org'], resources: ['mpijobs/status', 'mpijobs/finalizers'], verbs: ['update'] },
];

/** The leader-election Lease rule, in the lock namespace only. */
export const MPI_OPERATOR_LEASE_RULE: k8s.PolicyRule = {
  apiGroups: ['coordination.k8s.io'],
  resources: ['leases'],
  verbs: ['get', 'create', 'update'],
};

/** Which RBAC the operator gets: upstream's rules as they are, or only what its code paths use. */
export type MpiOperatorRbac = 'least-privilege' | 'upstream';

/** Whose operator install the construct's objects take the place of (see MpiOperatorProps.adopt). */
export type MpiOperatorAdoption = 'none' | 'upstream';

export interface MpiOperatorProps {
  /**
   * Namespace of the operator (also its leader-election lock namespace). Unset, the namespace of the
   * enclosing Chart if it has one.
   * @default 'mpi-operator'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Take over an install of upstream's `deploy/v2beta1/mpi-operator.yaml` (v0.8) in place: the Deployment keeps
   * upstream's selector and pod labels (a Deployment's selector is immutable; ours differs), every other
   * object already has upstream's name. `none`: our own selector.
   * @default 'none'
   */
  readonly adopt?: MpiOperatorAdoption;
  /**
   * The operator's RBAC: `least-privilege` (what the v2 ssh flow's code paths call, with the leader-election
   * Lease in the operator's namespace only; see LEAST_PRIVILEGE_MPI_OPERATOR_RULES), or `upstream` (the
   * ClusterRole of deploy/v2beta1/mpi-operator.yaml rule for rule, with `pods/exec`, cluster-wide `leases`
   * and the gang-scheduling resources).
   * @default 'least-privilege'
   */
  readonly rbac?: MpiOperatorRbac;
  /**
   * UID the operator runs as; `null` lets the platform assign one (OpenShift's restricted-v2 SCC gives each
   * namespace its own UID range and refuses a fixed UID outside it).
   * @default 65532 (distroless's nonroot user; the image itself would run as root)
   */
  readonly runAsUser?: number | null;
  /**
   * Create the namespace (labelled for Pod Security `baseline`).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Install the `mpijobs.kubeflow.org` CRD (the project's own definition of v2beta1).
   * @default true
   */
  readonly installCrd?: boolean;
  /**
   * Operator image.
   * @default 'mpioperator/mpi-operator:0.8.0'
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * Operator container resources. Upstream sets none; the default is our sizing (not an upstream figure) so the
   * operator has a scheduling request and a memory ceiling. No CPU limit: throttling a controller only slows it.
   * @default { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } }
   */
  readonly resources?: ResourceRequirements;
}

/**
 * kubeflow mpi-operator v0.8.x serving MPIJob `kubeflow.org/v2beta1`: namespace, CRD, ServiceAccount, the
 * operator ClusterRole and the aggregated admin/edit/view roles, binding and Deployment (kubeflow/mpi-operator
 * deploy/v2beta1/mpi-operator.yaml at v0.8.0; objects written here, not copied).
 */
export class MpiOperator extends Construct {
  public readonly namespace: string;
  public readonly image: string;
  /** The CRD object, when installCrd is true. */
  public readonly crd?: ApiObject;

  constructor(scope: Construct, id: string, props: MpiOperatorProps = {}) {
    super(scope, id);
    this.namespace = checkDnsLabel(WHERE, 'namespace', props.namespace ?? defaultNamespace(this, NAME));
    const adopt = checkOneOf(WHERE, 'adopt', props.adopt ?? 'none', ['none', 'upstream']);
    const selector = adopt === 'upstream' ? { ...UPSTREAM_MPI_OPERATOR_LABELS } : selectorLabels(this, NAME);
    this.image = checkImage(WHERE, 'image', props.image ?? MPI_OPERATOR.image);
    const labels = (name: string) => standardLabels(this, name, 'mpi-operator');

    const runAsUser = props.runAsUser === null ? null : checkPositiveInt(WHERE, 'runAsUser', props.runAsUser ?? 65532);
    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          labels: { ...labels(NAME), ...podSecurityLabels('restricted') },
          annotations: {
            [POD_SECURITY_REASON]:
              'The operator pod is an API client: non-root, no capabilities, no privilege escalation, RuntimeDefault seccomp.',
          },
        },
      });
    }

    if (props.installCrd ?? true) {
      // Plain ApiObject: the L1 JSONSchemaProps class would drop the x-kubernetes-* keys of the schema.
      this.crd = new ApiObject(this, 'Crd', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: MPIJOB_CRD_NAME, labels: labels(NAME) },
        spec: MPIJOB_CRD_SPEC,
      });
    }

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: NAME, namespace: this.namespace, labels: labels(NAME) },
    });

    const mpijobVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    new k8s.KubeClusterRole(this, 'AdminRole', {
      metadata: {
        name: 'kubeflow-mpijobs-admin',
        // [UNVERIFIED label] the admin role aggregates into kubeflow-admin like the edit/view roles do.
        labels: { ...labels('kubeflow-mpijobs-admin'), 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-admin': 'true' },
      },
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-mpijobs-admin': 'true' } }],
      },
    });
    new k8s.KubeClusterRole(this, 'EditRole', {
      metadata: {
        name: 'kubeflow-mpijobs-edit',
        labels: {
          ...labels('kubeflow-mpijobs-edit'),
          'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit': 'true',
          'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-mpijobs-admin': 'true',
          // Beyond upstream: lets holders of the built-in admin/edit roles in a namespace run MPIJobs there
          // (they can already create the pods an MPIJob creates).
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
        },
      },
      rules: [{ apiGroups: ['kubeflow.org'], resources: ['mpijobs', 'mpijobs/status'], verbs: mpijobVerbs }],
    });
    new k8s.KubeClusterRole(this, 'ViewRole', {
      metadata: {
        name: 'kubeflow-mpijobs-view',
        labels: {
          ...labels('kubeflow-mpijobs-view'),
          'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-view': 'true',
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
        },
      },
      rules: [{ apiGroups: ['kubeflow.org'], resources: ['mpijobs', 'mpijobs/status'], verbs: ['get', 'list', 'watch'] }],
    });

    const rbac = checkOneOf(WHERE, 'rbac', props.rbac ?? 'least-privilege', ['least-privilege', 'upstream']);
    // Operator rules of kubeflow/mpi-operator deploy/v2beta1/mpi-operator.yaml at v0.8.0, or only
    // what the code paths use.
    new k8s.KubeClusterRole(this, 'OperatorRole', {
      metadata: { name: NAME, labels: labels(NAME) },
      rules:
        rbac === 'least-privilege'
          ? LEAST_PRIVILEGE_MPI_OPERATOR_RULES.map(r => ({ ...r }))
          : [
              { apiGroups: [''], resources: ['configmaps', 'secrets', 'services'], verbs: ['create', 'list', 'watch', 'update'] },
              { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete', 'update', 'patch'] },
              // Kept from upstream although the v2 (ssh) flow does not exec into pods.
              { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
              { apiGroups: [''], resources: ['endpoints'], verbs: ['create', 'get', 'update'] },
              { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
              { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'list', 'update', 'watch'] },
              { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['create', 'get'] },
              { apiGroups: ['kubeflow.org'], resources: ['mpijobs', 'mpijobs/finalizers', 'mpijobs/status'], verbs: ['*'] },
              { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['*'] },
              {
                apiGroups: ['scheduling.incubator.k8s.io', 'scheduling.sigs.dev', 'scheduling.volcano.sh'],
                resources: ['queues', 'podgroups'],
                verbs: ['*'],
              },
              { apiGroups: ['scheduling.x-k8s.io'], resources: ['podgroups'], verbs: ['*'] },
              { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['get', 'list', 'watch'] },
            ],
    });
    if (rbac === 'least-privilege') {
      // The leader-election Lease (named mpi-operator) lives in the lock namespace, which is the operator's.
      new k8s.KubeRole(this, 'LeaseRole', {
        metadata: { name: `${NAME}-leader-election`, namespace: this.namespace, labels: labels(`${NAME}-leader-election`) },
        rules: [{ ...MPI_OPERATOR_LEASE_RULE }],
      });
      new k8s.KubeRoleBinding(this, 'LeaseBinding', {
        metadata: { name: `${NAME}-leader-election`, namespace: this.namespace, labels: labels(`${NAME}-leader-election`) },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader-election` },
        subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: this.namespace }],
      });
    }
    new k8s.KubeClusterRoleBinding(this, 'OperatorBinding', {
      metadata: { name: NAME, labels: labels(NAME) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: this.namespace }],
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: NAME, namespace: this.namespace, labels: labels(NAME) },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...selectorLabels(this, NAME), ...selector },
            annotations: { 'sidecar.istio.io/inject': 'false' },
          },
          spec: {
            serviceAccountName: NAME,
            // Pod Security `restricted`: the operator is an API client only. The image (kubeflow/mpi-operator
            // Dockerfile: gcr.io/distroless/base-debian12, binary in /opt) runs as root unless told otherwise, so
            // the UID is set (distroless's `nonroot`, 65532) unless the platform assigns one (OpenShift's SCCs).
            securityContext: {
              runAsNonRoot: true,
              runAsUser: runAsUser ?? undefined,
              runAsGroup: runAsUser ?? undefined,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: NAME,
                image: this.image,
                args: ['-alsologtostderr', `--lock-namespace=${this.namespace}`],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                resources: toResources(checkedResources(WHERE, 'resources', props.resources ?? MPI_OPERATOR_RESOURCES)),
              },
            ],
          },
        },
      },
    });
  }
}
