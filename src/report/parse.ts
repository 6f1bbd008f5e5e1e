/**
 * Parsers for the benchmark logs the report reads. Each returns the runs found in one text; formats:
 * - OSU `osu_latency`, `osu_bw`, `osu_bibw` 5.x to 7.x (research mpi-openshift.md §2.2): a `# OSU MPI[-X] <name>
 *   Test v<version>` header, other `#` lines (column header; `# Datatype: MPI_CHAR.` since 7.1), then
 *   `<size> <value>` rows. 5.x/6.x/7.0 start at size 0; 7.1+ skip it. Launcher logs interleave other lines
 *   (ssh warnings, mpirun banners), which are skipped. A repeated header (several datatypes) starts a new run.
 * - perftest `ib_*_bw` / `ib_*_lat` (research ib.md §7.2): the test title line, a `#bytes #iterations ...`
 *   header naming the columns and unit (`Gb/sec`, `MiB/sec`, or `MB/sec` before perftest 24.07, the same
 *   binary unit), rows up to the 87-dash line.
 * - `fi_pingpong` (libfabric util/pingpong.c `show_perf`): a header with `bytes` ... `usec/xfer` columns and
 *   rows whose sizes are printed as `64`, `1.5k`, `64k`, `1m` (1024-based; one decimal below 10 units).
 *   `usec/xfer` is one-way latency (elapsed / iterations / 2).
 * - Markdown tables with a message-size column and a `usec` column, as in the published EKS graviton3
 *   pingpong results (shared seed 003); one run per table, named after the heading above it.
 * Values are normalised: latency in µs, bandwidth in Gb/s (10^9 bit/s).
 */

export type Metric = 'latency' | 'bandwidth';
export type Fabric = 'efa' | 'ib' | 'roce' | 'tcp' | 'unknown';

export interface Point {
  /** Message size in bytes. */
  readonly size: number;
  /** µs for latency, Gb/s for bandwidth. */
  readonly value: number;
}

export interface Run {
  /** Label in tables, legends and verdicts. */
  readonly name: string;
  readonly file: string;
  /** Program as run: osu_latency, ib_read_bw, fi_pingpong, pingpong (Markdown table), ... */
  readonly benchmark: string;
  readonly metric: Metric;
  readonly fabric: Fabric;
  /** What the parser saw about the format: version, unit printed, column used. */
  readonly format: string;
  readonly points: readonly Point[];
  /** Lines the parser ignored for a reason worth telling (an incomplete last row of a truncated log). */
  readonly warnings: readonly string[];
}

/** A log the report cannot use; the message names the file and what is wrong. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

interface Draft {
  name: string;
  benchmark: string;
  metric: Metric;
  format: string;
  points: Point[];
  warnings: string[];
  /** Where the table started (for error messages). */
  line: number;
  /** Fabric the log itself states (perftest `Link type`), before the label is consulted. */
  fabric?: Fabric;
}

const OSU_HEADER = /^# OSU MPI(?:-(\w+))? (.+) Test v([\d.]+)/;
const OSU_BENCHMARKS: Record<string, { benchmark: string; metric: Metric }> = {
  'Latency': { benchmark: 'osu_latency', metric: 'latency' },
  'Bandwidth': { benchmark: 'osu_bw', metric: 'bandwidth' },
  'Bi-Directional Bandwidth': { benchmark: 'osu_bibw', metric: 'bandwidth' },
};
/** OSU prints MB/s with MB = 10^6 bytes (`size / 1e6 * iterations * window / time` in osu_bw.c). */
const MBPS_TO_GBPS = 8 / 1000;
/** perftest's MiB/sec (and its pre-24.07 `MB/sec` label for the same number). */
const MIBPS_TO_GBPS = (1024 * 1024 * 8) / 1e9;

