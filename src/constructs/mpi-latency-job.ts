import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { MpiJob, MpiJobSpecMpiImplementation } from '../../imports/kubeflow.org';
import { checkCheckName, checkTtl, runIdOf, runLabels, runName } from '../checks';
import { RdmaOptionError } from '../errors';
import { guaranteed, spreadAcrossNodes } from '../kube';
import { selectorLabels, standardLabels } from '../labels';
import { checkNonEmpty, checkOneOf, checkPositiveInt } from '../validate';
import { OSU_RUN_MARKER } from '../report/markers';
import { BENCHMARK_IMAGE, IB_BENCHMARK_IMAGE, INTEL_BENCHMARK_IMAGE, KUBECTL_IMAGE } from '../versions';
import {
  BenchmarkPodOptions,
  EFA_TRANSPORTS,
  EfaTransport,
  efaPodResources,
  mpiUserSecurityContext,
  mpiWorkerContainer,
  podMetadata,
  podPlacement,
  ResolvedBenchmarkPod,
  resolveBenchmarkPod,
  tcpPodResources,
} from './benchmark-pod';
import { DEFAULT_RDMA_RESOURCE, checkRdmaResource } from './ib-workloads';
import { addPodClaims, containerClaims, refuseRdmaResourceWithClaim } from './dra';

/** How the MPI job's ranks reach each other: EFA, the TCP twin, or InfiniBand verbs. */

/**
 * OSU `-i` by benchmark when unset: OSU's own small-message defaults (c/util/osu_util.h 7.x: LAT_LOOP_SMALL 10000,
 * BW_LOOP_SMALL 100, COLL_LOOP_SMALL 1000).
 */
export const OSU_DEFAULT_ITERATIONS: Readonly<Record<OsuBenchmark, number>> = {
  osu_latency: 10000,
  osu_bw: 100,
  osu_allreduce: 1000,
  osu_alltoall: 1000,
};
/** OSU `-m` when unset: OSU's own largest sizes (MAX_MESSAGE_SIZE 4 MiB for point-to-point, 1 MiB for collectives). */
export const OSU_DEFAULT_MESSAGE_SIZES = { pt2pt: '1:4194304', collective: '1:1048576' } as const;
export type MpiTransport = EfaTransport | 'ib';
export const MPI_TRANSPORTS: readonly MpiTransport[] = [...EFA_TRANSPORTS, 'ib'];

const WHERE = 'MpiLatencyJob';

/**
 * OSU benchmarks the job can run, one rank per node: the point-to-point ones (exactly two ranks: osu_latency
 * "requires exactly two processes") and the blocking collectives across every worker.
 */
export type OsuBenchmark = 'osu_latency' | 'osu_bw' | 'osu_allreduce' | 'osu_alltoall';
/** The point-to-point OSU benchmarks (two ranks). */
export type OsuPointToPoint = 'osu_latency' | 'osu_bw';
export const OSU_BENCHMARKS: readonly OsuBenchmark[] = ['osu_latency', 'osu_bw', 'osu_allreduce', 'osu_alltoall'];
export const OSU_COLLECTIVES: readonly OsuBenchmark[] = ['osu_allreduce', 'osu_alltoall'];
/** The most workers an MPI job takes (as NcclTestJob). */
export const MAX_WORKERS = 1024;
export const isCollective = (b: string) => (OSU_COLLECTIVES as readonly string[]).includes(b);

/**
 * What the job runs under mpirun: an OSU benchmark, or `fi_info` (`fi_info -p efa -t FI_EP_RDM` on each
 * worker: the EFA support check of the OpenShift proof of concept, which shows both nodes' EFA provider).
 */
export type MpiJobProgram = OsuBenchmark | 'fi_info';
export const MPI_JOB_PROGRAMS: readonly MpiJobProgram[] = [...OSU_BENCHMARKS, 'fi_info'];

/** MPI implementations the job supports (MPIJob `spec.mpiImplementation`). */
export type MpiImplementation = 'OpenMPI' | 'Intel';
export const MPI_IMPLEMENTATIONS: readonly MpiImplementation[] = ['OpenMPI', 'Intel'];

