/**
 * Parsers for the benchmark logs the report reads. Each returns the runs found in one text; formats:
 * - OSU `osu_latency`, `osu_bw`, `osu_bibw`, `osu_allreduce`, `osu_alltoall` 5.x to 7.x (OSU micro-benchmarks osu_util.c output format, 5.x to 7.x): a `# OSU MPI[-X] <name>
 *   Test v<version>` header, other `#` lines (column header; `# Datatype: MPI_CHAR.` since 7.1), then
 *   `<size> <value>` rows. 5.x/6.x/7.0 start at size 0; 7.1+ skip it. Launcher logs interleave other lines
 *   (ssh warnings, mpirun banners), which are skipped. A repeated header (several datatypes) starts a new run.
 * - perftest `ib_*_bw` / `ib_*_lat` (linux-rdma/perftest src/perftest_parameters.c): the test title line, a `#bytes #iterations ...`
 *   header naming the columns and unit (`Gb/sec`, `MiB/sec`, or `MB/sec` before perftest 24.07, the same
 *   binary unit), rows up to the 87-dash line.
 * - `fi_pingpong` (libfabric util/pingpong.c `show_perf`): a header with `bytes` ... `usec/xfer` columns and
 *   rows whose sizes are printed as `64`, `1.4k`, `97k`, `1m` (fabtests `size_str`: 1024-based, one truncated
 *   decimal below 10 units, so 1500 prints as `1.4k`). `usec/xfer` is one-way latency (elapsed / iterations
 *   / 2). Run once per size (as our Job does), the log holds one single-row table per size: consecutive
 *   tables with increasing sizes are one sweep. Our Job's marker line (PINGPONG_SWEEP_MARKER) gives the exact
 *   sizes asked for; `-v` output's `prov_name:` gives the provider used. `[error]` lines about connecting are
 *   the client's retries; other `[error]` lines are the benchmark failing.
 * - IMB-MPI1 `PingPong` (Intel MPI Benchmarks 2021): `# Benchmarking PingPong`, then a `#bytes #repetitions
 *   t[usec] Mbytes/sec` header and rows; `t[usec]` is one-way latency, comparable with osu_latency.
 * - Markdown tables with a message-size column and a `usec` column, as in the published EKS graviton3
 *   pingpong results (shared seed 003); one run per table, named after the heading above it.
 * Values are normalised: latency in µs, bandwidth in Gb/s (10^9 bit/s).
 */

import { OSU_RUN_MARKER, PINGPONG_SWEEP_MARKER } from './markers';
import { NcclFacts, parseNccl } from './nccl';

/** `busbw`: NCCL bus bandwidth in GB/s (10^9 bytes/s), as nccl-tests prints it. */
export type Metric = 'latency' | 'bandwidth' | 'busbw';
export type Fabric = 'efa' | 'ib' | 'roce' | 'tcp' | 'shm' | 'unknown';
/**
 * Where a run's fabric comes from: the log states it (fi_pingpong `prov_name:`, perftest `Link type`), the
 * user named the run (`efa=FILE`), a word in the file name or table heading, or nothing. Only `log` and
 * `label` can earn a pass verdict.
 */
export type FabricSource = 'log' | 'label' | 'name' | 'none';

export interface Point {
  /** Message size in bytes. */
  readonly size: number;
  /** µs for latency, Gb/s for bandwidth. */
  readonly value: number;
  /** The log printed the size rounded (fi_pingpong's `1.4k`) and nothing gave the exact one. */
  readonly approximate?: boolean;
}

export interface Run {
  /** Label in tables, legends and verdicts. */
  readonly name: string;
  readonly file: string;
  /** Program as run: osu_latency, ib_read_bw, fi_pingpong, pingpong (Markdown table), ... */
  readonly benchmark: string;
  readonly metric: Metric;
  readonly fabric: Fabric;
  readonly fabricSource: FabricSource;
  /** Why the run did not finish (benchmark errors, sizes missing from the requested sweep); empty when it did. */
  readonly incomplete: readonly string[];
  /** What the parser saw about the format: version, unit printed, column used. */
  readonly format: string;
  readonly points: readonly Point[];
  /** Lines the parser ignored for a reason worth telling (an incomplete last row of a truncated log). */
  readonly warnings: readonly string[];
  /** nccl-tests runs: the network NCCL's debug lines name, wrong results, the footer. */
  readonly nccl?: NcclFacts;
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
  /** Fabric the log itself states (perftest `Link type`, fi_pingpong `prov_name:`), before the label is consulted. */
  fabric?: Fabric;
  incomplete: string[];
  nccl?: NcclFacts;
}

