import { App, Chart } from 'cdk8s';
import baremetalIpoibSchema from '../data/options-schemas/baremetal-ipoib.json';
import eksEfaSchema from '../data/options-schemas/eks-efa.json';
import openshiftEfaSchema from '../data/options-schemas/openshift-efa.json';
import type { DeprecatedOption } from '../deprecations';
import { BAREMETAL_IPOIB, BAREMETAL_IPOIB_DEPRECATED_OPTIONS, BaremetalIpoibOptions, BaremetalIpoibProfile } from './baremetal-ipoib';
import { EKS_EFA, EKS_EFA_DEPRECATED_OPTIONS, EksEfaOptions, EksEfaProfile } from './eks-efa';
import { OPENSHIFT_EFA, OPENSHIFT_EFA_DEPRECATED_OPTIONS, OpenShiftEfaOptions, OpenShiftEfaProfile } from './openshift-efa';
import type { ChartSpec } from '../helm/specs';
import { BAREMETAL_IPOIB_CHART } from './baremetal-ipoib.chart';
import { EKS_EFA_CHART } from './eks-efa.chart';
import { OPENSHIFT_EFA_CHART } from './openshift-efa.chart';

export * from './baremetal-ipoib';
export * from './eks-efa';
export * from './openshift-efa';
export * from './shared-options';

/**
 * A platform profile, defined in one place: its name, what it is for, the keywords of its Helm chart, the
 * TypeScript options interface (scripts/options-schemas.ts generates src/data/options-schemas/<name>.json from
 * it), its Helm chart (<name>.chart.ts), and how to build it from options.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- PROFILES holds definitions of every options type
export interface ProfileDefinition<O = any> {
  readonly name: string;
  readonly description: string;
  /** Keywords of the Helm chart (Chart.yaml). */
  readonly keywords: readonly string[];
  /** The TypeScript options interface, from which the options JSON schema is generated. */
  readonly optionsType: string;
  /**
   * The options JSON schema generated from `optionsType` (src/data/options-schemas/<name>.json, written by
   * `npm run synth`): values files are checked against it and the chart's values.schema.json is cut from it.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON schema: untyped JSON
  readonly optionsSchema: Readonly<Record<string, any>>;
  /** Option paths that were renamed, read under their new names for one release (src/deprecations.ts). */
  readonly deprecatedOptions: readonly DeprecatedOption[];
  /** The Helm chart: values, exceptions, NOTES.txt. */
  readonly chart: ChartSpec;
  create(app: App, options: O): ProfileChart;
}

/** A profile's chart: the platform objects, with the one-shot checks in a nested chart. */
export interface ProfileChart extends Chart {
  readonly checks: Chart;
}

/** Every profile, by name. */
export const PROFILES: Readonly<Record<string, ProfileDefinition>> = {
  [BAREMETAL_IPOIB]: {
    name: BAREMETAL_IPOIB,
    keywords: ['rdma', 'mpi', 'hpc', 'infiniband', 'ipoib'],
    optionsType: 'BaremetalIpoibOptions',
    optionsSchema: baremetalIpoibSchema,
    deprecatedOptions: BAREMETAL_IPOIB_DEPRECATED_OPTIONS,
    chart: BAREMETAL_IPOIB_CHART,
    description:
      'InfiniBand on bare metal: Multus (thick), ipoib-cni, whereabouts, an IPoIB network, an RDMA device plugin (or the NVIDIA network-operator), ipoib-test / ib_read_bw / OSU-over-IB checks',
    create: (app: App, options: BaremetalIpoibOptions) => new BaremetalIpoibProfile(app, BAREMETAL_IPOIB, options),
  },
  [EKS_EFA]: {
    name: EKS_EFA,
    keywords: ['rdma', 'mpi', 'hpc', 'efa', 'eks'],
    optionsType: 'EksEfaOptions',
    optionsSchema: eksEfaSchema,
    deprecatedOptions: EKS_EFA_DEPRECATED_OPTIONS,
    chart: EKS_EFA_CHART,
    description: 'AWS EFA on EKS: EFA device plugin, MPI operator, fi_info / fi_pingpong / OSU jobs (EFA and TCP twin)',
    create: (app: App, options: EksEfaOptions) => new EksEfaProfile(app, EKS_EFA, options),
  },
  [OPENSHIFT_EFA]: {
    name: OPENSHIFT_EFA,
    keywords: ['rdma', 'mpi', 'hpc', 'efa', 'openshift'],
    optionsType: 'OpenShiftEfaOptions',
    optionsSchema: openshiftEfaSchema,
    deprecatedOptions: OPENSHIFT_EFA_DEPRECATED_OPTIONS,
    chart: OPENSHIFT_EFA_CHART,
    description:
      'AWS EFA on OpenShift: huge pages and memlock MachineConfigs, NFD, EFA device plugin and MPI jobs with least-privilege SCCs, EFA MachineSets',
    create: (app: App, options: OpenShiftEfaOptions) => new OpenShiftEfaProfile(app, OPENSHIFT_EFA, options),
  },
};

export const PROFILE_NAMES: readonly string[] = Object.keys(PROFILES).sort();
