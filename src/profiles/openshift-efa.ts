import { DeprecatedOption, MPI_OPERATOR_TOGGLE, NEXT_RELEASE, NFD_OPERATOR_TOGGLE, migrateOptions } from '../deprecations';
import { ProfileMpiOperatorOptions } from './shared-options';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ChecksChart } from '../checks';
import { BenchmarkPodOptions, resolveBenchmarkPod } from '../constructs/benchmark-pod';
import {
  DEFAULT_EFA_MACHINE_TYPE,
  EfaClusterAutoscaler,
  EfaClusterAutoscalerProps,
  EfaMachineSet,
  EfaMachineSetProps,
  MachineTaint,
} from '../constructs/efa-machine-set';
import { checkEfaDevicesFit, pinnedInstanceType } from '../efa-capacity';
import { HugePageSize, HugepagesMachineConfig, WorkerMachineConfigPool, efaHugepagesFor } from '../constructs/hugepages-machine-config';
import { MemlockConfig } from '../constructs/memlock-config';
import { MpiJobSecurity } from '../constructs/mpi-job-security';
import { NcclJobOptions, NcclTestJob } from '../constructs/nccl-test-job';
import { MpiLatencyJob, OsuPointToPoint } from '../constructs/mpi-latency-job';
import { MpiOperator } from '../constructs/mpi-operator';
import { OPENSHIFT_NO_LABEL_SYNC, RdmaNamespace } from '../constructs/namespace';
import {
  EfaNodeFeatureRule,
  EfaNodeFeatureRuleProps,
  NodeFeatureDiscovery,
  NodeFeatureDiscoveryProps,
  parseOpenShiftVersion,
} from '../constructs/node-feature-discovery';
import { OpenShiftEfaDevicePlugin, OpenShiftEfaDevicePluginProps } from '../constructs/openshift-efa-device-plugin';
import { RdmaOptionError, withOptionPrefix } from '../errors';
import { gate, gateSet } from '../gates';
import { addGitOpsAnnotations } from '../gitops';
import { Toleration } from '../kube';
import { INSTANCE_CONTEXT_KEY } from '../labels';
import { checkDnsLabel, checkImage } from '../validate';
import { INTEL_BENCHMARK_IMAGE } from '../versions';

/** The device plugin's pull secret on OpenShift: credentials for the EKS add-on registry, which you create (README). */
export const OPENSHIFT_EFA_PLUGIN_PULL_SECRETS: readonly string[] = ['ecr-eks-addons'];
export const OPENSHIFT_EFA = 'openshift-efa';

/** Option paths of this profile renamed in 0.1.0, read under their new names until 0.2.0. */
export const OPENSHIFT_EFA_DEPRECATED_OPTIONS: readonly DeprecatedOption[] = [
  MPI_OPERATOR_TOGGLE,
  NFD_OPERATOR_TOGGLE,
  // The OSU jobs in eks-efa's shape (benchmarks.osu, benchmarks.fiInfo).
  ...(
    [
      ['benchmarks.benchmark', 'benchmarks.osu.benchmark'],
      ['benchmarks.messageSizes', 'benchmarks.osu.messageSizes'],
      ['benchmarks.iterations', 'benchmarks.osu.iterations'],
      ['benchmarks.jobs.tcp', 'benchmarks.osu.tcpTwin'],
      ['benchmarks.jobs.support', 'benchmarks.fiInfo'],
      ['benchmarks.jobs.openmpi', 'benchmarks.osu.openmpi'],
      ['benchmarks.jobs.intel', 'benchmarks.osu.intel'],
    ] as const
  ).map(([from, to]) => ({ from, to, removedIn: NEXT_RELEASE })),
];
const P = OPENSHIFT_EFA;