export interface MpiLatencyJobProps extends BenchmarkPodOptions {
  /**
   * MPIJob name.
   * @default - `osu-latency-efa`, `osu-bw-tcp`, ... from benchmark and transport
   */
  readonly name?: string;
  /**
   * The OSU benchmark, or `fi_info` for an EFA support check on every worker.
   * @default 'osu_latency'
   */
  readonly benchmark?: MpiJobProgram;
  /**
   * Workers, one rank each, each on a node of its own. The point-to-point benchmarks take exactly 2.
   * @default 2
   * @minimum 2
   * @maximum 1024
   */
  readonly workers?: number;
  /**
   * `OpenMPI` (Amazon Open MPI in container/Dockerfile.openmpi) or `Intel` (Intel MPI over libfabric's
   * EFA provider, container/Dockerfile.intel; set `image` to that image). Intel runs OSU benchmarks over
   * EFA only.
   * @default 'OpenMPI'
   */
  readonly mpiImplementation?: MpiImplementation;
  /**
   * `efa`: Open MPI's `cm` PML with the libfabric `ofi` MTL, `FI_PROVIDER=efa`; it fails rather than fall
   * back to TCP. `tcp`: the twin baseline over the pod network (`ob1` PML, `tcp,self` BTLs, OFI unused),
   * with no EFA or huge-page requests. `ib`: InfiniBand through Open MPI's `ucx` PML restricted to
   * RDMA transports (`UCX_TLS=rc,sm,self`, no TCP); the workers request `rdmaResource` instead of EFA and
   * huge pages, and the image defaults to container/Dockerfile.ib's.
   * @default 'efa'
   */
  readonly transport?: MpiTransport;
  /**
   * `ib` only: the RDMA device plugin resource each worker requests (one of it).
   * @default 'rdma/rdma_shared_device_a'
   */
  readonly rdmaResource?: string;
  /**
   * `ib` only: the HCA ports UCX may use (`UCX_NET_DEVICES`), e.g. `mlx5_0:1`.
   * @default - every port UCX finds
   */
  readonly ucxNetDevices?: string;
  /**
   * Directory holding the benchmark's OSU binary in the image.
   * @default '/opt/osu-micro-benchmarks/libexec/osu-micro-benchmarks/mpi/pt2pt' (.../mpi/collective for the collectives; every image)
   */
  readonly benchmarkPath?: string;
  /**
   * OSU `-m` message sizes, `MAX` or `MIN:MAX` in bytes.
   * @default '1:4194304' ('1:1048576' for the collectives: OSU's own ranges)
   */
  readonly messageSizes?: string;
  /**
   * OSU `-i` iterations per message size.
   * @default 10000 for osu_latency, 100 for osu_bw, 1000 for the collectives (OSU's small-message defaults)
   * @minimum 1
   */
  readonly iterations?: number;
  /**
   * Seconds the finished MPIJob (and, by cleanPodPolicy Running, its launcher logs) are kept.
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Instance types the workers may run on (a node affinity on `node.kubernetes.io/instance-type`), e.g. to
   * keep a TCP twin on the EFA node group its EFA job runs on, for a like-for-like comparison.
   * @default - any node the other placement options allow
   */
  readonly instanceTypes?: string[];
}

/**
 * An MPIJob (kubeflow.org/v2beta1) running an OSU benchmark across its workers (two for the point-to-point
 * ones), one rank each, forced onto different nodes (EFA has no same-host loopback path: ai-dynamo/dynamo PR #9521).
 *
 * The image must run sshd as `mpiuser` (UID 1000) on port 2222 with `/home/mpiuser/.sshd_config`, like the
 * mpi-operator base image, and contain libfabric with the EFA provider, OSU, and Amazon Open MPI
 * (container/Dockerfile.openmpi) or Intel MPI (container/Dockerfile.intel, `mpiImplementation: 'Intel'`).
 */
