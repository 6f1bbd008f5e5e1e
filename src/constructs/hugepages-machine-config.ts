import { Construct } from 'constructs';
import { MachineConfig, MachineConfigPool, MachineConfigPoolSpecMaxUnavailable } from '../../imports/machineconfiguration.openshift.io';
import { RdmaOptionError } from '../errors';
import { standardLabels } from '../labels';
import { checkDnsLabel, checkLabels, checkOneOf, checkPositiveInt } from '../validate';

/** Label the Machine Config Operator uses to pick the MachineConfigs of a pool. */
export const MACHINE_CONFIG_ROLE_LABEL = 'machineconfiguration.openshift.io/role';

/** Huge page sizes the kernel arguments may reserve (x86_64 and aarch64 with 4k base pages). */
export type HugePageSize = '2M' | '1G';
export const HUGE_PAGE_SIZES: readonly HugePageSize[] = ['2M', '1G'];

/**
 * 2 MiB huge pages EFA nodes reserve by default: the EFA installer and EKS AMIs pre-allocate 5128 pages
 * (EKS user guide node-efa.adoc: EFA instances pre-allocate 5128 2MiB huge pages; aws-samples/aws-efa-eks README). The proof of concept's `hugepages=10256M` is this amount written as a size
 * (5128 × 2 MiB = 10256 MiB); the kernel reads `hugepages=` as a page count, so we emit `hugepages=5128`.
 */
export const EFA_DEFAULT_HUGEPAGES_2M = 5128;

/**
 * The number of 2 MiB huge pages AWS tooling reserves for EFA on a node with `vcpus` vCPUs: 110 pages per
 * vCPU (libfabric's EFA provider uses about 110 MiB per endpoint and Open MPI opens about two endpoints per
 * core) plus one, as in Bottlerocket's corndog and libfabric-ci-scripts efa-check.sh; it matches the
 * allocatable huge pages of p4de (96 vCPUs: 10561 pages) and p5 (192 vCPUs: 21121 pages) nodes
 * (EKS user guide node-efa.adoc: EFA instances pre-allocate 5128 2MiB huge pages; aws-samples/aws-efa-eks README).
 */
export function efaHugepagesFor(vcpus: number): number {
  checkPositiveInt('efaHugepagesFor', 'vcpus', vcpus, 4096);
  return 110 * vcpus + 1;
}

/** The MachineConfigPool role the configs target: `worker`, or a custom pool such as `worker-efa`. */
function checkRole(where: string, role: string): string {
  return checkDnsLabel(where, 'role', role);
}

export interface HugepagesMachineConfigProps {
  /**
   * MachineConfigPool role the config applies to (label `machineconfiguration.openshift.io/role`).
   * @default 'worker'
   */
  readonly role?: string;
  /**
   * MachineConfig name. The Machine Config Operator merges configs in name order.
   * @default '50-<role>-hugepages'
   */
  readonly name?: string;
  /**
   * Huge page size.
   * @default '2M'
   */
  readonly pageSize?: HugePageSize;
  /**
   * Number of pages to reserve at boot (a whole number: the kernel reads `hugepages=` as a count). Size it
   * for EFA with `efaHugepagesFor(vcpus)`.
   * @default 5128 for 2M pages (what EFA nodes reserve by default); required for 1G pages
   */
  readonly count?: number;
  /**
   * Also make `pageSize` the default huge page size (`default_hugepagesz`), which backs `hugetlbfs`
   * mounts without a `pagesize` option.
   * @default true
   */
  readonly setDefaultSize?: boolean;
}

/**
 * A MachineConfig whose kernel arguments reserve huge pages at boot on one MachineConfigPool
 * (`default_hugepagesz=2M hugepagesz=2M hugepages=5128`). Applying or changing it drains and reboots the
 * pool's nodes one at a time. Sources: openshift/api machineconfiguration/v1/types.go (`kernelArguments`),
 * openshift-docs modules/nodes-nodes-kernel-arguments.adoc; the kernel's admin-guide/kernel-parameters.txt
 * (`hugepages=<integer>` after `hugepagesz=`).
 */
export class HugepagesMachineConfig extends Construct {
  public readonly name: string;
  public readonly role: string;
  public readonly pageSize: HugePageSize;
  public readonly count: number;
  public readonly kernelArguments: string[];

