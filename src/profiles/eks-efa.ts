import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ChecksChart } from '../checks';
import { BenchmarkPodOptions, resolveBenchmarkPod } from '../constructs/benchmark-pod';
import { EfaInfoJob, EfaPingpongTest } from '../constructs/efa-checks';
import {
  DeviceApi,
  DeviceClaimTemplate,
  DraDeviceClass,
  DraDriverOptions,
  DranetDriver,
  EFA_DEVICE_CLASS,
  resolveAlignment,
  resolveDeviceApi,
} from '../constructs/dra';
import { EFA_INSTANCE_TYPES, EfaDevicePlugin, EfaDevicePluginProps, efaNodeTargeting } from '../constructs/efa-device-plugin';
import { checkEfaDevicesFit, pinnedInstanceType } from '../efa-capacity';
import { DO_NOT_DISRUPT, EfaNodePool, EfaNodePoolProps } from '../constructs/karpenter';
import { KueueQueues, KueueQueuesProps } from '../constructs/kueue';
import { Toleration } from '../kube';
import { MpiLatencyJob, OsuBenchmark } from '../constructs/mpi-latency-job';
import { NCCL_CLAIM_TEMPLATE, NcclJobOptions, NcclTestJob } from '../constructs/nccl-test-job';
import { MpiOperator } from '../constructs/mpi-operator';
import { RdmaNamespace } from '../constructs/namespace';
import { RdmaOptionError, withOptionPrefix } from '../errors';
import { gate, gateSet } from '../gates';
import { addGitOpsAnnotations } from '../gitops';
import { INSTANCE_CONTEXT_KEY } from '../labels';
import { DeprecatedOption, MPI_OPERATOR_TOGGLE, DRA_TOGGLE, migrateOptions } from '../deprecations';
import { ProfileMpiOperatorOptions } from './shared-options';
import { checkDnsLabel } from '../validate';

export const EKS_EFA = 'eks-efa';

/** Option paths of this profile renamed in 0.1.0, read under their new names until 0.2.0. */
export const EKS_EFA_DEPRECATED_OPTIONS: readonly DeprecatedOption[] = [MPI_OPERATOR_TOGGLE, DRA_TOGGLE];

/** The ResourceClaimTemplate the EFA checks claim their devices from (`deviceApi: dra`). */
export const EFA_CLAIM_TEMPLATE = 'efa-devices';

export interface EksEfaDevicePluginOptions extends EfaDevicePluginProps {
  /**
   * Install the EFA device plugin DaemonSet.
   * @default true
   */
  readonly enabled?: boolean;
}

/** The MPI operator of eks-efa (the shared fragment). */
export type EksEfaMpiOperatorOptions = ProfileMpiOperatorOptions;

export interface EksEfaOsuOptions {
  /**
   * The OSU benchmark the MPI jobs run.
   * @default 'osu_latency'
   */
  readonly benchmark?: OsuBenchmark;
  /**
   * OSU `-m` message sizes.
   * @default '1:4194304' for osu_latency and osu_bw, '1:1048576' for the collectives
   */
  readonly messageSizes?: string;
  /**
   * OSU `-i` iterations.
   * @default 10000 for osu_latency, 100 for osu_bw, 1000 for the collectives
   * @asType integer
   * @minimum 1
   */
  readonly iterations?: number;
  /**
   * Workers of the OSU jobs, one rank each, each on a node of its own: 2 for osu_latency and osu_bw, 2 to 1024
   * for the collectives (osu_allreduce, osu_alltoall).
   * @default 2
   * @asType integer
   * @minimum 2
   * @maximum 1024
   */
  readonly workers?: number;
  /**
   * Also emit the TCP twin of the EFA job, to compare the two.
   * @default true
   */
  readonly tcpTwin?: boolean;
}

export interface EksEfaKarpenterOptions extends EfaNodePoolProps {
  /**
   * Launch the EFA nodes with Karpenter (1.11 or later): an EC2NodeClass that attaches the instance type's EFA
   * interfaces and a NodePool in one availability zone. The device plugin (or DRA driver) and the checks target
   * those nodes and tolerate their taints; the checks' pods keep Karpenter from disrupting their nodes.
   * `clusterName` and `zone` are required.
   * @default false
   */
  readonly enabled?: boolean;
}