export interface OpenShiftEfaPoolOptions {
  /**
   * Put the node configuration in a custom MachineConfigPool (inheriting the worker configs), so only EFA
   * nodes reboot for it. Off: the configs target every `worker`.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Pool name.
   * @default 'worker-efa'
   */
  readonly name?: string;
  /**
   * Node labels that select the pool's nodes; the EFA MachineSet sets them.
   * @default { 'node-role.kubernetes.io/<name>': '' }
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Nodes updated (drained and rebooted) at once.
   * @default 1
   */
  readonly maxUnavailable?: number;
}

export interface OpenShiftEfaHugepagesOptions {
  /**
   * Reserve huge pages at boot with kernel arguments.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Page size.
   * @default '2M'
   */
  readonly pageSize?: HugePageSize;
  /**
   * Pages to reserve.
   * @default 5128 (EFA's default reservation), or 110 × vcpus + 1 when vcpus is set
   * @asType integer
   */
  readonly count?: number;
  /**
   * vCPUs of the EFA instance type, to size the reservation as AWS tooling does (110 × vcpus + 1 pages of 2 MiB).
   * @default - unset: count applies
   */
  readonly vcpus?: number;
}

export interface OpenShiftEfaMemlockOptions {
  /**
   * Raise the containers' memlock limit with a CRI-O drop-in.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Soft limit in bytes, -1 for unlimited.
   * @default -1
   */
  readonly soft?: number;
  /**
   * Hard limit in bytes, -1 for unlimited.
   * @default -1
   */
  readonly hard?: number;
  /**
   * Other default ulimits to keep (`name=soft:hard`).
   * @default []
   */
  readonly extraUlimits?: string[];
}

export interface OpenShiftEfaNodeConfigOptions {
  /** The custom MachineConfigPool. @default - `worker-efa` */
  readonly pool?: OpenShiftEfaPoolOptions;
  /** Huge pages. @default - 5128 pages of 2M */
  readonly hugepages?: OpenShiftEfaHugepagesOptions;
  /** Memlock. @default - unlimited */
  readonly memlock?: OpenShiftEfaMemlockOptions;
}

export interface OpenShiftEfaNfdOperatorOptions {
  /**
   * Install the NFD operator through OLM (Namespace, OperatorGroup, Subscription). Turn off where NFD is already
   * installed; the NodeFeatureDiscovery instance is still emitted unless `instance` is false.
   * @default true
   */
  readonly enabled?: boolean;
}

export interface OpenShiftEfaNfdOptions extends Omit<NodeFeatureDiscoveryProps, 'installOperator'> {
  /**
   * The NFD operator's installation.
   * @default - installed from OLM
   */
  readonly operator?: OpenShiftEfaNfdOperatorOptions;
  /**
   * The former `operator.enabled`, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `operator.enabled`
   */
  readonly installOperator?: boolean;
  /**
   * Install NFD and the EFA node rule. Off: the device plugin needs another node targeting.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The NodeFeatureRule that labels EFA nodes: `deviceIds` (PCI device ids of vendor 1d0f that count as EFA)
   * and `label` (the node label it sets).
   * @default - deviceIds ['efa0', 'efa1', 'efa2', 'efa3', 'efa4'], label 'feature.node.kubernetes.io/aws-efa.present'
   */
  readonly efaRule?: Pick<EfaNodeFeatureRuleProps, 'deviceIds' | 'label' | 'name'>;
}

export interface OpenShiftEfaDevicePluginOptions extends OpenShiftEfaDevicePluginProps {
  /**
   * Install the EFA device plugin.
   * @default true
   */
  readonly enabled?: boolean;
}

/** The MPI operator of openshift-efa (the shared fragment). */
export type OpenShiftEfaMpiOperatorOptions = ProfileMpiOperatorOptions;

