/**
 * The report on real benchmark output. Our fi-pingpong Job's script, exactly as the construct emits it (taken
 * from the synthesized Job, not a copy), runs server and client on loopback with Debian's libfabric-bin
 * (`fi_pingpong` 1.17, providers tcp and shm; `.ci/run` installs it), and the client's log goes through the
 * report. Assertions are on structure, never on timing: latency on a shared 2-core machine varies by 100x.
 * Not run here, for want of the programs: perftest (needs an RDMA device), OSU (not packaged by Debian),
 * IMB (Intel MPI's; its format is tested from a fixture in report.test.ts).
 */
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { EfaPingpongTest } from '../src/internal';
import { buildReport, parseLog, toMarkdown } from '../src/report';
import { builtLib } from './built';
import { runCli } from './run-cli';
import { nodeArgs } from './node-child';

const FI_PINGPONG = spawnSync('sh', ['-c', 'command -v fi_pingpong'], { encoding: 'utf8' }).stdout.trim();
if (!FI_PINGPONG)
  console.log("SKIPPED the report on real fi_pingpong output: no fi_pingpong on PATH (Debian's libfabric-bin; .ci/run installs it)");

// A small, a rounded ("1.4k") and a large size: each fi_pingpong run costs a connection setup, and the server
// polls while it waits.
const SIZES = [4, 1500, 100000];

/** The pingpong Job's container as synthesized: its script and environment. */
function pingpongContainer(): { script: string; env: Record<string, string> } {
  const chart = Testing.chart();
  new EfaPingpongTest(chart, 'pp', { messageSizes: SIZES, iterations: 200 });
  const job = Testing.synth(chart).find((o: any) => o.kind === 'Job');
  const c = job.spec.template.spec.containers[0];
  expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  return { script: c.command[2], env: Object.fromEntries(c.env.map((e: any) => [e.name, e.value])) };
}

/** Runs the Job's two pods on this host: index 0 (server) in the background, index 1 (client); both logs. */
async function runPair(provider: string): Promise<{ server: string; client: string; code: number | null }> {
  const { script, env } = pingpongContainer();
  // What differs on this host: the program's path, the provider and the server's address.
  const local = { ...process.env, ...env, FI_PINGPONG, PINGPONG_PROVIDER: provider, PINGPONG_SERVER: '127.0.0.1' };
  const collect = (index: number) => {
    const child = spawn('/bin/sh', ['-c', script], { env: { ...local, JOB_COMPLETION_INDEX: String(index) } });
    let log = '';
    child.stdout.on('data', d => {
      log += d;
    });
    child.stderr.on('data', d => {
      log += d;
    });
    return new Promise<{ log: string; code: number | null }>(done => child.on('close', code => done({ log, code })));
  };
  const server = collect(0);
  const client = await collect(1);
  const s = await server;
  return { server: s.log, client: client.log, code: client.code };
}