const PERFTEST_TITLE = /^\s*(Send|RDMA_Write|RDMA_Read|Atomic) (?:Bidirectional )?(?:Post List )?(BW|Latency) Test\s*$/;
const PERFTEST_PROGRAMS: Record<string, string> = { Send: 'send', RDMA_Write: 'write', RDMA_Read: 'read', Atomic: 'atomic' };
const PERFTEST_HEADER = /^\s*#bytes\s+#iterations\s+/;
const PERFTEST_END = /^-{20,}\s*$/;

const PINGPONG_HEADER = /^\s*(?:name\s+)?bytes\s+.*\busec\/xfer\b/;
const MD_ROW = /^\s*\|(.*)\|\s*$/;
const MD_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

const NUMBER = /^\d+(?:\.\d+)?$/;

function fail(file: string, line: number, what: string): never {
  throw new ReportInputError(`${file}:${line}: ${what}`);
}

function pushPoint(file: string, draft: Draft, line: number, size: number, value: number): void {
  const last = draft.points[draft.points.length - 1];
  if (last && size <= last.size) {
    fail(file, line, `${draft.benchmark} message sizes must increase; ${size} follows ${last.size}`);
  }
  draft.points.push({ size, value });
}

/** `64`, `1.5k`, `64k`, `1m`, `2g` as fi_pingpong prints them (1024-based). */
export function parsePingpongSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d)?)([kmg]?)$/.exec(text);
  if (!m) return undefined;
  const scale = { '': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3 }[m[2]]!;
  return Math.round(Number(m[1]) * scale);
}

function parseOsu(file: string, lines: string[]): Draft[] {
  const drafts: Draft[] = [];
  let current: Draft | undefined;
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    const header = OSU_HEADER.exec(line);
    if (header) {
      const kind = OSU_BENCHMARKS[header[2]];
      if (!kind) fail(file, n, `OSU test "${header[2]}" is not one the report reads (osu_latency, osu_bw, osu_bibw)`);
      current = {
        name: '', ...kind, points: [], warnings: [], line: n,
        format: `OSU ${header[3]}${header[1] ? ` (${header[1]})` : ''}`,
      };
      drafts.push(current);
      return;
    }
    if (!current || line.startsWith('#') || line === '') return;
    if (!/^\d/.test(line)) return; // interleaved launcher output
    const cells = line.split(/\s+/);
    if (cells.length === 1) {
      current.warnings.push(`line ${n}: incomplete row "${line}" ignored (truncated log?)`);
      return;
    }
    if (!NUMBER.test(cells[0]) || !NUMBER.test(cells[1]) || cells[0].includes('.')) {
      fail(file, n, `${current.benchmark} row "${line}" is not "<size> <value>"`);
    }
    const value = Number(cells[1]);
    pushPoint(file, current, n, Number(cells[0]), current.metric === 'bandwidth' ? value * MBPS_TO_GBPS : value);
  });
  return drafts;
}