/** The OSU MPIJobs of openshift-efa: the shape of eks-efa's `benchmarks.osu`, with a job per MPI implementation. */
export interface OpenShiftEfaOsuOptions {
  /**
   * The OSU benchmark of the TCP, Open MPI and Intel jobs.
   * @default 'osu_latency'
   */
  readonly benchmark?: OsuPointToPoint;
  /**
   * OSU `-m` message sizes.
   * @default '1:4194304'
   */
  readonly messageSizes?: string;
  /**
   * OSU `-i` iterations.
   * @default 10000 for osu_latency, 100 for osu_bw
   * @asType integer
   * @minimum 1
   */
  readonly iterations?: number;
  /**
   * Also emit the TCP twin: OSU over TCP with Open MPI, connectivity between the two nodes and the baseline.
   * @default true
   */
  readonly tcpTwin?: boolean;
  /**
   * OSU over EFA with Open MPI.
   * @default true
   */
  readonly openmpi?: boolean;
  /**
   * OSU over EFA with Intel MPI (image from container/Dockerfile.intel).
   * @default true
   */
  readonly intel?: boolean;
}

/** The former `benchmarks.jobs` (read until 0.2.0): each switch is now under `benchmarks.osu` or `benchmarks.fiInfo`. */
export interface OpenShiftEfaJobsOptions {
  /** @deprecated use `benchmarks.osu.tcpTwin` */
  readonly tcp?: boolean;
  /** @deprecated use `benchmarks.fiInfo` */
  readonly support?: boolean;
  /** @deprecated use `benchmarks.osu.openmpi` */
  readonly openmpi?: boolean;
  /** @deprecated use `benchmarks.osu.intel` */
  readonly intel?: boolean;
}

export interface OpenShiftEfaBenchmarkOptions extends Omit<
  BenchmarkPodOptions,
  'serviceAccountName' | 'podAnnotations' | 'deviceClaimTemplate'
> {
  /**
   * Emit the job namespace, its ServiceAccount and SCC, and the jobs.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The Intel MPI image built from container/Dockerfile.intel.
   * @default 'cdk8s-rdma-efa-intelmpi:efa1.47.0-impi2021.14-omb7.4'
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly intelImage?: string;
  /**
   * ServiceAccount of the job pods (granted the jobs' SCC).
   * @default 'mpi-job'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   * @maxLength 253
   */
  readonly serviceAccountName?: string;
  /**
   * Name of the jobs' SCC.
   * @default 'cdk8s-rdma-mpi-job'
   */
  readonly sccName?: string;
  /**
   * The OSU MPIJobs.
   * @default - osu_latency over TCP, over EFA with Open MPI and with Intel MPI
   */
  readonly osu?: OpenShiftEfaOsuOptions;
  /**
   * Emit the `fi_info -p efa` job (both workers, under mpirun): the EFA support check.
   * @default true
   */
  readonly fiInfo?: boolean;
  /**
   * The former `benchmarks.osu.benchmark`, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `benchmarks.osu.benchmark`
   */
  readonly benchmark?: OsuPointToPoint;
  /**
   * The former `benchmarks.osu.messageSizes`, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `benchmarks.osu.messageSizes`
   */
  readonly messageSizes?: string;
  /**
   * The former `benchmarks.osu.iterations`, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `benchmarks.osu.iterations`
   * @asType integer
   * @minimum 1
   */
  readonly iterations?: number;
  /**
   * The former switches of the four jobs, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `benchmarks.osu.tcpTwin`, `benchmarks.fiInfo`, `benchmarks.osu.openmpi`, `benchmarks.osu.intel`
   */
  readonly jobs?: OpenShiftEfaJobsOptions;
  /**
   * The NCCL test job (nccl-tests over aws-ofi-nccl and EFA, under the jobs' SCC), off unless enabled;
   * `instanceType` picks the GPUs and EFA interfaces per node.
   * @default - off
   */
  readonly nccl?: Omit<NcclJobOptions, 'alignGpus'>;
}

