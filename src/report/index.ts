import { readFileSync, readSync, statSync } from 'fs';
import { basename, extname } from 'path';
import { BASELINES } from './baselines';
import { parseLog, ReportInputError, Run } from './parse';
import { buildReport, toJson, toMarkdown } from './report';
import { toSvg } from './svg';

export { BASELINES, BASELINE_NAMES } from './baselines';
export type { Baseline } from './baselines';
export { parseLog, ReportInputError } from './parse';
export type { Run, Point, Metric, Fabric } from './parse';
export { buildReport, toJson, toMarkdown } from './report';
export type { Report, Verdict } from './report';
export { toSvg } from './svg';

export const REPORT_FORMATS = ['md', 'json', 'svg'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `NAME=FILE` names a run; a plain argument is a file, labelled with its base name without extension. */
export function splitRunArgument(arg: string): { label: string; file: string; labelGiven: boolean } {
  const m = /^([^=/\\]+)=(.+)$/.exec(arg);
  if (m) return { label: m[1], file: m[2], labelGiven: true };
  if (arg === '-') return { label: 'stdin', file: '-', labelGiven: false };
  return { label: basename(arg, extname(arg)), file: arg, labelGiven: false };
}

/**
 * Largest log the report reads (a 1,000,000-row OSU log is about 20 MB). Larger files, and anything that is
 * not a regular file (`/dev/zero`, a FIFO), are refused before reading.
 */
export const MAX_LOG_BYTES = 256 * 2 ** 20;

function readLog(file: string): string {
  try {
    // `-` is standard input (`kubectl logs … | cdk8s-rdma report -`), read up to the same limit.
    if (file === '-') return readStdin();
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    if (!st.isFile()) throw new ReportInputError(`${file}: not a regular file (the report reads saved logs, or - for standard input)`);
    if (st.size > MAX_LOG_BYTES)
      throw new ReportInputError(`${file}: ${st.size} bytes is over the report's limit of ${MAX_LOG_BYTES} bytes (256 MiB)`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ReportInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a log'
          : code === 'EACCES'
            ? 'permission denied'
            : (e as Error).message;
    throw new ReportInputError(`${file}: cannot read it (${why})`);
  }
}

function readStdin(): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buffer = Buffer.alloc(1 << 20);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A non-blocking standard input (some terminals) has nothing yet: wait 10 ms rather than spin.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_LOG_BYTES)
      throw new ReportInputError(`-: standard input is over the report's limit of ${MAX_LOG_BYTES} bytes (256 MiB)`);
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses every log, judges the runs and renders the report; throws ReportInputError on unusable input. */
export async function renderReport(
  args: readonly string[],
  baselines: readonly string[],
  format: ReportFormat,
): Promise<{ content: string; warnings: string[] }> {
  const runs: Run[] = [];
  for (const arg of args) {
    const { label, file, labelGiven } = splitRunArgument(arg);
    runs.push(...parseLog(file, label, readLog(file), labelGiven));
  }
  // Two runs must not share a label: the tables and the legend key on it.
  const seen = new Map<string, number>();
  const named = runs.map(r => {
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    return n === 1 ? r : { ...r, name: `${r.name} (${n})` };
  });
  const report = buildReport(named, baselines);
  const content = format === 'md' ? toMarkdown(report) : format === 'json' ? toJson(report) : await toSvg(report);
  return { content, warnings: named.flatMap(r => r.warnings.map(w => `${r.name}: ${w}`)) };
}

/** `--help` text listing the built-in baselines. */
export function baselineHelp(): string {
  return ['', 'Built-in baselines:', ...BASELINES.map(b => `  ${b.name.padEnd(24)} ${b.title}`)].join('\n');
}
