// The scale case of `npm run bench` (scripts/bench.ts): one cdk8s app of BENCH_OBJECTS objects, node pools of
// 100 (a Namespace and 99 OSU MPIJobs each), built with the compiled library (lib/). BENCH_MODE=bundle
// writes it as our bundle (ordered files, kustomization.yaml, bundle.json) to BENCH_OUT; BENCH_MODE=cdk8s
// calls app.synth(), which `cdk8s synth` runs.
const { App, Chart } = require('cdk8s');
const { MpiLatencyJob, RdmaNamespace } = require('../lib/src');
// The bundle writer is internal (not the package's API): the repository's barrel.
const { renderBundle, writeFolders } = require('../lib/src/internal');

const objects = Number(process.env.BENCH_OBJECTS ?? 1000);
const app = new App();
const chart = new Chart(app, 'scale');
for (let pool = 0; pool < objects / 100; pool++) {
  const namespace = `pool-${pool}`;
  new RdmaNamespace(chart, `ns-${pool}`, { name: namespace, podSecurity: 'privileged', reason: 'RDMA test pods add IPC_LOCK.' });
  for (let j = 0; j < 99; j++) {
    new MpiLatencyJob(chart, `job-${pool}-${j}`, {
      name: `osu-${pool}-${j}`,
      namespace,
      image: 'registry.example.com/hpc/efa-openmpi:efa1.47.0-omb7.4',
    });
  }
}
if (process.env.BENCH_MODE === 'bundle') {
  writeFolders(process.env.BENCH_OUT, { scale: renderBundle({ profile: 'scale', options: {}, objects: chart.toJson() }) });
} else {
  app.synth();
}
