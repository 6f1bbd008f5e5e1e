import { DeprecatedOption, DRA_TOGGLE, MPI_OPERATOR_TOGGLE, NEXT_RELEASE, migrateOptions } from '../deprecations';
import { ProfileMpiOperatorOptions } from './shared-options';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ChecksChart } from '../checks';
import { CniHostPaths, DEFAULT_CNI_CONF_DIR, resolveCniHostPaths } from '../constructs/cni-node-agent';
import {
  DEFAULT_IB_POD_CPU,
  DEFAULT_IB_POD_MEMORY,
  DEFAULT_RDMA_RESOURCE,
  IbBandwidthTest,
  checkRdmaDeviceName,
  IbBandwidthTestProps,
  IbPodOptions,
  IpoibTestPod,
} from '../constructs/ib-workloads';
import {
  DeviceApi,
  DeviceClaimTemplate,
  DraDeviceClass,
  DraDriverOptions,
  DranetDriver,
  RDMA_DEVICE_CLASS,
  resolveAlignment,
  resolveDeviceApi,
} from '../constructs/dra';
import { NCCL_CLAIM_TEMPLATE, NcclJobOptions, NcclTestJob } from '../constructs/nccl-test-job';
import { IpoibCni, IpoibCniProps } from '../constructs/ipoib-cni';
import {
  DEFAULT_IPOIB_RANGE,
  IpoibNetwork,
  IpoibNetworkProps,
  NetworkSelection,
  WhereaboutsIpam,
  whereaboutsIpam,
} from '../constructs/ipoib-network';
import { MpiLatencyJob, OsuPointToPoint } from '../constructs/mpi-latency-job';
import { MpiOperator } from '../constructs/mpi-operator';
import { Multus, MultusProps } from '../constructs/multus';
import { RdmaNamespace } from '../constructs/namespace';
import {
  NetworkOperatorPolicy,
  NicClusterPolicyProps,
  NvIpamPool,
  NvIpamPoolProps,
  OperatorIpoibNetwork,
} from '../constructs/network-operator';
import { RdmaDevicePlugin, RdmaDevicePluginProps, checkRdmaSharedConfigList } from '../constructs/rdma-device-plugin';
import { Whereabouts, WhereaboutsProps } from '../constructs/whereabouts';
import { RdmaOptionError, withOptionPrefix } from '../errors';
import { gate, gateSet } from '../gates';
import { addGitOpsAnnotations } from '../gitops';
import { INSTANCE_CONTEXT_KEY } from '../labels';
import { checkDnsLabel, checkOneOf, checkPositiveInt } from '../validate';

export const BAREMETAL_IPOIB = 'baremetal-ipoib';

/** Option paths of this profile renamed in 0.1.0, read under their new names until 0.2.0. */
export const BAREMETAL_IPOIB_DEPRECATED_OPTIONS: readonly DeprecatedOption[] = [
  MPI_OPERATOR_TOGGLE,
  DRA_TOGGLE,
  // The other profiles' shape: `benchmarks`, with the OSU job as `benchmarks.osu` (its `mpi` moves first).
  { from: 'tests.mpi', to: 'benchmarks.osu', removedIn: NEXT_RELEASE },
  { from: 'tests', to: 'benchmarks', removedIn: NEXT_RELEASE },
];
const P = BAREMETAL_IPOIB;

/** The ResourceClaimTemplate the tests claim their HCA from (`deviceApi: dra`). */
export const RDMA_CLAIM_TEMPLATE = 'rdma-devices';

/** Where the tests' RDMA devices come from: a device plugin resource, or (DRA) a claim template made on first use. */
interface TestDevices {
  readonly resource?: string;
  readonly claimTemplate?: () => string;
}

/** Operator mode's NicClusterPolicy, and the NV-IPAM pool the IPoIB network's addresses come from. */
export interface BaremetalOperatorOptions extends Omit<NicClusterPolicyProps, 'configList'> {
  /**
   * The NV-IPAM IPPool (its subnet, gateway and exclusions come from `network.ipam`).
   * @default - 32 addresses per node, in namespace nvidia-network-operator
   */
  readonly ipPool?: Pick<NvIpamPoolProps, 'perNodeBlockSize' | 'namespace'>;
}

