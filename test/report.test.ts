import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { XMLParser } from 'fast-xml-parser';
import { tmpdir } from 'os';
import { join } from 'path';
import { runCli } from './run-cli';
import { BASELINES, buildReport, parseLog, ReportInputError, Run, toJson, toMarkdown, toSvg } from '../src/report';
import { baselinePoints } from '../src/report/baselines';
import { parsePingpongSize, pingpongSizeText } from '../src/report/parse';
import { renderReport, splitRunArgument } from '../src/report';
import { EXAMPLE_DIR, renderExample } from '../scripts/report-example';
import { execFileSync } from 'child_process';
import { Testing } from 'cdk8s';
import { MpiLatencyJob } from '../src/internal';
import { OSU_RUN_MARKER } from '../src/constructs/mpi-latency-job';

const FIXTURES = join(__dirname, 'fixtures', 'report');
const SEED_003 = join(__dirname, '..', '..', 'shared', 'seeds', '003_e4e66face881cacb.txt');

function parse(name: string, label = name.replace(/\.(log|md)$/, ''), labelGiven = false): Run[] {
  return parseLog(name, label, readFileSync(join(FIXTURES, name), 'utf8'), labelGiven);
}

function only(name: string): Run {
  const runs = parse(name);
  expect(runs).toHaveLength(1);
  return runs[0];
}

const sizes = (r: Run) => r.points.map(p => p.size);
const at = (r: Run, size: number) => r.points.find(p => p.size === size)?.value;

describe('OSU parser', () => {
  test('7.3 latency: the datatype line and launcher noise are skipped, sizes 1 B to 4 MiB', () => {
    const r = only('osu-latency-efa-v7.3.log');
    expect(r).toMatchObject({ benchmark: 'osu_latency', metric: 'latency', fabric: 'efa', format: 'OSU 7.3', warnings: [] });
    expect(sizes(r)).toEqual(Array.from({ length: 23 }, (_, i) => 2 ** i));
    expect(r.points[0]).toEqual({ size: 1, value: 17.62 });
  });
  test('5.7.1 latency starts at size 0', () => {
    const r = only('osu-latency-tcp-v5.7.1.log');
    expect(r).toMatchObject({ format: 'OSU 5.7.1', fabric: 'tcp' });
    expect(r.points[0]).toEqual({ size: 0, value: 52.3 });
    expect(r.points).toHaveLength(24);
  });
  test('bandwidth in MB/s (10^6 bytes) becomes Gb/s', () => {
    const bw = only('osu-bw-efa-v7.3.log');
    expect(bw.benchmark).toBe('osu_bw');
    expect(bw.metric).toBe('bandwidth');
    // 12000.00 MB/s = 96 Gb/s
    expect(at(bw, 4194304)).toBeCloseTo(96, 6);
    const bibw = only('osu-bibw-ib-v6.2.log');
    expect(bibw).toMatchObject({ benchmark: 'osu_bibw', fabric: 'ib', format: 'OSU 6.2' });
    expect(at(bibw, 0)).toBe(0);
  });
  test('the CUDA variant with a validation column reads the latency column', () => {
    const r = only('osu-latency-cuda-validation-v7.4.log');
    expect(r).toMatchObject({ format: 'OSU 7.4 (CUDA)', fabric: 'unknown' });
    expect(r.points[0]).toEqual({ size: 1, value: 21.4 });
  });
  test('a truncated log keeps its complete rows and says what it dropped', () => {
    const r = only('osu-latency-truncated.log');
    expect(sizes(r)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect(r.warnings).toEqual(['line 13: incomplete row "512" ignored (truncated log?)']);
  });
});

describe('perftest parser', () => {
  test('ib_read_bw --report_gbits: BW average in Gb/s, fabric from the link type', () => {
    const r = only('ib-read-bw-gbits.log');
    expect(r).toMatchObject({ benchmark: 'ib_read_bw', metric: 'bandwidth', fabric: 'ib', format: 'perftest, BW average in Gb/sec' });
    expect(r.points).toEqual([{ size: 65536, value: 196.12 }]);
  });
  test('ib_write_bw -a in MiB/sec, after the server banner', () => {
    const r = only('ib-write-bw-mib.log');
    expect(r).toMatchObject({ benchmark: 'ib_write_bw', format: 'perftest, BW average in MiB/sec' });
    expect(sizes(r)).toEqual(Array.from({ length: 23 }, (_, i) => 2 ** (i + 1)));
    const raw = Number(/^ 65536\s+\d+\s+\S+\s+(\S+)/m.exec(readFileSync(join(FIXTURES, 'ib-write-bw-mib.log'), 'utf8'))![1]);
    expect(at(r, 65536)).toBeCloseTo((raw * 1048576 * 8) / 1e9, 9);
  });
  test('the pre-24.07 MB/sec label is the same binary unit; an Ethernet link type is RoCE', () => {
    const r = only('ib-write-bw-mb-roce.log');
    expect(r).toMatchObject({ fabric: 'roce', format: 'perftest, BW average in MB/sec' });
    expect(r.points[0].value).toBeCloseTo((11187.2 * 1048576 * 8) / 1e9, 9);
  });
  test('ib_send_lat: t_avg, not t_min or t_typical', () => {
    const r = only('ib-send-lat.log');
    expect(r).toMatchObject({ benchmark: 'ib_send_lat', metric: 'latency', fabric: 'ib' });
    expect(r.points).toEqual([{ size: 2, value: 1.05 }]);
  });
  test('a table cut off mid-row and without its closing line keeps the complete rows, with warnings', () => {
    const r = only('ib-write-bw-truncated.log');
    expect(r.points).toEqual([
      { size: 2, value: 0.17 },
      { size: 4, value: 0.34 },
    ]);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^line \d+: incomplete row "8 +5000" ignored \(truncated log\?\)$/),
      'the table has no closing dashed line (truncated log?)',
    ]);
  });
});

