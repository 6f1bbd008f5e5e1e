import { Construct } from 'constructs';
import { checkCheckName, checkJob, checkPair, checkTtl } from '../checks';
import { RdmaOptionError } from '../errors';
import { standardLabels } from '../labels';
import { checkPositiveInt } from '../validate';
import { PINGPONG_SWEEP_MARKER } from '../report/markers';
import { BENCHMARK_IMAGE } from '../versions';
import {
  BenchmarkPodOptions,
  efaPodResources,
  mpiUserSecurityContext,
  podMetadata,
  podPlacement,
  resolveBenchmarkPod,
} from './benchmark-pod';

export interface EfaInfoJobProps extends BenchmarkPodOptions {
  /**
   * Base name of the Job; the Job is `<name>-<run id>` (see RUN_LABEL).
   * @default 'efa-fi-info'
   */
  readonly name?: string;
  /**
   * Seconds the finished Job (and its pod's log) is kept before Kubernetes deletes it.
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
}

/**
 * A Job that runs `fi_info -p efa -t FI_EP_RDM` in a pod holding an EFA device: it lists the EFA provider's
 * RDM endpoints, or exits non-zero (`-61 No data available`) when the pod has no usable EFA. A one-shot
 * check: named `<name>-<run id>`, deleted a day after it finishes.
 */
export class EfaInfoJob extends Construct {
  /** Base name. */
  public readonly name: string;
  /** The run id: a hash of what the Job runs. */
  public readonly runId: string;
  /** The Job's name, `<name>-<run id>`. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: EfaInfoJobProps = {}) {
    super(scope, id);
    const where = 'EfaInfoJob';
    const pod = resolveBenchmarkPod(where, props, this);
    this.name = checkCheckName(where, 'name', props.name ?? 'efa-fi-info');
    const labels = standardLabels(this, this.name, 'efa-check');
    const r = checkJob(
      this,
      { name: this.name, namespace: pod.namespace, labels, deviceClaim: pod.deviceClaim },
      { backoffLimit: 2, ttl: checkTtl(where, props.ttlSecondsAfterFinished) },
      run => ({
        metadata: podMetadata(pod, { ...labels, ...run }),
        spec: {
          ...podPlacement(pod),
          restartPolicy: 'Never',
          containers: [
            {
              name: 'fi-info',
              image: pod.image,
              command: [BENCHMARK_IMAGE.fiInfo],
              args: ['-p', 'efa', '-t', 'FI_EP_RDM'],
              securityContext: mpiUserSecurityContext(),
              resources: efaPodResources(pod),
            },
          ],
        },
      }),
    );
    this.runId = r.runId;
    this.jobName = r.jobName;
  }
}

export { PINGPONG_SWEEP_MARKER };

/**
 * The pingpong pod's script. Environment: FI_PINGPONG (the program), PINGPONG_PROVIDER (`-p`),
 * PINGPONG_SERVER (the server's host name, client only), JOB_COMPLETION_INDEX (0 serves, 1 connects).
 * fi_pingpong options (libfabric util/pingpong.c, v1.17.0 and later): -p provider, -e endpoint type,
 * -I iterations, -S size, -v verbose; with -v the client prints the fi_info it runs with, whose
 * `prov_name:` names the provider actually used (`efa`, or `tcp;ofi_rxm`, `shm`). The client keeps that
 * line, the table and `[error]`/`[warn]` lines, and drops the `[debug]` chatter. The server restarts for
 * every size; the client retries until it listens again (60 tries, 2 s apart), printing each failed try's
 * error lines. The log shows one sweep: a marker line, then one single-row table per size.
 */
export function pingpongScript(sizes: readonly number[], iterations: number): string {
  const run = `"$FI_PINGPONG" -p "$PINGPONG_PROVIDER" -e rdm -I ${iterations} -S "$size"`;
  const keep = "grep -e '^\\[error\\]' -e '^\\[warn' -e 'prov_name:' -e '^bytes' -e '^[0-9]' || true";
  return [
    'set -eu',
    'if [ "$JOB_COMPLETION_INDEX" = 0 ]; then role=server; else role=client; fi',
    `echo "${PINGPONG_SWEEP_MARKER} role=$role provider=$PINGPONG_PROVIDER endpoint=rdm iterations=${iterations} sizes=${sizes.join(',')}"`,
    `for size in ${sizes.join(' ')}; do`,
    '  if [ "$role" = server ]; then',
    `    ${run}`,
    '  else',
    '    n=0',
    `    until out=$(${run} -v "$PINGPONG_SERVER" 2>&1); do`,
    `      printf '%s\\n' "$out" | ${keep}`,
    '      n=$((n + 1)); [ "$n" -lt 60 ] || exit 1; sleep 2',
    '    done',
    `    printf '%s\\n' "$out" | ${keep}`,
    '  fi',
    'done',
    '',
  ].join('\n');
}

/** Message sizes of the published EKS graviton3 fi_pingpong table (shared seed 003). */
export const PINGPONG_MESSAGE_SIZES: readonly number[] = [4, 16, 64, 256, 1024, 10240, 51200, 102400];

export interface EfaPingpongTestProps extends BenchmarkPodOptions {
  /**
   * Base name of the headless Service and of the Job (`<name>-<run id>`).
   * @default 'fi-pingpong'
   */
  readonly name?: string;
  /**
   * Message sizes in bytes; fi_pingpong runs once per size.
   * @default [4, 16, 64, 256, 1024, 10240, 51200, 102400]
   */
  readonly messageSizes?: number[];
  /**
   * fi_pingpong `-I` iterations per size (the published table used 1,000,000).
   * @default 1000000
   * @minimum 1
   */
  readonly iterations?: number;
  /**
   * Seconds the finished Job (and its pods' logs) is kept before Kubernetes deletes it.
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
}

/**
 * An `fi_pingpong -p efa -e rdm` server/client pair on two different nodes with a message-size sweep, as in
 * the published EKS graviton3 table. The pair is one Indexed Job of two pods (`completionMode: Indexed`,
 * Kubernetes docs "Job with Pod-to-Pod Communication"): index 0 serves, index 1 connects to
 * `<job>-0.<service>` through a headless Service; the data path is EFA. fi_pingpong prints `usec/xfer`,
 * one-way latency comparable to osu_latency. One object, so it completes or fails as a whole (and a
 * `helm test` hook can wait for it).
 */
export class EfaPingpongTest extends Construct {
  /** Base name (also the Service's name). */
  public readonly name: string;
  public readonly runId: string;
  /** The Job's name, `<name>-<run id>`. */
  public readonly jobName: string;
  /** DNS name the client (index 1) uses for the server (index 0). */
  public readonly serverHost: string;