const OSU_HEADER = /^# OSU MPI(?:-(\w+))? (.+) Test v([\d.]+)/;
const OSU_BENCHMARKS: Record<string, { benchmark: string; metric: Metric }> = {
  Latency: { benchmark: 'osu_latency', metric: 'latency' },
  Bandwidth: { benchmark: 'osu_bw', metric: 'bandwidth' },
  'Bi-Directional Bandwidth': { benchmark: 'osu_bibw', metric: 'bandwidth' },
  // Blocking collectives (osu_allreduce.c, osu_alltoall.c): `Avg Latency(us)` per size across all ranks.
  'Allreduce Latency': { benchmark: 'osu_allreduce', metric: 'latency' },
  'All-to-All Personalized Exchange Latency': { benchmark: 'osu_alltoall', metric: 'latency' },
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
/** A Markdown table's separator row (`|---|:---:|`), checked cell by cell in linear time. */
function isMdSeparator(line: string): boolean {
  const cells = line.trim().split('|');
  if (cells.length > 1 && cells[0].trim() === '') cells.shift();
  if (cells.length > 1 && cells[cells.length - 1].trim() === '') cells.pop();
  return cells.length > 0 && cells.every(c => /^:?-{3,}:?$/.test(c.trim()));
}

const NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Calls `fn` for each line of `text` (`\n` or `\r\n`), with its index. No array of lines: each parser walks
 * the text, and a line is garbage as soon as the parser has looked at it.
 */
function eachLine(text: string, fn: (line: string, index: number) => void): void {
  let start = 0;
  for (let i = 0; start <= text.length; i++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    fn(text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end), i);
    start = end + 1;
  }
}

function fail(file: string, line: number, what: string): never {
  throw new ReportInputError(`${file}:${line}: ${what}`);
}

function pushPoint(file: string, draft: Draft, line: number, size: number, value: number, approximate = false): void {
  if (!Number.isSafeInteger(size) || !Number.isFinite(value)) {
    fail(
      file,
      line,
      `${draft.benchmark} row has a number out of range (size ${String(size).slice(0, 20)}, value ${String(value).slice(0, 20)}): sizes are whole numbers up to 2^53, values finite`,
    );
  }
  const last = draft.points[draft.points.length - 1];
  if (last && size <= last.size) {
    fail(file, line, `${draft.benchmark} message sizes must increase; ${size} follows ${last.size}`);
  }
  draft.points.push(approximate ? { size, value, approximate } : { size, value });
}

/** `64`, `1.5k`, `64k`, `1m`, `2g` as fi_pingpong prints them (1024-based). */
export function parsePingpongSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d)?)([kmg]?)$/.exec(text);
  if (!m) return undefined;
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]]!;
  return Math.round(Number(m[1]) * scale);
}

/** A marker's text as the start of a pattern. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Our OSU launchers' first line (OSU_RUN_MARKER): the benchmark and the `-m` range. */
const OSU_MARKER = new RegExp(`^${literal(OSU_RUN_MARKER)} benchmark=(\\S+) sizes=(?:\\d+:)?(\\d+)\\s*$`);

