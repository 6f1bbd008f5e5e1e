import type { Spec } from 'vega';
import { baselinePoints } from './baselines';
import { Metric } from './parse';
import { METRICS, METRIC_TITLES, Report } from './report';

/** One plotted point; `series` is the legend entry, `baseline` draws it dashed. */
interface Row {
  series: string;
  size: number;
  value: number;
  baseline: boolean;
}

/** Smallest and largest of many numbers (no spread: `Math.min(...a)` overflows the stack for long arrays). */
const minOf = (a: readonly number[]): number => a.reduce((m, x) => (x < m ? x : m), Infinity);
const maxOf = (a: readonly number[]): number => a.reduce((m, x) => (x > m ? x : m), -Infinity);

const WIDTH = 560;
const HEIGHT = 300;

function rowsOf(report: Report, metric: Metric): Row[] {
  // Size 0 (OSU before 7.1) has no place on a log axis; the tables keep it.
  const runs = report.runs
    .filter(r => r.metric === metric)
    .flatMap(r => r.points.filter(p => p.size > 0).map(p => ({ series: r.name, size: p.size, value: p.value, baseline: false })));
  // A pass threshold is one figure: drawn as a level line across the sizes of the runs.
  const sizes = runs.map(r => r.size);
  const baselines = report.baselines
    .filter(b => b.metric === metric)
    .flatMap(b => {
      const points =
        b.threshold && sizes.length > 0
          ? [
              { size: minOf(sizes), value: b.points[0].value },
              { size: maxOf(sizes), value: b.points[0].value },
            ]
          : baselinePoints(b);
      return points.map(p => ({
        series: `${b.name} (${b.threshold ? 'pass threshold' : 'baseline'})`,
        size: p.size,
        value: p.value,
        baseline: true,
      }));
    });
  return [...runs, ...baselines];
}

/** Powers of two across the sizes plotted, thinned to at most 12 ticks. */
function sizeTicks(rows: readonly Row[]): number[] {
  const sizes = rows.map(r => r.size);
  const lo = Math.floor(Math.log2(minOf(sizes)));
  const hi = Math.ceil(Math.log2(maxOf(sizes)));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / 12));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += step) ticks.push(2 ** e);
  return ticks;
}

/** Tick label: bytes in B, KiB or MiB (Vega expression). */
const SIZE_LABEL =
  "datum.value >= 1048576 ? format(datum.value / 1048576, '~g') + ' MiB' : datum.value >= 1024 ? format(datum.value / 1024, '~g') + ' KiB' : format(datum.value, '~g') + ' B'";

/** A Vega group: one plot of a metric (its data set has the metric's name), log-2 message size across, log (latency) or linear (bandwidth) up. */
function plot(metric: Metric, rows: readonly Row[], y: number): Record<string, unknown> {
  const data = metric;
  return {
    type: 'group',
    name: `${metric}-plot`,
    encode: { enter: { x: { value: 0 }, y: { value: y }, width: { value: WIDTH }, height: { value: HEIGHT } } },
    title: {
      text:
        metric === 'latency'
          ? 'Latency vs message size'
          : metric === 'busbw'
            ? 'NCCL bus bandwidth vs message size'
            : 'Bandwidth vs message size',
      anchor: 'start',
    },
    scales: [
      { name: 'x', type: 'log', base: 2, domain: { data, field: 'size' }, range: [0, WIDTH], nice: false },
      {
        name: 'y',
        type: metric === 'latency' ? 'log' : 'linear',
        domain: { data, field: 'value' },
        range: [HEIGHT, 0],
        nice: true,
        zero: metric !== 'latency',
      },
      { name: 'color', type: 'ordinal', domain: { data, field: 'series' }, range: 'category' },
      {
        name: 'dash',
        type: 'ordinal',
        domain: [false, true],
        range: [
          [1, 0],
          [6, 4],
        ],
      },
    ],
    axes: [
      {
        orient: 'bottom',
        scale: 'x',
        title: 'Message size',
        grid: true,
        gridScale: 'y',
        labelOverlap: true,
        values: sizeTicks(rows),
        encode: { labels: { update: { text: { signal: SIZE_LABEL } } } },
      },
      { orient: 'left', scale: 'y', title: METRIC_TITLES[metric], grid: true, gridScale: 'x', labelOverlap: true },
    ],
    legends: [{ stroke: 'color', strokeDash: 'dash', title: 'Run / baseline', orient: 'right', symbolType: 'stroke', labelLimit: 320 }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: `${data}-series`, data, groupby: ['series', 'baseline'] } },
        marks: [
          {
            type: 'line',
            name: `${metric}-line`,
            from: { data: `${data}-series` },
            sort: { field: 'datum.size' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'size' },
                y: { scale: 'y', field: 'value' },
                stroke: { scale: 'color', field: 'series' },
                strokeDash: { scale: 'dash', field: 'baseline' },
                strokeWidth: { value: 2 },
                description: { signal: `'${metric} ' + datum.series` },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: `${data}-series` },
            encode: {
              enter: {
                x: { scale: 'x', field: 'size' },
                y: { scale: 'y', field: 'value' },
                fill: { scale: 'color', field: 'series' },
                size: { value: 18 },
              },
            },
          },
        ],
      },
    ],
  };
}

/**
 * The report's plot as SVG, rendered by Vega (headless, no canvas): one plot per metric the report holds,
 * stacked, each with a line per run and per baseline (dashed).
 */
export async function toSvg(report: Report): Promise<string> {
  const rows = METRICS.map(m => [m, rowsOf(report, m)] as const).filter(([, r]) => r.length > 0);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega/v5.json',
    description: 'cdk8s-rdma benchmark report',
    padding: 10,
    autosize: 'pad',
    background: 'white',
    data: rows.map(([m, values]) => ({ name: m, values })),
    marks: rows.map(([m, values], i) => plot(m, values, i * (HEIGHT + 90))),
  };
  // Loaded here, not at the top: Vega is only needed for SVG and costs startup time for every other command.
  const vega = await import('vega');
  const view = new vega.View(vega.parse(spec as unknown as Spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}
