import { useEffect, useId, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSeries } from '../../lib/insights.js';

/**
 * One chart drawn by uPlot on a canvas. The canvas is hidden from assistive
 * technology: every chart sits in a ChartFigure whose caption sums it up and
 * whose table holds the same numbers.
 */

export type ChartKind = 'weeks' | 'groups' | 'changes';

const HEIGHT = 240;

/** The stylesheet's colours, read once the page has them: a canvas cannot use CSS variables. */
function colour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function palette() {
  return {
    first: colour('--accent', '#4f46e5'),
    second: colour('--s-pending', '#b45309'),
    text: colour('--text-2', '#5c5f6b'),
    grid: colour('--border', '#e3e3e8'),
  };
}

/** What the legend calls the x value under the cursor. */
const X_SERIES: Record<ChartKind, (labels: readonly string[]) => uPlot.Series> = {
  weeks: () => ({ label: 'Week of', value: '{D} {MMM} {YYYY}' }),
  groups: (labels) => ({ label: 'Group', value: (_, i) => labels[i] ?? '' }),
  changes: () => ({ label: 'Submitted', value: '{D} {MMM} {HH}:{mm}' }),
};

function buildOptions(
  kind: ChartKind,
  chart: ChartSeries & { readonly labels?: readonly string[] },
  width: number,
): uPlot.Options {
  const colours = palette();
  const unit = chart.unit.name;
  const axis: uPlot.Axis = {
    stroke: colours.text,
    grid: { stroke: colours.grid, width: 1 },
    ticks: { stroke: colours.grid, width: 1 },
  };
  const strokes = [colours.first, colours.second];
  const series: uPlot.Series[] = chart.series.map((s, i) => {
    const stroke = strokes[i % strokes.length]!;
    const value = (_: uPlot, v: number | null) => (v === null ? '—' : `${v} ${unit}`);
    if (kind === 'groups')
      return {
        label: s.label,
        stroke,
        fill: stroke,
        width: 0,
        value,
        // p50 to the left of the group's tick, p90 to the right.
        paths: uPlot.paths.bars!({ size: [0.35, 48], align: i === 0 ? -1 : 1 }),
        points: { show: false },
      };
    if (kind === 'changes')
      return {
        label: s.label,
        stroke,
        value,
        paths: () => null,
        points: { show: true, size: 7, fill: stroke, stroke },
      };
    return { label: s.label, stroke, width: 2, value, spanGaps: false, points: { size: 6 } };
  });
  const labels = chart.labels ?? [];
  const x: uPlot.Axis =
    kind === 'groups'
      ? {
          ...axis,
          splits: () => chart.x,
          values: (_, splits) => splits.map((i) => labels[i] ?? ''),
        }
      : axis;
  return {
    width,
    height: HEIGHT,
    // The API counts weeks in UTC: the axis says the same days.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
    scales: {
      x:
        kind === 'groups'
          ? { time: false, range: [-0.5, Math.max(chart.x.length - 0.5, 0.5)] }
          : { time: true },
      y: { range: (_, __, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [x, { ...axis, label: unit, size: 56 }],
    series: [X_SERIES[kind](labels), ...series],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
}

function Chart({
  kind,
  chart,
}: {
  kind: ChartKind;
  chart: ChartSeries & { readonly labels?: readonly string[] };
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const data = [chart.x, ...chart.series.map((s) => s.values)] as uPlot.AlignedData;
    let width = element.clientWidth;
    const plot = new uPlot(buildOptions(kind, chart, width), data, element);
    const observer = new ResizeObserver(() => {
      if (element.clientWidth === width) return;
      width = element.clientWidth;
      plot.setSize({ width, height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [kind, chart]);
  return <div ref={ref} className="chart-canvas" aria-hidden="true" data-chart={kind} />;
}

/**
 * A chart with its text equivalents: a title and a sentence that says what it
 * shows, and a table of the same numbers in a disclosure.
 */
export function ChartFigure({
  kind,
  chart,
  title,
  summary,
  table,
}: {
  kind: ChartKind;
  chart: (ChartSeries & { readonly labels?: readonly string[] }) | null;
  title: string;
  summary: ReactNode;
  table: ReactNode;
}) {
  const id = useId();
  return (
    <figure className="chart panel" aria-labelledby={`${id}-title`} data-figure-chart={kind}>
      <figcaption>
        <h3 className="chart-title" id={`${id}-title`}>
          {title}
        </h3>
        <p className="chart-summary">{summary}</p>
      </figcaption>
      {chart && chart.x.length > 0 ? <Chart kind={kind} chart={chart} /> : null}
      <details className="chart-data">
        <summary>The numbers as a table</summary>
        {table}
      </details>
    </figure>
  );
}