/** How the node components are deployed: DaemonSets from this bundle, or the NVIDIA network-operator. */
export type BaremetalIpoibMode = 'bundle' | 'operator';
export const BAREMETAL_IPOIB_MODES: readonly BaremetalIpoibMode[] = ['bundle', 'operator'];

export interface BaremetalCniOptions extends CniHostPaths {
  /**
   * Run the agents that write into the CNI directories (ipoib-cni, whereabouts) privileged, as upstream
   * does, for SELinux-enforcing hosts. Off: root with every capability dropped.
   * @default false
   */
  readonly privileged?: boolean;
}

export interface BaremetalMultusOptions extends Omit<MultusProps, 'cniBinDir' | 'cniConfDir'> {
  /**
   * Install Multus (thick plugin). Turn off where the cluster already runs Multus (OpenShift does).
   * @default true
   */
  readonly enabled?: boolean;
}

export interface BaremetalDevicePluginOptions extends RdmaDevicePluginProps {
  /**
   * Install the RDMA device plugin DaemonSet (bundle mode).
   * @default true
   */
  readonly enabled?: boolean;
}

/** The MPI operator of baremetal-ipoib (the shared fragment). */
export type BaremetalMpiOperatorOptions = ProfileMpiOperatorOptions;

export interface BaremetalBandwidthOptions extends Pick<
  IbBandwidthTestProps,
  'program' | 'device' | 'ibPort' | 'iterations' | 'messageSize' | 'port'
> {
  /**
   * Emit the perftest pair.
   * @default true
   */
  readonly enabled?: boolean;
}

/** The OSU MPIJob over InfiniBand (UCX): the shape of eks-efa's `benchmarks.osu`, with a switch of its own. */
export interface BaremetalOsuOptions {
  /**
   * Emit the MPIJob (OSU over InfiniBand through UCX).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The OSU benchmark.
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
   * HCA ports UCX may use (`UCX_NET_DEVICES`), e.g. `mlx5_0:1`.
   * @default - every port UCX finds
   */
  readonly ucxNetDevices?: string;
}

/**
 * The former name of BaremetalOsuOptions.
 * @deprecated use BaremetalOsuOptions
 */
export type BaremetalMpiOptions = BaremetalOsuOptions;

export interface BaremetalBenchmarkOptions extends Omit<IbPodOptions, 'namespace' | 'networks' | 'deviceClaimTemplate'> {
  /**
   * Emit the test workloads.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The `ipoib-test` pod (IPoIB attachment, RDMA devices).
   * @default true
   */
  readonly testPod?: boolean;
  /**
   * The perftest bandwidth pair.
   * @default - ib_read_bw -F --report_gbits on two nodes
   */
  readonly bandwidth?: BaremetalBandwidthOptions;
  /**
   * The OSU MPIJob over InfiniBand.
   * @default - osu_latency
   */
  readonly osu?: BaremetalOsuOptions;
  /**
   * The NCCL test job (nccl-tests over NCCL's InfiniBand verbs transport, bootstrap on the IPoIB network),
   * off unless enabled.
   * @default - off
   */
  readonly nccl?: BaremetalNcclOptions;
}

/** The former `tests` (read until 0.2.0 as `benchmarks`, its `mpi` as `benchmarks.osu`). */
export interface BaremetalTestOptions extends Omit<BaremetalBenchmarkOptions, 'osu'> {
  /**
   * The former `benchmarks.osu`.
   * @deprecated use `benchmarks.osu`
   */
  readonly mpi?: BaremetalOsuOptions;
}

/** The NCCL job on InfiniBand: the shape of every profile's NCCL options, with HCAs instead of EFA devices. */
export interface BaremetalNcclOptions extends Omit<NcclJobOptions, 'instanceType' | 'efaDevices'> {
  /**
   * HCAs NCCL may use (`NCCL_IB_HCA`, exact names). Not with `deviceApi: dra` (the claim picks the HCAs).
   * @default - every HCA NCCL finds
   */
  readonly ibHcas?: string[];
  /**
   * With `deviceApi: dra`: HCAs each worker claims with its GPUs.
   * @default 1
   * @asType integer
   * @minimum 1
   * @maximum 32
   */
  readonly hcasPerWorker?: number;
}