export class MpiLatencyJob extends Construct {
  /** Base name. */
  public readonly name: string;
  /** The run id: a hash of what the job runs. */
  public readonly runId: string;
  /** The MPIJob's name, `<name>-<run id>`. */
  public readonly jobName: string;
  public readonly namespace: string;
  public readonly transport: MpiTransport;
  public readonly benchmark: MpiJobProgram;
  public readonly mpiImplementation: MpiImplementation;
  public readonly workers: number;
  public readonly mpiJob: MpiJob;

  constructor(scope: Construct, id: string, props: MpiLatencyJobProps = {}) {
    super(scope, id);
    const r = resolveMpiJob(this, props);
    this.transport = r.transport;
    this.benchmark = r.benchmark;
    this.mpiImplementation = r.mpiImplementation;
    this.workers = r.workers;
    this.name = r.name;
    this.namespace = r.pod.namespace;
    const { pod, messageSizes, rdmaResource, ttl } = r;
    const launcherSpec = LAUNCHERS[`${r.mpiImplementation}/${r.transport}` as LauncherKey]!;
    const command = launcherSpec.mpirun;
    const launcherArgs = launcherSpec.args(r);
    const launcherEnv = launcherSpec.env;
    const nodeAffinity: k8s.NodeAffinity | undefined = r.instanceTypes
      ? {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: r.instanceTypes }] },
            ],
          },
        }
      : undefined;
    const labels = standardLabels(this, this.name, 'benchmark');
    const workerLabels = { ...labels, 'app.kubernetes.io/component': 'mpi-worker' };
    const placement = podPlacement(pod);
    // An OSU launcher's log starts with a marker line naming the benchmark and the size range asked for
    // (`-m`), so the report can tell a run that stopped early from a complete one; then mpirun runs as PID 1's
    // exec (its exit code is the Job's).
    const marked = this.benchmark !== 'fi_info';
    const launcherCommand = marked
      ? ['/bin/sh', '-c', `echo "${OSU_RUN_MARKER} benchmark=${this.benchmark} sizes=${messageSizes}"; exec "$0" "$@"`]
      : [command];
    const launcher: k8s.PodTemplateSpec = {
      metadata: podMetadata(pod, { ...labels, 'app.kubernetes.io/component': 'mpi-launcher' }),
      spec: {
        ...placement,
        containers: [
          {
            name: 'launcher',
            image: pod.image,
            command: launcherCommand,
            args: marked ? [command, ...launcherArgs] : launcherArgs,
            env: launcherEnv,
            securityContext: mpiUserSecurityContext(),
            // mpirun only starts the remote ranks over ssh and relays their output.
            resources: guaranteed({ cpu: '500m', memory: '512Mi' }),
          },
        ],
      },
    };
    const worker: k8s.PodTemplateSpec = {
      metadata: podMetadata(pod, workerLabels),
      spec: {
        ...placement,
        affinity: {
          ...spreadAcrossNodes({ ...selectorLabels(this, this.name), 'app.kubernetes.io/component': 'mpi-worker' }),
          nodeAffinity,
        },
        containers: [
          mpiWorkerContainer(
            pod.image,
            this.transport === 'efa'
              ? efaPodResources(pod)
              : pod.deviceClaim
                ? { ...guaranteed({ memory: pod.memory, cpu: pod.cpu }), claims: containerClaims(pod.deviceClaim) }
                : rdmaResource
                  ? guaranteed({ [rdmaResource]: '1', memory: pod.memory, cpu: pod.cpu })
                  : tcpPodResources(pod),
          ),
        ],
      },
    };

    const launcherTemplate = k8s.toJson_PodTemplateSpec(launcher)!;
    const workerTemplate = k8s.toJson_PodTemplateSpec(worker)!;
    const spec = {
      slotsPerWorker: 1,
      runPolicy: { cleanPodPolicy: 'Running', ttlSecondsAfterFinished: ttl },
      sshAuthMountPath: BENCHMARK_IMAGE.sshAuthMountPath,
      launcherCreationPolicy: 'WaitForWorkersReady',
      mpiImplementation: r.mpiImplementation === 'Intel' ? MpiJobSpecMpiImplementation.INTEL : MpiJobSpecMpiImplementation.OPEN_MPI,
      mpiReplicaSpecs: {
        Launcher: { replicas: 1, restartPolicy: 'OnFailure', template: launcherTemplate },
        Worker: { replicas: r.workers, restartPolicy: 'Never', template: workerTemplate },
      },
    };
    // The claim's template is part of what runs (absent, the ids stay those of earlier releases).
    const content = { name: this.name, namespace: this.namespace, labels, spec };
    this.runId = runIdOf(this, pod.deviceClaim ? { ...content, deviceClaim: pod.deviceClaim } : content);
    this.jobName = runName(this.name, this.runId);
    const run = runLabels(this.runId);
    for (const t of [launcherTemplate, workerTemplate]) t.metadata.labels = { ...t.metadata.labels, ...run };
    this.mpiJob = new MpiJob(this, 'Resource', {
      metadata: { name: this.jobName, namespace: this.namespace, labels: { ...labels, ...run } },
      spec,
    });
    addPodClaims(this.mpiJob, '/spec/mpiReplicaSpecs/Worker/template/spec', pod.deviceClaim);
    addMpiJobWaiter(this, { name: this.name, namespace: this.namespace, jobName: this.jobName, labels, ttl });
  }
}

