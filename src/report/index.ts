import { readFileSync } from 'fs';
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
  return { label: basename(arg, extname(arg)), file: arg, labelGiven: false };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a log' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ReportInputError(`${file}: cannot read it (${why})`);
  }
}

/** Parses every log, judges the runs and renders the report; throws ReportInputError on unusable input. */
export async function renderReport(args: readonly string[], baselines: readonly string[], format: ReportFormat): Promise<{ content: string; warnings: string[] }> {
  const runs: Run[] = [];
  for (const arg of args) {
    const { label, file, labelGiven } = splitRunArgument(arg);
    runs.push(...parseLog(file, label, readLog(file), labelGiven));
  }
  // Two runs must not share a label: the tables and the legend key on it.
  const seen = new Map<string, number>();
  const named = runs.map((r) => {
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    return n === 1 ? r : { ...r, name: `${r.name} (${n})` };
  });
  const report = buildReport(named, baselines);
  const content = format === 'md' ? toMarkdown(report) : format === 'json' ? toJson(report) : await toSvg(report);
  return { content, warnings: named.flatMap((r) => r.warnings.map((w) => `${r.name}: ${w}`)) };
}

/** `--help` text listing the built-in baselines. */
export function baselineHelp(): string {
  return ['', 'Built-in baselines:', ...BASELINES.map((b) => `  ${b.name.padEnd(24)} ${b.title}`)].join('\n');
}