export interface EksEfaKueueOptions extends Omit<KueueQueuesProps, 'namespace' | 'nodeLabels'> {
  /**
   * Queue the MPI jobs with Kueue (0.19 or later, with the MPIJob integration): a ClusterQueue with quota, its
   * ResourceFlavor bound to a Topology of the EKS network layers, and a LocalQueue in the benchmark namespace.
   * Every MPIJob is submitted to the LocalQueue, created suspended, and admitted whole.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Labels of the EFA nodes (the flavor's nodes), added to the Karpenter NodePool's label with karpenter enabled,
   * else to benchmarks.nodeSelector.
   * @default {}
   */
  readonly nodeLabels?: Record<string, string>;
}

export interface EksEfaPingpongOptions {
  /**
   * Emit the fi_pingpong server/client pair.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Message sizes in bytes.
   * @default [4, 16, 64, 256, 1024, 10240, 51200, 102400]
   */
  readonly messageSizes?: number[];
  /**
   * Iterations per size.
   * @default 1000000
   * @asType integer
   * @minimum 1
   */
  readonly iterations?: number;
}

export interface EksEfaBenchmarkOptions extends Omit<BenchmarkPodOptions, 'deviceClaimTemplate'> {
  /**
   * Emit the benchmark namespace and jobs (OSU over EFA and its TCP twin, fi_info, fi_pingpong).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The OSU MPIJobs.
   * @default - osu_latency over EFA and over TCP
   */
  readonly osu?: EksEfaOsuOptions;
  /**
   * Emit the `fi_info -p efa -t FI_EP_RDM` Job.
   * @default true
   */
  readonly fiInfo?: boolean;
  /**
   * The fi_pingpong pair.
   * @default - the published sweep, 1,000,000 iterations
   */
  readonly pingpong?: EksEfaPingpongOptions;
  /**
   * The NCCL test job (nccl-tests over aws-ofi-nccl and EFA), off unless enabled; `instanceType` picks the
   * GPUs and EFA interfaces per node.
   * @default - off
   */
  readonly nccl?: NcclJobOptions;
}

/** Options of the `eks-efa` profile: AWS EFA on EKS. */
export interface EksEfaOptions {
  /**
   * Value of `app.kubernetes.io/instance` on every object.
   * @default 'eks-efa'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly instance?: string;
  /**
   * The Kubernetes minor version of the cluster. `deviceApi: dra` needs 1.34 or later.
   * @default '1.34'
   * @pattern ^[1-9][0-9]*\.(0|[1-9][0-9]*)$
   */
  readonly kubernetesVersion?: string;
  /**
   * How pods get EFA devices. `device-plugin`: the EFA device plugin advertises `vpc.amazonaws.com/efa`.
   * `dra`: Dynamic Resource Allocation with aws-dranet (Kubernetes 1.34 and later): the driver publishes the
   * EFA devices, the DeviceClass `efa.networking.k8s.aws` selects them and the checks claim them from a
   * ResourceClaimTemplate. The device plugin is not installed then: one node's EFA devices are never managed by both.
   * @default 'device-plugin'
   */
  readonly deviceApi?: DeviceApi;
  /**
   * The EFA DRA driver, aws-dranet (with `deviceApi: dra`). It runs on the EFA nodes the devicePlugin targeting
   * options describe (instance types or node labels).
   * @default - installed in kube-system with the DeviceClass efa.networking.k8s.aws
   */
  readonly dra?: DraDriverOptions;
  /**
   * The EFA device plugin.
   * @default - installed in kube-system, targeting the EFA instance types
   */
  readonly devicePlugin?: EksEfaDevicePluginOptions;
  /**
   * The MPI operator.
   * @default - installed in mpi-operator with its CRD
   */
  readonly mpiOperator?: EksEfaMpiOperatorOptions;
  /**
   * The benchmark and check workloads.
   * @default - all of them in namespace rdma-benchmarks
   */
  readonly benchmarks?: EksEfaBenchmarkOptions;
  /**
   * EFA nodes from Karpenter.
   * @default - off: the cluster's node groups
   */
  readonly karpenter?: EksEfaKarpenterOptions;
  /**
   * MPI jobs queued and placed by topology with Kueue.
   * @default - off
   */
  readonly kueue?: EksEfaKueueOptions;
}

/**
 * The `eks-efa` profile: the EFA device plugin, the MPI operator, and jobs that prove EFA works (fi_info,
 * fi_pingpong, OSU over EFA with its TCP twin) on an EKS cluster with an EFA node group.
 */