describe('fi_pingpong parser', () => {
  test('sizes as fi_pingpong prints them', () => {
    expect(['64', '1k', '1.5k', '64k', '1m', '1.9g', 'x', '10', '2.25k'].map(parsePingpongSize)).toEqual([
      64,
      1024,
      1536,
      65536,
      1048576,
      Math.round(1.9 * 1024 ** 3),
      undefined,
      10,
      undefined,
    ]);
  });
  test('usec/xfer per size; without prov_name: the fabric is only a word in the name, sizes like 1k approximate', () => {
    const r = only('fi-pingpong-efa.log');
    expect(r).toMatchObject({
      benchmark: 'fi_pingpong',
      metric: 'latency',
      fabric: 'efa',
      fabricSource: 'name',
      incomplete: [],
      warnings: ['fi_pingpong printed some sizes rounded (`1.4k`) and no marker line gave the exact sizes: those points are approximate'],
    });
    expect(r.points).toEqual([
      { size: 64, value: 10.52 },
      { size: 256, value: 10.61 },
      { size: 1024, value: 10.83, approximate: true },
      { size: 1536, value: 10.95, approximate: true },
      { size: 4096, value: 11.62, approximate: true },
      { size: 65536, value: 17.9, approximate: true },
      { size: 1048576, value: 101.7, approximate: true },
    ]);
    expect(only('fi-pingpong-tcp.log').fabric).toBe('tcp');
    // A log with no hint at all is of unknown fabric: fi_pingpong does not print its provider.
    expect(parseLog('run.log', 'run', readFileSync(join(FIXTURES, 'fi-pingpong-efa.log'), 'utf8'))[0]).toMatchObject({
      fabric: 'unknown',
      fabricSource: 'none',
    });
  });
  test('sizes as fi_pingpong prints them (fabtests size_str: 1500 is 1.4k, 10000 is 9.7k, 100000 is 97k)', () => {
    expect([4, 1023, 1024, 1500, 10000, 10240, 51200, 100000, 102400, 1048576, 1500000].map(pingpongSizeText)).toEqual([
      '4',
      '1023',
      '1k',
      '1.4k',
      '9.7k',
      '10k',
      '50k',
      '97k',
      '100k',
      '1m',
      '1.4m',
    ]);
  });
  test('a row cut in the middle ends the table with a warning', () => {
    const r = only('fi-pingpong-truncated.log');
    expect(sizes(r)).toEqual([64, 256, 1024]);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^line 5: incomplete row "1.5k +10k +=10k" ignored/),
      'fi_pingpong printed some sizes rounded (`1.4k`) and no marker line gave the exact sizes: those points are approximate',
    ]);
  });
});

