/**
 * nccl-tests output (all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf, ...) and the
 * NCCL_DEBUG=INFO lines that say which network NCCL used.
 *
 * Table (NVIDIA/nccl-tests src/util.cu, writeResultHeader/writeResultFooter, @a0b82b2): a header
 * `#  size  count  type  redop  root  time  algbw  busbw  #wrong  time  algbw  busbw  #wrong` (out-of-place
 * then in-place; `root` and `#wrong` since v2.13.0, before that `size count type redop time algbw busbw error`
 * with a max-error float), one row per size, then `# Out of bounds values : N OK|FAILED` and
 * `# Avg bus bandwidth    : X`. Sizes in bytes, time in µs, algbw and busbw in GB/s (10^9 bytes/s).
 *
 * Network (NVIDIA/nccl @5067397 and aws/aws-ofi-nccl @2daf7d3): `NCCL INFO Using network <name>` (src/init.cc)
 * with `AWS Libfabric` (aws-ofi-nccl up to v1.12) or `Libfabric` (v1.13 and later), `IB` or `Socket`;
 * `... via NET/<name>/<dev>[/GDRDMA]` per channel (src/transport/net.cc); aws-ofi-nccl's lines start
 * `NET/OFI` and name the libfabric provider (`Selected provider is efa, fabric is efa (found 4 nics)`, older
 * `Selected Provider is efa (found 1 nics)`); `NET/IB : Using [0]mlx5_0:1/IB ...` (`/RoCE` on Ethernet)
 * (src/transport/net_ib/init.cc); `NET/Socket : Using ...` (src/transport/net_socket.cc).
 */

import { NCCL_RUN_MARKER } from './markers';

/** What NCCL_DEBUG=INFO lines and the table footer say about an nccl-tests run. */
export interface NcclFacts {
  /** The network NCCL used as its lines name it: aws-ofi-nccl (`ofi`), InfiniBand verbs (`ib`), or sockets. */
  readonly network?: 'ofi' | 'ib' | 'socket';
  /** aws-ofi-nccl's libfabric provider (`efa`; `tcp` or `sockets` is a fallback). */
  readonly provider?: string;
  /** `IB` or `RoCE`, from NET/IB's device list. */
  readonly linkLayer?: 'IB' | 'RoCE';
  /** The first line that named the network (shortened), for the verdict. */
  readonly evidence?: string;
  /** Some channel uses GPUDirect RDMA (`/GDRDMA`). */
  readonly gdr: boolean;
  /** The sum of every row's out-of-place and in-place `#wrong` (with `N/A` rows, unchecked). */
  readonly wrong: number;
  /** `# Out of bounds values : N FAILED`. */
  readonly outOfBounds: number;
  /** `# Avg bus bandwidth` in GB/s; absent when the log stops before the footer. */
  readonly avgBusbw?: number;
  /** From our NCCL job's marker line: the instance type and the largest size it asked for (`-e`). */
  readonly instanceType?: string;
  readonly maxBytes?: number;
}

export interface NcclTable {
  readonly line: number;
  readonly collective: string;
  readonly format: string;
  /** size (B) → out-of-place busbw (GB/s); sizes increase. */
  readonly points: { size: number; value: number }[];
  readonly facts: NcclFacts;
  readonly incomplete: string[];
  readonly warnings: string[];
}

/** mpirun `--tag-output` (`[1,0]<stdout>:`) in front of every line of an Open MPI launcher's log. */
const MPI_TAG = /^\[\d+,\d+\]<std(?:out|err)>:/;
const HEADER =
  /^#\s+size\s+count\s+type\s+redop\s+(?:(root)\s+)?time\s+algbw\s+busbw\s+(#wrong|error)\s+time\s+algbw\s+busbw\s+(?:#wrong|error)\s*$/;
const COLLECTIVE = /^# Collective test starting: (\S+)/;
const VERSION = /^# nccl-tests version (\S+)/;
const AVG = /^# Avg bus bandwidth\s*:\s*(\S+)/;
const OUT_OF_BOUNDS = /^# Out of bounds values\s*:\s*(\d+)\s+(OK|FAILED)/;
const USING_NETWORK = /NCCL INFO Using network (AWS Libfabric|Libfabric|IB|Socket)\b/;
const VIA_NET = /via NET\/(AWS Libfabric|Libfabric|IB|Socket)\/\d+(\/GDRDMA)?/;
const OFI_PROVIDER = /NET\/OFI Selected [Pp]rovider is ([A-Za-z0-9_;-]+)/;
const NET_IB = /NET\/IB : Using .*?\/(IB|RoCE)\b/;
const NET_SOCKET = /NET\/Socket : Using/;
const NUM = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/;

const networkOf = (name: string): 'ofi' | 'ib' | 'socket' => (name === 'IB' ? 'ib' : name === 'Socket' ? 'socket' : 'ofi');