function parseOsu(file: string, text: string): Draft[] {
  const drafts: Draft[] = [];
  let current: Draft | undefined;
  /** The largest size the marker asked for, for the run that follows it. */
  let requested: { benchmark: string; max: number } | undefined;
  const maxOf = new Map<Draft, number>();
  eachLine(text, (raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    const marker = OSU_MARKER.exec(line);
    if (marker) {
      requested = { benchmark: marker[1], max: Number(marker[2]) };
      return;
    }
    const header = OSU_HEADER.exec(line);
    if (header) {
      const kind = OSU_BENCHMARKS[header[2]];
      if (!kind)
        fail(file, n, `OSU test "${header[2]}" is not one the report reads (osu_latency, osu_bw, osu_bibw, osu_allreduce, osu_alltoall)`);
      current = {
        name: '',
        ...kind,
        points: [],
        warnings: [],
        incomplete: [],
        line: n,
        format: `OSU ${header[3]}${header[1] ? ` (${header[1]})` : ''}`,
      };
      drafts.push(current);
      if (requested && requested.benchmark === current.benchmark) maxOf.set(current, requested.max);
      requested = undefined;
      return;
    }
    if (!current || line.startsWith('#') || line === '') return;
    if (MPI_FAILURE.test(line)) {
      current.incomplete.push(`line ${n}: ${line.slice(0, 160)}`);
      return;
    }
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
  // OSU doubles the size from its minimum up to -m: a run whose last size could still double within -m stopped early.
  for (const [d, max] of maxOf) {
    const last = d.points[d.points.length - 1];
    if (last && last.size * 2 <= max) d.incomplete.push(`stopped at ${last.size} B, before the requested maximum of ${max} B`);
  }
  return drafts;
}

function parsePerftest(file: string, text: string): Draft[] {
  const drafts: Draft[] = [];
  let program: { name: string; metric: Metric } | undefined;
  let fabric: Fabric | undefined;
  let table: { draft: Draft; valueCol: number; scale: number } | undefined;
  eachLine(text, (raw, i) => {
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
      const benchmark = program?.metric === metric ? program.name : metric === 'bandwidth' ? 'ib_bw' : 'ib_lat';
      const column = metric === 'bandwidth' ? 'BW average' : 't_avg';
      const draft: Draft = {
        name: '',
        benchmark,
        metric,
        points: [],
        warnings: [],
        incomplete: [],
        line: n,
        format: `perftest, ${column} in ${unitText}`,
        fabric,
      };
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
    if (!cells.slice(0, table.valueCol + 1).every(c => NUMBER.test(c))) {
      fail(file, n, `${table.draft.benchmark} row "${line}" has a non-numeric column`);
    }
    pushPoint(file, table.draft, n, Number(cells[0]), Number(cells[table.valueCol]) * table.scale);
  });
  if (table && table.draft.points.length > 0) {
    table.draft.warnings.push('the table has no closing dashed line (truncated log?)');
  }
  return drafts;
}

/** The text fi_pingpong prints for a size (fabtests common/shared.c `size_str`, libfabric v1.17.0). */
export function pingpongSizeText(size: number): string {
  const [base, mag] = size >= 2 ** 30 ? [2 ** 30, 'g'] : size >= 2 ** 20 ? [2 ** 20, 'm'] : size >= 1024 ? [1024, 'k'] : [1, ''];
  const whole = Math.floor(size / base);
  const fraction = whole < 10 ? Math.floor(((size % base) * 10) / base) : 0;
  return fraction ? `${whole}.${fraction}${mag}` : `${whole}${mag}`;
}

/** `cdk8s-rdma fi_pingpong sweep: role=client provider=efa endpoint=rdm iterations=N sizes=4,16` (our Job). */
const PINGPONG_MARKER = new RegExp(
  `^${literal(PINGPONG_SWEEP_MARKER)} role=(server|client) provider=(\\S*) endpoint=\\S+ iterations=\\d+ sizes=([\\d,]+)\\s*$`,
);
const PROV_NAME = /^\s*prov_name:\s*(\S+)\s*$/;
const PINGPONG_ERROR = /^\[error\]\s/;
/** The client's retries while the server restarts between sizes (pingpong.c `pp_ctrl_init_client`). */
const PINGPONG_RETRY = /failed to connect|Connection refused|Connection reset|Connection timed out/;

/** The fabric a libfabric provider name means (`tcp;ofi_rxm`: the core provider comes first). */
function fabricOfProvider(provider: string): Fabric | undefined {
  const core = provider.split(';')[0].toLowerCase();
  if (core === 'efa') return 'efa';
  if (core === 'tcp' || core === 'sockets' || core === 'udp') return 'tcp';
  if (core === 'shm' || core === 'sm2') return 'shm';
  return undefined;
}

function parsePingpong(file: string, text: string): Draft[] {
  const drafts: Draft[] = [];
  /** The sweep being read; a new one starts at a marker or at a table whose size does not follow the last. */
  let sweep: { draft?: Draft; requested?: number[]; providers: Set<string>; server: boolean; retries: number; errors: string[] } = {
    providers: new Set(),
    server: false,
    retries: 0,
    errors: [],
  };
  let table: { sizeCol: number; fromEnd: number; width: number; line: number } | undefined;
  let provider: string | undefined;
  const finish = () => {
    const d = sweep.draft;
    if (!d) return;
    if (sweep.providers.size === 1) d.fabric = fabricOfProvider([...sweep.providers][0]);
    if (sweep.providers.size > 0) d.format += `, provider ${[...sweep.providers].join(' and ')}`;
    if (sweep.providers.size > 1) d.warnings.push(`the sweep ran over several providers (${[...sweep.providers].join(', ')})`);
    if (sweep.requested) {
      const got = new Set(d.points.map(p => p.size));
      const missing = sweep.requested.filter(x => !got.has(x));
      if (missing.length > 0)
        d.incomplete.push(`stopped before ${missing.length} of the ${sweep.requested.length} requested sizes (${missing.join(', ')} B)`);
    }
    if (sweep.retries > 0) d.warnings.push(`${sweep.retries} connection retries while the server restarted (not errors)`);
    if (d.points.some(p => p.approximate))
      d.warnings.push(
        'fi_pingpong printed some sizes rounded (`1.4k`) and no marker line gave the exact sizes: those points are approximate',
      );
  };
  const startSweep = (requested?: number[], server = false) => {
    finish();
    sweep = { requested, providers: new Set(), server, retries: 0, errors: [] };
  };
  eachLine(text, (raw, i) => {
    const n = i + 1;
    const marker = PINGPONG_MARKER.exec(raw);
    if (marker) {
      table = undefined;
      provider = undefined;
      startSweep(marker[3].split(',').filter(Boolean).map(Number), marker[1] === 'server');
      return;
    }
    if (sweep.server) return; // the server's copy of the tables: the client's log is the result
    const prov = PROV_NAME.exec(raw);
    if (prov) {
      // -v prints it before the size's table: it belongs to the sweep that table's row joins.
      provider = prov[1];
      return;
    }
    if (PINGPONG_ERROR.test(raw)) {
      table = undefined;
      if (PINGPONG_RETRY.test(raw)) sweep.retries++;
      else (sweep.draft?.incomplete ?? sweep.errors).push(`line ${n}: ${raw.trim().slice(0, 160)}`);
      return;
    }
    if (PINGPONG_HEADER.test(raw)) {
      const names = raw.trim().split(/\s+/);
      table = { sizeCol: names.indexOf('bytes'), fromEnd: names.length - names.indexOf('usec/xfer'), width: names.length, line: n };
      return;
    }
    if (!table) return;
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(/\s+/);
    const printed = cells[table.sizeCol] ?? '';
    const approximate = parsePingpongSize(printed);
    if (approximate === undefined) {
      // The table ends at the first line that is not a row (client/server chatter after it).
      table = undefined;
      return;
    }
    if (cells.length < table.width) {
      sweep.draft?.warnings.push(`line ${n}: incomplete row "${line}" ignored (truncated log?)`);
      table = undefined;
      return;
    }
    const value = cells[cells.length - table.fromEnd];
    if (!NUMBER.test(value)) fail(file, n, `fi_pingpong row "${line}" has no number in the usec/xfer column`);
    const last = sweep.draft?.points[sweep.draft.points.length - 1];
    // The exact size asked for, where the marker lists one that prints as this row's size.
    const exact = sweep.requested?.find(x => (!last || x > last.size) && pingpongSizeText(x) === printed);
    const size = exact ?? approximate;
    if (!sweep.draft || (last && size <= last.size)) {
      if (sweep.draft) startSweep(undefined);
      sweep.draft = {
        name: '',
        benchmark: 'fi_pingpong',
        metric: 'latency',
        points: [],
        warnings: [],
        incomplete: sweep.errors.splice(0),
        line: table.line,
        format: 'fi_pingpong, usec/xfer',
      };
      drafts.push(sweep.draft);
    }
    if (provider !== undefined) sweep.providers.add(provider);
    provider = undefined;
    // Without a marker, `1.4k` is any size from 1434 to 1535 B (size_str truncates): approximate.
    pushPoint(file, sweep.draft, n, size, Number(value), exact === undefined && /[kmg]$/.test(printed));
  });
  finish();
  return drafts;
}

const IMB_TITLE = /^#\s+Benchmarking (PingPong|PingPing)\s*$/;
const IMB_VERSION = /Intel\(R\) MPI Benchmarks ([\d.]+)/;
const IMB_HEADER = /^\s*#bytes\s+#repetitions\s+t\[usec\]/;
/** Open MPI, MPICH and Intel MPI lines that mean a rank died before the benchmark finished. */
const MPI_FAILURE =
  /peer process has unexpectedly disconnected|exited on signal|MPI_ABORT was invoked|noticed that process rank \d+|returned\s+a non-zero exit code|BAD TERMINATION|lost communication with/i;

/** IMB-MPI1 PingPong: `t[usec]` (one-way, half the round trip) per `#bytes`. */
function parseImb(file: string, text: string): Draft[] {
  const drafts: Draft[] = [];
  let version = '';
  let title: string | undefined;
  let table: Draft | undefined;
  eachLine(text, (raw, i) => {
    const n = i + 1;
    const v = IMB_VERSION.exec(raw);
    if (v) version = ` ${v[1]}`;
    const t = IMB_TITLE.exec(raw);
    if (t) {
      title = t[1];
      table = undefined;
      return;
    }
    if (title === 'PingPong' && IMB_HEADER.test(raw)) {
      table = {
        name: '',
        benchmark: 'IMB-MPI1 PingPong',
        metric: 'latency',
        points: [],
        warnings: [],
        incomplete: [],
        line: n,
        format: `IMB${version}, t[usec]`,
      };
      drafts.push(table);
      return;
    }
    if (!table) return;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      if (line.startsWith('#')) table = undefined;
      return;
    }
    if (MPI_FAILURE.test(line)) {
      table.incomplete.push(`line ${n}: ${line.slice(0, 160)}`);
      table = undefined;
      return;
    }
    const cells = line.split(/\s+/);
    if (!/^\d+$/.test(cells[0])) return;
    if (cells.length < 3 || !NUMBER.test(cells[2])) {
      table.warnings.push(`line ${n}: incomplete row "${line}" ignored (truncated log?)`);
      return;
    }
    pushPoint(file, table, n, Number(cells[0]), Number(cells[2]));
  });
  return drafts;
}

function cellsOf(line: string): string[] {
  return MD_ROW.exec(line)![1]
    .split('|')
    .map(c => c.trim());
}

/** An ATX heading's text (`## Title ##`), in linear time: no backtracking pattern over the line. */
function markdownHeading(line: string): string | undefined {
  const m = /^#{1,6}[ \t]/.exec(line);
  if (!m) return undefined;
  let text = line.slice(m[0].length).trimEnd();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end < text.length && (end === 0 || text[end - 1] === ' ' || text[end - 1] === '\t')) text = text.slice(0, end);
  text = text.trim();
  return text === '' ? undefined : text;
}