describe('Markdown pingpong tables', () => {
  test('one run per table, named after its heading', () => {
    const runs = parse('pingpong-tables.md');
    expect(runs.map(r => r.name)).toEqual(['pingpong-tables: Between two nodes', 'pingpong-tables: Between two pods']);
    expect(runs[1]).toMatchObject({
      benchmark: 'pingpong',
      fabric: 'unknown',
      fabricSource: 'none',
      format: 'Markdown table, column "usec"',
    });
    expect(runs[1].points[0]).toEqual({ size: 4, value: 10.68 });
    expect(sizes(runs[0])).toEqual([4, 16, 64, 256, 1024, 10240]);
  });
  test('a table cut off in its last row', () => {
    const r = only('pingpong-table-truncated.md');
    expect(sizes(r)).toEqual([4, 16, 64, 256, 1024]);
    expect(r.warnings).toEqual(['line 11: incomplete row ignored (truncated table?)']);
  });
  (existsSync(SEED_003) ? test : test.skip)(
    'the published graviton3 README (shared seed 003) reads as two runs matching the built-in baselines',
    () => {
      const runs = parseLog('seed-003', 'efa', readFileSync(SEED_003, 'utf8'), true);
      expect(runs.map(r => [r.name, r.fabric, r.fabricSource])).toEqual([
        ['efa: On nodes directly', 'efa', 'label'],
        ['efa: Inside EKS Pods', 'efa', 'label'],
      ]);
      const byName = Object.fromEntries(BASELINES.map(b => [b.name, b.points]));
      expect(runs[0].points).toEqual(byName['efa-pingpong-m7g-nodes']);
      expect(runs[1].points).toEqual(byName['efa-pingpong-m7g-pods']);
    },
  );
});

describe('unusable logs', () => {
  const cases: [string, RegExp][] = [
    ['empty.log', /^empty.log: the file is empty$/],
    ['blank-lines.log', /^blank-lines.log: the file is empty$/],
    ['garbage.log', /^garbage.log: no benchmark output found/],
    ['osu-latency-header-only.log', /^osu-latency-header-only.log:1: osu_latency output has a header but no data rows/],
    ['osu-latency-malformed.log', /^osu-latency-malformed.log:6: osu_latency row "8 +n\/a" is not "<size> <value>"$/],
    ['osu-latency-unordered.log', /^osu-latency-unordered.log:6: osu_latency message sizes must increase; 2 follows 4$/],
    ['pingpong-table-malformed.md', /^pingpong-table-malformed.md:9: table row/],
  ];
  test.each(cases)('%s', (name, message) => {
    expect(() => parse(name)).toThrow(ReportInputError);
    expect(() => parse(name)).toThrow(message);
  });
  test('an OSU test the report does not read, and a perftest header without a known column', () => {
    expect(() =>
      parseLog('mbw.log', 'mbw', '# OSU MPI Multiple Bandwidth / Message Rate Test v7.3\n# Size  MB/s  Messages/s\n1  2.5  2500000\n'),
    ).toThrow(
      'mbw.log:1: OSU test "Multiple Bandwidth / Message Rate" is not one the report reads (osu_latency, osu_bw, osu_bibw, osu_allreduce, osu_alltoall)',
    );
    expect(() => parseLog('p.log', 'p', ' #bytes #iterations    t_min[usec]    t_max[usec]\n 2  1000  0.98  5.61\n')).toThrow(
      'p.log:1: perftest header has neither a "BW average[...]" nor a "t_avg[usec]" column: "#bytes #iterations    t_min[usec]    t_max[usec]"',
    );
  });
  test('OSU collectives: osu_allreduce and osu_alltoall tables are latency runs; the marker range applies', () => {
    const marker = 'cdk8s-rdma osu run: benchmark=osu_allreduce sizes=1:1048576';
    const table = (sizes: number[]) => sizes.map((s, i) => `${s}  ${(20 + i).toFixed(2)}`).join('\n');
    const full = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576];
    const [done] = parseLog(
      'ar.log',
      'efa',
      `${marker}\n# OSU MPI Allreduce Latency Test v7.4\n# Datatype: MPI_CHAR.\n# Size       Avg Latency(us)\n${table(full)}\n`,
      true,
    );
    expect(done).toMatchObject({ benchmark: 'osu_allreduce', metric: 'latency', incomplete: [] });
    expect(done.points.length).toBe(full.length);
    const [cut] = parseLog(
      'ar.log',
      'efa',
      `${marker}\n# OSU MPI Allreduce Latency Test v7.4\n# Size       Avg Latency(us)\n${table(full.slice(0, 5))}\n`,
      true,
    );
    expect(cut.incomplete).toEqual(['stopped at 16 B, before the requested maximum of 1048576 B']);
    const [a2a] = parseLog(
      'a2a.log',
      'efa',
      '# OSU MPI All-to-All Personalized Exchange Latency Test v7.5\n# Datatype: MPI_CHAR.\n# Size       Avg Latency(us)\n1  7.02\n2  7.01\n',
    );
    expect(a2a).toMatchObject({ benchmark: 'osu_alltoall', metric: 'latency' });
  });
  test('a binary file', () => {
    expect(() => parseLog('core', 'core', 'ELF\u0000\u0001')).toThrow('core: not a text log (it holds NUL bytes)');
  });
});