/** Options of the `openshift-efa` profile: AWS EFA on OpenShift. */
export interface OpenShiftEfaOptions {
  /**
   * Value of `app.kubernetes.io/instance` on every object.
   * @default 'openshift-efa'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly instance?: string;
  /**
   * OpenShift release of the cluster (`4.<minor>`): decides the NodeFeatureRule API group.
   * @default '4.18'
   */
  readonly openshiftVersion?: string;
  /** Node configuration by the Machine Config Operator (reboots the pool's nodes). @default - pool worker-efa, huge pages, memlock */
  readonly nodeConfig?: OpenShiftEfaNodeConfigOptions;
  /** Node Feature Discovery and the EFA node rule. @default - installed from redhat-operators */
  readonly nfd?: OpenShiftEfaNfdOptions;
  /** The EFA device plugin. @default - in aws-efa-device-plugin, on NFD-labelled EFA nodes */
  readonly devicePlugin?: OpenShiftEfaDevicePluginOptions;
  /** The MPI operator. @default - installed in mpi-operator with its CRD */
  readonly mpiOperator?: OpenShiftEfaMpiOperatorOptions;
  /** The four jobs and what they run as. @default - all four in rdma-benchmarks */
  readonly benchmarks?: OpenShiftEfaBenchmarkOptions;
  /**
   * An EFA MachineSet (with a MachineAutoscaler). Needs the cluster's infrastructure id, AMI, zone and
   * placement group, so it is emitted only when given.
   * @default - none
   */
  readonly machineSet?: Omit<EfaMachineSetProps, 'openshiftVersion'>;
  /**
   * The cluster-wide ClusterAutoscaler `default`, emitted only when given (clusters often have one already).
   * @default - none
   */
  readonly clusterAutoscaler?: EfaClusterAutoscalerProps;
}

/**
 * The `openshift-efa` profile, in the order the OpenShift EFA proof of concept set a cluster up: node
 * configuration (custom pool, huge pages, memlock), the EFA device plugin with its SCC, Node Feature
 * Discovery with an EFA node rule, the MPI operator, the job namespace with its SCC, the four jobs, and
 * optionally an autoscaled EFA MachineSet.
 */
export class OpenShiftEfaProfile extends Chart {
  public readonly options: OpenShiftEfaOptions;
  /** The one-shot checks (the four MPI jobs): a chart of their own, `dist/openshift-efa-checks/`. */
  public readonly checks: ChecksChart;

  constructor(scope: Construct, id: string = OPENSHIFT_EFA, options: OpenShiftEfaOptions = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    // Deprecated option paths moved to their new names (with a warning), before anything reads them.
    options = migrateOptions(OPENSHIFT_EFA, OPENSHIFT_EFA_DEPRECATED_OPTIONS, options);
    this.options = options;
    // Every construct below labels itself with the instance (the checks chart inherits the context).
    this.node.setContext(INSTANCE_CONTEXT_KEY, checkDnsLabel(OPENSHIFT_EFA, 'instance', options.instance ?? OPENSHIFT_EFA));
    this.checks = new ChecksChart(this);
    this.compose(options);
    // Sync waves and dry-run options for Argo CD, once every object exists. The NFD operator the bundle
    // subscribes to creates the NFD CRDs during the same sync.
    addGitOpsAnnotations(this, {
      installedBySync:
        (options.nfd?.enabled ?? true)
          ? ['nfd.openshift.io/NodeFeatureDiscovery', 'nfd.openshift.io/NodeFeatureRule', 'nfd.k8s-sigs.io/NodeFeatureRule']
          : [],
    });
  }