function parseMarkdown(file: string, text: string): Draft[] {
  const drafts: Draft[] = [];
  let heading = '';
  let previous: { line: string; n: number } | undefined;
  let table: { draft: Draft; sizeCol: number; valueCol: number } | undefined;
  eachLine(text, (line, i) => {
    const n = i + 1;
    if (table) {
      if (MD_ROW.test(line)) {
        const cells = cellsOf(line);
        const size = cells[table.sizeCol];
        const value = cells[table.valueCol];
        if (value === undefined || value === '') {
          table.draft.warnings.push(`line ${n}: incomplete row ignored (truncated table?)`);
          return;
        }
        if (!/^\d+$/.test(size ?? '') || !NUMBER.test(value)) {
          fail(file, n, `table row "${line.trim()}" needs a whole message size and a number of µs`);
        }
        pushPoint(file, table.draft, n, Number(size), Number(value));
        return;
      }
      // A last line cut off before its closing pipe.
      if (/^\s*\|/.test(line)) table.draft.warnings.push(`line ${n}: incomplete row ignored (truncated table?)`);
      table = undefined;
      previous = undefined;
    }
    const h = markdownHeading(line);
    if (h !== undefined) heading = h;
    // A header row is the line before a separator row.
    if (previous && isMdSeparator(line)) {
      const header = cellsOf(previous.line).map(c => c.toLowerCase());
      const sizeCol = header.findIndex(c => /message size|^size|bytes/.test(c));
      const valueCol = header.findIndex(c => /usec|µs|^us\b|\(us\)|^latency/.test(c));
      if (sizeCol >= 0 && valueCol >= 0) {
        const draft: Draft = {
          name: heading,
          benchmark: 'pingpong',
          metric: 'latency',
          points: [],
          warnings: [],
          incomplete: [],
          line: previous.n,
          format: `Markdown table, column "${cellsOf(previous.line)[valueCol]}"`,
        };
        drafts.push(draft);
        table = { draft, sizeCol, valueCol };
        previous = undefined;
        return;
      }
    }
    previous = MD_ROW.test(line) ? { line, n } : undefined;
  });
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
 * `kubectl logs --prefix` (`[pod/<name>/<container>] `) and `--timestamps` (RFC 3339, then a space) in front
 * of each line, in either order (kubectl logs, k8s.io/kubectl pkg/cmd/logs, v1.35).
 */
const KUBECTL_PREFIX = /^\[pod\/[^\]\s/]+\/[^\]\s/]+\] /;
const KUBECTL_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) /;