describe('run names and fabrics', () => {
  test('NAME=FILE names a run and its fabric; what the log states wins over any name', () => {
    expect(splitRunArgument('efa=logs/run-1.log')).toEqual({ label: 'efa', file: 'logs/run-1.log', labelGiven: true });
    expect(splitRunArgument('logs/ib_read_bw.log')).toEqual({ label: 'ib_read_bw', file: 'logs/ib_read_bw.log', labelGiven: false });
    expect(parse('osu-latency-efa-v7.3.log', 'tcp twin', true)[0]).toMatchObject({ fabric: 'tcp', fabricSource: 'label' });
    const stated = parse('ib-write-bw-mb-roce.log', 'tcp twin', true)[0];
    expect(stated).toMatchObject({ fabric: 'roce', fabricSource: 'log' });
    expect(stated.warnings).toContain('labelled tcp, but the log shows roce: judged as roce');
    // Without a given label, the log's own statement wins over the file name's "ib".
    expect(parse('ib-write-bw-mb-roce.log')[0].fabric).toBe('roce');
  });
  test('two runs with one name are told apart', async () => {
    const f = join(FIXTURES, 'fi-pingpong-efa.log');
    const { content } = await renderReport([f, f], [], 'json');
    expect(JSON.parse(content).runs.map((r: Run) => r.name)).toEqual(['fi-pingpong-efa', 'fi-pingpong-efa (2)']);
  });
});