/** The nccl-tests tables of a log (usually one), with what its NCCL lines say. Lines may carry mpirun's tags. */
export function parseNccl(text: string, fail: (line: number, what: string) => never): NcclTable[] {
  const tables: NcclTable[] = [];
  let current: { t: NcclTable; root: boolean; footer: boolean; wrong: number; outOfBounds: number; avg?: number } | undefined;
  let collective = '';
  let version = '';
  let network: NcclFacts['network'];
  let evidence: string | undefined;
  let provider: string | undefined;
  let linkLayer: NcclFacts['linkLayer'];
  let gdr = false;
  let socket: string | undefined;
  let marker: { instanceType?: string; maxBytes?: number } = {};
  // Every nccl-tests table header names busbw: a log without it (OSU, perftest, a million-row pingpong log) is
  // skipped without walking it again.
  if (!text.includes('busbw')) return [];
  const note = (kind: 'ofi' | 'ib' | 'socket', line: string) => {
    if (kind === 'socket') socket ??= line.trim().slice(0, 160);
    if (!network || network === 'socket') {
      network = kind;
      evidence = line.trim().slice(0, 160);
    }
  };
  const close = () => {
    if (!current) return;
    const { t } = current;
    if (!current.footer) t.incomplete.push('the log stops before nccl-tests\' "# Avg bus bandwidth" line (truncated?)');
    const last = t.points[t.points.length - 1];
    if (marker.maxBytes !== undefined && (!last || last.size < marker.maxBytes)) {
      t.incomplete.push(`the largest size measured is ${last?.size ?? 0} B of the ${marker.maxBytes} B asked for`);
    }
    Object.assign(t, { facts: { ...t.facts, wrong: current.wrong, outOfBounds: current.outOfBounds, avgBusbw: current.avg } });
    current = undefined;
  };
  // Line by line without an array of lines (the report's parsers hold one line at a time).
  let cursor = 0;
  for (let i = 0; cursor <= text.length; i++) {
    let end = text.indexOf('\n', cursor);
    if (end < 0) end = text.length;
    const raw = text.charCodeAt(end - 1) === 13 && end > cursor ? text.slice(cursor, end - 1) : text.slice(cursor, end);
    cursor = end + 1;
    // The log's last line, or the one before the empty line after a final newline.
    const lastLine = end >= text.length - 1;
    const n = i + 1;
    const line = raw.replace(MPI_TAG, '');
    if (line.startsWith(NCCL_RUN_MARKER)) {
      const instanceType = /\binstanceType=(\S+)/.exec(line)?.[1];
      const maxBytes = /\bmaxBytes=(\d+)/.exec(line)?.[1];
      marker = {
        instanceType: instanceType && instanceType !== '-' ? instanceType : undefined,
        maxBytes: maxBytes ? Number(maxBytes) : undefined,
      };
      continue;
    }
    let m = USING_NETWORK.exec(line) ?? VIA_NET.exec(line);
    if (m) {
      note(networkOf(m[1]), line);
      if (m[2]) gdr = true;
    }
    if ((m = OFI_PROVIDER.exec(line))) {
      provider ??= m[1].replace(/[,;]$/, '');
      note('ofi', line);
    }
    if ((m = NET_IB.exec(line))) {
      linkLayer ??= m[1] as 'IB' | 'RoCE';
      note('ib', line);
    }
    if (NET_SOCKET.test(line)) note('socket', line);
    if ((m = COLLECTIVE.exec(line))) collective = m[1];
    if ((m = VERSION.exec(line))) version = m[1];
    if ((m = HEADER.exec(line))) {
      close();
      const root = m[1] === 'root';
      const t: NcclTable = {
        line: n,
        collective: collective || 'nccl-tests',
        format: `nccl-tests${version ? ` ${version}` : ''} table${root ? '' : ' (before v2.13: max error, no #wrong)'}, out-of-place busbw`,
        points: [],
        facts: { gdr: false, wrong: 0, outOfBounds: 0 },
        incomplete: [],
        warnings: [],
      };
      tables.push(t);
      current = { t, root, footer: false, wrong: 0, outOfBounds: 0 };
      continue;
    }
    if (!current) continue;
    if ((m = OUT_OF_BOUNDS.exec(line))) {
      current.outOfBounds = m[2] === 'FAILED' ? Math.max(1, Number(m[1])) : Number(m[1]);
      continue;
    }
    if ((m = AVG.exec(line))) {
      current.footer = true;
      current.avg = NUM.test(m[1]) ? Number(m[1]) : undefined;
      close();
      continue;
    }
    if (line.startsWith('#') || !/^\s*\d/.test(line)) continue; // the units line, NCCL INFO lines between rows
    const cells = line.trim().split(/\s+/);
    const width = current.root ? 13 : 12;
    if (cells.length !== width || !NUM.test(cells[0])) {
      // A last row cut off mid-line is a truncated log; anything else inside the table is not nccl-tests output.
      if (lastLine) {
        current.t.warnings.push(`line ${n}: an incomplete last row was ignored`);
        continue;
      }
      fail(n, `nccl-tests row "${line.trim().slice(0, 80)}" does not have the ${width} columns of its header`);
    }
    const size = Number(cells[0]);
    const busbw = Number(cells[current.root ? 7 : 6]);
    if (!Number.isSafeInteger(size) || !Number.isFinite(busbw))
      fail(n, `nccl-tests row "${line.trim().slice(0, 80)}" has a number out of range`);
    if (current.root) {
      for (const k of [8, 12]) if (NUM.test(cells[k])) current.wrong += Number(cells[k]);
    }
    const last = current.t.points[current.t.points.length - 1];
    // nccl-tests prints size 0 more than once (one row per datatype/op setup); keep sizes increasing.
    if (size === 0) continue;
    if (last && size <= last.size) fail(n, `nccl-tests message sizes must increase; ${size} follows ${last.size}`);
    current.t.points.push({ size, value: busbw });
  }
  close();
  const facts = (t: NcclTable): NcclFacts => ({
    ...t.facts,
    network,
    provider,
    linkLayer,
    evidence,
    gdr,
    instanceType: marker.instanceType,
    maxBytes: marker.maxBytes,
    // A socket line anywhere means some channel fell back, whatever else the log shows.
    ...(socket ? { network: 'socket' as const, evidence: socket } : {}),
  });
  return tables.map(t => ({ ...t, facts: facts(t) }));
}