/** The lines of a log by the pod that printed them (`--prefix`), without kubectl's prefixes. */
function splitKubectlLog(lines: readonly string[]): { pod: string; lines: string[] }[] {
  const pods = new Map<string, string[]>();
  for (let line of lines) {
    let pod = '';
    for (let k = 0; k < 2; k++) {
      const p = KUBECTL_PREFIX.exec(line);
      if (p) {
        pod = p[0].slice(5, p[0].lastIndexOf('/'));
        line = line.slice(p[0].length);
      }
      const t = KUBECTL_TIMESTAMP.exec(line);
      if (t) line = line.slice(t[0].length);
    }
    let group = pods.get(pod);
    if (!group) pods.set(pod, (group = []));
    group.push(line);
  }
  return [...pods].map(([pod, group]) => ({ pod, lines: group }));
}

/**
 * Intel MPI's startup line naming the libfabric provider every rank uses, printed with I_MPI_DEBUG ≥ 4 (our
 * Intel MPI jobs set 5): `[0] MPI startup(): libfabric provider: efa` (format as in Intel's "Intel MPI
 * Library over libfabric" article, Intel MPI 2019 and later).
 */
const INTEL_MPI_PROVIDER = /MPI startup\(\): libfabric provider: (\S+)/g;

/** The fabric NCCL's own lines prove: aws-ofi-nccl over EFA, verbs over IB or RoCE, or sockets (any provider but efa is a fallback too). */
function ncclFabric(f: NcclFacts): Fabric | undefined {
  if (f.network === 'socket') return 'tcp';
  if (f.network === 'ofi')
    return f.provider === undefined ? undefined : f.provider === 'efa' ? 'efa' : (fabricOfProvider(f.provider) ?? 'tcp');
  if (f.network === 'ib') return f.linkLayer === 'RoCE' ? 'roce' : f.linkLayer === 'IB' ? 'ib' : undefined;
  return undefined;
}