describe('verdicts', () => {
  // Each run labelled as a user would (`osu-latency-efa-v7.3=FILE`): the label states the fabric.
  const verdicts = (names: string[], baselines: string[] = []) => {
    const report = buildReport(
      names.flatMap(n => parse(n, undefined, true)),
      baselines,
    );
    return Object.fromEntries(report.verdicts.map(v => [v.run, v]));
  };

  test('EFA run, its TCP twin, and an EFA run that fell back to TCP', () => {
    const v = verdicts(['osu-latency-efa-v7.3.log', 'osu-latency-tcp-v5.7.1.log', 'osu-latency-efa-fallback-v7.3.log']);
    expect(v['osu-latency-efa-v7.3']).toEqual({
      run: 'osu-latency-efa-v7.3',
      level: 'ok',
      text: 'small-message latency 17.62 µs at 1 B, within 10 µs of efa-osu-c5n-openmpi (18.37 µs); 3.0× better than TCP run osu-latency-tcp-v5.7.1',
    });
    expect(v['osu-latency-efa-fallback-v7.3'].level).toBe('suspect');
    expect(v['osu-latency-efa-fallback-v7.3'].text).toMatch(
      /^small-message latency 45.14 µs at 1 B on an EFA run: looks like TCP fallback \(more than 10 µs above efa-osu-c5n-openmpi \(18.37 µs\)\)/,
    );
    expect(v['osu-latency-tcp-v5.7.1']).toMatchObject({
      level: 'info',
      text: expect.stringMatching(/^TCP reference: small-message latency 52.35 µs at 1 B; osu-latency-efa-v7.3 is 3.0× better/),
    });
  });
  test('a pass needs the fabric stated by the log or a label: a word in the file name gets no pass verdict', () => {
    const byName = buildReport(parse('osu-latency-efa-v7.3.log'));
    expect(byName.verdicts[0]).toMatchObject({
      level: 'info',
      text: expect.stringMatching(
        /^small-message latency 17.62 µs at 1 B, within 10 µs of efa-osu-c5n-openmpi \(18.37 µs\); no pass verdict: the fabric is efa only by its name, not stated by the log/,
      ),
    });
  });
  test('an EFA run no better than its TCP twin is TCP fallback, before any baseline is consulted', () => {
    const efa = { ...only('fi-pingpong-tcp.log'), name: 'efa', fabric: 'efa' as const };
    const tcp = only('fi-pingpong-tcp.log');
    const report = buildReport([efa, tcp]);
    expect(report.verdicts[0]).toMatchObject({
      level: 'suspect',
      text: 'small-message latency 31.40 µs at 64 B on an EFA run is no better than TCP run fi-pingpong-tcp (31.40 µs): looks like TCP fallback',
    });
  });
  test('two EFA ranks on one node: shared memory', () => {
    expect(verdicts(['osu-latency-efa-one-node-v7.0.log'])['osu-latency-efa-one-node-v7.0'].text).toBe(
      'small-message latency 0.21 µs at 1 B is faster than EFA between two nodes: both ranks probably ran on one node over shared memory (EFA has no intra-host path)',
    );
  });
  test('fi_pingpong and the Markdown tables are judged against the seed-003 pod results', () => {
    const v = verdicts(['fi-pingpong-efa.log']);
    expect(v['fi-pingpong-efa'].text).toBe('small-message latency 10.52 µs at 64 B, within 10 µs of efa-pingpong-m7g-pods (10.68 µs)');
    const tables = Object.fromEntries(buildReport(parse('pingpong-tables.md', 'efa', true)).verdicts.map(x => [x.run, x]));
    expect(tables['efa: Between two pods'].text).toBe(
      'small-message latency 10.68 µs at 4 B, within 10 µs of efa-pingpong-m7g-pods (10.43 µs)',
    );
  });
  test('InfiniBand pass thresholds; RoCE and unknown fabrics get no built-in verdict', () => {
    const v = verdicts(['ib-read-bw-gbits.log', 'ib-send-lat.log', 'ib-write-bw-mb-roce.log', 'osu-latency-cuda-validation-v7.4.log']);
    expect(v['ib-read-bw-gbits'].text).toBe('peak bandwidth 196.1 Gb/s at 65536 B meets the pass threshold of ib-hdr-read-bw (190.0 Gb/s)');
    expect(v['ib-send-lat'].text).toBe('small-message latency 1.05 µs at 2 B meets the pass threshold of ib-hdr-read-lat (6.00 µs)');
    expect(v['ib-write-bw-mb-roce']).toMatchObject({
      level: 'info',
      text: 'peak bandwidth 93.85 Gb/s at 65536 B: no built-in roce bandwidth baseline; compare with a TCP run or pass --baseline',
    });
    expect(v['osu-latency-cuda-validation-v7.4'].text).toMatch(/the fabric is unknown \(name the run efa=FILE, ib=FILE or tcp=FILE\)/);
  });
  test('a named baseline judges runs of its metric; below the InfiniBand threshold is suspect', () => {
    const slow = { ...only('ib-write-bw-mb-roce.log'), fabric: 'ib' as const };
    const report = buildReport([slow], ['ib-hdr-read-bw']);
    expect(report.verdicts[0]).toMatchObject({
      level: 'suspect',
      text: expect.stringContaining('misses the pass threshold of ib-hdr-read-bw (190.0 Gb/s)'),
    });
    const tcpBaseline = buildReport(parse('osu-latency-efa-fallback-v7.3.log', undefined, true), ['tcp-osu-openshift-pods']);
    expect(tcpBaseline.verdicts[0]).toMatchObject({
      level: 'ok',
      text: expect.stringContaining('9.1× better than TCP baseline tcp-osu-openshift-pods (409.0 µs)'),
    });
  });
  test('a run of unknown fabric against a named baseline; other metrics keep their default baseline', () => {
    const runs = [...parse('osu-latency-efa-fallback-v7.3.log', 'x'), ...parse('ib-read-bw-gbits.log')];
    const report = buildReport(runs, ['efa-osu-c5n-openmpi']);
    expect(report.verdicts[0].text).toMatch(/^small-message latency 45.14 µs at 1 B on a run: looks like TCP fallback/);
    expect(report.verdicts[1].text).toBe('peak bandwidth 196.1 Gb/s at 65536 B meets the pass threshold of ib-hdr-read-bw (190.0 Gb/s)');
    expect(report.baselines.map(b => b.name)).toEqual(['efa-osu-c5n-openmpi', 'ib-hdr-read-bw']);
  });
  test('every bandwidth baseline is a pass threshold (the verdicts compare curves for latency only)', () => {
    expect(BASELINES.filter(b => b.metric === 'bandwidth' && !b.threshold)).toEqual([]);
  });
  test('an unknown baseline names the allowed ones', () => {
    expect(() => buildReport([], ['h100'])).toThrow(
      `report: --baseline "h100" is not a built-in baseline; allowed: ${BASELINES.map(b => b.name).join(', ')}`,
    );
  });
});

