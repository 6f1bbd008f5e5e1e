import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { MpiJob, MpiJobSpecMpiImplementation } from '../../imports/kubeflow.org';
import { checkCheckName, checkTtl, runIdOf, runLabels, runName } from '../checks';
import {
  EFA_CAPACITY_SOURCE_DATE,
  EFA_INSTANCE_CAPACITY,
  INSTANCE_TYPE_LABELS,
  checkEfaDevicesFit,
  pinnedInstanceType,
} from '../efa-capacity';
import { RdmaOptionError } from '../errors';
import { guaranteed, spreadAcrossNodes } from '../kube';
import { selectorLabels, standardLabels } from '../labels';
import { NCCL_RUN_MARKER } from '../report/markers';
import { checkNonEmpty, checkOneOf, checkPositiveInt } from '../validate';
import { BENCHMARK_IMAGE, EFA_DEVICE_PLUGIN, NCCL_IB_IMAGE, NCCL_IMAGE } from '../versions';
import {
  BenchmarkPodOptions,
  mpiUserSecurityContext,
  mpiWorkerContainer,
  podMetadata,
  podPlacement,
  resolveBenchmarkPod,
} from './benchmark-pod';
import { addPodClaims, containerClaims, refuseRdmaResourceWithClaim } from './dra';
import { DEFAULT_RDMA_RESOURCE, checkRdmaDeviceName, checkRdmaResource } from './ib-workloads';
import { NetworkSelection, networksAnnotation } from './ipoib-network';
import { addMpiJobWaiter } from './mpi-latency-job';

const WHERE = 'NcclTestJob';

/** The ResourceClaimTemplate a profile's NCCL workers claim their GPUs and NICs from (`deviceApi: dra`). */
export const NCCL_CLAIM_TEMPLATE = 'nccl-devices';

/** GPUs per worker without an instance type (8, as p4d, p5, p5e, p5en, p6-b200 and p6-b300 have). */
export const DEFAULT_GPUS_PER_WORKER = 8;

/** nccl-tests programs (NVIDIA/nccl-tests, `make` builds them into build/). */
export type NcclCollective = 'all_reduce_perf' | 'all_gather_perf' | 'reduce_scatter_perf' | 'alltoall_perf';
export const NCCL_COLLECTIVES: readonly NcclCollective[] = ['all_reduce_perf', 'all_gather_perf', 'reduce_scatter_perf', 'alltoall_perf'];

/** How NCCL moves data between nodes: aws-ofi-nccl over EFA, or NCCL's own verbs transport over InfiniBand. */
export type NcclTransport = 'efa' | 'ib';
export const NCCL_TRANSPORTS: readonly NcclTransport[] = ['efa', 'ib'];