function parseNcclDrafts(file: string, text: string): Draft[] {
  return parseNccl(text, (line, what) => fail(file, line, what)).map(t => ({
    name: '',
    benchmark: t.collective,
    metric: 'busbw' as const,
    format: t.format,
    points: t.points,
    warnings: t.warnings,
    line: t.line,
    incomplete: t.incomplete,
    nccl: t.facts,
    fabric: ncclFabric(t.facts),
  }));
}

function parseText(file: string, text: string): Draft[] {
  const drafts = [
    ...parseOsu(file, text),
    ...parsePerftest(file, text),
    ...parsePingpong(file, text),
    ...parseImb(file, text),
    ...parseMarkdown(file, text),
    ...parseNcclDrafts(file, text),
  ].sort((a, b) => a.line - b.line);
  // An MPI benchmark's log that names one provider for all ranks states its fabric.
  const providers = new Set([...text.matchAll(INTEL_MPI_PROVIDER)].map(m => m[1]));
  const stated = providers.size === 1 ? fabricOfProvider([...providers][0]) : undefined;
  for (const d of drafts) {
    if (d.fabric || !(d.benchmark.startsWith('osu_') || d.benchmark.startsWith('IMB'))) continue;
    if (providers.size > 0) d.format += `, libfabric provider ${[...providers].join(' and ')}`;
    if (stated) d.fabric = stated;
  }
  return drafts;
}