  constructor(scope: Construct, id: string, props: HugepagesMachineConfigProps = {}) {
    super(scope, id);
    const where = 'HugepagesMachineConfig';
    this.role = checkRole(where, props.role ?? 'worker');
    this.name = checkDnsLabel(where, 'name', props.name ?? `50-${this.role}-hugepages`);
    this.pageSize = checkOneOf(where, 'pageSize', props.pageSize ?? '2M', HUGE_PAGE_SIZES);
    if (props.count === undefined && this.pageSize !== '2M') {
      throw new RdmaOptionError(where, 'count', props.count, 'is required for 1G pages', 'a whole number of 1G pages, e.g. 16');
    }
    this.count = checkPositiveInt(where, 'count', props.count ?? EFA_DEFAULT_HUGEPAGES_2M, this.pageSize === '2M' ? 1048576 : 4096);
    this.kernelArguments = [
      ...((props.setDefaultSize ?? true) ? [`default_hugepagesz=${this.pageSize}`] : []),
      `hugepagesz=${this.pageSize}`,
      `hugepages=${this.count}`,
    ];
    new MachineConfig(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...standardLabels(this, this.name, 'node-config'), [MACHINE_CONFIG_ROLE_LABEL]: this.role },
      },
      spec: { kernelArguments: this.kernelArguments },
    });
  }
}

export interface WorkerMachineConfigPoolProps {
  /**
   * Pool name; also the role of the MachineConfigs it adds to the worker configs.
   * @default 'worker-efa'
   */
  readonly name?: string;
  /**
   * Node labels that put a node in the pool. MachineSets of the pool set them on their nodes.
   * @default { 'node-role.kubernetes.io/<name>': '' }
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Nodes of the pool updated (drained and rebooted) at once.
   * @default 1 (the Machine Config Operator's default)
   */
  readonly maxUnavailable?: number;
}

/**
 * A custom MachineConfigPool that inherits every `worker` MachineConfig and adds its own (role `<name>`), for
 * labelled nodes only: node changes for EFA (huge pages, memlock) then reboot only the EFA nodes.
 * Source: openshift-docs modules/configuring-huge-pages.adoc (its `worker-hp` MachineConfigPool: role values
 * `worker` and `worker-hp`, nodes selected by `node-role.kubernetes.io/worker-hp`).
 */
export class WorkerMachineConfigPool extends Construct {
  public readonly name: string;
  /** The node labels that select the pool's nodes. */
  public readonly nodeSelector: Record<string, string>;

  constructor(scope: Construct, id: string, props: WorkerMachineConfigPoolProps = {}) {
    super(scope, id);
    const where = 'WorkerMachineConfigPool';
    this.name = checkDnsLabel(where, 'name', props.name ?? 'worker-efa');
    if (this.name === 'worker' || this.name === 'master') {
      throw new RdmaOptionError(where, 'name', this.name, 'is a built-in pool', 'a custom pool name such as "worker-efa"');
    }
    this.nodeSelector = checkLabels(where, 'nodeSelector', props.nodeSelector ?? { [`node-role.kubernetes.io/${this.name}`]: '' });
    if (Object.keys(this.nodeSelector).length === 0) {
      throw new RdmaOptionError(where, 'nodeSelector', this.nodeSelector, 'is empty', "node labels that only the pool's nodes carry");
    }
    const maxUnavailable = props.maxUnavailable !== undefined ? checkPositiveInt(where, 'maxUnavailable', props.maxUnavailable) : undefined;
    new MachineConfigPool(this, 'Resource', {
      metadata: {
        name: this.name,
        // The label built-in pools carry (`pools.operator.machineconfiguration.openshift.io/worker`), for
        // selectors such as a PerformanceProfile's machineConfigPoolSelector [inferred from the built-in pools].
        labels: {
          ...standardLabels(this, this.name, 'node-config'),
          [`pools.operator.machineconfiguration.openshift.io/${this.name}`]: '',
        },
      },
      spec: {
        machineConfigSelector: {
          matchExpressions: [{ key: MACHINE_CONFIG_ROLE_LABEL, operator: 'In', values: ['worker', this.name] }],
        },
        nodeSelector: { matchLabels: this.nodeSelector },
        maxUnavailable: maxUnavailable !== undefined ? MachineConfigPoolSpecMaxUnavailable.fromNumber(maxUnavailable) : undefined,
      },
    });
  }
}