/** dranet for InfiniBand (with `deviceApi: dra`). */
export interface BaremetalDraOptions extends DraDriverOptions {
  /**
   * Only these HCAs (dranet's `rdmaDevice` attribute, names as in /sys/class/infiniband) are in the DeviceClass
   * the tests claim from, e.g. to leave RoCE NICs or a storage HCA out. Empty: every RDMA device dranet publishes.
   * @default []
   */
  readonly rdmaDevices?: string[];
}

/** Options of the `baremetal-ipoib` profile: InfiniBand (IPoIB + RDMA) on bare-metal Kubernetes. */
export interface BaremetalIpoibOptions {
  /**
   * Value of `app.kubernetes.io/instance` on every object.
   * @default 'baremetal-ipoib'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly instance?: string;
  /**
   * `bundle`: Multus, ipoib-cni, whereabouts and the RDMA device plugin as DaemonSets from this bundle, and
   * the NetworkAttachmentDefinition. `operator`: a NicClusterPolicy, an IPoIBNetwork and an NV-IPAM IPPool
   * for the NVIDIA network-operator (installed separately) instead.
   * @default 'bundle'
   */
  readonly mode?: BaremetalIpoibMode;
  /**
   * Namespace of the IPoIB network and of the test workloads.
   * @default 'rdma-benchmarks'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * The Kubernetes minor version of the cluster. `deviceApi: dra` needs 1.34 or later.
   * @default '1.34'
   * @pattern ^[1-9][0-9]*\.(0|[1-9][0-9]*)$
   */
  readonly kubernetesVersion?: string;
  /**
   * How the tests get RDMA devices. `device-plugin`: the RDMA device plugin's resource. `dra`: Dynamic
   * Resource Allocation with dranet (bundle mode, Kubernetes 1.34 and later): dranet publishes the HCAs and
   * leaves their IPoIB interfaces on the host (`--move-ib-interfaces=false`, so the IPoIB network still works),
   * the DeviceClass `infiniband-rdma` selects them and each test pod claims one HCA from a
   * ResourceClaimTemplate. The RDMA device plugin is not installed then: one node's HCAs are never managed by both.
   * @default 'device-plugin'
   */
  readonly deviceApi?: DeviceApi;
  /**
   * dranet (with `deviceApi: dra`).
   * @default - installed in kube-system with the DeviceClass infiniband-rdma
   */
  readonly dra?: BaremetalDraOptions;
  /**
   * Host CNI directories, shared by Multus, ipoib-cni and whereabouts.
   * @default { cniBinDir: '/opt/cni/bin', cniConfDir: '/etc/cni/net.d' }
   */
  readonly cni?: BaremetalCniOptions;
  /**
   * Multus (bundle mode).
   * @default - thick plugin v4.3.0 in kube-system
   */
  readonly multus?: BaremetalMultusOptions;
  /**
   * ipoib-cni (bundle mode).
   * @default - v1.2.2 in kube-system
   */
  readonly ipoibCni?: Omit<IpoibCniProps, 'cniBinDir' | 'privileged'>;
  /**
   * Whereabouts.
   * @default - v0.9.4 in kube-system
   */
  readonly whereabouts?: Omit<WhereaboutsProps, 'cniBinDir' | 'cniConfDir' | 'privileged'>;
  /**
   * The IPoIB network: master interface, whereabouts range, CNI version.
   * @default { name: 'ipoib', master: 'ib0', ipam: { range: '192.168.0.0/24' } }
   */
  readonly network?: Omit<IpoibNetworkProps, 'namespace'>;
  /**
   * The RDMA device plugin: variant `rdma-shared` or `jarvice`, image, resources. In operator mode only
   * `configList` applies (the operator runs the shared plugin).
   * @default - rdma-shared, resource rdma/rdma_shared_device_a
   */
  readonly devicePlugin?: BaremetalDevicePluginOptions;
  /**
   * The NicClusterPolicy and the NV-IPAM pool (operator mode).
   * @default - network-operator v26.4.1 images, Multus, CNI plugins and NV-IPAM on, driver container off
   */
  readonly operator?: BaremetalOperatorOptions;
  /**
   * The MPI operator.
   * @default - installed in mpi-operator with its CRD
   */
  readonly mpiOperator?: BaremetalMpiOperatorOptions;
  /**
   * The benchmark and check workloads (the other profiles' `benchmarks`).
   * @default - ipoib-test pod, ib_read_bw pair, OSU latency over InfiniBand
   */
  readonly benchmarks?: BaremetalBenchmarkOptions;
  /**
   * The former `benchmarks`, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `benchmarks` (its `mpi` is `benchmarks.osu`)
   */
  readonly tests?: BaremetalTestOptions;
}