/** A line that starts with a kubectl prefix, anywhere in the text. */
const ANY_KUBECTL_PREFIX = /^(?:\[pod\/|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)/m;

/**
 * Every run in one log. `label` names the runs (the file's base name unless the user gave one); a file with
 * several runs numbers them, a Markdown table adds its heading, a log of several pods (`kubectl logs
 * --prefix`) adds the pod. The fabric comes from, in order: what the log states (fi_pingpong's
 * `prov_name:`, perftest's link type), a label the user gave (`efa=FILE`), hints in the file name and table
 * heading; else `unknown`. Nothing is assumed from the tool.
 */
export function parseLog(file: string, label: string, text: string, labelGiven = false): Run[] {
  if (text.trim() === '') throw new ReportInputError(`${file}: the file is empty`);
  if (text.includes('\u0000')) throw new ReportInputError(`${file}: not a text log (it holds NUL bytes)`);
  // Logs without kubectl prefixes (most) are read as they are; others are split by pod first.
  const groups = ANY_KUBECTL_PREFIX.test(text)
    ? splitKubectlLog(text.split(/\r?\n/)).map(g => ({ pod: g.pod, text: g.lines.join('\n') }))
    : [{ pod: '', text }];
  const drafts = groups.flatMap(g =>
    parseText(g.pod ? `${file} (${g.pod})` : file, g.text).map(d =>
      g.pod ? { ...d, name: [g.pod, d.name].filter(Boolean).join(' ') } : d,
    ),
  );
  if (drafts.length === 0) {
    throw new ReportInputError(
      `${file}: no benchmark output found (expected OSU osu_latency/osu_bw/osu_bibw/osu_allreduce/osu_alltoall, perftest ib_*_bw/ib_*_lat, fi_pingpong, IMB-MPI1 PingPong, nccl-tests, or a Markdown table with message size and usec columns)`,
    );
  }
  const empty = drafts.find(d => d.points.length === 0);
  if (empty) {
    throw new ReportInputError(`${file}:${empty.line}: ${empty.benchmark} output has a header but no data rows (truncated log?)`);
  }
  return drafts.map((d, index) => {
    const name = [label, d.name, drafts.length > 1 && !d.name ? String(index + 1) : ''].filter(Boolean).join(': ');
    const labelled = labelGiven ? fabricFromText(label) : undefined;
    const named = fabricFromText(`${label} ${d.name}`);
    const [fabric, fabricSource]: [Fabric, FabricSource] = d.fabric
      ? [d.fabric, 'log']
      : labelled
        ? [labelled, 'label']
        : named
          ? [named, 'name']
          : ['unknown', 'none'];
    const warnings = [...d.warnings];
    if (d.fabric && labelled && labelled !== d.fabric)
      warnings.push(`labelled ${labelled}, but the log shows ${d.fabric}: judged as ${d.fabric}`);
    return {
      name,
      file,
      benchmark: d.benchmark,
      metric: d.metric,
      fabric,
      fabricSource,
      incomplete: d.incomplete,
      format: d.format,
      points: d.points,
      warnings,
      ...(d.nccl ? { nccl: d.nccl } : {}),
    };
  });
}