/**
 * For the Helm charts (context HELM_TEST_WAITERS_CONTEXT_KEY): a Job that waits for an MPIJob to succeed, so
 * `helm test` (which waits for Job hooks only) fails when the MPI run fails. It reads only MPIJobs, in the job's
 * namespace, with its own ServiceAccount. Nothing without the context (the YAML bundles).
 */
export function addMpiJobWaiter(
  scope: Construct,
  w: { name: string; namespace: string; jobName: string; labels: Record<string, string>; ttl: number },
): void {
  if (scope.node.tryGetContext(HELM_TEST_WAITERS_CONTEXT_KEY) !== true) return;
  const name = `${w.name}-wait`;
  const meta = { name, namespace: w.namespace, labels: { ...w.labels, 'app.kubernetes.io/component': MPI_WAIT_COMPONENT } };
  const sa = new k8s.KubeServiceAccount(scope, 'WaitServiceAccount', { metadata: meta });
  const role = new k8s.KubeRole(scope, 'WaitRole', {
    metadata: meta,
    rules: [{ apiGroups: ['kubeflow.org'], resources: ['mpijobs'], verbs: ['get', 'list', 'watch'] }],
  });
  new k8s.KubeRoleBinding(scope, 'WaitRoleBinding', {
    metadata: meta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: w.namespace }],
  });
  new k8s.KubeJob(scope, 'Wait', {
    metadata: meta,
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: w.ttl,
      template: {
        metadata: { labels: { ...meta.labels } },
        spec: {
          serviceAccountName: sa.name,
          restartPolicy: 'Never',
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } }],
          containers: [
            {
              name: 'wait',
              image: KUBECTL_IMAGE.image,
              command: [KUBECTL_IMAGE.binary],
              // mpi-operator sets condition Succeeded (or Failed) on a finished MPIJob (kubeflow JobConditionType;
              // UNVERIFIED against the v0.8.0 tag's types.go). A failed run never succeeds: the wait times out and
              // fails the test. helm test's own --timeout must be longer (README).
              args: [
                'wait',
                '--for=condition=Succeeded',
                `--timeout=${MPI_WAIT_TIMEOUT_SECONDS}s`,
                '-n',
                w.namespace,
                `mpijob/${w.jobName}`,
              ],
              // kubectl caches API discovery under $HOME/.kube: a scratch HOME, the root filesystem stays read-only.
              env: [{ name: 'HOME', value: '/tmp' }],
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              // An unprivileged UID of our choosing (65532 is distroless's `nonroot`; the kubectl image's own user
              // is UNVERIFIED here): kubectl needs no file it does not create under HOME.
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65532,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              resources: guaranteed({ cpu: '100m', memory: '64Mi' }),
            },
          ],
        },
      },
    },
  });
}