  constructor(scope: Construct, id: string, props: EfaPingpongTestProps = {}) {
    super(scope, id);
    const where = 'EfaPingpongTest';
    const pod = resolveBenchmarkPod(where, props, this);
    // The pod host names are `<job>-<index>`: room for "-1".
    this.name = checkCheckName(where, 'name', props.name ?? 'fi-pingpong', 2);
    const sizes = props.messageSizes ?? [...PINGPONG_MESSAGE_SIZES];
    if (sizes.length === 0) {
      throw new RdmaOptionError(where, 'messageSizes', sizes, 'is empty', 'a list of message sizes in bytes, e.g. [4, 16, 64]');
    }
    sizes.forEach((s, i) => checkPositiveInt(where, `messageSizes[${i}]`, s));
    const iterations = checkPositiveInt(where, 'iterations', props.iterations ?? 1000000);
    const ttl = checkTtl(where, props.ttlSecondsAfterFinished);
    const labels = standardLabels(this, this.name, 'fi-pingpong');

    // Server and client never share a node (checkPair): EFA has no same-host loopback path.
    const r = checkPair(this, {
      name: this.name,
      namespace: pod.namespace,
      labels,
      ttl,
      deviceClaim: pod.deviceClaim,
      template: (serverHost, run) => ({
        metadata: podMetadata(pod, { ...labels, ...run }),
        spec: {
          ...podPlacement(pod),
          containers: [
            {
              name: 'fi-pingpong',
              image: pod.image,
              command: ['/bin/sh', '-c', pingpongScript(sizes, iterations)],
              env: [
                { name: 'FI_PINGPONG', value: BENCHMARK_IMAGE.fiPingpong },
                { name: 'PINGPONG_PROVIDER', value: 'efa' },
                { name: 'PINGPONG_SERVER', value: serverHost },
              ],
              securityContext: mpiUserSecurityContext(['IPC_LOCK']),
              resources: efaPodResources(pod),
            },
          ],
        },
      }),
    });
    this.runId = r.runId;
    this.jobName = r.jobName;
    this.serverHost = r.serverHost;
  }
}