/** CNI configuration directories whereabouts searches for whereabouts.conf without `configuration_path`. */
const WHEREABOUTS_SEARCHED_CONF_DIRS = ['/etc/kubernetes/cni/net.d', DEFAULT_CNI_CONF_DIR];

/**
 * The `baremetal-ipoib` profile: IPoIB secondary networks and RDMA devices for pods on bare-metal
 * Kubernetes with InfiniBand (seeds 001 and 002): Multus (thick), ipoib-cni, whereabouts, an IPoIB
 * NetworkAttachmentDefinition, an RDMA device plugin, the MPI operator, and workloads that prove it works.
 */
export class BaremetalIpoibProfile extends Chart {
  public readonly options: BaremetalIpoibOptions;
  /** The one-shot checks (ipoib-test, perftest pair, OSU over IB): a chart of their own, `dist/baremetal-ipoib-checks/`. */
  public readonly checks: ChecksChart;

  constructor(scope: Construct, id: string = BAREMETAL_IPOIB, options: BaremetalIpoibOptions = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    // Deprecated option paths moved to their new names (with a warning), before anything reads them.
    options = migrateOptions(BAREMETAL_IPOIB, BAREMETAL_IPOIB_DEPRECATED_OPTIONS, options);
    this.options = options;
    // Every construct below labels itself with the instance (the checks chart inherits the context).
    this.node.setContext(INSTANCE_CONTEXT_KEY, checkDnsLabel(BAREMETAL_IPOIB, 'instance', options.instance ?? BAREMETAL_IPOIB));
    this.checks = new ChecksChart(this);
    this.compose(options);
    // Sync waves and dry-run options for Argo CD, once every object exists.
    addGitOpsAnnotations(this);
  }

  private compose(options: BaremetalIpoibOptions): void {
    const mode = checkOneOf(P, 'mode', options.mode ?? 'bundle', BAREMETAL_IPOIB_MODES);
    const deviceApi = resolveDeviceApi(P, options);
    if (deviceApi === 'dra' && mode === 'operator') {
      throw new RdmaOptionError(
        P,
        'deviceApi',
        deviceApi,
        'is not available in mode "operator" (the NicClusterPolicy runs the RDMA shared device plugin on the same HCAs)',
        '"device-plugin" in mode "operator", or mode "bundle" with deviceApi "dra"',
      );
    }
    const namespace = checkDnsLabel(P, 'namespace', options.namespace ?? 'rdma-benchmarks');
    const operatorMode = mode === 'operator';
    const misplaced = operatorMode
      ? (['multus', 'ipoibCni', 'whereabouts'] as const).find(k => options[k] !== undefined)
      : (['operator'] as const).find(k => options[k] !== undefined);
    if (misplaced) {
      throw new RdmaOptionError(
        P,
        misplaced,
        options[misplaced],
        `does not apply in mode "${mode}"`,
        operatorMode
          ? 'unset in mode "operator" (the operator deploys Multus, ipoib-cni and NV-IPAM)'
          : 'unset in mode "bundle", or mode "operator"',
      );
    }
    const { privileged = false, ...cniPaths } = options.cni ?? {};
    const { binDir, confDir } = withOptionPrefix(P, 'cni', () => resolveCniHostPaths('options', cniPaths));

    // CNI plumbing.
    const { enabled: multusEnabled = true, ...multus } = options.multus ?? {};
    // Not a gate: with Multus the bundle installs the NetworkAttachmentDefinition CRD, which changes the
    // network's Argo CD sync options.
    if (!operatorMode && multusEnabled) {
      withOptionPrefix(P, 'multus', () => new Multus(this, 'Multus', { ...multus, cniBinDir: binDir, cniConfDir: confDir }));
    }
    if (!operatorMode) {
      withOptionPrefix(P, 'ipoibCni', () => new IpoibCni(this, 'IpoibCni', { ...options.ipoibCni, cniBinDir: binDir, privileged }));
    }
    // Bundle mode's IPAM; operator mode's is NV-IPAM (the network-operator removed whereabouts in v25.10.0).
    if (!operatorMode) {
      withOptionPrefix(
        P,
        'whereabouts',
        () => new Whereabouts(this, 'Whereabouts', { ...options.whereabouts, cniBinDir: binDir, cniConfDir: confDir, privileged }),
      );
    }

    const networkRef = this.composeNetwork(options, namespace, operatorMode, confDir);
    const devices = deviceApi === 'dra' ? this.composeDra(options, namespace) : { resource: this.composeDevices(options, operatorMode) };

    const { enabled: operatorEnabled = true, install: _install, ...mpiOperator } = options.mpiOperator ?? {};
    gate(this, 'mpiOperator.enabled', operatorEnabled, () =>
      withOptionPrefix(P, 'mpiOperator', () => new MpiOperator(this, 'MpiOperator', mpiOperator)),
    );

    // Tests.
    const { enabled: testsEnabled = true, ...tests } = options.benchmarks ?? {};
    gate(this, 'benchmarks.enabled', testsEnabled, () => this.composeTests(tests, namespace, networkRef, devices));
  }