/**
 * Context key the Helm chart generator sets: each MPI job then also emits a Job that waits for it (a `helm test`
 * hook that fails when the MPI run fails). YAML bundles leave it unset.
 */
export const HELM_TEST_WAITERS_CONTEXT_KEY = 'cdk8s-rdma/helm-test-waiters';

/** `app.kubernetes.io/component` of a Helm test waiter's objects (the chart orders its hooks by it). */
export const MPI_WAIT_COMPONENT = 'mpi-wait';

/** How long a Helm test waiter waits for its MPIJob (30 minutes; `helm test --timeout` must be longer). */
export const MPI_WAIT_TIMEOUT_SECONDS = 1800;

/** MpiLatencyJob props checked and defaulted: everything the MPIJob is rendered from. */
interface ResolvedMpiJob {
  readonly transport: MpiTransport;
  readonly benchmark: MpiJobProgram;
  readonly mpiImplementation: MpiImplementation;
  readonly workers: number;
  readonly name: string;
  readonly pod: ResolvedBenchmarkPod;
  readonly messageSizes: string;
  readonly iterations: number;
  readonly benchmarkPath: string;
  readonly ttl: number;
  readonly rdmaResource?: string;
  readonly ucxNetDevices?: string;
  readonly instanceTypes?: string[];
}

