/**
 * Metric names on both sides of monitoring: the names a PromQL expression reads, and the
 * names a service's `/metrics` page exports. Tests compare the two so that an alert or a
 * dashboard panel never watches a metric nobody exports (it would stay silent for ever).
 */

/** Series Prometheus makes itself: per target (`up`, `scrape_*`) and for alerts (`ALERTS*`). */
export const PROMETHEUS_SERIES: readonly string[] = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
];

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

/**
 * The metric names an expression selects. Label matchers, ranges, grouping labels,
 * strings, numbers, durations, function and aggregation names and Grafana variables
 * (`$service`, `$__rate_interval`) are not metric names; Grafana's `label_values(metric,
 * label)` names its metric.
 */
export function metricNamesIn(expression: string): string[] {
  const labelValues = /^\s*label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(expression);
  if (labelValues) return [labelValues[1]];
  if (/^\s*label_values\(/.test(expression)) return [];
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/#[^\n]*/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  const token = /\d[\w.]*|\$\{?\w+\}?|([a-zA-Z_:][\w:]*)(\s*\()?/g;
  for (let match = token.exec(bare); match; match = token.exec(bare)) {
    const [, name, call] = match;
    if (name && !call && !KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/**
 * Every sample name a Prometheus text exposition (a `/metrics` page) declares, from its
 * `# TYPE` lines, so that a labelled metric counts before its first sample: a histogram
 * as `_bucket`, `_sum` and `_count`, a summary as itself, `_sum` and `_count`.
 */
export function exportedMetricNames(exposition: string): string[] {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE ([a-zA-Z_:][\w:]*) (\w+)$/gm)) {
    const [, name, type] = match;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return [...names];
}
