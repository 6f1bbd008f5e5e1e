import { Fabric, Metric, Point } from './parse';

/**
 * Published results the report compares runs with. Each `source` names the upstream file or page a figure
 * comes from, and how firm it is.
 */
export interface Baseline {
  /** Name for `--baseline`. */
  readonly name: string;
  readonly title: string;
  readonly metric: Metric;
  readonly fabric: Fabric;
  /** Benchmarks it is measured with (a run of another benchmark can still be compared, with care). */
  readonly benchmarks: readonly string[];
  readonly points: readonly Point[];
  /**
   * A published range for all sizes up to `maxSize` (the source gives no per-size figure): plotted at its
   * upper bound across those sizes, and used as the small-message figure.
   */
  readonly smallRange?: { readonly maxSize: number; readonly low: number; readonly high: number };
  /**
   * A pass threshold rather than a curve: runs pass when at or above (bandwidth) / at or below (latency). Every
   * bandwidth baseline is one (the verdicts compare curves for latency only).
   */
  readonly threshold?: boolean;
  readonly source: string;
}

/** Sizes of the seed-003 pingpong tables: 1,000,000 messages each. */
const SEED_003_SIZES = [4, 16, 64, 256, 1024, 10240, 51200, 102400];
const seedPoints = (values: number[]): Point[] => SEED_003_SIZES.map((size, i) => ({ size, value: values[i] }));
const SEED_003 =
  'the "Benchmarking RDMA in AWS EKS cluster (graviton3 + EFA 2.0)" README (shared seed 003), 1M messages per size; which pingpong tool it ran is not stated';
const PARALLELCLUSTER =
  'aws/aws-parallelcluster integration-test results tests/integration-tests/tests/efa/test_efa/test_efa/osu_benchmarks/results, 2 nodes, 1 rank each; sizes 0-64 B published as a range';
const NCCL_SAMPLES = 'published nccl-tests all_reduce_perf results, out-of-place busbw at the largest size';
const AZURE = 'Azure/aks-rdma-infiniband tests/expected-output.md pass thresholds on HDR InfiniBand';