function resolveMpiJob(scope: Construct, props: MpiLatencyJobProps): ResolvedMpiJob {
  const transport = checkOneOf(WHERE, 'transport', props.transport ?? 'efa', MPI_TRANSPORTS);
  const ib = transport === 'ib';
  const pod = resolveBenchmarkPod(WHERE, ib ? { ...props, image: props.image ?? IB_BENCHMARK_IMAGE.image } : props, scope);
  const benchmark = checkOneOf(WHERE, 'benchmark', props.benchmark ?? 'osu_latency', MPI_JOB_PROGRAMS);
  refuseRdmaResourceWithClaim(WHERE, props.rdmaResource, pod.deviceClaim !== undefined);
  if (pod.deviceClaim && transport === 'tcp') {
    throw new RdmaOptionError(
      WHERE,
      'deviceClaimTemplate',
      props.deviceClaimTemplate,
      'does not apply to transport "tcp" (its pods hold no RDMA device)',
      'unset, or transport "efa" or "ib"',
    );
  }
  for (const key of ['rdmaResource', 'ucxNetDevices'] as const) {
    if (!ib && props[key] !== undefined) {
      throw new RdmaOptionError(
        WHERE,
        key,
        props[key],
        `only applies to transport "ib" (transport is "${transport}")`,
        'unset, or transport "ib"',
      );
    }
  }
  const mpiImplementation = checkOneOf(WHERE, 'mpiImplementation', props.mpiImplementation ?? 'OpenMPI', MPI_IMPLEMENTATIONS);
  const intel = mpiImplementation === 'Intel';
  if (benchmark === 'fi_info' && transport !== 'efa') {
    throw new RdmaOptionError(
      WHERE,
      'transport',
      transport,
      'cannot run the fi_info check (its pods hold no EFA device)',
      '"efa" with benchmark "fi_info"',
    );
  }
  if (intel && benchmark === 'fi_info') {
    throw new RdmaOptionError(WHERE, 'benchmark', benchmark, 'is not available with mpiImplementation "Intel"', '"osu_latency", "osu_bw"');
  }
  if (LAUNCHERS[`${mpiImplementation}/${transport}` as LauncherKey] === undefined) {
    throw new RdmaOptionError(
      WHERE,
      'transport',
      transport,
      `is not available with mpiImplementation "${mpiImplementation}"`,
      '"efa" (the TCP twin runs Open MPI)',
    );
  }
  const collective = isCollective(benchmark);
  const workers = props.workers ?? 2;
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 2 || workers > MAX_WORKERS) {
    throw new RdmaOptionError(
      WHERE,
      'workers',
      workers,
      'is not allowed (the job runs across nodes, one rank each)',
      `a whole number from 2 to ${MAX_WORKERS}`,
    );
  }
  if (!collective && benchmark !== 'fi_info' && workers !== 2) {
    throw new RdmaOptionError(
      WHERE,
      'workers',
      workers,
      `is not allowed with benchmark "${benchmark}" (a point-to-point benchmark runs exactly two ranks)`,
      `2, or a collective benchmark (${OSU_COLLECTIVES.map(b => `"${b}"`).join(', ')})`,
    );
  }
  const image = intel ? INTEL_BENCHMARK_IMAGE : ib ? IB_BENCHMARK_IMAGE : BENCHMARK_IMAGE;
  const defaultName = benchmark === 'fi_info' ? 'efa-support' : `${benchmark.replace('_', '-')}-${intel ? 'intel-' : ''}${transport}`;
  const instanceTypes = props.instanceTypes;
  if (instanceTypes !== undefined && instanceTypes.length === 0) {
    throw new RdmaOptionError(WHERE, 'instanceTypes', instanceTypes, 'is empty', 'at least one instance type, or unset');
  }
  (instanceTypes ?? []).forEach((t, i) => checkNonEmpty(WHERE, `instanceTypes[${i}]`, t));
  return {
    transport,
    benchmark,
    mpiImplementation,
    pod,
    workers,
    // The MPIJob is `<name>-<run id>`; mpi-operator names its launcher Job `<job>-launcher`.
    name: checkCheckName(WHERE, 'name', props.name ?? defaultName, '-launcher'.length),
    rdmaResource:
      ib && !pod.deviceClaim ? checkRdmaResource(WHERE, 'rdmaResource', props.rdmaResource ?? DEFAULT_RDMA_RESOURCE) : undefined,
    ucxNetDevices: props.ucxNetDevices !== undefined ? checkUcxDevices(props.ucxNetDevices) : undefined,
    messageSizes: checkMessageSizes(props.messageSizes ?? OSU_DEFAULT_MESSAGE_SIZES[collective ? 'collective' : 'pt2pt']),
    iterations: checkPositiveInt(
      WHERE,
      'iterations',
      props.iterations ?? OSU_DEFAULT_ITERATIONS[benchmark as OsuBenchmark] ?? OSU_DEFAULT_ITERATIONS.osu_latency,
    ),
    benchmarkPath: checkNonEmpty(WHERE, 'benchmarkPath', props.benchmarkPath ?? (collective ? image.osuCollectiveDir : image.osuPt2ptDir)),
    ttl: checkTtl(WHERE, props.ttlSecondsAfterFinished),
    instanceTypes: instanceTypes ? [...new Set(instanceTypes)] : undefined,
  };
}

/** What the ranks run: an OSU benchmark, or fi_info on each worker. */
function programOf(r: ResolvedMpiJob): string[] {
  return r.benchmark === 'fi_info'
    ? // Each rank prints its node's EFA RDM endpoints, or fails with -61 (No data available).
      [BENCHMARK_IMAGE.fiInfo, '-p', 'efa', '-t', 'FI_EP_RDM']
    : [`${r.benchmarkPath.replace(/\/$/, '')}/${r.benchmark}`, '-m', r.messageSizes, '-i', String(r.iterations)];
}

type LauncherKey = `${MpiImplementation}/${MpiTransport}`;

/** How the launcher starts two ranks, one per worker, for one MPI implementation over one transport. */
interface Launcher {
  readonly mpirun: string;
  args(r: ResolvedMpiJob): string[];
  readonly env?: k8s.EnvVar[];
}

/** Open MPI's launcher: one rank per worker node (the operator writes the hostfile, OMPI_MCA_orte_default_hostfile). */
const openMpi = (transportArgs: (r: ResolvedMpiJob) => string[]): Launcher => ({
  mpirun: BENCHMARK_IMAGE.mpirun,
  args: r => [
    '-np',
    String(r.workers),
    '--map-by',
    'ppr:1:node',
    '-x',
    'PATH',
    '-x',
    'LD_LIBRARY_PATH',
    ...transportArgs(r),
    ...programOf(r),
  ],
});

