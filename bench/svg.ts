/**
 * A grouped bar chart as hand-written SVG (no dependency, no browser): one group per query,
 * one bar per target. Pure; unit-tested in svg.test.ts.
 */

export interface Bar {
  /** The series (target) this bar belongs to; also the legend entry. */
  series: string;
  /** null: not measured; drawn as a labelled gap (`error` or `n/a`). */
  value: number | null;
  /** Shown instead of a bar when `value` is null. */
  note?: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChart {
  title: string;
  subtitle?: string;
  /** The unit of the values, on the y axis ("requests/s"). */
  unit: string;
  groups: BarGroup[];
  width?: number;
  height?: number;
}

const PALETTE = ['#4f46e5', '#f59e0b', '#10b981', '#9ca3af', '#ef4444', '#0ea5e9'];

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A round axis maximum at or above `max`: 1, 2, 2.5, 3, 4 or 5 times a power of ten. */
export function niceCeiling(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 3, 4, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** 1234.5 → "1,235"; 80 → "80"; 12.34 → "12.3"; 0.5 → "0.5". */
export function formatValue(value: number): string {
  if (Math.abs(value) >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return String(Number(value.toFixed(2)));
}

const f = (n: number) => Number(n.toFixed(1)); // short coordinates

/** Renders `chart` as a standalone SVG document. */
export function renderBarChart(chart: BarChart): string {
  const width = chart.width ?? 800;
  const height = chart.height ?? 420;
  const margin = { top: 78, right: 20, bottom: 56, left: 72 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const series = [...new Set(chart.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const color = (name: string) => PALETTE[series.indexOf(name) % PALETTE.length];
  const values = chart.groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v): v is number => v !== null && Number.isFinite(v));
  const top = niceCeiling(Math.max(0, ...values));
  const y = (v: number) => margin.top + plotH - (Math.max(0, v) / top) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml(chart.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${margin.left}" y="24" font-size="16" font-weight="600" fill="#111827">${escapeXml(chart.title)}</text>`);
  if (chart.subtitle) out.push(`<text x="${margin.left}" y="42" fill="#6b7280">${escapeXml(chart.subtitle)}</text>`);

  // Legend, one entry per series.
  let lx = margin.left;
  for (const name of series) {
    out.push(`<rect class="legend" x="${lx}" y="52" width="12" height="12" fill="${color(name)}"/>`);
    out.push(`<text x="${lx + 16}" y="62" fill="#374151">${escapeXml(name)}</text>`);
    lx += 28 + name.length * 7;
  }

  // Grid and y axis.
  for (let i = 0; i <= 5; i++) {
    const v = (top / 5) * i;
    const gy = f(y(v));
    out.push(`<line x1="${margin.left}" y1="${gy}" x2="${margin.left + plotW}" y2="${gy}" stroke="${i === 0 ? '#9ca3af' : '#e5e7eb'}"/>`);
    out.push(`<text x="${margin.left - 6}" y="${gy + 4}" text-anchor="end" fill="#6b7280">${escapeXml(formatValue(v))}</text>`);
  }
  out.push(
    `<text transform="translate(16 ${f(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle" fill="#374151">${escapeXml(chart.unit)}</text>`,
  );

  // Bars.
  const groupW = chart.groups.length ? plotW / chart.groups.length : plotW;
  chart.groups.forEach((group, gi) => {
    const gx = margin.left + gi * groupW;
    const inner = groupW * 0.8;
    const barW = group.bars.length ? inner / group.bars.length : inner;
    group.bars.forEach((bar, bi) => {
      const x = f(gx + groupW * 0.1 + bi * barW + barW * 0.08);
      const w = f(barW * 0.84);
      const cx = f(x + w / 2);
      if (bar.value === null || !Number.isFinite(bar.value)) {
        const note = bar.note ?? 'n/a';
        out.push(
          `<text class="missing" x="${cx}" y="${f(y(0) - 6)}" text-anchor="middle" fill="#b91c1c" font-size="11">${escapeXml(note)}</text>`,
        );
        return;
      }
      const by = f(y(bar.value));
      const h = f(margin.top + plotH - by);
      out.push(
        `<rect class="bar" x="${x}" y="${by}" width="${w}" height="${h}" fill="${color(bar.series)}"><title>${escapeXml(`${bar.series} · ${group.label}: ${formatValue(bar.value)} ${chart.unit}`)}</title></rect>`,
      );
      out.push(`<text x="${cx}" y="${f(by - 4)}" text-anchor="middle" fill="#111827" font-size="11">${escapeXml(formatValue(bar.value))}</text>`);
    });
    out.push(
      `<text x="${f(gx + groupW / 2)}" y="${margin.top + plotH + 20}" text-anchor="middle" fill="#111827">${escapeXml(group.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