  /** The Namespace and the IPoIB network (whereabouts IPAM, or NV-IPAM in operator mode); returns how pods select it. */
  private composeNetwork(options: BaremetalIpoibOptions, namespace: string, operatorMode: boolean, confDir: string): NetworkSelection {
    // The network. Whereabouts finds its configuration by itself only in the directories it searches.
    const { ipam: ipamOption, ...network } = options.network ?? {};
    const ipam: WhereaboutsIpam = { range: DEFAULT_IPOIB_RANGE, ...ipamOption };
    const ipamWithPath: WhereaboutsIpam =
      ipam.configurationPath === undefined && !WHEREABOUTS_SEARCHED_CONF_DIRS.includes(confDir)
        ? { ...ipam, configurationPath: `${confDir}/whereabouts.d/whereabouts.conf` }
        : ipam;
    // In a Helm chart, unset: the release namespace, which Helm provides.
    gateSet(
      this,
      'namespace',
      () =>
        new RdmaNamespace(this, 'Namespace', {
          name: namespace,
          // The test pods run as root and add IPC_LOCK (RDMA memory registration); baseline forbids it.
          podSecurity: 'privileged',
          reason: 'RDMA test pods add the IPC_LOCK capability and run as root to register memory; baseline forbids it.',
        }),
    );
    if (operatorMode) {
      if (network.cniVersion !== undefined) {
        throw new RdmaOptionError(
          P,
          'network.cniVersion',
          network.cniVersion,
          'does not apply in mode "operator"',
          'unset (the operator renders cniVersion 0.3.1)',
        );
      }
      // NV-IPAM hands each node a block of the subnet: whereabouts' range bounds have no counterpart.
      for (const key of ['rangeStart', 'rangeEnd', 'configurationPath'] as const) {
        if (ipam[key] !== undefined) {
          throw new RdmaOptionError(
            P,
            `network.ipam.${key}`,
            ipam[key],
            'does not apply in mode "operator"',
            'unset (NV-IPAM gives each node a block of network.ipam.range; use network.ipam.exclude)',
          );
        }
      }
      // The range, gateway and exclusions are checked as for whereabouts (the same rules), under their option names.
      whereaboutsIpam(P, 'network.ipam', ipam);
      const { ipPool = {} } = options.operator ?? {};
      const pool = withOptionPrefix(
        P,
        'operator.ipPool',
        () =>
          new NvIpamPool(this, 'IpPool', {
            ...ipPool,
            name: network.name ?? 'ipoib',
            subnet: ipam.range,
            gateway: ipam.gateway,
            exclude: ipam.exclude,
          }),
      ).name;
      const net = withOptionPrefix(
        P,
        'network',
        () =>
          new OperatorIpoibNetwork(this, 'Network', {
            name: network.name,
            master: network.master,
            networkNamespace: namespace,
            poolName: pool,
          }),
      );
      return { name: net.name, namespace: net.networkNamespace };
    } else {
      const net = withOptionPrefix(P, 'network', () => new IpoibNetwork(this, 'Network', { ...network, namespace, ipam: ipamWithPath }));
      return net.selection();
    }
  }

