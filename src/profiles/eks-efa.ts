import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ChecksChart } from '../checks';
import { BenchmarkPodOptions, resolveBenchmarkPod } from '../constructs/benchmark-pod';
import { EfaInfoJob, EfaPingpongTest } from '../constructs/efa-checks';
import { DeviceApi, DeviceClaimTemplate, DraDeviceClass, DraDriverOptions, DranetDriver, EFA_DEVICE_CLASS, resolveAlignment, resolveDeviceApi } from '../constructs/dra';
import { EFA_INSTANCE_TYPES, EfaDevicePlugin, EfaDevicePluginProps, efaNodeTargeting } from '../constructs/efa-device-plugin';
import { checkEfaDevicesFit, pinnedInstanceType } from '../efa-capacity';
import { MpiLatencyJob, OsuBenchmark } from '../constructs/mpi-latency-job';
import { NCCL_CLAIM_TEMPLATE, NcclJobOptions, NcclTestJob } from '../constructs/nccl-test-job';
import { MpiOperator, MpiOperatorProps } from '../constructs/mpi-operator';
import { RdmaNamespace } from '../constructs/namespace';
import { RdmaOptionError, withOptionPrefix } from '../errors';
import { gate, gateSet } from '../gates';
import { addGitOpsAnnotations } from '../gitops';
import { INSTANCE_CONTEXT_KEY } from '../labels';
import { checkDnsLabel } from '../validate';

export const EKS_EFA = 'eks-efa';

/** The ResourceClaimTemplate the EFA checks claim their devices from (`deviceApi: dra`). */
export const EFA_CLAIM_TEMPLATE = 'efa-devices';

export interface EksEfaDevicePluginOptions extends EfaDevicePluginProps {
  /**
   * Install the EFA device plugin DaemonSet.
   * @default true
   */
  readonly enabled?: boolean;
}

export interface EksEfaMpiOperatorOptions extends Omit<MpiOperatorProps, 'installCrd' | 'createNamespace'> {
  /**
   * Install the MPI operator and the `mpijobs.kubeflow.org` CRD. Turn off on clusters that already run
   * mpi-operator v0.5 or later (MPIJob kubeflow.org/v2beta1); the jobs are emitted either way.
   * @default true
   */
  readonly install?: boolean;
}

export interface EksEfaOsuOptions {
  /**
   * The OSU benchmark the MPI jobs run.
   * @default 'osu_latency'
   */
  readonly benchmark?: OsuBenchmark;
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
   * Also emit the TCP twin of the EFA job, to compare the two.
   * @default true
   */
  readonly tcpTwin?: boolean;
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
    const { enabled: pluginEnabled = true, ...plugin } = options.devicePlugin ?? {};
    const dra = deviceApi === 'dra';
    if (dra) {
      if (options.devicePlugin?.enabled === true) {
        throw new RdmaOptionError(EKS_EFA, 'devicePlugin.enabled', true, 'is not allowed with deviceApi "dra" (the device plugin and the DRA driver would both manage the EFA devices of the same nodes)',
          'unset or false with deviceApi "dra" (aws-dranet takes the plugin\'s place), or deviceApi "device-plugin"');
      }
      this.composeDra(options.dra ?? {}, plugin);
    } else {
      gate(this, 'devicePlugin.enabled', pluginEnabled, () => withOptionPrefix(EKS_EFA, 'devicePlugin', () => new EfaDevicePlugin(this, 'DevicePlugin', plugin)));
    }

    const { install: operatorInstall = true, ...operator } = options.mpiOperator ?? {};
    gate(this, 'mpiOperator.install', operatorInstall, () => withOptionPrefix(EKS_EFA, 'mpiOperator', () => new MpiOperator(this, 'MpiOperator', operator)));