  private compose(options: OpenShiftEfaOptions): void {
    const openshiftVersion = options.openshiftVersion ?? '4.18';
    parseOpenShiftVersion(P, 'openshiftVersion', openshiftVersion);
    // 1-2. Node configuration: a custom pool, huge pages, memlock.
    const mcp = this.composeNodeConfig(options.nodeConfig ?? {});
    // The taints of the EFA machines, tolerated by exactly what must run there: the device plugin and the MPI
    // jobs here, NFD's worker (it labels the nodes) by its operator's own toleration; nothing else.
    const onEfaMachines = taintTolerations(options.machineSet?.taints ?? []);
    // 3-4. NFD, whose rule labels EFA nodes, and the EFA device plugin (own namespace, ServiceAccount and SCC).
    const efaNodeLabel = this.composeNfd(options, openshiftVersion);
    this.composeDevicePlugin(options, efaNodeLabel, onEfaMachines);

    // 5. MPI operator.
    const { enabled: operatorEnabled = true, install: _install, ...operator } = options.mpiOperator ?? {};
    // OpenShift's SCCs assign the UID from the namespace's range.
    gate(this, 'mpiOperator.enabled', operatorEnabled, () =>
      withOptionPrefix(P, 'mpiOperator', () => new MpiOperator(this, 'MpiOperator', { runAsUser: null, ...operator })),
    );

    // 6-8. Job namespace, its ServiceAccount and SCC, and the four jobs.
    const { enabled: benchEnabled = true, ...benchmarks } = options.benchmarks ?? {};
    gate(this, 'benchmarks.enabled', benchEnabled, () =>
      this.composeBenchmarks(benchmarks, options.machineSet, efaNodeLabel, onEfaMachines),
    );

    // EFA machines, and the cluster autoscaler.
    if (options.machineSet) {
      withOptionPrefix(
        P,
        'machineSet',
        () =>
          new EfaMachineSet(this, 'MachineSet', {
            nodeLabels: mcp?.nodeSelector,
            ...options.machineSet!,
            openshiftVersion,
          }),
      );
    }
    if (options.clusterAutoscaler) {
      withOptionPrefix(P, 'clusterAutoscaler', () => new EfaClusterAutoscaler(this, 'ClusterAutoscaler', options.clusterAutoscaler!));
    }
  }

  /** The EFA pool's MachineConfigPool, huge pages and memlock; returns the pool, if any. */
  private composeNodeConfig(nodeConfig: OpenShiftEfaNodeConfigOptions): WorkerMachineConfigPool | undefined {
    const { pool = {}, hugepages = {}, memlock = {} } = nodeConfig;
    const { enabled: poolEnabled = true, ...poolProps } = pool;
    const mcp = poolEnabled
      ? withOptionPrefix(P, 'nodeConfig.pool', () => new WorkerMachineConfigPool(this, 'EfaPool', poolProps))
      : undefined;
    const role = mcp?.name ?? 'worker';
    const { enabled: hugepagesEnabled = true, vcpus, count, pageSize } = hugepages;
    gate(this, 'nodeConfig.hugepages.enabled', hugepagesEnabled, () => {
      if (vcpus !== undefined && count !== undefined) {
        throw new RdmaOptionError(
          P,
          'nodeConfig.hugepages.vcpus',
          vcpus,
          'conflicts with nodeConfig.hugepages.count',
          'either vcpus (sizes the count) or count',
        );
      }
      // Unset, the construct's own default applies (5128 pages of 2M; required for 1G).
      const sized = vcpus !== undefined ? withOptionPrefix(P, 'nodeConfig.hugepages', () => efaHugepagesFor(vcpus)) : count;
      withOptionPrefix(P, 'nodeConfig.hugepages', () => new HugepagesMachineConfig(this, 'Hugepages', { role, pageSize, count: sized }));
    });
    const { enabled: memlockEnabled = true, ...memlockProps } = memlock;
    gate(this, 'nodeConfig.memlock.enabled', memlockEnabled, () =>
      withOptionPrefix(P, 'nodeConfig.memlock', () => new MemlockConfig(this, 'Memlock', { role, ...memlockProps })),
    );
    return mcp;
  }