  /** The RDMA device plugin, or the operator's NicClusterPolicy; returns the RDMA resource it advertises. */
  private composeDevices(options: BaremetalIpoibOptions, operatorMode: boolean): string | undefined {
    // RDMA devices.
    const { enabled: pluginEnabled = true, ...plugin } = options.devicePlugin ?? {};
    if (operatorMode) {
      const extra =
        (Object.keys(plugin) as (keyof RdmaDevicePluginProps)[]).find(k => k !== 'configList' && plugin[k] !== undefined) ??
        (options.devicePlugin?.enabled !== undefined ? 'enabled' : undefined);
      if (extra) {
        throw new RdmaOptionError(
          P,
          `devicePlugin.${extra}`,
          (options.devicePlugin as Record<string, unknown>)[extra],
          'does not apply in mode "operator"',
          'only devicePlugin.configList (the operator runs the rdma-shared plugin; its images come from operator)',
        );
      }
      // The plugin's resources are devicePlugin options in both modes: check them under that name first.
      withOptionPrefix(P, 'devicePlugin', () => checkRdmaSharedConfigList('options', plugin.configList));
      const policy = withOptionPrefix(
        P,
        'operator',
        () => new NetworkOperatorPolicy(this, 'NicClusterPolicy', { ...options.operator, configList: plugin.configList }),
      );
      return policy.resourceNames[0];
    } else {
      return gate(this, 'devicePlugin.enabled', pluginEnabled, () =>
        withOptionPrefix(P, 'devicePlugin', () => new RdmaDevicePlugin(this, 'DevicePlugin', plugin)),
      )?.resourceName;
    }
  }

  /** dranet (kept off the IPoIB interfaces), its DeviceClass and the tests' claim template, unless the cluster runs dranet. */
  private composeDra(options: BaremetalIpoibOptions, namespace: string): TestDevices {
    if (options.devicePlugin?.enabled === true) {
      throw new RdmaOptionError(
        P,
        'devicePlugin.enabled',
        true,
        'is not allowed with deviceApi "dra" (the device plugin and dranet would both manage the HCAs of the same nodes)',
        'unset or false with deviceApi "dra" (dranet takes the plugin\'s place), or deviceApi "device-plugin"',
      );
    }
    const { enabled: driverEnabled = true, install: _install, rdmaDevices, ...driver } = options.dra ?? {};
    const devices = (rdmaDevices ?? []).map((d, i) => checkRdmaDeviceName(P, `dra.rdmaDevices[${i}]`, d));
    // Not a gate: the objects exist only with deviceApi "dra", a switch the chart generator flips first.
    if (driverEnabled) {
      withOptionPrefix(P, 'dra', () => new DranetDriver(this, 'DraDriver', { ...driver, variant: 'upstream', moveIbInterfaces: false }));
      new DraDeviceClass(this, 'DeviceClass', {
        name: RDMA_DEVICE_CLASS.name,
        expressions: [
          ...RDMA_DEVICE_CLASS.expressions,
          ...(devices.length > 0 ? [`device.attributes["dra.net"].rdmaDevice in [${devices.map(d => JSON.stringify(d)).join(', ')}]`] : []),
        ],
      });
    }
    return {
      claimTemplate: (): string =>
        new DeviceClaimTemplate(this, 'ClaimTemplate', { name: RDMA_CLAIM_TEMPLATE, namespace, deviceClassName: RDMA_DEVICE_CLASS.name })
          .name,
    };
  }