describe('output', () => {
  const runs = () => [
    ...parse('fi-pingpong-efa.log', undefined, true),
    ...parse('fi-pingpong-tcp.log', undefined, true),
    ...parse('osu-bw-efa-v7.3.log', undefined, true),
  ];

  test('Markdown: verdict table, side-by-side tables per metric, baselines with sources', () => {
    const md = toMarkdown(buildReport(runs()));
    expect(md).toContain(
      '| fi-pingpong-efa | fi-pingpong-efa.log | fi_pingpong | efa | fi_pingpong, usec/xfer | OK: small-message latency 10.52 µs at 64 B',
    );
    expect(md).toContain('| Size (B) | fi-pingpong-efa | fi-pingpong-tcp | efa-pingpong-m7g-pods (baseline) |');
    expect(md).toContain('| 64 | 10.52 | 31.40 | 10.68 |');
    expect(md).toContain('| 1536 | 10.95 |  |  |');
    expect(md).toContain('## Bandwidth (Gb/s)');
    expect(md).toMatch(/- `efa-pingpong-m7g-pods`: .* Source: the "Benchmarking RDMA in AWS EKS cluster/);
  });
  test('JSON: runs with verdicts, plotted baseline points, units', () => {
    const json = JSON.parse(toJson(buildReport(runs(), ['efa-osu-c5n-openmpi'])));
    expect(json.units).toEqual({ size: 'bytes', latency: 'µs', bandwidth: 'Gb/s', busbw: 'GB/s' });
    expect(json.runs.map((r: any) => [r.name, r.verdict.level])).toEqual([
      ['fi-pingpong-efa', 'ok'],
      ['fi-pingpong-tcp', 'info'],
      ['osu-bw-efa-v7.3', 'info'],
    ]);
    expect(json.baselines[0].plotted).toEqual([
      { size: 1, value: 18.37 },
      { size: 64, value: 18.37 },
      { size: 8192, value: 26.52 },
      { size: 1048576, value: 399.66 },
    ]);
  });

  test('SVG: one line per run and baseline, log-2 size axis, labelled axes and legend', async () => {
    const report = buildReport(runs());
    const svg = await toSvg(report);
    expect(await toSvg(report)).toBe(svg);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);
    const paths: any[] = [];
    const texts: string[] = [];
    const walk = (node: any, tag = ''): void => {
      if (Array.isArray(node)) return node.forEach(n => walk(n, tag));
      if (tag === 'text') texts.push(typeof node === 'object' ? String(node['#text']) : String(node));
      if (!node || typeof node !== 'object') return;
      if (tag === 'path' && node['aria-roledescription'] === 'line mark') paths.push(node);
      for (const [k, v] of Object.entries(node)) walk(v, k);
    };
    walk(doc);
    const lines = Object.fromEntries(paths.map(p => [p['aria-label'], p]));
    expect(Object.keys(lines).sort()).toEqual([
      'bandwidth osu-bw-efa-v7.3',
      'latency efa-pingpong-m7g-pods (baseline)',
      'latency fi-pingpong-efa',
      'latency fi-pingpong-tcp',
    ]);
    const xy = (p: any) => [...String(p.d).matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map(m => [Number(m[1]), Number(m[2])]);
    const efa = xy(lines['latency fi-pingpong-efa']);
    const efaRun = runs()[0];
    expect(efa).toHaveLength(efaRun.points.length);
    // Log-2 x axis: equal pixels per doubling of the message size.
    const perDoubling = (efa[1][0] - efa[0][0]) / Math.log2(256 / 64);
    efaRun.points.forEach((p, i) => expect(efa[i][0] - efa[0][0]).toBeCloseTo(perDoubling * Math.log2(p.size / 64), 1));
    // Higher latency is higher on the plot (smaller y).
    const tcp = xy(lines['latency fi-pingpong-tcp']);
    expect(tcp[0][1]).toBeLessThan(efa[0][1]);
    expect(xy(lines['latency efa-pingpong-m7g-pods (baseline)'])).toHaveLength(baselinePoints(BASELINES[0]).length);
    expect(lines['latency efa-pingpong-m7g-pods (baseline)']['stroke-dasharray']).toBe('6,4');
    expect(lines['latency fi-pingpong-efa']['stroke-dasharray']).toBe('1,0');
    expect(texts).toEqual(
      expect.arrayContaining([
        'Message size',
        'Latency (µs, one-way)',
        'Bandwidth (Gb/s)',
        'Run / baseline',
        'fi-pingpong-efa',
        'fi-pingpong-tcp',
        'efa-pingpong-m7g-pods (baseline)',
        'osu-bw-efa-v7.3',
        '64 B',
        '1 KiB',
        '1 MiB',
      ]),
    );
  });
});

test('docs/ holds the report of the example logs as it is now (npm run synth rewrites it)', async () => {
  const root = join(__dirname, '..');
  for (const [file, content] of Object.entries(await renderExample(root))) {
    expect({ file, content: readFileSync(join(root, EXAMPLE_DIR, file), 'utf8') }).toEqual({ file, content });
  }
});

describe('cdk8s-rdma report', () => {
  const run = runCli;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rdma-report-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('prints Markdown by default; warnings of truncated logs go to stderr', async () => {
    const r = await run(['report', join(FIXTURES, 'osu-latency-truncated.log'), `tcp=${join(FIXTURES, 'osu-latency-tcp-v5.7.1.log')}`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# Benchmark report\n/);
    expect(r.out).toContain('| tcp | ');
    expect(r.err).toBe('cdk8s-rdma: warning: osu-latency-truncated: line 13: incomplete row "512" ignored (truncated log?)\n');
  });
  test('--format svg --out writes the file and nothing else', async () => {
    const out = join(dir, 'plots', 'latency.svg');
    const r = await run([
      'report',
      join(FIXTURES, 'osu-latency-efa-v7.3.log'),
      '--baseline',
      'efa-pingpong-m7g-nodes',
      '--format',
      'svg',
      '--out',
      out,
    ]);
    expect(r).toEqual({ code: 0, out: '', err: '' });
    expect(readFileSync(out, 'utf8')).toMatch(/^<svg [^>]*>.*efa-pingpong-m7g-nodes \(baseline\)/s);
    // Written through a temporary file beside it, which is gone.
    expect(readdirSync(dir)).toEqual(['plots']);
    expect(readdirSync(join(dir, 'plots'))).toEqual(['latency.svg']);
  });
  test('--help lists the built-in baselines', async () => {
    const r = await run(['report', '--help']);
    expect(r.code).toBe(0);
    for (const b of BASELINES) expect(r.out).toContain(b.name);
  });
});

describe('IMB-MPI1 PingPong and runs that died', () => {
  test('IMB PingPong: t[usec] per #bytes, one-way latency like osu_latency (format from Intel MPI Benchmarks 2021.9; hand-written: IMB is not packaged by Debian)', () => {
    const r = only('imb-pingpong-2021.9.log');
    expect(r).toMatchObject({
      benchmark: 'IMB-MPI1 PingPong',
      metric: 'latency',
      format: 'IMB 2021.9, t[usec]',
      incomplete: [],
      warnings: [],
    });
    expect(r.points.map(p => [p.size, p.value])).toEqual([
      [0, 17.98],
      [1, 18.04],
      [2, 18.05],
      [4, 18.07],
      [8, 18.1],
      [1024, 20.91],
      [65536, 41.6],
      [4194304, 1045.22],
    ]);
    expect(buildReport(parse('imb-pingpong-2021.9.log', 'efa', true)).verdicts[0]).toMatchObject({
      level: 'ok',
      text: 'small-message latency 18.04 µs at 1 B, within 10 µs of efa-osu-c5n-intelmpi (22.31 µs)',
    });
  });
  test("Intel MPI's startup line (I_MPI_DEBUG=5, as our Intel MPI jobs set) states the fabric of the MPI runs in its log", () => {
    const log = readFileSync(join(FIXTURES, 'imb-pingpong-2021.9.log'), 'utf8');
    const withProvider = (p: string) =>
      `[0] MPI startup(): Intel(R) MPI Library, Version 2021.9\n[0] MPI startup(): libfabric provider: ${p}\n${log}`;
    expect(parseLog('i.log', 'i', withProvider('efa'))[0]).toMatchObject({
      fabric: 'efa',
      fabricSource: 'log',
      format: 'IMB 2021.9, t[usec], libfabric provider efa',
    });
    expect(buildReport(parseLog('i.log', 'i', withProvider('efa'))).verdicts[0].level).toBe('ok');
    expect(parseLog('i.log', 'efa', withProvider('tcp;ofi_rxm'), true)[0]).toMatchObject({ fabric: 'tcp', fabricSource: 'log' });
  });
  test('an OSU run killed before its last size ("peer process has unexpectedly disconnected") is incomplete and suspect', () => {
    const r = parse('osu-latency-efa-killed-v7.3.log', 'efa', true)[0];
    expect(r.incomplete).toEqual([
      'line 14: [osu-latency-efa-worker-1:00042] peer process has unexpectedly disconnected',
      'line 16: prterun noticed that process rank 1 with PID 42 on node osu-latency-efa-worker-1 exited on signal 9 (Killed).',
    ]);
    expect(buildReport([r]).verdicts[0]).toMatchObject({
      level: 'suspect',
      text: expect.stringMatching(/^incomplete: line 14: .*; small-message latency 17.61 µs at 1 B, within 10 µs/),
    });
  });
});

describe('hostile input in linear time', () => {
  // Time and memory on a large log are figures of `npm run bench` (a 1,000,000-row log); here a 20,000-point log
  // takes the SVG path (nothing samples or caps the points, so a larger one takes the same code).
  test('a 4 KB line of # and spaces, an 80 KB separator line and a 20,000-point SVG take well under a second each', async () => {
    const hashes = '# '.repeat(2048);
    const separator = `|${'-'.repeat(80_000)}| x`;
    const t0 = Date.now();
    expect(() => parseLog('h.log', 'h', `${hashes}\n${separator}\n`)).toThrow('no benchmark output found');
    expect(Date.now() - t0).toBeLessThan(2000);
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i + 1} ${(10 + i / 1e4).toFixed(2)}`).join('\n');
    const runs = parseLog('big.log', 'efa', `# OSU MPI Latency Test v7.3\n# Size Latency (us)\n${rows}\n`, true);
    expect(runs[0].points).toHaveLength(20_000);
    await expect(toSvg(buildReport(runs))).resolves.toMatch(/^<svg /);
  });
  test.each([
    ['pipes', `${'| '.repeat(500_000)}x`],
    ['an OSU-like header', `# OSU MPI ${'a Test '.repeat(150_000)}`],
    ['a Markdown heading', `######${' '.repeat(1e6)}${'#'.repeat(1e5)} x`],
    ['a separator', `${'|---'.repeat(250_000)}| x`],
    ['a pingpong-like header', ' bytes '.repeat(150_000)],
    ['timestamps', '2026-12-01T23:10:55'.repeat(50_000)],
  ])('a single 1 MB line of %s is read in linear time (refused as no benchmark output)', (_, line) => {
    // Not a performance figure: linear takes milliseconds; a super-linear pattern on 1 MB takes minutes.
    const t0 = Date.now();
    expect(() => parseLog('l.log', 'l', `${line}\n`)).toThrow('no benchmark output found');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  test('non-regular files and - for standard input', async () => {
    expect(await runCli(['report', '/dev/zero'])).toEqual({
      code: 2,
      out: '',
      err: 'cdk8s-rdma: report: /dev/zero: not a regular file (the report reads saved logs, or - for standard input)\n',
    });
  });
});

describe('numbers and names that would break the output', () => {
  test('a 400-digit number is refused naming the line; a negative size is not a row', () => {
    expect(() => parseLog('huge.log', 'h', `# OSU MPI Latency Test v7.3\n# Size Latency (us)\n1 2.0\n${'9'.repeat(400)} 3.0\n`)).toThrow(
      /^huge.log:4: osu_latency row has a number out of range \(size Infinity, value 3\)/,
    );
    expect(() => parseLog('huge.log', 'h', `# OSU MPI Latency Test v7.3\n# Size Latency (us)\n1 ${'9'.repeat(400)}\n`)).toThrow(
      /huge.log:3: .* out of range/,
    );
    expect(parseLog('neg.log', 'n', '# OSU MPI Latency Test v7.3\n# Size Latency (us)\n-4 2.0\n1 2.0\n')[0].points).toEqual([
      { size: 1, value: 2 },
    ]);
  });
  test('a newline or a pipe in a run name stays inside its table cell', () => {
    const runs = parseLog('x.log', 'a\nb|c', '# OSU MPI Latency Test v7.3\n# Size Latency (us)\n1 2.0\n', true);
    const md = toMarkdown(buildReport(runs));
    expect(md).toContain('| a\\u000ab\\|c | x.log | osu_latency |');
  });
});

describe("our OSU launchers' marker line", () => {
  const rows = (max: number) => Array.from({ length: Math.log2(max) + 1 }, (_, i) => `${2 ** i} ${(17.6 + i).toFixed(2)}`).join('\n');
  const log = (sizes: string, max: number) =>
    `${OSU_RUN_MARKER} benchmark=osu_latency sizes=${sizes}\n# OSU MPI Latency Test v7.3\n# Datatype: MPI_CHAR.\n# Size       Avg Latency(us)\n${rows(max)}\n`;
  test('a run that reached the -m maximum is complete; one cut before it is incomplete and suspect', () => {
    expect(parseLog('ok.log', 'efa', log('1:4194304', 4194304), true)[0].incomplete).toEqual([]);
    const cut = parseLog('cut.log', 'efa', log('1:4194304', 16), true)[0];
    expect(cut.incomplete).toEqual(['stopped at 16 B, before the requested maximum of 4194304 B']);
    expect(buildReport([cut]).verdicts[0].level).toBe('suspect');
    // A maximum that is not a power of two: OSU stops at the last doubling below it.
    expect(parseLog('odd.log', 'efa', log('1000', 512), true)[0].incomplete).toEqual([]);
  });
  test('the marker is the line the MpiLatencyJob launcher prints', () => {
    const chart = Testing.chart();
    new MpiLatencyJob(chart, 'osu', { messageSizes: '8:65536' });
    const job = Testing.synth(chart).find((o: any) => o.kind === 'MPIJob');
    const c = job.spec.mpiReplicaSpecs.Launcher.template.spec.containers[0];
    const printed = execFileSync('/bin/sh', ['-c', c.command[2].replace(/; exec .*$/, ''), ...c.args], { encoding: 'utf8' });
    expect(printed).toBe(`${OSU_RUN_MARKER} benchmark=osu_latency sizes=8:65536\n`);
    expect(
      parseLog('m.log', 'efa', `${printed}# OSU MPI Latency Test v7.3\n# Size Latency (us)\n8 17.6\n16 17.7\n`, true)[0].incomplete,
    ).toEqual(['stopped at 16 B, before the requested maximum of 65536 B']);
  });
});