export class EksEfaProfile extends Chart {
  public readonly options: EksEfaOptions;
  /** The one-shot checks (fi_info, fi_pingpong, OSU jobs): a chart of their own, `dist/eks-efa-checks/`. */
  public readonly checks: ChecksChart;

  constructor(scope: Construct, id: string = EKS_EFA, options: EksEfaOptions = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    // Deprecated option paths moved to their new names (with a warning), before anything reads them.
    options = migrateOptions(EKS_EFA, EKS_EFA_DEPRECATED_OPTIONS, options);
    this.options = options;
    // Every construct below labels itself with the instance (the checks chart inherits the context).
    this.node.setContext(INSTANCE_CONTEXT_KEY, checkDnsLabel(EKS_EFA, 'instance', options.instance ?? EKS_EFA));
    this.checks = new ChecksChart(this);
    this.compose(options);
    // Sync waves and dry-run options for Argo CD, once every object exists.
    addGitOpsAnnotations(this);
  }

  private compose(options: EksEfaOptions): void {
    const deviceApi = resolveDeviceApi(EKS_EFA, options);
    const { enabled: pluginEnabled = true, ...pluginOptions } = options.devicePlugin ?? {};
    const dra = deviceApi === 'dra';
    const { enabled: karpenterEnabled = false, ...karpenter } = options.karpenter ?? {};
    const { enabled: kueueEnabled = false, ...kueue } = options.kueue ?? {};
    onlyWhenEnabled('karpenter', karpenterEnabled, karpenter);
    onlyWhenEnabled('kueue', kueueEnabled, kueue);
    // Not gates: both also change the device plugin and the checks (the chart generator flips them).
    const pool = karpenterEnabled ? withOptionPrefix(EKS_EFA, 'karpenter', () => new EfaNodePool(this, 'NodePool', karpenter)) : undefined;
    const plugin = pool ? onPoolNodes(pluginOptions, pool) : pluginOptions;
    if (kueueEnabled && dra) {
      throw new RdmaOptionError(
        EKS_EFA,
        'kueue.enabled',
        true,
        'is not allowed with deviceApi "dra" (Kueue counts DRA devices only with its alpha DynamicResourceAllocation feature and a device class mapping, so the quota would not hold the EFA devices)',
        'false with deviceApi "dra", or deviceApi "device-plugin"',
      );
    }
    if (kueueEnabled && options.benchmarks?.enabled === false) {
      throw new RdmaOptionError(
        EKS_EFA,
        'kueue.enabled',
        true,
        'needs the benchmarks (its LocalQueue lives in their namespace, and it queues their MPI jobs)',
        'false with benchmarks.enabled false, or benchmarks.enabled true',
      );
    }
    if (dra) {
      if (options.devicePlugin?.enabled === true) {
        throw new RdmaOptionError(
          EKS_EFA,
          'devicePlugin.enabled',
          true,
          'is not allowed with deviceApi "dra" (the device plugin and the DRA driver would both manage the EFA devices of the same nodes)',
          'unset or false with deviceApi "dra" (aws-dranet takes the plugin\'s place), or deviceApi "device-plugin"',
        );
      }
      this.composeDra(options.dra ?? {}, plugin);
    } else {
      gate(this, 'devicePlugin.enabled', pluginEnabled, () =>
        withOptionPrefix(EKS_EFA, 'devicePlugin', () => new EfaDevicePlugin(this, 'DevicePlugin', plugin)),
      );
    }

    const { enabled: operatorEnabled = true, install: _install, ...operator } = options.mpiOperator ?? {};
    gate(this, 'mpiOperator.enabled', operatorEnabled, () =>
      withOptionPrefix(EKS_EFA, 'mpiOperator', () => new MpiOperator(this, 'MpiOperator', operator)),
    );

    const { enabled: benchEnabled = true, ...benchmarks } = options.benchmarks ?? {};
    gate(this, 'benchmarks.enabled', benchEnabled, () => {
      const namespace = this.composeBenchmarks(pool ? onPool(benchmarks, pool) : benchmarks, plugin, dra, pool);
      if (kueueEnabled) this.composeKueue(kueue, namespace, pool?.nodeSelector ?? benchmarks.nodeSelector);
    });
  }