  /** NFD and its EFA rule; returns the label the rule sets on EFA nodes (none with nfd.enabled false). */
  private composeNfd(options: OpenShiftEfaOptions, openshiftVersion: string): string | undefined {
    const { enabled: nfdEnabled = true, efaRule = {}, operator, installOperator: _installOperator, ...nfdRest } = options.nfd ?? {};
    const nfdProps = { ...nfdRest, installOperator: operator?.enabled ?? true };
    let efaNodeLabel: string | undefined;
    if (nfdEnabled) {
      // NFD's worker tolerates every NoSchedule taint on its own (NFD_WORKER_TOLERATIONS); not NoExecute.
      (options.machineSet?.taints ?? []).forEach((t, i) => {
        if (t.effect === 'NoExecute') {
          throw new RdmaOptionError(
            P,
            `machineSet.taints[${i}].effect`,
            t.effect,
            "would keep NFD's worker off the EFA machines (it tolerates NoSchedule taints only), so they would never get the EFA label",
            '"NoSchedule" or "PreferNoSchedule", or nfd.enabled false',
          );
        }
      });
      const nfd = withOptionPrefix(P, 'nfd', () => new NodeFeatureDiscovery(this, 'Nfd', nfdProps));
      const rule = withOptionPrefix(
        P,
        'nfd.efaRule',
        () =>
          new EfaNodeFeatureRule(this, 'EfaRule', {
            ...efaRule,
            openshiftVersion,
            namespace: nfd.namespace,
          }),
      );
      efaNodeLabel = rule.label;
    }
    return efaNodeLabel;
  }

  private composeDevicePlugin(options: OpenShiftEfaOptions, efaNodeLabel: string | undefined, onEfaMachines: Toleration[]): void {
    const nfdEnabled = options.nfd?.enabled ?? true;
    const { enabled: pluginEnabled = true, ...pluginProps } = options.devicePlugin ?? {};
    gate(this, 'devicePlugin.enabled', pluginEnabled, () => {
      if (!nfdEnabled && pluginProps.nodeTargeting === undefined) {
        throw new RdmaOptionError(
          P,
          'devicePlugin.nodeTargeting',
          pluginProps.nodeTargeting,
          'must be set when nfd.enabled is false (the default targets the NFD label)',
          '"instance-types", "node-labels" or "none"',
        );
      }
      withOptionPrefix(
        P,
        'devicePlugin',
        () =>
          new OpenShiftEfaDevicePlugin(this, 'DevicePlugin', {
            // The EKS add-on registry needs credentials off EKS: a pull secret you create (README).
            imagePullSecrets: [...OPENSHIFT_EFA_PLUGIN_PULL_SECRETS],
            // On the nodes the NFD rule labels as having an EFA device.
            ...(efaNodeLabel ? { nodeTargeting: 'node-labels' as const, nodeLabels: { [efaNodeLabel]: 'true' } } : {}),
            ...pluginProps,
            tolerations: [...(pluginProps.tolerations ?? []), ...onEfaMachines],
          }),
      );
    });
  }

