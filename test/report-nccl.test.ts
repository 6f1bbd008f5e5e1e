import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { buildReport, parseLog, toJson, toMarkdown } from '../src/report';
import { locateReference } from './reference';

/*
 * nccl-tests logs: published ones (../shared/research/samples, verbatim, each naming its source on its first line)
 * and our own (test/fixtures/report/nccl-*.log: the NCCL job's marker line, aws-ofi-nccl and NET/IB lines in the
 * formats NCCL prints, and runs that fail in each way the report must tell).
 */

const fixture = (name: string) => join(__dirname, 'fixtures', 'report', name);
const verdictOf = (file: string, label?: string) => {
  const runs = parseLog(
    file,
    label ??
      file
        .split('/')
        .pop()!
        .replace(/\.log$/, ''),
    readFileSync(file, 'utf8'),
    label !== undefined,
  );
  expect(runs).toHaveLength(1);
  return { run: runs[0], verdict: buildReport(runs).verdicts[0] };
};

describe('nccl-tests logs of our making', () => {
  test('fast path over EFA on p5: the table, the footer, the marker and NET/OFI lines; a pass against the p5 baseline', () => {
    const { run, verdict } = verdictOf(fixture('nccl-allreduce-efa-p5.log'));
    expect(run).toMatchObject({
      benchmark: 'all_reduce_perf',
      metric: 'busbw',
      fabric: 'efa',
      fabricSource: 'log',
      incomplete: [],
      format: 'nccl-tests 2.18.3 table, out-of-place busbw',
    });
    expect(run.nccl).toMatchObject({
      network: 'ofi',
      provider: 'efa',
      gdr: true,
      wrong: 0,
      outOfBounds: 0,
      avgBusbw: 121.337,
      instanceType: 'p5.48xlarge',
      maxBytes: 8589934592,
    });
    // 8 B to 8 GiB, doubling: 31 sizes, out-of-place busbw.
    expect(run.points).toHaveLength(31);
    expect(run.points[0]).toEqual({ size: 8, value: 0 });
    expect(run.points[28]).toEqual({ size: 2147483648, value: 470.5 });
    expect(verdict).toMatchObject({ level: 'ok' });
    expect(verdict.text).toBe(
      'fast path: aws-ofi-nccl over EFA with GPUDirect RDMA; peak busbw 470.5 GB/s at 2147483648 B (avg 121.337 GB/s) meets nccl-allreduce-2x-p5 (394.0 GB/s)',
    );
  });
  test('a slow run on the fast path misses the baseline', () => {
    const { verdict } = verdictOf(fixture('nccl-allreduce-efa-p5-slow.log'));
    expect(verdict.level).toBe('suspect');
    expect(verdict.text).toMatch(
      /^aws-ofi-nccl over EFA with GPUDirect RDMA, but peak busbw 180.2 GB\/s at 2147483648 B \(avg 51.2 GB\/s\) misses nccl-allreduce-2x-p5/,
    );
  });
  test('#wrong above 0 is a failure, whatever the bandwidth', () => {
    const { run, verdict } = verdictOf(fixture('nccl-allreduce-efa-wrong.log'));
    expect(run.nccl!.wrong).toBe(6);
    expect(verdict).toEqual({
      run: run.name,
      level: 'fail',
      text: 'nccl-tests found 6 wrong elements (#wrong): the collective gave wrong results; peak busbw 468.0 GB/s at 2147483648 B (avg 120.1 GB/s)',
    });
    expect(toMarkdown(buildReport([run]))).toContain('**FAIL**: nccl-tests found 6 wrong elements');
  });
  test('a truncated log (no footer, a row cut mid-line) is incomplete', () => {
    const { run, verdict } = verdictOf(fixture('nccl-allreduce-efa-truncated.log'));
    expect(run.incomplete).toEqual([
      'the log stops before nccl-tests\' "# Avg bus bandwidth" line (truncated?)',
      'the largest size measured is 134217728 B of the 8589934592 B asked for',
    ]);
    expect(run.warnings).toEqual([expect.stringMatching(/^line \d+: an incomplete last row was ignored$/)]);
    expect(run.nccl!.avgBusbw).toBeUndefined();
    expect(verdict.level).toBe('suspect');
    expect(verdict.text).toMatch(/^incomplete: /);
  });
  test('a run that stopped below the size the job asked for is incomplete, even with its footer', () => {
    const { run, verdict } = verdictOf(fixture('nccl-allreduce-efa-short-range.log'));
    expect(run.incomplete).toEqual(['the largest size measured is 1073741824 B of the 8589934592 B asked for']);
    expect(verdict.level).toBe('suspect');
  });
  test("aws-ofi-nccl on libfabric's tcp provider is a fallback", () => {
    const { run, verdict } = verdictOf(fixture('nccl-allreduce-ofi-tcp-provider.log'));
    expect(run).toMatchObject({ fabric: 'tcp', fabricSource: 'log' });
    expect(verdict.level).toBe('suspect');
    expect(verdict.text).toMatch(/^aws-ofi-nccl fell back to libfabric's tcp provider \(.*NET\/OFI Selected provider is tcp/);
  });
  test('NCCL over InfiniBand verbs: NET/IB names the link layer; a pass without an instance baseline', () => {
    const { run, verdict } = verdictOf(fixture('nccl-allreduce-ib.log'));
    expect(run).toMatchObject({ fabric: 'ib', fabricSource: 'log' });
    expect(run.nccl).toMatchObject({ network: 'ib', linkLayer: 'IB', gdr: true, instanceType: undefined });
    expect(verdict).toMatchObject({
      level: 'ok',
      text: 'fast path: verbs over InfiniBand with GPUDirect RDMA; peak busbw 45.30 GB/s at 2147483648 B (avg 12.9 GB/s); no built-in baseline (pass --baseline)',
    });
  });
  test('a label names the fabric, not the network: a log without NCCL lines labelled tcp gets no pass and no invented provider', () => {
    const text = readFileSync(fixture('nccl-allreduce-efa-p5.log'), 'utf8')
      .split('\n')
      .filter(l => !l.includes('NCCL INFO'))
      .join('\n');
    const [run] = parseLog('x.log', 'tcp', text, true);
    expect(run).toMatchObject({ fabric: 'tcp', fabricSource: 'label' });
    const v = buildReport([run]).verdicts[0];
    expect(v.level).toBe('info');
    expect(v.text).toContain('no pass verdict: no NCCL_DEBUG=INFO line names the network');
  });
  test('JSON carries the NCCL facts and the unit', () => {
    const { run } = verdictOf(fixture('nccl-allreduce-efa-p5.log'));
    const json = JSON.parse(toJson(buildReport([run])));
    expect(json.units.busbw).toBe('GB/s');
    expect(json.runs[0].nccl).toMatchObject({ network: 'ofi', provider: 'efa' });
  });
  test('a row with the wrong number of columns is refused with the line', () => {
    const text = readFileSync(fixture('nccl-allreduce-ib.log'), 'utf8').replace(/^( +1024 +256 +float +sum +-1).*$/m, '$1 oops');
    expect(() => parseLog('x.log', 'x', text)).toThrow(/^x.log:\d+: nccl-tests row ".*oops" does not have the 13 columns of its header$/);
  });
});

// Published logs (verbatim copies in the shared research notes, beside the reference schemas).
const ref = locateReference();
const samples = ref.dir ? resolve(ref.dir, '..', 'research', 'samples') : undefined;
const describeSamples = samples && existsSync(samples) ? describe : describe.skip;
if (!samples || !existsSync(samples))
  console.log(`SKIPPED published nccl-tests samples: ${ref.skipReason ?? 'no research/samples beside the reference folder'}`);

describeSamples('published nccl-tests logs', () => {
  const sample = (name: string) => join(samples!, name);
  test('2 × g4dn, aws-ofi-nccl 1.5.0aws (mpirun tags, old "Selected Provider is efa", NET/AWS Libfabric): the fast path', () => {
    const { run, verdict } = verdictOf(sample('nccl-tests_all_reduce_efa_2x-g4dn_1efa_eks_aws-do-eks.log'));
    expect(run).toMatchObject({ fabric: 'efa', fabricSource: 'log', benchmark: 'nccl-tests' });
    expect(run.nccl).toMatchObject({ network: 'ofi', provider: 'efa', gdr: false, wrong: 0, avgBusbw: 1.15327 });
    expect(verdict.level).toBe('ok');
    expect(verdict.text).toMatch(/^fast path: aws-ofi-nccl over EFA; peak busbw 3.15 GB\/s at 268435456 B/);
  });
  test('2 × p5 with the NCCL lines elided: the table reads, but no pass verdict', () => {
    const { run, verdict } = verdictOf(sample('nccl-tests_all_reduce_efa_2x-p5_eks_aws-do-eks.log'));
    expect(run.points[run.points.length - 1]).toEqual({ size: 2147483648, value: 444.31 });
    expect(run.nccl).toMatchObject({ network: undefined, avgBusbw: 79.9352 });
    expect(verdict.level).toBe('info');
    expect(verdict.text).toContain('no pass verdict: no NCCL_DEBUG=INFO line names the network');
    // Labelled by the user, the same log is judged against the p5 baseline only with --baseline, still without a pass.
    expect(buildReport([run], ['nccl-allreduce-2x-p5']).verdicts[0].level).toBe('info');
  });
  test('EFA disabled: "Using network Socket" is a socket fallback', () => {
    const { run, verdict } = verdictOf(sample('nccl-tests_all_reduce_socket-fallback_efa-disabled_aws-do-eks.log'));
    expect(run).toMatchObject({ fabric: 'tcp', fabricSource: 'log' });
    expect(verdict).toMatchObject({ level: 'suspect' });
    expect(verdict.text).toMatch(/^NCCL fell back to sockets \(.*Using network Socket\): not EFA or InfiniBand; peak busbw 2.03 GB\/s/);
  });
});