  /** The queues, and every MPIJob of the checks submitted to them (labelled, annotated, suspended). */
  private composeKueue(
    kueue: Omit<EksEfaKueueOptions, 'enabled'>,
    namespace: string,
    nodeLabels: Record<string, string> | undefined,
  ): void {
    const labels = { ...nodeLabels, ...kueue.nodeLabels };
    if (Object.keys(labels).length === 0) {
      // The flavor names the EFA nodes: the quota is theirs, and a topology needs their labels.
      throw new RdmaOptionError(
        EKS_EFA,
        'kueue.nodeLabels',
        labels,
        'is empty, and neither karpenter nor benchmarks.nodeSelector names the EFA nodes (the flavor of the quota must)',
        'the labels of the EFA nodes, e.g. {"eks.amazonaws.com/nodegroup": "efa"}, or karpenter.enabled, or benchmarks.nodeSelector',
      );
    }
    const queues = withOptionPrefix(EKS_EFA, 'kueue', () => new KueueQueues(this, 'Kueue', { ...kueue, nodeLabels: labels, namespace }));
    for (const o of this.checks.node.findAll()) {
      if (!ApiObject.isApiObject(o) || o.kind !== 'MPIJob') continue;
      const workers = o.node.scope?.node.id === 'Nccl' ? 'benchmarks.nccl.workers' : 'benchmarks.osu.workers';
      withOptionPrefix(EKS_EFA, 'kueue', () => queues.admit(o, workers));
    }
  }

  /** aws-dranet on the EFA nodes (the device plugin's targeting options) and its DeviceClass, unless the cluster runs them. */
  private composeDra(dra: DraDriverOptions, plugin: EfaDevicePluginProps): void {
    const { enabled: driverEnabled = true, install: _install, ...driver } = dra;
    // Not a gate: the objects exist only with deviceApi "dra", a switch the chart generator flips first.
    if (driverEnabled) {
      const targeting = withOptionPrefix(EKS_EFA, 'devicePlugin', () => efaNodeTargeting('options', plugin));
      withOptionPrefix(
        EKS_EFA,
        'dra',
        () =>
          new DranetDriver(this, 'DraDriver', {
            ...driver,
            variant: 'aws',
            nodeSelector: targeting.nodeSelector,
            affinity: targeting.affinity,
          }),
      );
      new DraDeviceClass(this, 'DeviceClass', { name: EFA_DEVICE_CLASS.name, expressions: [EFA_DEVICE_CLASS.expression] });
    }
  }

  /**
   * The NCCL job, with the benchmarks' pod options but its own image, sizes and device counts; with DRA its GPUs
   * and EFA devices come from one claim template (aligned on PCIe roots unless alignGpus is off).
   */
  private composeNccl(
    nccl: NcclJobOptions,
    pod: Omit<EksEfaBenchmarkOptions, 'enabled' | 'osu' | 'fiInfo' | 'pingpong' | 'nccl'>,
    namespace: string,
    dra: boolean,
  ): void {
    const { enabled = false, alignGpus, ...job } = nccl;
    if (!dra && alignGpus !== undefined) {
      throw new RdmaOptionError(
        EKS_EFA,
        'benchmarks.nccl.alignGpus',
        alignGpus,
        'only applies to deviceApi "dra" (the device plugin cannot align GPUs and NICs)',
        'unset, or deviceApi "dra"',
      );
    }
    const { efaDevices: _e, memory: _m, cpu: _c, image: _i, ...common } = pod;
    gate(this, 'benchmarks.nccl.enabled', enabled, () =>
      withOptionPrefix(EKS_EFA, 'benchmarks.nccl', () => {
        const j = new NcclTestJob(this.checks, 'Nccl', {
          ...common,
          ...job,
          transport: 'efa',
          deviceClaimTemplate: dra ? NCCL_CLAIM_TEMPLATE : undefined,
        });
        if (dra) {
          // Aligned unless told otherwise, when the counts allow it (all GPUs and EFA devices of an instance do).
          const align = resolveAlignment('options', 'efaDevices', j.gpusPerWorker, j.efaDevices, alignGpus, 'EFA device');
          new DeviceClaimTemplate(this, 'NcclClaimTemplate', {
            name: NCCL_CLAIM_TEMPLATE,
            namespace,
            deviceClassName: EFA_DEVICE_CLASS.name,
            count: j.efaDevices,
            gpus: j.gpusPerWorker,
            alignGpus: align,
          });
        }
      }),
    );
  }

