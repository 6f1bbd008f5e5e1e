/**
 * `npm run bench` (after `npm run build`; not part of `npm test`): wall-clock medians of whole processes.
 * (a) The compiled command synthesizing every profile: YAML only, Helm only, and both (`--format all`).
 * (b) The scale case (scripts/bench-app.js) at 1,000, 5,000 and 10,000 objects, written as our bundle and by
 *     `cdk8s synth` for the same app, and the ratio of the two.
 * (c) `cdk8s-rdma report` of a 1,000,000-row log: median time and peak resident memory.
 * Output goes to a tmpfs (/dev/shm, or BENCH_DIR) so that the figures measure the programs rather than the disk;
 * one more row writes the 10,000-object bundle to the temporary directory on disk (os.tmpdir()) for comparison.
 * Prints a Markdown table and the machine; the README records a run.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { join } from 'path';

const root = join(__dirname, '..');
const CLI = join(root, 'lib', 'src', 'cli.js');
const CDK8S = join(root, 'node_modules', '.bin', 'cdk8s');
const APP = join(root, 'scripts', 'bench-app.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MEMORY_DIR = process.env.BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());

function seconds(command: string, args: string[], env: Record<string, string> = {}, cwd = root): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 2 ** 28 });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  return elapsed;
}

function median(command: string, args: (dir: string) => string[], env: Record<string, string> = {}, base = MEMORY_DIR): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(base, 'rdma-bench-'));
    try {
      times.push(seconds(command, args(dir), env, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const f = (s: number) => `${s.toFixed(2)} s`;
const rows: string[] = ['| Case | Median | Target |', '|---|---:|---|'];
const synthTimes: Record<string, number> = {};
for (const format of ['yaml', 'helm', 'all']) {
  const t = median('node', d => [CLI, 'synth', '--format', format, '--out', join(d, 'dist'), '--charts', join(d, 'charts')]);
  synthTimes[format] = t;
  rows.push(`| (a) \`cdk8s-rdma synth --format ${format}\`, every profile | ${f(t)} | ${format === 'all' ? '≤ 1.0 s' : ''} |`);
}
rows.push(
  `| (a) \`--format all\` / \`--format yaml\`, measured side by side above | ×${(synthTimes.all / synthTimes.yaml).toFixed(2)} | ≤ ×1.5 |`,
);
// The generator itself: inferring every profile's templates, which npm run synth stores for the command above.
const inferScript = `const { PROFILE_NAMES } = require(${JSON.stringify(join(root, 'lib', 'src', 'profiles'))});
  const { inferChartTemplateSet } = require(${JSON.stringify(join(root, 'lib', 'src', 'helm', 'chart'))});
  for (const p of PROFILE_NAMES) inferChartTemplateSet(p);`;
rows.push(
  `| (a) chart inference of every profile (\`npm run synth\` stores it; not on the command's path) | ${f(median('node', () => ['-e', inferScript]))} | |`,
);
const scale: number[] = [];
for (const objects of [1000, 5000, 10000]) {
  const env = { BENCH_OBJECTS: String(objects) };
  const ours = median('node', () => [APP], { ...env, BENCH_MODE: 'bundle', BENCH_OUT: '.' });
  const theirs = median(CDK8S, d => ['synth', '--no-check-upgrade', '--app', `node ${APP}`, '--output', join(d, 'cdk8s.out')], {
    ...env,
    BENCH_MODE: 'cdk8s',
  });
  scale.push(ours);
  rows.push(
    `| (b) ${objects.toLocaleString('en')} objects: our bundle / \`cdk8s synth\` | ${f(ours)} / ${f(theirs)} (ratio ${(ours / theirs).toFixed(2)}) | ${objects === 10000 ? '≤ 3 s' : ''} |`,
  );
}
rows.push(`| (b) growth 1k → 10k objects | ×${(scale[2] / scale[0]).toFixed(1)} for ×10 objects | linear or better |`);
const disk = median('node', () => [APP], { BENCH_OBJECTS: '10000', BENCH_MODE: 'bundle', BENCH_OUT: '.' }, tmpdir());
rows.push(`| (b) 10,000 objects: our bundle written to \`${tmpdir()}\` instead | ${f(disk)} | |`);

// (c) The report on a 1,000,000-row osu_latency log (13 MB), Markdown to /dev/null: time and peak memory.
{
  const dir = mkdtempSync(join(MEMORY_DIR, 'rdma-bench-report-'));
  try {
    const log = join(dir, 'osu-1m.log');
    const body: string[] = ['# OSU MPI Latency Test v7.3', '# Size          Avg Latency(us)'];
    for (let i = 1; i <= 1_000_000; i++) body.push(`${i} ${(10 + i / 1e5).toFixed(2)}`);
    writeFileSync(log, `${body.join('\n')}\n`);
    const probe = `require(${JSON.stringify(CLI)}).main(['report', 'efa=' + ${JSON.stringify(log)}]).then((c) => { process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n'); process.exitCode = c; })`;
    const times: number[] = [];
    let rss = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      const r = spawnSync('node', ['-e', probe], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      times.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (r.status !== 0) throw new Error(`report failed: ${r.stderr}`);
      rss = Math.max(rss, Number(/maxRSS (\d+)/.exec(r.stderr)?.[1] ?? 0));
    }
    times.sort((a, b) => a - b);
    rows.push(
      `| (c) \`cdk8s-rdma report\` of a 1,000,000-row log (Markdown) | ${f(times[Math.floor(times.length / 2)])}, peak RSS ${(rss / 1024).toFixed(0)} MiB | < 5 s and < 300 MB |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(rows.join('\n'));
console.log(
  `\nMedian of ${RUNS} runs each, output in ${MEMORY_DIR} unless stated; Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM.`,
);