/** The GPU resource the NVIDIA device plugin advertises (awslabs/awsome-distributed-ai nccl-tests.yaml requests it). */
export const NVIDIA_GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * NCCL_NET for aws-ofi-nccl: `AWS Libfabric`, the plugin's name up to v1.12 and still accepted by later ones,
 * which call themselves `Libfabric` (aws/aws-ofi-nccl src/nccl_ofi_interface_nvidia.cpp @2daf7d3, commit
 * 7c014f0d 2024-08-20). Set, NCCL fails when that network cannot be loaded instead of using sockets
 * (https://docs.nvidia.com/deeplearning/nccl/user-guide/docs/env.html, NCCL_NET).
 */
export const NCCL_NET_OFI = 'AWS Libfabric';
/** NCCL_NET for NCCL's InfiniBand verbs transport (`Using network IB`, NVIDIA/nccl src/init.cc). */
export const NCCL_NET_IB = 'IB';

/**
 * The interface Multus gives a pod's first secondary network: attachments are named `net1`, `net2`, ... in order
 * unless the selection names one (k8snetworkplumbingwg/multus-cni docs/how-to-use.md).
 */
export const FIRST_SECONDARY_INTERFACE = 'net1';

export interface NcclTestJobProps extends BenchmarkPodOptions {
  /**
   * Base name of the MPIJob (`<name>-<run id>`).
   * @default - `nccl-all-reduce-efa`, `nccl-alltoall-ib`, ... from collective and transport
   */
  readonly name?: string;
  /**
   * The nccl-tests program.
   * @default 'all_reduce_perf'
   */
  readonly collective?: NcclCollective;
  /**
   * `efa`: aws-ofi-nccl over EFA (`FI_PROVIDER=efa`, NCCL_NET pinned to the plugin, huge pages). `ib`: NCCL's
   * verbs transport (NCCL_NET `IB`), the workers requesting `rdmaResource`.
   * @default 'efa'
   */
  readonly transport?: NcclTransport;
  /**
   * Nodes, one worker each (all its GPUs: one rank per GPU).
   * @default 2
   */
  readonly workers?: number;
  /**
   * A preset: the EC2 instance type of the GPU nodes. Pins the workers to it (`node.kubernetes.io/instance-type`)
   * and sets GPUs and EFA devices per worker from the project's dated instance table (every GPU and every EFA
   * interface of the node) unless `gpusPerWorker` or `efaDevices` say otherwise.
   * @default - none: gpusPerWorker (8) and efaDevices (1) apply
   */
  readonly instanceType?: string;
  /**
   * GPUs per worker (`nvidia.com/gpu`), one rank each (MPIJob `slotsPerWorker`).
   * @default - the instance type's GPUs, else 8
   */
  readonly gpusPerWorker?: number;
  /**
   * Smallest message size in bytes (nccl-tests `-b`).
   * @default 8
   */
  readonly minBytes?: number;
  /**
   * Largest message size in bytes (nccl-tests `-e`); sizes double from minBytes (`-f 2`).
   * @default 8589934592 (8 GiB)
   */
  readonly maxBytes?: number;
  /**
   * Iterations per size (nccl-tests `-n`).
   * @default 100
   */
  readonly iterations?: number;
  /** `ib` only: the RDMA device plugin resource each worker requests (one of it). @default 'rdma/rdma_shared_device_a' */
  readonly rdmaResource?: string;
  /** `ib` only: HCAs NCCL may use (`NCCL_IB_HCA`, e.g. `mlx5_0,mlx5_1`). @default - every HCA NCCL finds */
  readonly ibHcas?: string[];
  /** `ib` only: secondary networks (the IPoIB network) the workers attach; NCCL's bootstrap then uses the first (`net1`). @default - none */
  readonly networks?: NetworkSelection[];
  /** Seconds the finished MPIJob is kept. @default 86400 */
  readonly ttlSecondsAfterFinished?: number;
}

/**
 * An MPIJob (kubeflow.org/v2beta1) running nccl-tests across `workers` GPU nodes with `NCCL_DEBUG=INFO` and
 * `NCCL_NET` pinned, so a plugin that fails to load fails the job instead of degrading to sockets. The layout
 * of awslabs/awsome-distributed-ai micro-benchmarks/nccl-tests/kubernetes/nccl-tests.yaml @95b939c (launcher
 * mpirun, one rank per GPU, `-b 8 -f 2 -g 1 -c 1 -n 100`, FI_PROVIDER=efa, huge pages, all GPUs and EFA
 * interfaces of the node), with a memory-backed /dev/shm as aws-samples/aws-efa-eks nccl-efa-tests.yaml
 * @9d6557e, workers on different nodes, and the sshd and `mpiuser` of our images (container/Dockerfile.nccl,
 * container/Dockerfile.nccl-ib). The launcher prints NCCL_RUN_MARKER first for the report.
 */
export class NcclTestJob extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly runId: string;
  public readonly jobName: string;
  public readonly collective: NcclCollective;
  public readonly transport: NcclTransport;
  public readonly workers: number;
  public readonly gpusPerWorker: number;
  /** EFA devices per worker (transport efa). */
  public readonly efaDevices: number;
  public readonly mpiJob: MpiJob;

  constructor(scope: Construct, id: string, props: NcclTestJobProps = {}) {
    super(scope, id);
    const transport = checkOneOf(WHERE, 'transport', props.transport ?? 'efa', NCCL_TRANSPORTS);
    const efa = transport === 'efa';
    const collective = checkOneOf(WHERE, 'collective', props.collective ?? 'all_reduce_perf', NCCL_COLLECTIVES);
    const preset = resolvePreset(props);
    for (const key of ['rdmaResource', 'ibHcas', 'networks'] as const) {
      if (efa && props[key] !== undefined)
        throw new RdmaOptionError(
          WHERE,
          key,
          props[key],
          'only applies to transport "ib" (transport is "efa")',
          'unset, or transport "ib"',
        );
    }
    if (!efa && props.efaDevices !== undefined)
      throw new RdmaOptionError(
        WHERE,
        'efaDevices',
        props.efaDevices,
        'only applies to transport "efa" (transport is "ib")',
        'unset, or transport "efa"',
      );
    const pod = resolveBenchmarkPod(
      WHERE,
      {
        ...props,
        image: props.image ?? (efa ? NCCL_IMAGE : NCCL_IB_IMAGE).image,
        efaDevices: props.efaDevices ?? preset.efaDevices,
        // The awsome-distributed-ai MPIJob's worker memory; its CPU is unset, ours is 8 (requests = limits here).
        memory: props.memory ?? '32000Mi',
        cpu: props.cpu ?? '8',
        nodeSelector: { ...preset.nodeSelector, ...props.nodeSelector },
      },
      this,
    );
    if (!efa) refuseRdmaResourceWithClaim(WHERE, props.rdmaResource, props.deviceClaimTemplate !== undefined);
    this.transport = transport;
    this.collective = collective;
    const workers = props.workers ?? 2;
    if (!Number.isInteger(workers) || workers < 2 || workers > 1024) {
      throw new RdmaOptionError(
        WHERE,
        'workers',
        workers,
        'is not allowed (the point is the network between nodes)',
        'a whole number from 2 to 1024',
      );
    }
    this.workers = workers;
    this.gpusPerWorker = preset.gpusPerWorker;
    this.efaDevices = pod.efaDevices;
    const minBytes = checkPositiveInt(WHERE, 'minBytes', props.minBytes ?? 8);
    const maxBytes = checkPositiveInt(WHERE, 'maxBytes', props.maxBytes ?? 8 * 2 ** 30);
    if (maxBytes < minBytes)
      throw new RdmaOptionError(WHERE, 'maxBytes', maxBytes, `is below minBytes (${minBytes})`, `at least ${minBytes}`);
    const iterations = checkPositiveInt(WHERE, 'iterations', props.iterations ?? 100);
    const ttl = checkTtl(WHERE, props.ttlSecondsAfterFinished);
    const rdmaResource =
      !efa && !pod.deviceClaim ? checkRdmaResource(WHERE, 'rdmaResource', props.rdmaResource ?? DEFAULT_RDMA_RESOURCE) : undefined;
    const hcas = (props.ibHcas ?? []).map((h, i) => checkRdmaDeviceName(WHERE, `ibHcas[${i}]`, h));
    if (props.ibHcas !== undefined && hcas.length === 0)
      throw new RdmaOptionError(WHERE, 'ibHcas', props.ibHcas, 'is empty', 'HCA names such as ["mlx5_0"], or unset for every HCA');
    const short = collective.replace(/_perf$/, '').replace(/_/g, '-');
    this.name = checkCheckName(WHERE, 'name', props.name ?? `nccl-${short}-${transport}`, '-launcher'.length);
    this.namespace = pod.namespace;

    const image = efa ? NCCL_IMAGE : NCCL_IB_IMAGE;
    const labels = standardLabels(this, this.name, 'benchmark');
    const workerLabels = { ...labels, 'app.kubernetes.io/component': 'mpi-worker' };
    const placement = podPlacement(pod);
    const ncclEnv = efa
      ? // aws-ofi-nccl over EFA; FI_EFA_USE_DEVICE_RDMA and FI_EFA_FORK_SAFE are not needed with current
        // libfabric and aws-ofi-nccl (aws/aws-ofi-nccl doc/efa-env-var.md @2daf7d3).
        ['FI_PROVIDER=efa', `NCCL_NET=${NCCL_NET_OFI}`]
      : // A leading `=` makes NCCL match the whole list exactly (not by prefix): NCCL_IB_HCA in NVIDIA/nccl
        // src/transport/net_ib/init.cc @5067397, NCCL_SOCKET_IFNAME in the NCCL user guide's env page
        // (https://docs.nvidia.com/deeplearning/nccl/user-guide/docs/env.html).
        [
          `NCCL_NET=${NCCL_NET_IB}`,
          ...(hcas.length > 0 ? [`NCCL_IB_HCA==${hcas.join(',')}`] : []),
          ...(props.networks && props.networks.length > 0 ? [`NCCL_SOCKET_IFNAME==${FIRST_SECONDARY_INTERFACE}`] : []),
        ];
    const mpirunArgs = [
      // No -np: Open MPI runs one process per slot of the operator's hostfile (slotsPerWorker per worker: one per GPU).
      image.mpirun,
      '--tag-output',
      '--bind-to',
      'none',
      '-x',
      'PATH',
      '-x',
      'LD_LIBRARY_PATH',
      // MPI only starts the ranks and bootstraps NCCL: its own traffic stays on TCP, away from the devices.
      '--mca',
      'pml',
      'ob1',
      '--mca',
      'btl',
      'tcp,self',
      ...['NCCL_DEBUG=INFO', ...ncclEnv].flatMap(e => ['-x', e]),
      `${image.testsDir}/${collective}`,
      '-b',
      String(minBytes),
      '-e',
      String(maxBytes),
      '-f',
      '2',
      '-g',
      '1',
      '-c',
      '1',
      '-n',
      String(iterations),
    ];
    const marker = `${NCCL_RUN_MARKER} collective=${collective} instanceType=${props.instanceType ?? '-'} nodes=${this.workers} gpusPerNode=${this.gpusPerWorker} minBytes=${minBytes} maxBytes=${maxBytes}`;
    const launcher: k8s.PodTemplateSpec = {
      metadata: podMetadata(pod, { ...labels, 'app.kubernetes.io/component': 'mpi-launcher' }),
      spec: {
        ...placement,
        // The launcher holds no GPU: it starts the ranks over ssh and relays their output.
        nodeSelector: undefined,
        containers: [
          {
            name: 'launcher',
            image: pod.image,
            command: ['/bin/sh', '-c', `echo "${marker}"; exec "$0" "$@"`],
            args: mpirunArgs,
            securityContext: mpiUserSecurityContext(),
            resources: guaranteed({ cpu: '500m', memory: '512Mi' }),
          },
        ],
      },
    };
    const devices: Record<string, string> = pod.deviceClaim
      ? {}
      : {
          [NVIDIA_GPU_RESOURCE]: String(this.gpusPerWorker),
          ...(efa ? { [EFA_DEVICE_PLUGIN.resourceName]: String(pod.efaDevices) } : { [rdmaResource!]: '1' }),
        };
    const annotations = !efa && props.networks && props.networks.length > 0 ? networksAnnotation(props.networks, 'text') : {};
    const meta = podMetadata(pod, workerLabels);
    const worker: k8s.PodTemplateSpec = {
      metadata: Object.keys(annotations).length > 0 ? { ...meta, annotations: { ...meta.annotations, ...annotations } } : meta,
      spec: {
        ...placement,
        affinity: spreadAcrossNodes({ ...selectorLabels(this, this.name), 'app.kubernetes.io/component': 'mpi-worker' }),
        // NCCL and libfabric register (pin) GPU and host memory: the worker adds IPC_LOCK.
        containers: [
          mpiWorkerContainer(
            pod.image,
            {
              ...guaranteed({ ...devices, ...(efa ? { 'hugepages-2Mi': pod.hugepages2Mi } : {}), memory: pod.memory, cpu: pod.cpu }),
              claims: pod.deviceClaim ? containerClaims(pod.deviceClaim) : undefined,
            },
            [{ name: 'shm', mountPath: '/dev/shm' }],
          ),
        ],
        // NCCL's intra-node buffers live in /dev/shm: memory-backed, counted in the pod's memory limit.
        volumes: [{ name: 'shm', emptyDir: { medium: 'Memory' } }],
      },
    };
    const launcherTemplate = k8s.toJson_PodTemplateSpec(launcher)!;
    const workerTemplate = k8s.toJson_PodTemplateSpec(worker)!;
    const spec = {
      slotsPerWorker: this.gpusPerWorker,
      runPolicy: { cleanPodPolicy: 'Running', ttlSecondsAfterFinished: ttl },
      sshAuthMountPath: BENCHMARK_IMAGE.sshAuthMountPath,
      launcherCreationPolicy: 'WaitForWorkersReady',
      mpiImplementation: MpiJobSpecMpiImplementation.OPEN_MPI,
      mpiReplicaSpecs: {
        Launcher: { replicas: 1, restartPolicy: 'OnFailure', template: launcherTemplate },
        Worker: { replicas: this.workers, restartPolicy: 'Never', template: workerTemplate },
      },
    };
    this.runId = runIdOf(this, { name: this.name, namespace: this.namespace, labels, spec, deviceClaim: pod.deviceClaim });
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

/** GPUs and EFA devices per worker and the node selector an instance-type preset gives (checked against the table). */
function resolvePreset(props: NcclTestJobProps): { gpusPerWorker: number; efaDevices?: number; nodeSelector: Record<string, string> } {
  const type = props.instanceType;
  if (type === undefined) {
    // Every NVIDIA GPU instance type with EFA on the table's p4d/p5/p6 lines has 8 GPUs; one EFA device works on any.
    return {
      gpusPerWorker: checkPositiveInt(WHERE, 'gpusPerWorker', props.gpusPerWorker ?? DEFAULT_GPUS_PER_WORKER, 64),
      nodeSelector: {},
    };
  }
  checkNonEmpty(WHERE, 'instanceType', type);
  const pinned = pinnedInstanceType(props.nodeSelector);
  if (pinned !== undefined && pinned !== type) {
    throw new RdmaOptionError(
      WHERE,
      'instanceType',
      type,
      `conflicts with nodeSelector's instance type "${pinned}"`,
      'one instance type, in instanceType',
    );
  }
  const c = EFA_INSTANCE_CAPACITY[type];
  if (!c) {
    throw new RdmaOptionError(
      WHERE,
      'instanceType',
      type,
      `is not on the EFA instance table (${EFA_CAPACITY_SOURCE_DATE})`,
      'an EFA-capable GPU instance type such as "p5.48xlarge", or no instanceType with gpusPerWorker',
    );
  }
  if (c.nvidiaGpus === 0) {
    throw new RdmaOptionError(
      WHERE,
      'instanceType',
      type,
      'has no NVIDIA GPUs',
      'a GPU instance type such as "p4d.24xlarge", "p5.48xlarge" or "p6-b200.48xlarge"',
    );
  }
  const gpus = checkPositiveInt(WHERE, 'gpusPerWorker', props.gpusPerWorker ?? c.nvidiaGpus, c.nvidiaGpus);
  if (props.efaDevices !== undefined)
    checkEfaDevicesFit(WHERE, 'efaDevices', checkPositiveInt(WHERE, 'efaDevices', props.efaDevices, 32), [type], 'instanceType');
  const transport = props.transport ?? 'efa';
  return {
    gpusPerWorker: gpus,
    efaDevices: transport === 'efa' ? (props.efaDevices ?? c.maxEfa) : undefined,
    nodeSelector: { [INSTANCE_TYPE_LABELS[0]]: type },
  };
}

/**
 * A profile's NCCL job options (`benchmarks.nccl` on EKS and OpenShift, `tests.nccl` on bare metal): one shape
 * for every profile. The job's other pod options (namespace, pull secrets, node selector, tolerations, ...) are
 * the profile's benchmark options.
 */
export interface NcclJobOptions {
  /**
   * Emit the NCCL test MPIJob (nccl-tests across GPU nodes, NCCL_DEBUG=INFO, NCCL_NET pinned).
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * The EC2 instance type of the GPU nodes: pins the workers to it and takes every GPU and EFA interface of it
   * from the instance table. All an EKS user sets, e.g. "p5.48xlarge".
   * @default - none: gpusPerWorker 8 and efaDevices 1
   */
  readonly instanceType?: string;
  /**
   * The nccl-tests program.
   * @default 'all_reduce_perf'
   */
  readonly collective?: NcclCollective;
  /**
   * Nodes (one worker each, one rank per GPU).
   * @default 2
   * @asType integer
   * @minimum 2
   * @maximum 1024
   */
  readonly workers?: number;
  /**
   * GPUs per worker.
   * @default - the instance type's GPUs, else 8
   * @asType integer
   * @minimum 1
   * @maximum 64
   */
  readonly gpusPerWorker?: number;
  /**
   * EFA devices per worker.
   * @default - the instance type's EFA interfaces, else 1
   * @asType integer
   * @minimum 1
   * @maximum 32
   */
  readonly efaDevices?: number;
  /**
   * Largest message size in bytes (nccl-tests `-e`).
   * @default 8589934592
   * @asType integer
   * @minimum 8
   */
  readonly maxBytes?: number;
  /**
   * Iterations per size (nccl-tests `-n`).
   * @default 100
   * @asType integer
   * @minimum 1
   */
  readonly iterations?: number;
  /**
   * The NCCL image: build container/Dockerfile.nccl (EFA) or container/Dockerfile.nccl-ib and push it.
   * @default - cdk8s-rdma-nccl (EFA) or cdk8s-rdma-nccl-ib, tagged with their pinned versions
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * With `deviceApi: dra`: each worker's GPUs and NICs come from one claim, aligned on PCIe roots (groups of at
   * most 2 GPUs with their NICs). Off: the same claim without the constraint.
   * @default - true when the counts allow it (every GPU and NIC of an instance), else false
   */
  readonly alignGpus?: boolean;
}