  private composeBenchmarks(
    benchmarks: Omit<OpenShiftEfaBenchmarkOptions, 'enabled'>,
    machineSet: OpenShiftEfaOptions['machineSet'],
    efaNodeLabel: string | undefined,
    onEfaMachines: Toleration[],
  ): void {
    const {
      intelImage,
      serviceAccountName,
      sccName,
      osu = {},
      fiInfo = true,
      nccl = {},
      // Deprecated paths, read under benchmarks.osu and benchmarks.fiInfo (migrateOptions).
      benchmark: _benchmark,
      messageSizes: _messageSizes,
      iterations: _iterations,
      jobs: _jobs,
      ...pod
    } = benchmarks;
    const shared = withOptionPrefix(P, 'benchmarks', () => resolveBenchmarkPod('options', pod));
    // The EFA pods land on the instance type benchmarks.nodeSelector pins, else on the MachineSet's machines
    // (the EFA nodes the bundle makes); a per-pod EFA count that type lacks would leave them pending.
    const pinned = pinnedInstanceType(shared.nodeSelector);
    if (pinned !== undefined) {
      checkEfaDevicesFit(P, 'benchmarks.efaDevices', shared.efaDevices, [pinned], 'benchmarks.nodeSelector');
    } else if (machineSet) {
      checkEfaDevicesFit(
        P,
        'benchmarks.efaDevices',
        shared.efaDevices,
        [machineSet.instanceType ?? DEFAULT_EFA_MACHINE_TYPE],
        'machineSet.instanceType',
      );
    }
    const intelRef = withOptionPrefix(P, 'benchmarks', () =>
      checkImage('options', 'intelImage', intelImage ?? INTEL_BENCHMARK_IMAGE.image),
    );
    // In a Helm chart, unset: the release namespace, which Helm provides.
    gateSet(
      this,
      'benchmarks.namespace',
      () =>
        new RdmaNamespace(this, 'BenchmarkNamespace', {
          name: shared.namespace,
          podSecurity: 'privileged',
          reason:
            'MPI and EFA test pods add the IPC_LOCK capability (memory pinning for RDMA); baseline forbids it. The SCC cdk8s-rdma-mpi-job limits them further.',
          labels: { ...OPENSHIFT_NO_LABEL_SYNC },
        }),
    );
    const security = withOptionPrefix(
      P,
      'benchmarks',
      () =>
        new MpiJobSecurity(this, 'JobSecurity', {
          namespace: shared.namespace,
          serviceAccountName,
          sccName,
          allowHostNetwork: shared.hostNetwork,
        }),
    );
    const common = {
      ...pod,
      tolerations: [...(pod.tolerations ?? []), ...onEfaMachines],
      serviceAccountName: security.serviceAccountName,
      podAnnotations: security.podAnnotations,
      // Keep all four jobs on EFA nodes, the TCP twin included, so the comparison is like for like.
      nodeSelector: pod.nodeSelector ?? (efaNodeLabel ? { [efaNodeLabel]: 'true' } : undefined),
    };
    const { tcpTwin = true, openmpi = true, intel = true, ...osuJob } = osu;
    const job = (id: string, prefix: string, props: object) =>
      withOptionPrefix(P, prefix, () => new MpiLatencyJob(this.checks, id, { ...common, ...props }));
    gate(this, 'benchmarks.osu.tcpTwin', tcpTwin, () => job('OsuTcp', 'benchmarks.osu', { ...osuJob, transport: 'tcp' }));
    gate(this, 'benchmarks.fiInfo', fiInfo, () => job('EfaSupport', 'benchmarks', { benchmark: 'fi_info', transport: 'efa' }));
    gate(this, 'benchmarks.osu.openmpi', openmpi, () => job('OsuOpenMpi', 'benchmarks.osu', { ...osuJob, transport: 'efa' }));
    gate(this, 'benchmarks.osu.intel', intel, () =>
      job('OsuIntel', 'benchmarks.osu', { ...osuJob, transport: 'efa', mpiImplementation: 'Intel', image: intelRef }),
    );
    // The NCCL job: the jobs' placement and SCC, its own image, sizes and device counts.
    const { enabled: ncclEnabled = false, ...ncclJob } = nccl;
    const { efaDevices: _e, memory: _m, cpu: _c, image: _i, ...ncclPod } = common;
    gate(this, 'benchmarks.nccl.enabled', ncclEnabled, () =>
      withOptionPrefix(P, 'benchmarks.nccl', () => new NcclTestJob(this.checks, 'Nccl', { ...ncclPod, ...ncclJob, transport: 'efa' })),
    );
  }
}

/** Tolerations that match MachineSet taints exactly (key, value when set, effect). */
function taintTolerations(taints: readonly MachineTaint[]): Toleration[] {
  return taints.map(t =>
    t.value !== undefined
      ? { key: t.key, operator: 'Equal' as const, value: t.value, effect: t.effect }
      : { key: t.key, operator: 'Exists' as const, effect: t.effect },
  );
}