    const { enabled: benchEnabled = true, ...benchmarks } = options.benchmarks ?? {};
    gate(this, 'benchmarks.enabled', benchEnabled, () => this.composeBenchmarks(benchmarks, plugin, dra));
  }

  /** aws-dranet on the EFA nodes (the device plugin's targeting options) and its DeviceClass, unless the cluster runs them. */
  private composeDra(dra: DraDriverOptions, plugin: EfaDevicePluginProps): void {
    const { install = true, ...driver } = dra;
    // Not a gate: the objects exist only with deviceApi "dra", a switch the chart generator flips first.
    if (install) {
      const targeting = withOptionPrefix(EKS_EFA, 'devicePlugin', () => efaNodeTargeting('options', plugin));
      withOptionPrefix(EKS_EFA, 'dra', () => new DranetDriver(this, 'DraDriver', { ...driver, variant: 'aws', nodeSelector: targeting.nodeSelector, affinity: targeting.affinity }));
      new DraDeviceClass(this, 'DeviceClass', { name: EFA_DEVICE_CLASS.name, expressions: [EFA_DEVICE_CLASS.expression] });
    }
  }

  /**
   * The NCCL job, with the benchmarks' pod options but its own image, sizes and device counts; with DRA its GPUs
   * and EFA devices come from one claim template (aligned on PCIe roots unless alignGpus is off).
   */
  private composeNccl(nccl: NcclJobOptions, pod: Omit<EksEfaBenchmarkOptions, 'enabled' | 'osu' | 'fiInfo' | 'pingpong' | 'nccl'>, namespace: string, dra: boolean): void {
    const { enabled = false, alignGpus, ...job } = nccl;
    if (!dra && alignGpus !== undefined) {
      throw new RdmaOptionError(EKS_EFA, 'benchmarks.nccl.alignGpus', alignGpus, 'only applies to deviceApi "dra" (the device plugin cannot align GPUs and NICs)', 'unset, or deviceApi "dra"');
    }
    const { efaDevices: _e, memory: _m, cpu: _c, image: _i, ...common } = pod;
    gate(this, 'benchmarks.nccl.enabled', enabled, () => withOptionPrefix(EKS_EFA, 'benchmarks.nccl', () => {
      const j = new NcclTestJob(this.checks, 'Nccl', { ...common, ...job, transport: 'efa', deviceClaimTemplate: dra ? NCCL_CLAIM_TEMPLATE : undefined });
      if (dra) {
        // Aligned unless told otherwise, when the counts allow it (all GPUs and EFA devices of an instance do).
        const align = resolveAlignment('options', 'efaDevices', j.gpusPerWorker, j.efaDevices, alignGpus, 'EFA device');
        new DeviceClaimTemplate(this, 'NcclClaimTemplate', {
          name: NCCL_CLAIM_TEMPLATE, namespace, deviceClassName: EFA_DEVICE_CLASS.name, count: j.efaDevices, gpus: j.gpusPerWorker, alignGpus: align,
        });
      }
    }));
  }

  private composeBenchmarks(benchmarks: Omit<EksEfaBenchmarkOptions, 'enabled'>, plugin: EfaDevicePluginProps, dra: boolean): void {
    const { osu = {}, fiInfo = true, pingpong = {}, nccl = {}, ...pod } = benchmarks;
    // Options shared by every workload are checked once, so their errors name `benchmarks.<option>`.
    const shared = withOptionPrefix(EKS_EFA, 'benchmarks', () => resolveBenchmarkPod('options', pod));
    // In a Helm chart, unset: the release namespace, which Helm provides.
    gateSet(this, 'benchmarks.namespace', () => new RdmaNamespace(this, 'BenchmarkNamespace', {
      name: shared.namespace,
      // Worker pods add the IPC_LOCK capability, which the baseline level forbids.
      podSecurity: 'privileged',
      reason: 'MPI and EFA test pods add the IPC_LOCK capability (memory pinning for RDMA); baseline forbids it.',
    }));
    // Where the EFA pods can land: the instance type benchmarks.nodeSelector pins, else the device plugin's
    // allowlist. A per-pod EFA count none of them offers would leave the pods pending forever. The devicePlugin
    // targeting options describe the EFA nodes whether this profile installs the plugin or the cluster runs its
    // own (devicePlugin.enabled false): they place the TCP twin either way.
    const pinned = pinnedInstanceType(shared.nodeSelector);
    const targeting = plugin.nodeTargeting ?? 'instance-types';
    const pluginTypes = targeting === 'instance-types' ? [...plugin.instanceTypes ?? EFA_INSTANCE_TYPES, ...plugin.additionalInstanceTypes ?? []] : undefined;
    if (pinned !== undefined) {
      checkEfaDevicesFit(EKS_EFA, 'benchmarks.efaDevices', shared.efaDevices, [pinned], 'benchmarks.nodeSelector');
    } else if (pluginTypes !== undefined) {
      checkEfaDevicesFit(EKS_EFA, 'benchmarks.efaDevices', shared.efaDevices, pluginTypes, 'devicePlugin.instanceTypes');
    }
    // The TCP twin requests no EFA, so only placement keeps it on the EFA node group: the same instance
    // types or node labels as the device plugin (a pinned instance type already applies to both).
    const twinPlacement = pinned !== undefined ? {}
      : targeting === 'node-labels' ? { nodeSelector: { ...plugin.nodeLabels, ...pod.nodeSelector } }
        : pluginTypes !== undefined ? { instanceTypes: pluginTypes } : {};
    // With DRA, each EFA pod claims its devices from one template in the benchmark namespace.
    const efaPod = dra ? { ...pod, deviceClaimTemplate: new DeviceClaimTemplate(this, 'ClaimTemplate', {
      name: EFA_CLAIM_TEMPLATE, namespace: shared.namespace, deviceClassName: EFA_DEVICE_CLASS.name, count: shared.efaDevices,
    }).name } : pod;
    const { tcpTwin = true, ...osuJob } = osu;
    withOptionPrefix(EKS_EFA, 'benchmarks.osu', () => new MpiLatencyJob(this.checks, 'OsuEfa', { ...efaPod, ...osuJob, transport: 'efa' }));
    gate(this, 'benchmarks.osu.tcpTwin', tcpTwin, () =>
      withOptionPrefix(EKS_EFA, 'benchmarks.osu', () => new MpiLatencyJob(this.checks, 'OsuTcp', { ...pod, ...osuJob, ...twinPlacement, transport: 'tcp' })));
    gate(this, 'benchmarks.fiInfo', fiInfo, () => withOptionPrefix(EKS_EFA, 'benchmarks', () => new EfaInfoJob(this.checks, 'FiInfo', efaPod)));
    this.composeNccl(nccl, pod, shared.namespace, dra);
    const { enabled: pingpongEnabled = true, ...pingpongJob } = pingpong;
    gate(this, 'benchmarks.pingpong.enabled', pingpongEnabled, () =>
      withOptionPrefix(EKS_EFA, 'benchmarks.pingpong', () => new EfaPingpongTest(this.checks, 'FiPingpong', { ...efaPod, ...pingpongJob })));
  }
}
