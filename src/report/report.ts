import { Baseline, baselineNamed, baselinePoints, BASELINE_NAMES, defaultBaseline, ncclBaseline } from './baselines';
import type { NcclFacts } from './nccl';
import { Metric, Point, ReportInputError, Run } from './parse';
import { escapeControl } from '../errors';

/** `fail`: the benchmark itself says the run is wrong (nccl-tests `#wrong`). */
export type VerdictLevel = 'ok' | 'suspect' | 'fail' | 'info';

export interface Verdict {
  readonly run: string;
  readonly level: VerdictLevel;
  readonly text: string;
}

export interface Report {
  readonly runs: readonly Run[];
  /** Baselines named by the user, then the default ones the runs were judged against, in first-use order. */
  readonly baselines: readonly Baseline[];
  readonly verdicts: readonly Verdict[];
}

/**
 * Tolerance over a curve baseline's small-message latency before a run counts as off the fast path: the
 * aws-parallelcluster EFA test accepts +10 µs for two-digit values (aws/aws-parallelcluster tests/integration-tests/tests/efa/test_efa/test_efa/osu_benchmarks/results).
 */
export const LATENCY_TOLERANCE_US = 10;
/**
 * Below this an EFA "two-node" latency is shared memory: EFA has no intra-host path (ai-dynamo/dynamo PR #9521), and
 * the aws-parallelcluster result showing 0.49 µs was both ranks on one node (aws/aws-parallelcluster tests/integration-tests/tests/efa/test_efa/test_efa/osu_benchmarks/results).
 * 2 µs is our line between the two (no EFA result in the notes is below 10 µs).
 */
export const SHARED_MEMORY_US = 2;
/** A run within this fraction of a TCP run's figure is no faster than TCP (our heuristic). */
const SAME_AS_TCP = 0.9;

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(2));
const unitOf = (metric: Metric): string => (metric === 'latency' ? 'µs' : metric === 'busbw' ? 'GB/s' : 'Gb/s');

/** The figure a run is judged by: small-message latency (smallest size above 0) or peak bandwidth. */
export function keyPoint(metric: Metric, points: readonly Point[]): Point | undefined {
  const positive = points.filter(p => p.size > 0);
  if (metric === 'latency') return positive[0];
  return positive.reduce<Point | undefined>((best, p) => (!best || p.value > best.value ? p : best), undefined);
}

/**
 * A baseline's figure comparable with a run's key point: a threshold's one figure, else (latency curves) the
 * same size, or the small-message figure for ≤ 64 B.
 */
function baselineFigure(b: Baseline, at: Point): number | undefined {
  if (b.threshold) return b.points[0].value;
  const points = baselinePoints(b);
  const same = points.find(p => p.size === at.size);
  if (same) return same.value;
  return at.size <= 64 ? keyPoint('latency', points)?.value : undefined;
}

/**
 * The verdict, with two rules over it: an incomplete run is suspect whatever its figures, and no run earns a
 * pass unless its fabric is stated by the log or by the user's label (a word in a file name proves nothing).
 */
function judge(run: Run, reference: Baseline | undefined, others: readonly Run[]): Verdict {
  const v = run.nccl ? judgeNccl(run, run.nccl, reference) : judgeFigures(run, reference, others);
  if (v.level === 'fail') return v;
  if (run.incomplete.length > 0) {
    return { run: run.name, level: 'suspect', text: `incomplete: ${run.incomplete.join('; ')}; ${v.text}` };
  }
  if (v.level === 'ok' && run.fabricSource !== 'log' && run.fabricSource !== 'label') {
    const from = run.fabricSource === 'name' ? `${run.fabric} only by its name` : 'not known';
    return {
      run: run.name,
      level: 'info',
      text: `${v.text}; no pass verdict: the fabric is ${from}, not stated by the log (fi_pingpong -v prints prov_name:; or label the run ${run.fabric === 'unknown' ? 'efa' : run.fabric}=FILE)`,
    };
  }
  return v;
}

/**
 * An nccl-tests run: wrong results fail it; a socket network (or an aws-ofi-nccl provider other than efa) is a
 * fallback; without NCCL_DEBUG=INFO lines naming the network nothing proves the fast path, so no pass; else
 * its peak busbw against the instance's baseline, if there is one.
 */