  /** The checks; returns their namespace. */
  private composeBenchmarks(
    benchmarks: Omit<EksEfaBenchmarkOptions, 'enabled'>,
    plugin: EfaDevicePluginProps,
    dra: boolean,
    pool?: EfaNodePool,
  ): string {
    const { osu = {}, fiInfo = true, pingpong = {}, nccl = {}, ...pod } = benchmarks;
    // Options shared by every workload are checked once, so their errors name `benchmarks.<option>`.
    const shared = withOptionPrefix(EKS_EFA, 'benchmarks', () => resolveBenchmarkPod('options', pod));
    // In a Helm chart, unset: the release namespace, which Helm provides.
    gateSet(
      this,
      'benchmarks.namespace',
      () =>
        new RdmaNamespace(this, 'BenchmarkNamespace', {
          name: shared.namespace,
          // Worker pods add the IPC_LOCK capability, which the baseline level forbids.
          podSecurity: 'privileged',
          reason: 'MPI and EFA test pods add the IPC_LOCK capability (memory pinning for RDMA); baseline forbids it.',
        }),
    );
    // Where the EFA pods can land: the instance type benchmarks.nodeSelector pins, else the device plugin's
    // allowlist. A per-pod EFA count none of them offers would leave the pods pending forever. The devicePlugin
    // targeting options describe the EFA nodes whether this profile installs the plugin or the cluster runs its
    // own (devicePlugin.enabled false): they place the TCP twin either way.
    const pinned = pinnedInstanceType(shared.nodeSelector);
    const targeting = plugin.nodeTargeting ?? 'instance-types';
    const pluginTypes =
      targeting === 'instance-types'
        ? [...(plugin.instanceTypes ?? EFA_INSTANCE_TYPES), ...(plugin.additionalInstanceTypes ?? [])]
        : undefined;
    if (pool) {
      checkPoolFits(pool, shared.efaDevices, [
        ['benchmarks.osu.workers', osu.workers ?? 2],
        ['benchmarks.nccl.workers', nccl.enabled ? (nccl.workers ?? 2) : 0],
        ['benchmarks.pingpong', pingpong.enabled === false ? 0 : 2],
      ]);
    } else if (pinned !== undefined) {
      checkEfaDevicesFit(EKS_EFA, 'benchmarks.efaDevices', shared.efaDevices, [pinned], 'benchmarks.nodeSelector');
    } else if (pluginTypes !== undefined) {
      checkEfaDevicesFit(EKS_EFA, 'benchmarks.efaDevices', shared.efaDevices, pluginTypes, 'devicePlugin.instanceTypes');
    }
    // The TCP twin requests no EFA, so only placement keeps it on the EFA node group: the same instance
    // types or node labels as the device plugin (a pinned instance type already applies to both).
    const twinPlacement =
      pinned !== undefined || pool
        ? {}
        : targeting === 'node-labels'
          ? { nodeSelector: { ...plugin.nodeLabels, ...pod.nodeSelector } }
          : pluginTypes !== undefined
            ? { instanceTypes: pluginTypes }
            : {};
    // With DRA, each EFA pod claims its devices from one template in the benchmark namespace.
    const efaPod = dra
      ? {
          ...pod,
          deviceClaimTemplate: new DeviceClaimTemplate(this, 'ClaimTemplate', {
            name: EFA_CLAIM_TEMPLATE,
            namespace: shared.namespace,
            deviceClassName: EFA_DEVICE_CLASS.name,
            count: shared.efaDevices,
          }).name,
        }
      : pod;
    const { tcpTwin = true, ...osuJob } = osu;
    withOptionPrefix(EKS_EFA, 'benchmarks.osu', () => new MpiLatencyJob(this.checks, 'OsuEfa', { ...efaPod, ...osuJob, transport: 'efa' }));
    gate(this, 'benchmarks.osu.tcpTwin', tcpTwin, () =>
      withOptionPrefix(
        EKS_EFA,
        'benchmarks.osu',
        () => new MpiLatencyJob(this.checks, 'OsuTcp', { ...pod, ...osuJob, ...twinPlacement, transport: 'tcp' }),
      ),
    );
    gate(this, 'benchmarks.fiInfo', fiInfo, () =>
      withOptionPrefix(EKS_EFA, 'benchmarks', () => new EfaInfoJob(this.checks, 'FiInfo', efaPod)),
    );
    this.composeNccl(nccl, pod, shared.namespace, dra);
    const { enabled: pingpongEnabled = true, ...pingpongJob } = pingpong;
    gate(this, 'benchmarks.pingpong.enabled', pingpongEnabled, () =>
      withOptionPrefix(EKS_EFA, 'benchmarks.pingpong', () => new EfaPingpongTest(this.checks, 'FiPingpong', { ...efaPod, ...pingpongJob })),
    );
    return shared.namespace;
  }
}

