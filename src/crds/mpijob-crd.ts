/**
 * The project's own definition of the `mpijobs.kubeflow.org` CRD, serving MPIJob `kubeflow.org/v2beta1`
 * as kubeflow/mpi-operator v0.8.x does (fields and defaults per kubeflow/mpi-operator
 * `pkg/apis/kubeflow/v2beta1/types.go` at v0.8.0).
 *
 * A structural schema written here, not the upstream file: the fields the controller reads are typed,
 * while embedded pod templates preserve unknown fields (the API server then does not prune them; the
 * kubelet and admission still validate the pods the operator creates). Tests check that every field
 * declared here exists upstream with the same type, and that every MPIJob we emit validates against
 * both definitions.
 */

type Schema = Record<string, unknown>;

const int32 = (extra: Schema = {}): Schema => ({ type: 'integer', format: 'int32', ...extra });
const int64 = (): Schema => ({ type: 'integer', format: 'int64' });
const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const bool = (extra: Schema = {}): Schema => ({ type: 'boolean', ...extra });
const time = (): Schema => ({ type: 'string', format: 'date-time' });
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: 'object', properties, ...extra });

const quantity: Schema = {
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
  'x-kubernetes-int-or-string': true,
};

const replicaSpec = obj({
  replicas: int32({ description: 'Number of replicas. The launcher has exactly one; workers default to 0.' }),
  restartPolicy: str({ description: 'Always, OnFailure, Never or ExitCode.' }),
  template: {
    type: 'object',
    description: 'Pod template of the replicas (a core/v1 PodTemplateSpec).',
    'x-kubernetes-preserve-unknown-fields': true,
  },
});

const runPolicy = obj({
  cleanPodPolicy: str({ description: 'Which pods to delete when the job finishes: All, Running or None (the controller defaults None).' }),
  ttlSecondsAfterFinished: int32(),
  activeDeadlineSeconds: int64(),
  backoffLimit: int32(),
  schedulingPolicy: obj({
    minAvailable: int32(),
    queue: str(),
    minResources: { type: 'object', additionalProperties: quantity },
    priorityClass: str(),
    scheduleTimeoutSeconds: int32(),
  }),
  suspend: bool({ default: false }),
  managedBy: str({ description: 'kubeflow.org/mpi-operator or kueue.x-k8s.io/multikueue; immutable.' }),
});

const spec = obj(
  {
    slotsPerWorker: int32({ default: 1, description: 'MPI slots (ranks) per worker.' }),
    runLauncherAsWorker: bool({ default: false }),
    runPolicy,
    mpiReplicaSpecs: {
      type: 'object',
      description: 'Replica specs keyed by Launcher and Worker.',
      additionalProperties: replicaSpec,
    },
    sshAuthMountPath: str({ default: '/root/.ssh', description: 'Where the generated SSH key is mounted.' }),
    launcherCreationPolicy: str({ default: 'AtStartup', description: 'AtStartup or WaitForWorkersReady.' }),
    mpiImplementation: str({ default: 'OpenMPI', enum: ['OpenMPI', 'Intel', 'MPICH'] }),
  },
  { required: ['mpiReplicaSpecs'] },
);

const labelSelector = obj(
  {
    matchExpressions: {
      type: 'array',
      'x-kubernetes-list-type': 'atomic',
      items: obj(
        {
          key: str(),
          operator: str(),
          values: { type: 'array', items: str(), 'x-kubernetes-list-type': 'atomic' },
        },
        { required: ['key', 'operator'] },
      ),
    },
    matchLabels: { type: 'object', additionalProperties: str() },
  },
  { 'x-kubernetes-map-type': 'atomic' },
);

const status = obj({
  conditions: {
    type: 'array',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    items: obj(
      {
        type: str(),
        status: str({ enum: ['True', 'False', 'Unknown'] }),
        reason: str(),
        message: str(),
        lastUpdateTime: time(),
        lastTransitionTime: time(),
      },
      { required: ['status', 'type'] },
    ),
  },
  replicaStatuses: {
    type: 'object',
    additionalProperties: obj({
      active: int32(),
      succeeded: int32(),
      failed: int32(),
      labelSelector,
      selector: str(),
    }),
  },
  startTime: time(),
  completionTime: time(),
  lastReconcileTime: time(),
});

/** The CRD's `spec` (apiextensions.k8s.io/v1 CustomResourceDefinitionSpec) as plain JSON. */
export const MPIJOB_CRD_SPEC = {
  group: 'kubeflow.org',
  names: { kind: 'MPIJob', listKind: 'MPIJobList', plural: 'mpijobs', singular: 'mpijob' },
  scope: 'Namespaced',
  versions: [
    {
      name: 'v2beta1',
      served: true,
      storage: true,
      subresources: { status: {} },
      schema: {
        openAPIV3Schema: obj({
          apiVersion: str(),
          kind: str(),
          metadata: { type: 'object' },
          spec,
          status,
        }),
      },
    },
  ],
};

export const MPIJOB_CRD_NAME = 'mpijobs.kubeflow.org';