export const BASELINES: readonly Baseline[] = [
  {
    name: 'efa-pingpong-m7g-pods',
    title: 'EFA pingpong, m7g.16xlarge, EKS pods (seed 003)',
    metric: 'latency',
    fabric: 'efa',
    benchmarks: ['fi_pingpong', 'pingpong'],
    points: seedPoints([10.43, 10.4, 10.68, 10.75, 10.9, 13.06, 17.66, 45.27]),
    source: SEED_003,
  },
  {
    name: 'efa-pingpong-m7g-nodes',
    title: 'EFA pingpong, m7g.16xlarge, on the nodes (seed 003)',
    metric: 'latency',
    fabric: 'efa',
    benchmarks: ['fi_pingpong', 'pingpong'],
    points: seedPoints([10.26, 10.3, 10.62, 10.65, 10.74, 12.84, 17.24, 44.9]),
    source: SEED_003,
  },
  {
    name: 'efa-osu-c5n-openmpi',
    title: 'EFA osu_latency, c5n.18xlarge, Open MPI (aws-parallelcluster)',
    metric: 'latency',
    fabric: 'efa',
    benchmarks: ['osu_latency'],
    smallRange: { maxSize: 64, low: 17.95, high: 18.37 },
    points: [
      { size: 8192, value: 26.52 },
      { size: 1048576, value: 399.66 },
    ],
    source: `${PARALLELCLUSTER}; OMB 5.7.1 on ubuntu2204`,
  },
  {
    name: 'efa-osu-c5n-intelmpi',
    title: 'EFA osu_latency, c5n.18xlarge, Intel MPI (aws-parallelcluster)',
    // IMB-MPI1 PingPong ships with Intel MPI; its t[usec] is one-way MPI latency like osu_latency's.
    metric: 'latency',
    fabric: 'efa',
    benchmarks: ['osu_latency', 'IMB-MPI1 PingPong'],
    smallRange: { maxSize: 64, low: 22.25, high: 22.31 },
    points: [
      { size: 8192, value: 33.12 },
      { size: 1048576, value: 555.71 },
    ],
    source: `${PARALLELCLUSTER}; test_hit_efa`,
  },
  {
    name: 'tcp-osu-openshift-pods',
    title: 'TCP osu_latency, OpenShift pod network (ODH)',
    metric: 'latency',
    fabric: 'tcp',
    benchmarks: ['osu_latency'],
    // The notes give "~402-409 µs small messages" without the sizes; 64 B is our reading of "small".
    smallRange: { maxSize: 64, low: 402, high: 409 },
    points: [],
    source: 'opendatahub-io/distributed-workloads OSU 7.3 results over the pod network with pml ob1, btl tcp',
  },
  {
    name: 'ib-hdr-read-bw',
    title: 'InfiniBand HDR ib_read_bw pass threshold (Azure)',
    metric: 'bandwidth',
    fabric: 'ib',
    benchmarks: ['ib_read_bw', 'ib_write_bw'],
    // perftest's default bandwidth message size, 65536 B.
    points: [{ size: 65536, value: 190 }],
    threshold: true,
    source: `${AZURE}: BW average above 190 Gb/s`,
  },
  {
    name: 'ib-hdr-read-lat',
    title: 'InfiniBand HDR ib_read_lat pass threshold (Azure)',
    metric: 'latency',
    fabric: 'ib',
    benchmarks: ['ib_read_lat', 'ib_send_lat', 'ib_write_lat'],
    // perftest's default latency message size, 2 B.
    points: [{ size: 2, value: 6 }],
    threshold: true,
    source: `${AZURE}: ib_read_lat t_avg below 6 µs (read latency; send and write latency are compared with it as an upper bound)`,
  },
  // NCCL all_reduce_perf between two nodes (busbw, GB/s). Published figures vary by a few percent between runs
  // of the same setup; the pass line is 90% of the lowest published two-node EKS figure (our margin).
  {
    name: 'nccl-allreduce-2x-p5',
    title: 'NCCL all_reduce_perf busbw, 2 × p5.48xlarge (16 × H100, 32 EFA each), EKS',
    metric: 'busbw',
    fabric: 'efa',
    benchmarks: ['all_reduce_perf'],
    points: [{ size: 2147483648, value: 394 }],
    threshold: true,
    source: `${NCCL_SAMPLES}: 2 × p5.48xlarge on EKS, 437.79 GB/s at 2 GiB (awsome-distributed-ai README, EKS section), 438.85 and 444.31 GB/s at 2 GiB (aws-do-eks nccl-test and eks-gpu-efa READMEs); 487.09 GB/s at 16 GiB on Slurm. Pass line: 90% of 437.79`,
  },
  {
    name: 'nccl-allreduce-2x-p4de',
    title: 'NCCL all_reduce_perf busbw, 2 × p4de.24xlarge (16 × A100, 4 EFA each)',
    metric: 'busbw',
    fabric: 'efa',
    benchmarks: ['all_reduce_perf'],
    points: [{ size: 2147483648, value: 70.5 }],
    threshold: true,
    source: `${NCCL_SAMPLES}: 78.33 GB/s at 2 GiB on Slurm (awsome-distributed-ai README). Pass line: 90% of it`,
  },
  {
    name: 'nccl-allreduce-2x-p4d',
    title: 'NCCL all_reduce_perf busbw, 2 × p4d.24xlarge (16 × A100, 4 EFA each), EKS, older stack',
    metric: 'busbw',
    fabric: 'efa',
    benchmarks: ['all_reduce_perf'],
    points: [{ size: 4294967296, value: 39.4 }],
    threshold: true,
    source: `${NCCL_SAMPLES}: 43.81 GB/s at 4 GiB (aws-samples/aws-efa-eks README @9d6557e, NCCL_PROTO=simple and RING, an old aws-ofi-nccl; current stacks do better). Pass line: 90% of it`,
  },
];

/** The NCCL baseline of an instance type (from the NCCL job's marker line), for EFA runs. */
export const NCCL_BASELINE_BY_INSTANCE: Readonly<Record<string, string>> = {
  'p5.48xlarge': 'nccl-allreduce-2x-p5',
  'p4de.24xlarge': 'nccl-allreduce-2x-p4de',
  'p4d.24xlarge': 'nccl-allreduce-2x-p4d',
};

export function ncclBaseline(instanceType: string | undefined, fabric: Fabric): Baseline | undefined {
  const name = instanceType !== undefined && fabric === 'efa' ? NCCL_BASELINE_BY_INSTANCE[instanceType] : undefined;
  return name === undefined ? undefined : baselineNamed(name);
}

export const BASELINE_NAMES: readonly string[] = BASELINES.map(b => b.name);

export function baselineNamed(name: string): Baseline | undefined {
  return BASELINES.find(b => b.name === name);
}

/** The points a baseline plots and compares: its small-message range at the upper bound, then its points. */
export function baselinePoints(b: Baseline): Point[] {
  const small = b.smallRange
    ? [
        { size: 1, value: b.smallRange.high },
        { size: b.smallRange.maxSize, value: b.smallRange.high },
      ]
    : [];
  return [...small, ...b.points];
}

/**
 * The baseline a run is judged against when the user names none: the first built-in one of the same metric and
 * fabric measured with the same benchmark, else with any benchmark of that metric and fabric. TCP runs get none
 * (they are the reference, not the subject).
 */
export function defaultBaseline(metric: Metric, fabric: Fabric, benchmark: string): Baseline | undefined {
  if (fabric === 'tcp' || fabric === 'unknown') return undefined;
  const same = BASELINES.filter(b => b.metric === metric && b.fabric === fabric);
  return same.find(b => b.benchmarks.includes(benchmark)) ?? same[0];
}