function parsePerftest(file: string, lines: string[]): Draft[] {
  const drafts: Draft[] = [];
  let program: { name: string; metric: Metric } | undefined;
  let fabric: Fabric | undefined;
  let table: { draft: Draft; valueCol: number; scale: number } | undefined;
  lines.forEach((raw, i) => {
    const n = i + 1;
    const title = PERFTEST_TITLE.exec(raw);
    if (title) {
      const metric: Metric = title[2] === 'BW' ? 'bandwidth' : 'latency';
      program = { name: `ib_${PERFTEST_PROGRAMS[title[1]]}_${metric === 'bandwidth' ? 'bw' : 'lat'}`, metric };
      return;
    }
    const link = /\bLink type\s*:\s*(IB|Ethernet)\b/.exec(raw);
    if (link) fabric = link[1] === 'IB' ? 'ib' : 'roce';
    if (PERFTEST_HEADER.test(raw)) {
      const names = raw.trim().split(/\s+/);
      let valueCol: number;
      let scale = 1;
      let metric: Metric;
      let unitText: string;
      const avg = /BW average\[(Gb|MiB|MB)\/sec\]/.exec(raw);
      if (avg) {
        metric = 'bandwidth';
        // Columns: #bytes #iterations BW-peak BW-average MsgRate: the average is the fourth value.
        valueCol = 3;
        scale = avg[1] === 'Gb' ? 1 : MIBPS_TO_GBPS;
        unitText = `${avg[1]}/sec`;
      } else if (names.includes('t_avg[usec]')) {
        metric = 'latency';
        // Column positions by name; `99% percentile[usec]` style names hold a space, so count the plain ones.
        valueCol = names.indexOf('t_avg[usec]');
        unitText = 'usec';
      } else {
        fail(file, n, `perftest header has neither a "BW average[...]" nor a "t_avg[usec]" column: "${raw.trim()}"`);
      }
      const benchmark = program?.metric === metric ? program.name : (metric === 'bandwidth' ? 'ib_bw' : 'ib_lat');
      const column = metric === 'bandwidth' ? 'BW average' : 't_avg';
      const draft: Draft = { name: '', benchmark, metric, points: [], warnings: [], line: n, format: `perftest, ${column} in ${unitText}`, fabric };
      drafts.push(draft);
      table = { draft, valueCol, scale };
      return;
    }
    if (!table) return;
    if (PERFTEST_END.test(raw)) {
      table = undefined;
      return;
    }
    const line = raw.trim();
    if (!/^\d/.test(line)) return;
    const cells = line.split(/\s+/);
    if (cells.length <= table.valueCol) {
      table.draft.warnings.push(`line ${n}: incomplete row "${line}" ignored (truncated log?)`);
      return;
    }
    if (!cells.slice(0, table.valueCol + 1).every((c) => NUMBER.test(c))) {
      fail(file, n, `${table.draft.benchmark} row "${line}" has a non-numeric column`);
    }
    pushPoint(file, table.draft, n, Number(cells[0]), Number(cells[table.valueCol]) * table.scale);
  });
  if (table && table.draft.points.length > 0) {
    table.draft.warnings.push('the table has no closing dashed line (truncated log?)');
  }
  return drafts;
}

function parsePingpong(file: string, lines: string[]): Draft[] {
  const drafts: Draft[] = [];
  let table: { draft: Draft; sizeCol: number; fromEnd: number; width: number } | undefined;
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (PINGPONG_HEADER.test(raw)) {
      const names = raw.trim().split(/\s+/);
      const draft: Draft = { name: '', benchmark: 'fi_pingpong', metric: 'latency', points: [], warnings: [], line: n, format: 'fi_pingpong, usec/xfer' };
      drafts.push(draft);
      table = { draft, sizeCol: names.indexOf('bytes'), fromEnd: names.length - names.indexOf('usec/xfer'), width: names.length };
      return;
    }
    if (!table) return;
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(/\s+/);
    const size = parsePingpongSize(cells[table.sizeCol] ?? '');
    if (size === undefined) {
      // The table ends at the first line that is not a row (client/server chatter after it).
      table = undefined;
      return;
    }
    if (cells.length < table.width) {
      table.draft.warnings.push(`line ${n}: incomplete row "${line}" ignored (truncated log?)`);
      table = undefined;
      return;
    }
    const value = cells[cells.length - table.fromEnd];
    if (!NUMBER.test(value)) fail(file, n, `fi_pingpong row "${line}" has no number in the usec/xfer column`);
    pushPoint(file, table.draft, n, size, Number(value));
  });
  return drafts;
}

function cellsOf(line: string): string[] {
  return MD_ROW.exec(line)![1].split('|').map((c) => c.trim());
}