/** The launcher of each (MPI implementation, transport) this construct runs; any other pair is refused. */
const LAUNCHERS: Partial<Record<LauncherKey, Launcher>> & Record<'OpenMPI/efa' | 'OpenMPI/tcp' | 'OpenMPI/ib' | 'Intel/efa', Launcher> = {
  // Force the OFI path to EFA: no silent fallback to TCP (kwozyman/ocp-aws-efa-poc jobs/mpi-latency.yaml; Open MPI cm PML with the ofi MTL). fi_info needs no MPI transport.
  'OpenMPI/efa': openMpi(r => (r.benchmark === 'fi_info' ? [] : ['--mca', 'pml', 'cm', '--mca', 'mtl', 'ofi', '-x', 'FI_PROVIDER=efa'])),
  // TCP twin: ob1 PML over the tcp BTL; the ofi MTL is only used by the cm PML, so OFI is out of the path.
  'OpenMPI/tcp': openMpi(() => ['--mca', 'pml', 'ob1', '--mca', 'btl', 'tcp,self']),
  'OpenMPI/ib': {
    mpirun: IB_BENCHMARK_IMAGE.mpirun,
    // UCX over RDMA only: rc (verbs or mlx5 accelerated), shared memory and self; no tcp, so a missing HCA
    // fails the job instead of falling back to TCP.
    args: r => [
      '-np',
      String(r.workers),
      '--map-by',
      'ppr:1:node',
      '--mca',
      'pml',
      'ucx',
      '-x',
      'UCX_TLS=rc,sm,self',
      ...(r.ucxNetDevices ? ['-x', `UCX_NET_DEVICES=${r.ucxNetDevices}`] : []),
      ...programOf(r),
    ],
  },
  'Intel/efa': {
    mpirun: INTEL_BENCHMARK_IMAGE.mpirun,
    // One rank per worker; the operator points I_MPI_HYDRA_HOST_FILE at its hostfile. libfabric of the
    // EFA installer (not Intel's bundled one) with its efa provider: no silent TCP fallback.
    args: r => [
      '-n',
      String(r.workers),
      '-ppn',
      '1',
      '-genv',
      'I_MPI_OFI_LIBRARY_INTERNAL',
      '0',
      '-genv',
      'I_MPI_FABRICS',
      'ofi',
      '-genv',
      'I_MPI_OFI_PROVIDER',
      'efa',
      '-genv',
      'FI_PROVIDER',
      'efa',
      ...programOf(r),
    ],
    // I_MPI_DEBUG=5 prints the libfabric provider each rank uses, so the log shows EFA was really used.
    env: [{ name: 'I_MPI_DEBUG', value: '5' }],
  },
};

function checkUcxDevices(value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_.-]+(:\d+)?(,[A-Za-z0-9_.-]+(:\d+)?)*$/.test(value)) {
    throw new RdmaOptionError(
      WHERE,
      'ucxNetDevices',
      value,
      'is not a UCX device list',
      'comma-separated "<device>:<port>" entries, e.g. "mlx5_0:1"',
    );
  }
  return value;
}

export { OSU_RUN_MARKER };

function checkMessageSizes(value: string): string {
  const m = /^(?:(\d+):)?(\d+)$/.exec(typeof value === 'string' ? value : '');
  const min = m?.[1] !== undefined ? Number(m[1]) : 0;
  const max = m ? Number(m[2]) : NaN;
  if (!m || !(max >= 1) || min > max) {
    throw new RdmaOptionError(
      WHERE,
      'messageSizes',
      value,
      'is not an OSU message size range',
      '"MAX" or "MIN:MAX" in bytes with MIN <= MAX and MAX >= 1, e.g. "1:4194304"',
    );
  }
  return value;
}
