/**
 * The marker lines our check Jobs print first, and the report reads: one definition for both sides. This
 * module imports nothing, so the report loads no construct code.
 */

/**
 * First line of each fi-pingpong pod's log (EfaPingpongTest): the role, the provider asked for, the endpoint
 * type, the iterations and the exact sizes of the sweep (fi_pingpong prints sizes rounded: 1500 as `1.4k`).
 */
export const PINGPONG_SWEEP_MARKER = 'cdk8s-rdma fi_pingpong sweep:';

/** First line of an OSU launcher's log (MpiLatencyJob): `… benchmark=osu_latency sizes=1:4194304` (the `-m` range). */
export const OSU_RUN_MARKER = 'cdk8s-rdma osu run:';

/**
 * First line of an NCCL job's launcher log: the collective, the instance type (`-` when not pinned), the nodes
 * and ranks, and the largest size asked for (nccl-tests `-e`, in bytes), so the report can pick the
 * instance's baseline and tell a run that stopped early.
 */
export const NCCL_RUN_MARKER = 'cdk8s-rdma nccl run:';