function parseMarkdown(file: string, lines: string[]): Draft[] {
  const drafts: Draft[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(lines[i]);
    if (h) heading = h[1];
    if (!MD_ROW.test(lines[i]) || !MD_SEPARATOR.test(lines[i + 1] ?? '')) continue;
    const header = cellsOf(lines[i]).map((c) => c.toLowerCase());
    const sizeCol = header.findIndex((c) => /message size|^size|bytes/.test(c));
    const valueCol = header.findIndex((c) => /usec|µs|^us\b|\(us\)|^latency/.test(c));
    if (sizeCol < 0 || valueCol < 0) continue;
    const draft: Draft = { name: heading, benchmark: 'pingpong', metric: 'latency', points: [], warnings: [], line: i + 1, format: `Markdown table, column "${cellsOf(lines[i])[valueCol]}"` };
    drafts.push(draft);
    let j = i + 2;
    for (; j < lines.length && MD_ROW.test(lines[j]); j++) {
      const cells = cellsOf(lines[j]);
      const size = cells[sizeCol];
      const value = cells[valueCol];
      if (value === undefined || value === '') {
        draft.warnings.push(`line ${j + 1}: incomplete row ignored (truncated table?)`);
        continue;
      }
      if (!/^\d+$/.test(size ?? '') || !NUMBER.test(value)) {
        fail(file, j + 1, `table row "${lines[j].trim()}" needs a whole message size and a number of µs`);
      }
      pushPoint(file, draft, j + 1, Number(size), Number(value));
    }
    // A last line cut off before its closing pipe.
    if (j < lines.length && /^\s*\|/.test(lines[j]) && !MD_ROW.test(lines[j])) {
      draft.warnings.push(`line ${j + 1}: incomplete row ignored (truncated table?)`);
    }
    i = j - 1;
  }
  return drafts;
}

/** Word hints in a run's label or a table's heading. */
export function fabricFromText(text: string): Fabric | undefined {
  const t = text.toLowerCase();
  if (/(^|[^a-z])(tcp|sockets?)([^a-z]|$)/.test(t)) return 'tcp';
  if (/(^|[^a-z])efa([^a-z]|$)/.test(t)) return 'efa';
  if (/(^|[^a-z])(ib|ipoib|infiniband)([^a-z]|$)/.test(t)) return 'ib';
  return undefined;
}

/**
 * Every run in one log. `label` names the runs (the file's base name unless the user gave one); a file with
 * several runs numbers them, a Markdown table adds its heading. The fabric comes from, in order: a label the
 * user gave (`efa=FILE`), what the log states (perftest's link type), hints in the file name and table
 * heading, the tool (fi_pingpong and the Markdown pingpong tables are EFA tools in our jobs); else `unknown`.
 */
export function parseLog(file: string, label: string, text: string, labelGiven = false): Run[] {
  if (text.trim() === '') throw new ReportInputError(`${file}: the file is empty`);
  if (text.includes('\u0000')) throw new ReportInputError(`${file}: not a text log (it holds NUL bytes)`);
  const lines = text.split(/\r?\n/);
  const drafts = [...parseOsu(file, lines), ...parsePerftest(file, lines), ...parsePingpong(file, lines), ...parseMarkdown(file, lines)]
    .sort((a, b) => a.line - b.line);
  if (drafts.length === 0) {
    throw new ReportInputError(`${file}: no benchmark output found (expected OSU osu_latency/osu_bw/osu_bibw, perftest ib_*_bw/ib_*_lat, fi_pingpong, or a Markdown table with message size and usec columns)`);
  }
  const empty = drafts.find((d) => d.points.length === 0);
  if (empty) {
    throw new ReportInputError(`${file}:${empty.line}: ${empty.benchmark} output has a header but no data rows (truncated log?)`);
  }
  return drafts.map((d, index) => {
    const name = [label, d.name, drafts.length > 1 && !d.name ? String(index + 1) : ''].filter(Boolean).join(': ');
    const byTool: Fabric | undefined = d.benchmark === 'fi_pingpong' || d.benchmark === 'pingpong' ? 'efa' : undefined;
    const fabric = (labelGiven ? fabricFromText(label) : undefined) ?? d.fabric ?? fabricFromText(`${label} ${d.name}`)
      ?? byTool ?? 'unknown';
    return { name, file, benchmark: d.benchmark, metric: d.metric, fabric, format: d.format, points: d.points, warnings: d.warnings };
  });
}