function judgeNccl(run: Run, f: NcclFacts, reference: Baseline | undefined): Verdict {
  const key = keyPoint('busbw', run.points);
  const what = key
    ? `peak busbw ${fmt(key.value)} GB/s at ${key.size} B${f.avgBusbw !== undefined ? ` (avg ${f.avgBusbw} GB/s)` : ''}`
    : 'no size above 0 measured';
  if (f.wrong > 0 || f.outOfBounds > 0) {
    return {
      run: run.name,
      level: 'fail',
      text: `nccl-tests found ${f.wrong > 0 ? `${f.wrong} wrong elements (#wrong)` : `${f.outOfBounds} out-of-bounds values`}: the collective gave wrong results; ${what}`,
    };
  }
  if (f.network === 'socket') {
    return { run: run.name, level: 'suspect', text: `NCCL fell back to sockets (${f.evidence}): not EFA or InfiniBand; ${what}` };
  }
  if (f.network === 'ofi' && f.provider !== undefined && f.provider !== 'efa') {
    return {
      run: run.name,
      level: 'suspect',
      text: `aws-ofi-nccl fell back to libfabric's ${f.provider} provider (${f.evidence}): not EFA; ${what}`,
    };
  }
  if (!f.network) {
    return {
      run: run.name,
      level: 'info',
      text: `${what}; no pass verdict: no NCCL_DEBUG=INFO line names the network NCCL used (run with NCCL_DEBUG=INFO; NET/OFI or NET/IB proves the fast path)`,
    };
  }
  if (run.fabric === 'unknown') {
    return {
      run: run.name,
      level: 'info',
      text: `${what}; NCCL used ${f.evidence}, but no line names the EFA provider or the IB link layer: no pass verdict`,
    };
  }
  const path = `${run.fabric === 'efa' ? 'aws-ofi-nccl over EFA' : run.fabric === 'roce' ? 'verbs over RoCE' : 'verbs over InfiniBand'}${f.gdr ? ' with GPUDirect RDMA' : ''}`;
  if (!key) return { run: run.name, level: 'info', text: `${path}; ${what}` };
  const figure = reference?.threshold ? reference.points[0].value : undefined;
  if (!reference || figure === undefined) {
    return {
      run: run.name,
      level: 'ok',
      text: `fast path: ${path}; ${what}; no built-in baseline${f.instanceType ? ` for ${f.instanceType}` : ''} (pass --baseline)`,
    };
  }
  return key.value >= figure
    ? { run: run.name, level: 'ok', text: `fast path: ${path}; ${what} meets ${reference.name} (${fmt(figure)} GB/s)` }
    : {
        run: run.name,
        level: 'suspect',
        text: `${path}, but ${what} misses ${reference.name} (${fmt(figure)} GB/s): fewer EFA/IB devices or GPUs than the instance has, no GPUDirect RDMA, or another job on the nodes`,
      };
}

function judgeFigures(run: Run, reference: Baseline | undefined, others: readonly Run[]): Verdict {
  const key = keyPoint(run.metric, run.points);
  const unit = unitOf(run.metric);
  if (!key) return { run: run.name, level: 'info', text: 'only size 0 was measured: nothing to judge' };
  const what =
    run.metric === 'latency'
      ? `small-message latency ${fmt(key.value)} µs at ${key.size} B`
      : `peak bandwidth ${fmt(key.value)} Gb/s at ${key.size} B`;
  const better = (a: number, b: number) => (run.metric === 'latency' ? a < b : a > b);
  /** Better than a TCP figure by more than the SAME_AS_TCP margin. */
  const clearlyBetter = (a: number, tcp: number) => better(run.metric === 'latency' ? a / SAME_AS_TCP : a * SAME_AS_TCP, tcp);
  const ratio = (a: number, b: number) => (run.metric === 'latency' ? b / a : a / b);

  if (run.fabric === 'tcp') {
    const fast = others
      .filter(o => o.fabric !== 'tcp' && o.metric === run.metric)
      .map(o => [o, keyPoint(o.metric, o.points)] as const)
      .filter(([, p]) => p && better(p.value, key.value))
      .map(([o, p]) => `${o.name} is ${ratio(p!.value, key.value).toFixed(1)}× better (${fmt(p!.value)} ${unit})`);
    return { run: run.name, level: 'info', text: `TCP reference: ${what}${fast.length ? `; ${fast.join('; ')}` : ''}` };
  }
  if (run.fabric === 'shm') {
    return {
      run: run.name,
      level: 'info',
      text: `shared memory on one host (the log names the provider): ${what}; not a test of any network fabric`,
    };
  }
  if ((run.fabric === 'efa' || run.fabric === 'unknown') && run.metric === 'latency' && key.value < SHARED_MEMORY_US) {
    return {
      run: run.name,
      level: 'suspect',
      text: `${what} is faster than EFA between two nodes: both ranks probably ran on one node over shared memory (EFA has no intra-host path)`,
    };
  }
  const tcp = others
    .filter(o => o.fabric === 'tcp' && o.metric === run.metric)
    .map(o => [o, keyPoint(o.metric, o.points)] as const)
    .find(([, p]) => p);
  const label = {
    efa: 'an EFA run',
    ib: 'an InfiniBand run',
    roce: 'a RoCE run',
    tcp: 'a TCP run',
    shm: 'a shared-memory run',
    unknown: 'a run',
  }[run.fabric];
  if (tcp && !clearlyBetter(key.value, tcp[1]!.value)) {
    return {
      run: run.name,
      level: 'suspect',
      text: `${what} on ${label} is no better than TCP run ${tcp[0].name} (${fmt(tcp[1]!.value)} ${unit}): looks like TCP fallback`,
    };
  }
  const vsTcp = tcp ? `; ${ratio(key.value, tcp[1]!.value).toFixed(1)}× better than TCP run ${tcp[0].name}` : '';
  const figure = reference ? baselineFigure(reference, key) : undefined;
  if (!reference || figure === undefined) {
    const hint =
      run.fabric === 'unknown'
        ? ': the fabric is unknown (name the run efa=FILE, ib=FILE or tcp=FILE) and no baseline was given'
        : !reference
          ? `: no built-in ${run.fabric} ${run.metric} baseline; compare with a TCP run or pass --baseline`
          : `: no baseline figure at ${key.size} B`;
    return { run: run.name, level: 'info', text: `${what}${vsTcp}${tcp ? '' : hint}` };
  }
  const against = `${reference.name} (${fmt(figure)} ${unit})`;
  if (reference.fabric === 'tcp') {
    return clearlyBetter(key.value, figure)
      ? { run: run.name, level: 'ok', text: `${what}: ${ratio(key.value, figure).toFixed(1)}× better than TCP baseline ${against}${vsTcp}` }
      : { run: run.name, level: 'suspect', text: `${what} on ${label} is no better than TCP baseline ${against}: looks like TCP fallback` };
  }
  if (reference.threshold) {
    const passes = run.metric === 'latency' ? key.value <= figure : key.value >= figure;
    return passes
      ? { run: run.name, level: 'ok', text: `${what} meets the pass threshold of ${against}${vsTcp}` }
      : {
          run: run.name,
          level: 'suspect',
          text: `${what} on ${label} misses the pass threshold of ${against}: on that fabric, check the run used RDMA rather than IPoIB or TCP${vsTcp}`,
        };
  }
  // A latency curve (bandwidth baselines are all thresholds: see BASELINES).
  return key.value > figure + LATENCY_TOLERANCE_US
    ? {
        run: run.name,
        level: 'suspect',
        text: `${what} on ${label}: looks like TCP fallback (more than ${LATENCY_TOLERANCE_US} µs above ${against})${vsTcp}`,
      }
    : { run: run.name, level: 'ok', text: `${what}, within ${LATENCY_TOLERANCE_US} µs of ${against}${vsTcp}` };
}

/** Judge runs against the named baselines (the first of each run's metric), else each run's default baseline. */
export function buildReport(runs: readonly Run[], baselineNames: readonly string[] = []): Report {
  const named = baselineNames.map(name => {
    const b = baselineNamed(name);
    if (!b) throw new ReportInputError(`report: --baseline "${name}" is not a built-in baseline; allowed: ${BASELINE_NAMES.join(', ')}`);
    return b;
  });
  const used: Baseline[] = [...named];
  const verdicts = runs.map(run => {
    const reference =
      named.find(b => b.metric === run.metric) ??
      (run.nccl ? ncclBaseline(run.nccl.instanceType, run.fabric) : defaultBaseline(run.metric, run.fabric, run.benchmark));
    if (reference && !used.includes(reference)) used.push(reference);
    return judge(
      run,
      reference,
      runs.filter(o => o !== run),
    );
  });
  return { runs, baselines: used, verdicts };
}

/** Series of one metric: the runs', then the baselines', each sorted by size. */
function seriesOf(report: Report, metric: Metric): { name: string; points: readonly Point[] }[] {
  const bySize = (points: readonly Point[]) =>
    points.every((p, i) => i === 0 || points[i - 1].size < p.size) ? points : [...points].sort((x, y) => x.size - y.size);
  return [
    ...report.runs.filter(r => r.metric === metric).map(r => ({ name: r.name, points: bySize(r.points) })),
    ...report.baselines.filter(b => b.metric === metric).map(b => ({ name: `${b.name} (baseline)`, points: bySize(baselinePoints(b)) })),
  ];
}

/**
 * Calls `row` for every size any series measured, in increasing order, with each series' value there.
 * Linear in the points: the series are sorted, so one cursor per series walks along the sizes.
 */
function eachRow(series: readonly { points: readonly Point[] }[], row: (size: number, values: (number | undefined)[]) => void): void {
  let total = 0;
  for (const s of series) total += s.points.length;
  // A typed array sorts numerically, and fast: a 1,000,000-row log has as many sizes.
  const all = new Float64Array(total);
  let k = 0;
  for (const s of series) for (const p of s.points) all[k++] = p.size;
  all.sort();
  const cursor = series.map(() => 0);
  for (let i = 0; i < all.length; i++) {
    const size = all[i];
    if (i > 0 && all[i - 1] === size) continue;
    row(
      size,
      series.map((s, j) => {
        const p = s.points[cursor[j]];
        if (p === undefined || p.size !== size) return undefined;
        cursor[j]++;
        return p.value;
      }),
    );
  }
}

export const METRIC_TITLES: Record<Metric, string> = {
  latency: 'Latency (µs, one-way)',
  bandwidth: 'Bandwidth (Gb/s)',
  busbw: 'NCCL bus bandwidth (GB/s, out-of-place)',
};
export const METRICS: readonly Metric[] = ['latency', 'bandwidth', 'busbw'];

/** A table cell: pipes escaped, control characters (a newline in a run name) shown as \uXXXX. */
function mdCell(text: string): string {
  return escapeControl(text.replace(/\|/g, '\\|'));
}

export function toMarkdown(report: Report): string {
  const out: string[] = ['# Benchmark report', '', '| Run | File | Benchmark | Fabric | Format | Verdict |', '|---|---|---|---|---|---|'];
  report.runs.forEach((run, i) => {
    const v = report.verdicts[i];
    const mark = v.level === 'ok' ? 'OK' : v.level === 'suspect' ? '**SUSPECT**' : v.level === 'fail' ? '**FAIL**' : 'info';
    out.push(
      `| ${mdCell(run.name)} | ${mdCell(run.file)} | ${run.benchmark} | ${run.fabric} | ${mdCell(run.format)} | ${mark}: ${mdCell(v.text)} |`,
    );
  });
  for (const metric of METRICS) {
    const series = seriesOf(report, metric);
    if (series.length === 0) continue;
    const columns = series.map(s => mdCell(s.name));
    out.push(
      '',
      `## ${METRIC_TITLES[metric]}`,
      '',
      `| Size (B) | ${columns.join(' | ')} |`,
      `|---:|${columns.map(() => '---:').join('|')}|`,
    );
    // Rows joined in batches: a million one-line strings held at once cost more than the text they make.
    let batch: string[] = [];
    eachRow(series, (size, values) => {
      batch.push(`| ${size} | ${values.map(v => (v === undefined ? '' : fmt(v))).join(' | ')} |`);
      if (batch.length === 4096) {
        out.push(batch.join('\n'));
        batch = [];
      }
    });
    if (batch.length > 0) out.push(batch.join('\n'));
  }
  const warnings = report.runs.flatMap(r => r.warnings.map(w => `- ${mdCell(r.name)}: ${w}`));
  if (warnings.length > 0) out.push('', '## Warnings', '', ...warnings);
  if (report.baselines.length > 0) {
    out.push('', '## Baselines', '');
    for (const b of report.baselines) {
      const range = b.smallRange
        ? ` Sizes up to ${b.smallRange.maxSize} B: ${b.smallRange.low}-${b.smallRange.high} µs (plotted at the upper bound).`
        : '';
      out.push(`- \`${b.name}\`: ${b.title}.${b.threshold ? ' A pass threshold.' : ''}${range} Source: ${b.source}.`);
    }
  }
  // One flat string (a template literal around the join would make a second copy when written).
  out.push('');
  return out.join('\n');
}

export function toJson(report: Report): string {
  return `${JSON.stringify(
    {
      runs: report.runs.map((r, i) => ({ ...r, verdict: { level: report.verdicts[i].level, text: report.verdicts[i].text } })),
      baselines: report.baselines.map(b => ({ ...b, plotted: baselinePoints(b) })),
      units: { size: 'bytes', latency: 'µs', bandwidth: 'Gb/s', busbw: 'GB/s' },
    },
    null,
    2,
  )}\n`;
}
