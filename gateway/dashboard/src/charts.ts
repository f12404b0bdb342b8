import uPlot, { type AlignedData, type Options, type Series } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { State } from './state';

// The history charts, drawn by uPlot into the `[data-chart]` boxes the view renders (lit-html
// leaves their children alone). After each render, syncCharts() creates each chart once its
// box appears, feeds it new data with setData(), and destroys it when the box goes. Every box
// says what its chart got in data attributes (series, points, a few totals), which is what
// the browser test reads: a canvas proves little on its own.

/** One chart's data and series, built from the state; null while there is nothing to draw. */
interface ChartSpec {
  data: AlignedData;
  series: Series[];
  /** Changes only when the chart must be rebuilt (other series), not on new data. */
  shape: string;
  options?: Partial<Options>;
  /** Shown as `data-*` attributes of the box, beside `data-series` and `data-points`. */
  summary: Record<string, string | number>;
}

const PALETTE = ['#1a73e8', '#d93025', '#188038', '#e37400', '#9334e6', '#007b83', '#b06000', '#c5221f', '#5f6368', '#3949ab'];
const color = (i: number) => PALETTE[i % PALETTE.length];
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Each service's points on one time axis (steps line up: health aligns them), gaps as null. */
function perService(s: State, value: (p: NonNullable<State['history']['health']>['services'][number]['points'][number]) => number | null): ChartSpec | null {
  const history = s.history.health;
  if (!history) return null;
  const times = [...new Set(history.services.flatMap((svc) => svc.points.map((p) => seconds(p.at))))].sort((a, b) => a - b);
  const data: AlignedData = [
    times,
    ...history.services.map((svc) => {
      const byTime = new Map(svc.points.map((p) => [seconds(p.at), value(p)]));
      return times.map((t) => byTime.get(t) ?? null);
    }),
  ];
  const series: Series[] = [{}, ...history.services.map((svc, i) => ({ label: svc.service, stroke: color(i), width: 1.5, spanGaps: false }))];
  return {
    data,
    series,
    shape: history.services.map((svc) => svc.service).join(','),
    summary: {
      services: history.services.map((svc) => svc.service).join(','),
      step: history.stepSeconds,
      probes: history.services.reduce((n, svc) => n + svc.points.reduce((m, p) => m + p.probes, 0), 0),
      failures: history.services.reduce((n, svc) => n + svc.points.reduce((m, p) => m + p.failures, 0), 0),
    },
  };
}

const SPECS: Record<string, (s: State) => ChartSpec | null> = {
  latency: (s) => {
    const spec = perService(s, (p) => p.latencyMs);
    return spec && { ...spec, options: { axes: [{}, { label: 'ms', size: 50 }] } };
  },
  availability: (s) => {
    const spec = perService(s, (p) => (p.probes === 0 ? null : (100 * (p.probes - p.failures)) / p.probes));
    return spec && { ...spec, options: { scales: { y: { range: [0, 100] } }, axes: [{}, { label: '% of probes UP', size: 50 }] } };
  },
  traffic: (s) => {
    const report = s.history.traffic;
    if (!report) return null;
    const points = report.points;
    return {
      data: [points.map((p) => seconds(p.at)), points.map((p) => p.rps), points.map((p) => (p.errorRatio === null ? null : 100 * p.errorRatio))],
      series: [{}, { label: 'requests/s', stroke: color(0), width: 1.5, scale: 'rps' }, { label: 'errors %', stroke: color(1), width: 1.5, scale: '%' }],
      shape: 'traffic',
      options: {
        scales: { rps: { range: (_u, _min, max) => [0, Math.max(1, max)] }, '%': { range: [0, 100] } },
        axes: [{}, { scale: 'rps', label: 'requests/s', size: 50 }, { scale: '%', side: 1, label: 'errors %', size: 50, grid: { show: false } }],
      },
      summary: { requests: points.reduce((n, p) => n + p.requests, 0), errors: points.reduce((n, p) => n + p.errors, 0), step: report.stepSeconds },
    };
  },
  bookings: (s) => {
    const hours = s.history.hourly;
    if (!hours) return null;
    const bars = uPlot.paths.bars!({ size: [0.6, 40] });
    return {
      data: [hours.map((h) => seconds(h.hour)), hours.map((h) => h.bookings), hours.map((h) => h.cancellations)],
      series: [
        {},
        { label: 'bookings', stroke: color(0), fill: `${color(0)}99`, paths: bars, points: { show: false } },
        { label: 'cancellations', stroke: color(1), fill: `${color(1)}99`, paths: bars, points: { show: false } },
      ],
      shape: 'bookings',
      options: {
        // Half an hour of room either side, so the first and last bars are drawn whole.
        scales: { x: { time: true, range: (_u, min, max) => [min - 1800, max + 1800] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{}, { label: 'per hour', size: 50 }],
      },
      summary: { bookings: hours.reduce((n, h) => n + h.bookings, 0), cancellations: hours.reduce((n, h) => n + h.cancellations, 0) },
    };
  },
};

interface Drawn {
  box: HTMLElement;
  plot: uPlot;
  shape: string;
}
const drawn = new Map<string, Drawn>();
const HEIGHT = 200;

const widthOf = (box: HTMLElement) => Math.max(280, box.clientWidth);

// One observer for every box: a narrower window redraws the charts to fit.
const resizes = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
  for (const { box, plot } of drawn.values()) if (box.isConnected && widthOf(box) !== plot.width) plot.setSize({ width: widthOf(box), height: HEIGHT });
});

function describe(box: HTMLElement, spec: ChartSpec | null, plot: uPlot | null): void {
  box.dataset.series = String(plot ? plot.series.length - 1 : 0);
  box.dataset.points = String(plot ? plot.data[0].length : 0);
  for (const [key, value] of Object.entries(spec?.summary ?? {})) box.dataset[key] = String(value);
}

/** Brings every chart in line with `s` (called after each render). */
export function syncCharts(root: HTMLElement, s: State): void {
  for (const [key, build] of Object.entries(SPECS)) {
    const box = root.querySelector<HTMLElement>(`[data-chart="${key}"]`);
    let current = drawn.get(key);
    if (current && (current.box !== box || !box)) {
      resizes?.unobserve(current.box);
      current.plot.destroy();
      drawn.delete(key);
      current = undefined;
    }
    if (!box) continue;
    const spec = build(s);
    if (!spec) {
      describe(box, null, null);
      continue;
    }
    if (current && current.shape !== spec.shape) {
      current.plot.destroy();
      drawn.delete(key);
      current = undefined;
    }
    if (current) {
      current.plot.setData(spec.data);
    } else {
      const options: Options = { width: widthOf(box), height: HEIGHT, series: spec.series, legend: { live: false }, cursor: { drag: { x: false, y: false } }, ...spec.options };
      current = { box, plot: new uPlot(options, spec.data, box), shape: spec.shape };
      drawn.set(key, current);
      resizes?.observe(box);
    }
    describe(box, spec, current.plot);
  }
}
