import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { RdmaOptionError } from './errors';
import { checkDnsLabel, checkPositiveInt } from './validate';

/**
 * One-shot checks (fi_info, pingpong, perftest, OSU jobs, test pods) live apart from the platform: a Job's
 * `spec.template` is immutable, so a check that kept its name across releases could never be applied again.
 * Every check object is named `<base>-<run id>`, where the run id is a hash of what the check runs (image,
 * command, resources, labels, including the package version): a new release or new options give new names
 * and so a new run, re-applying the same bundle changes nothing, and finished Jobs delete themselves
 * after `ttlSecondsAfterFinished`.
 */

/** Label on every check object and its pods: the run identity (`kubectl get jobs -l rdma.cdk8s.io/run=<id>`). */
export const RUN_LABEL = 'rdma.cdk8s.io/run';

/** Seconds a finished check Job (with its pods and their logs) stays before the TTL controller deletes it: one day. */
export const DEFAULT_CHECK_TTL_SECONDS = 86400;

/** Characters a run id adds to a name: `-` and 8 hex digits. */
export const RUN_ID_SUFFIX_LENGTH = 9;

/**
 * Context key that turns run ids off (`false`): check objects then keep their base names and carry no run
 * label. The Helm charts synthesize their checks so, since `helm test` deletes and re-creates its hooks itself.
 */
export const RUN_IDS_CONTEXT_KEY = 'cdk8s-rdma/run-ids';

/**
 * The run id of a check under `scope`: the first 8 hex digits of the sha256 of its content as JSON (built
 * with its base name), or '' when run ids are off (RUN_IDS_CONTEXT_KEY).
 */
export function runIdOf(scope: Construct, content: unknown): string {
  if (scope.node.tryGetContext(RUN_IDS_CONTEXT_KEY) === false) return '';
  return createHash('sha256').update(JSON.stringify(content), 'utf8').digest('hex').slice(0, 8);
}

/** The run label of a run id (none when run ids are off). */
export function runLabels(id: string): Record<string, string> {
  return id ? { [RUN_LABEL]: id } : {};
}

/**
 * Checks a check's base name: an RFC 1123 label short enough that `<base>-<run id>` plus `reserve`
 * characters the controller appends (e.g. mpi-operator's `-launcher`) still fit in 63.
 */
export function checkCheckName(where: string, option: string, base: string, reserve = 0): string {
  checkDnsLabel(where, option, base);
  const max = 63 - RUN_ID_SUFFIX_LENGTH - reserve;
  if (base.length > max) {
    throw new RdmaOptionError(where, option, base, 'is too long for a check name',
      `at most ${max} characters (the run id adds ${RUN_ID_SUFFIX_LENGTH}${reserve > 0 ? `, the controller ${reserve}` : ''})`);
  }
  return base;
}

/** `<base>-<run id>`, or the base name when run ids are off. */
export function runName(base: string, id: string): string {
  return id ? `${base}-${id}` : base;
}

/** `ttlSecondsAfterFinished` of a check, checked. */
export function checkTtl(where: string, value: number | undefined): number {
  return checkPositiveInt(where, 'ttlSecondsAfterFinished', value ?? DEFAULT_CHECK_TTL_SECONDS);
}

/**
 * The chart of a profile's one-shot checks, nested in the profile chart: its objects are not part of the
 * profile's own `toJson()` (cdk8s gives an object to its closest chart), so they go to a bundle of their
 * own (`dist/<profile>-checks/`) and become `helm test` hooks in the Helm chart.
 */
export class ChecksChart extends Chart {
  /** Whether `construct` is a ChecksChart (works across copies of this module). */
  public static isChecksChart(construct: unknown): construct is ChecksChart {
    return typeof construct === 'object' && construct !== null && (construct as any)[CHECKS_CHART] === true;
  }

  constructor(scope: Construct, id: string = 'Checks') {
    super(scope, id, { disableResourceNameHashes: true });
    Object.defineProperty(this, CHECKS_CHART, { value: true });
  }
}

const CHECKS_CHART = Symbol.for('cdk8s-rdma.ChecksChart');
