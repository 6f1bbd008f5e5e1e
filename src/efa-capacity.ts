import capacity from './data/efa-instance-capacity.json';
import { RdmaOptionError } from './errors';

/** What one EFA-capable instance type offers. */
export interface EfaInstanceCapacity {
  /** Most EFA interfaces it takes (`vpc.amazonaws.com/efa` a node offers when all are attached). */
  readonly maxEfa: number;
  /** NVIDIA GPUs (`nvidia.com/gpu`); 0 when it has none. */
  readonly nvidiaGpus: number;
}

/**
 * EFA interfaces and GPUs per instance type: the project's dated copy (src/data/efa-instance-capacity.json,
 * from Karpenter's generated instance-type reference, which reads EC2 DescribeInstanceTypes).
 */
export const EFA_INSTANCE_CAPACITY: Readonly<Record<string, EfaInstanceCapacity>> = capacity.types;
export const EFA_CAPACITY_SOURCE_DATE: string = capacity.sourceDate;

/** Node labels that carry the instance type (Kubernetes well-known labels; `beta.` is the deprecated one). */
export const INSTANCE_TYPE_LABELS: readonly string[] = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'];

/** The instance type a nodeSelector pins, if it pins one. */
export function pinnedInstanceType(nodeSelector: Record<string, string> | undefined): string | undefined {
  for (const key of INSTANCE_TYPE_LABELS) {
    if (nodeSelector?.[key] !== undefined) return nodeSelector[key];
  }
  return undefined;
}

/**
 * Refuses a per-pod EFA count that none of the instance types the pods can land on offers: such pods pend
 * forever. Types missing from the table (newer than it) could hold any count, so with one of them nothing is refused.
 * `targets` says where the types come from, e.g. `devicePlugin.instanceTypes`.
 */
export function checkEfaDevicesFit(where: string, option: string, efaDevices: number, types: readonly string[], targets: string): void {
  if (types.length === 0 || types.some(t => EFA_INSTANCE_CAPACITY[t] === undefined)) return;
  const max = Math.max(...types.map(t => EFA_INSTANCE_CAPACITY[t].maxEfa));
  if (efaDevices <= max) return;
  const listed = [...new Set(types)].map(t => `${t}: ${EFA_INSTANCE_CAPACITY[t].maxEfa}`).join(', ');
  throw new RdmaOptionError(
    where,
    option,
    efaDevices,
    `is more EFA interfaces than any instance type of ${targets} has`,
    `at most ${max} (${listed}; EFA interfaces per instance type as of ${EFA_CAPACITY_SOURCE_DATE})`,
  );
}