/** Refuses sub-options of a section that is off (they would be silently ignored). */
function onlyWhenEnabled(section: string, enabled: boolean, rest: object): void {
  if (enabled) return;
  // The first option set, down to a leaf (kueue.quota.efa, not kueue.quota).
  let path = section;
  let value: unknown = rest;
  while (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    const key = Object.keys(value)[0];
    path = `${path}.${key}`;
    value = (value as Record<string, unknown>)[key];
  }
  if (path !== section)
    throw new RdmaOptionError(EKS_EFA, path, value, `only applies with ${section}.enabled true`, `unset, or ${section}.enabled true`);
}

/** Tolerations with those of `add` that are not there yet. */
function withTolerations(base: readonly Toleration[] | undefined, add: readonly Toleration[]): Toleration[] {
  const out = [...(base ?? [])];
  for (const t of add) if (!out.some(o => o.key === t.key && (o.effect === undefined || o.effect === t.effect))) out.push(t);
  return out;
}

/**
 * The device plugin (and the DRA driver, which takes its targeting) on the pool's nodes: the pool's instance type
 * among the targeted ones, and its GPU taint tolerated (both tolerate the EFA taint already).
 */
function onPoolNodes(plugin: EfaDevicePluginProps, pool: EfaNodePool): EfaDevicePluginProps {
  const types = [...(plugin.instanceTypes ?? EFA_INSTANCE_TYPES), ...(plugin.additionalInstanceTypes ?? [])];
  const targeted = (plugin.nodeTargeting ?? 'instance-types') !== 'instance-types' || types.includes(pool.instanceType);
  return {
    ...plugin,
    ...(targeted ? {} : { additionalInstanceTypes: [...(plugin.additionalInstanceTypes ?? []), pool.instanceType] }),
    tolerations: withTolerations(
      plugin.tolerations,
      pool.tolerations.filter(t => t.key !== 'aws.amazon.com/efa'),
    ),
  };
}

/**
 * The checks on the pool's nodes: its node label, its taints tolerated, `karpenter.sh/do-not-disrupt` on every
 * pod (no consolidation, drift or expiry under a running check), and every EFA interface of a node per pod unless
 * benchmarks.efaDevices says otherwise.
 */
function onPool(b: Omit<EksEfaBenchmarkOptions, 'enabled'>, pool: EfaNodePool): Omit<EksEfaBenchmarkOptions, 'enabled'> {
  return {
    ...b,
    efaDevices: b.efaDevices ?? pool.efaInterfaces,
    nodeSelector: { ...b.nodeSelector, ...pool.nodeSelector },
    tolerations: withTolerations(b.tolerations, pool.tolerations),
    podAnnotations: { ...b.podAnnotations, [DO_NOT_DISRUPT]: 'true' },
  };
}

/** Refuses EFA counts and node counts the pool cannot hold: such pods would pend forever. */
function checkPoolFits(pool: EfaNodePool, efaDevices: number, nodes: [string, number][]): void {
  if (efaDevices > pool.efaInterfaces) {
    throw new RdmaOptionError(
      EKS_EFA,
      'benchmarks.efaDevices',
      efaDevices,
      `is more EFA interfaces than the Karpenter nodes have (${pool.efaInterfaces}, karpenter.efaInterfaces)`,
      `1 to ${pool.efaInterfaces}, or more karpenter.efaInterfaces`,
    );
  }
  for (const [option, n] of nodes) {
    if (n > pool.maxNodes) {
      throw new RdmaOptionError(
        EKS_EFA,
        'karpenter.maxNodes',
        pool.maxNodes,
        `is fewer nodes than ${option} needs (${n}, one per pod): its pods would pend forever`,
        `at least ${n}, or fewer nodes for ${option}`,
      );
    }
  }
}