  /** The NCCL job over IB verbs on the tests' placement; with DRA its GPUs and HCAs come from one claim template. */
  private composeNccl(
    nccl: BaremetalNcclOptions,
    pod: Omit<BaremetalTestOptions, 'enabled' | 'testPod' | 'bandwidth' | 'mpi' | 'nccl'>,
    namespace: string,
    networkRef: NetworkSelection,
    rdmaResource: string | undefined,
    dra: boolean,
  ): void {
    const { enabled = false, alignGpus, ibHcas, hcasPerWorker, ...job } = nccl;
    if (dra && ibHcas !== undefined) {
      throw new RdmaOptionError(
        P,
        'benchmarks.nccl.ibHcas',
        ibHcas,
        'does not apply with deviceApi "dra" (the claim picks the HCAs; narrow them with dra.rdmaDevices)',
        'unset, or deviceApi "device-plugin"',
      );
    }
    for (const [key, value] of [
      ['alignGpus', alignGpus],
      ['hcasPerWorker', hcasPerWorker],
    ] as const) {
      if (!dra && value !== undefined)
        throw new RdmaOptionError(P, `benchmarks.nccl.${key}`, value, 'only applies to deviceApi "dra"', 'unset, or deviceApi "dra"');
    }
    gate(this, 'benchmarks.nccl.enabled', enabled, () =>
      withOptionPrefix(P, 'benchmarks.nccl', () => {
        const j = new NcclTestJob(this.checks, 'Nccl', {
          namespace,
          imagePullSecrets: pod.imagePullSecrets,
          nodeSelector: pod.nodeSelector,
          tolerations: pod.tolerations,
          podAnnotations: pod.podAnnotations,
          ...job,
          transport: 'ib',
          rdmaResource,
          ibHcas,
          networks: [networkRef],
          deviceClaimTemplate: dra ? NCCL_CLAIM_TEMPLATE : undefined,
        });
        if (dra) {
          const hcas = checkPositiveInt('options', 'hcasPerWorker', hcasPerWorker ?? 1, 32);
          const align = resolveAlignment('options', 'hcasPerWorker', j.gpusPerWorker, hcas, alignGpus, 'HCA');
          new DeviceClaimTemplate(this, 'NcclClaimTemplate', {
            name: NCCL_CLAIM_TEMPLATE,
            namespace,
            deviceClassName: RDMA_DEVICE_CLASS.name,
            count: hcas,
            gpus: j.gpusPerWorker,
            alignGpus: align,
          });
        }
      }),
    );
  }

  private composeTests(
    tests: Omit<BaremetalBenchmarkOptions, 'enabled'>,
    namespace: string,
    networkRef: NetworkSelection,
    devices: TestDevices,
  ): void {
    const { testPod = true, bandwidth = {}, osu = {}, nccl = {}, ...pod } = tests;
    if (devices.claimTemplate && pod.rdmaResource !== undefined) {
      throw new RdmaOptionError(
        P,
        'benchmarks.rdmaResource',
        pod.rdmaResource,
        'does not apply with deviceApi "dra" (each test pod claims an HCA)',
        'unset, or deviceApi "device-plugin"',
      );
    }
    // With DRA each test pod claims one HCA; else the plugin's resource, unless the tests name another (e.g.
    // of a plugin installed separately).
    const deviceClaimTemplate = devices.claimTemplate?.();
    const rdmaResource = deviceClaimTemplate ? undefined : (pod.rdmaResource ?? devices.resource ?? DEFAULT_RDMA_RESOURCE);
    const common: IbPodOptions = { ...pod, namespace, rdmaResource, deviceClaimTemplate };
    gate(this, 'benchmarks.testPod', testPod, () =>
      withOptionPrefix(P, 'benchmarks', () => new IpoibTestPod(this.checks, 'TestPod', { ...common, networks: [networkRef] })),
    );
    const { enabled: bwEnabled = true, ...bw } = bandwidth;
    gate(this, 'benchmarks.bandwidth.enabled', bwEnabled, () =>
      withOptionPrefix(P, 'benchmarks.bandwidth', () => new IbBandwidthTest(this.checks, 'Bandwidth', { ...common, ...bw })),
    );
    this.composeNccl(nccl, pod, namespace, networkRef, rdmaResource, deviceClaimTemplate !== undefined);
    const { enabled: mpiEnabled = true, ...mpiJob } = osu;
    gate(this, 'benchmarks.osu.enabled', mpiEnabled, () => {
      withOptionPrefix(
        P,
        'benchmarks.osu',
        () =>
          new MpiLatencyJob(this.checks, 'Mpi', {
            ...mpiJob,
            namespace,
            transport: 'ib',
            rdmaResource,
            deviceClaimTemplate,
            image: pod.image,
            imagePullSecrets: pod.imagePullSecrets,
            memory: pod.memory ?? DEFAULT_IB_POD_MEMORY,
            cpu: pod.cpu ?? DEFAULT_IB_POD_CPU,
            nodeSelector: pod.nodeSelector,
            tolerations: pod.tolerations,
            podAnnotations: pod.podAnnotations,
          }),
      );
    });
  }
}