(FI_PINGPONG ? describe : describe.skip)('the report on our fi-pingpong Job run for real (loopback)', () => {
  const logs: Record<string, { server: string; client: string; code: number | null }> = {};
  beforeAll(async () => {
    for (const provider of ['tcp', 'shm']) logs[provider] = await runPair(provider);
  }, 240_000);

  test.each([
    ['tcp', 'tcp'],
    ['shm', 'shm'],
  ])('provider %s: one run, every size exact, the provider read from the log, no pass verdict', (provider, fabric) => {
    const { client, code } = logs[provider];
    expect(code).toBe(0);
    const runs = parseLog('client.log', 'fi-pingpong', client);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatchObject({ benchmark: 'fi_pingpong', fabric, fabricSource: 'log', incomplete: [] });
    // fi_pingpong printed 1500 as "1.4k" and 100000 as "97k"; the marker line gives the exact sizes.
    expect(client).toMatch(/^1\.4k\s/m);
    expect(run.points.map(p => p.size)).toEqual(SIZES);
    expect(run.points.every(p => p.approximate === undefined && p.value > 0)).toBe(true);
    expect(run.format).toMatch(provider === 'tcp' ? /provider tcp;ofi_rxm$/ : /provider shm$/);
    const [verdict] = buildReport(runs).verdicts;
    expect(verdict.level).toBe('info');
    expect(verdict.text).toMatch(provider === 'tcp' ? /^TCP reference: / : /^shared memory on one host/);
    // Labelled efa by the user, the log still wins: loopback TCP is never an EFA pass.
    const labelled = parseLog('client.log', 'efa', client, true)[0];
    expect(labelled).toMatchObject({ fabric, fabricSource: 'log' });
    expect(buildReport([labelled]).verdicts[0].level).not.toBe('ok');
  });

  test('without the marker line (an older Job, or fi_pingpong run by hand) the single-size tables are still one sweep, rounded sizes approximate', () => {
    const bare = logs.tcp.client
      .split('\n')
      .filter(l => !l.startsWith('cdk8s-rdma '))
      .join('\n');
    const runs = parseLog('bare.log', 'bare', bare);
    expect(runs).toHaveLength(1);
    expect(runs[0].points.map(p => [p.size, p.approximate ?? false])).toEqual([
      [4, false],
      [1434, true],
      [99328, true],
    ]);
    expect(runs[0].fabric).toBe('tcp');
    expect(runs[0].incomplete).toEqual([]);
    // Two sweeps one after the other (sizes start again): two runs, each with the provider its tables ran on.
    const shm = logs.shm.client
      .split('\n')
      .filter(l => !l.startsWith('cdk8s-rdma '))
      .join('\n');
    expect(parseLog('two.log', 'two', `${bare}\n${shm}`).map(r => [r.fabric, r.points.length])).toEqual([
      ['tcp', SIZES.length],
      ['shm', SIZES.length],
    ]);
  });

  test("the server's log is not a result: its sweep is skipped", () => {
    expect(logs.tcp.server).toMatch(/^bytes\s/m);
    expect(() => parseLog('server.log', 'server', logs.tcp.server)).toThrow('server.log: no benchmark output found');
  });

  test('a client killed after one size is incomplete and suspect, naming the missing sizes', () => {
    const lines = logs.tcp.client.split('\n');
    const tables = lines.flatMap((l, i) => (/^bytes\s/.test(l) ? [i] : []));
    const cut = lines.slice(0, tables[1]).join('\n');
    const [run] = parseLog('cut.log', 'cut', cut);
    expect(run.points.map(p => p.size)).toEqual([4]);
    expect(run.incomplete).toEqual(['stopped before 2 of the 3 requested sizes (1500, 100000 B)']);
    expect(buildReport([run]).verdicts[0]).toMatchObject({
      level: 'suspect',
      text: expect.stringMatching(/^incomplete: stopped before 2 of the 3/),
    });
  });

  test('an [error] line of the benchmark itself (not a connection retry) makes the run incomplete', () => {
    // The error line's text is written here (no provider fails on demand); the rest is the real log.
    const lines = logs.shm.client.trimEnd().split('\n');
    const failed = [...lines, '[error] util/pingpong.c:1067: fi_cq_readerr: Input/output error (-5)'].join('\n');
    const [run] = parseLog('failed.log', 'failed', failed);
    expect(run.incomplete).toEqual([`line ${lines.length + 1}: [error] util/pingpong.c:1067: fi_cq_readerr: Input/output error (-5)`]);
    // Connection refused while the server restarts is a retry, not a failure.
    const retried = parseLog(
      'r.log',
      'r',
      `${lines[0]}\n[error] util/pingpong.c:408 : failed to connect: Connection refused\n${lines.slice(1).join('\n')}`,
    )[0];
    expect(retried.incomplete).toEqual([]);
    expect(retried.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/connection retries while the server restarted/)]));
  });

  test('kubectl logs --prefix --timestamps of both pods: one run, named after the client pod', async () => {
    const stamp = (pod: string, log: string) =>
      log
        .trimEnd()
        .split('\n')
        .map((l, i) => `[pod/${pod}/fi-pingpong] 2026-12-01T23:10:${String(i % 60).padStart(2, '0')}.123456789Z ${l}`);
    const both = [
      ...stamp('fi-pingpong-0a1b2c3d-0-x7k2p', logs.tcp.server),
      ...stamp('fi-pingpong-0a1b2c3d-1-m4q9z', logs.tcp.client),
    ].join('\n');
    const runs = parseLog('pods.log', 'pods', both);
    expect(runs.map(r => [r.name, r.fabric, r.points.length])).toEqual([['pods: fi-pingpong-0a1b2c3d-1-m4q9z', 'tcp', SIZES.length]]);
    // Timestamps only (one pod), and through standard input.
    const timestamped = logs.tcp.client
      .trimEnd()
      .split('\n')
      .map(l => `2026-12-01T23:10:55.681274Z ${l}`)
      .join('\n');
    expect(parseLog('ts.log', 'ts', timestamped)[0].points.map(p => p.size)).toEqual(SIZES);
    const dir = mkdtempSync(join(tmpdir(), 'rdma-real-'));
    try {
      writeFileSync(join(dir, 'client.log'), logs.tcp.client);
      // The built command (test/built.ts) in a process of its own: stdin is a real pipe.
      const r = spawnSync(process.execPath, nodeArgs([join(builtLib(), 'src', 'cli.js'), 'report', '-']), {
        input: timestamped,
        encoding: 'utf8',
      });
      expect({ code: r.status, err: r.stderr }).toEqual({ code: 0, err: expect.any(String) });
      expect(r.stdout).toMatch(
        /^\| stdin \| - \| fi_pingpong \| tcp \| fi_pingpong, usec\/xfer, provider tcp;ofi_rxm \| info: TCP reference/m,
      );
      const md = await runCli(['report', join(dir, 'client.log')]);
      expect(md.code).toBe(0);
      expect(md.out).toBe(toMarkdown(buildReport(parseLog(join(dir, 'client.log'), 'client', logs.tcp.client))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
