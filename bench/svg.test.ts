import { escapeXml, formatValue, niceCeiling, renderBarChart, type BarChart } from './svg';

const chart: BarChart = {
  title: 'Gateways <& friends>',
  subtitle: 'median req/s',
  unit: 'requests/s',
  groups: [
    { label: 'single', bars: [{ series: 'A', value: 400 }, { series: 'B', value: 200 }] },
    { label: 'nested', bars: [{ series: 'A', value: 100 }, { series: 'B', value: null, note: 'error' }] },
  ],
};

const bars = (svg: string) =>
  [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({ y: Number(m[2]), height: Number(m[4]) }));

describe('renderBarChart', () => {
  const svg = renderBarChart(chart);

  it('is one SVG document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Gateways &lt;&amp; friends&gt;');
    expect(svg).not.toContain('<& friends>');
  });
  it('draws one bar per measured value, heights proportional to the values', () => {
    const drawn = bars(svg);
    expect(drawn).toHaveLength(3);
    expect(drawn[0].height / drawn[1].height).toBeCloseTo(2, 1);
    expect(drawn[0].height / drawn[2].height).toBeCloseTo(4, 1);
    const baseline = drawn[0].y + drawn[0].height;
    for (const bar of drawn) expect(bar.y + bar.height).toBeCloseTo(baseline, 0);
  });
  it('labels a missing value instead of drawing it, and has a legend entry per series', () => {
    expect(svg).toMatch(/<text class="missing"[^>]*>error<\/text>/);
    expect(svg.match(/class="legend"/g)).toHaveLength(2);
    expect(svg).toContain('>single<');
    expect(svg).toContain('>nested<');
  });
  it('copes with no values at all', () => {
    const empty = renderBarChart({ title: 't', unit: 'u', groups: [{ label: 'q', bars: [{ series: 'A', value: null }] }] });
    expect(empty).toContain('n/a');
    expect(empty).not.toContain('NaN');
  });
});

describe('chart helpers', () => {
  it('rounds the axis up to 1, 2, 2.5, 3, 4 or 5 × 10ⁿ', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(87)).toBe(100);
    expect(niceCeiling(1234)).toBe(2000);
    expect(niceCeiling(2100)).toBe(2500);
    expect(niceCeiling(262)).toBe(300);
    expect(niceCeiling(3500)).toBe(4000);
    expect(niceCeiling(4999)).toBe(5000);
    expect(niceCeiling(5001)).toBe(10000);
  });
  it('formats values for labels', () => {
    expect(formatValue(1234.5)).toBe('1,235');
    expect(formatValue(12.345)).toBe('12.3');
    expect(formatValue(80)).toBe('80');
    expect(formatValue(0.5)).toBe('0.5');
  });
  it('escapes the five XML characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
