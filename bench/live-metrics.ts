/**
 * Reading the gateway's and the subgraphs' Prometheus metrics during a run: how many
 * subscriptions are open, how many upstream subscriptions were started — the benchmark's
 * way of knowing that subscriptions are live before it triggers an event.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { metricSum } from './fanout-stats';

/** The service's base URL (without `/graphql`). */
export const baseOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql\/?$/, '');

export async function fetchMetrics(graphqlUrl: string): Promise<string> {
  const res = await fetch(`${baseOf(graphqlUrl)}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`${baseOf(graphqlUrl)}/metrics answered HTTP ${res.status}`);
  return res.text();
}

/** Sum of one metric's samples (null when absent). */
export async function readMetric(graphqlUrl: string, name: string, filter?: string): Promise<number | null> {
  return metricSum(await fetchMetrics(graphqlUrl), name, filter);
}

/**
 * Polls until `done(value)` holds for metric `name`, or throws after `timeoutMs`, saying
 * what it last saw. `check` runs between polls (a socket error, say) and may throw.
 */
export async function waitForMetric(
  graphqlUrl: string,
  name: string,
  done: (value: number) => boolean,
  what: string,
  options: { timeoutMs: number; filter?: string; check?: () => void; intervalMs?: number },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let last: number | null = null;
  for (;;) {
    options.check?.();
    last = await readMetric(graphqlUrl, name, options.filter).catch(() => last);
    if (last !== null && done(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: ${name}${options.filter ? `{${options.filter}}` : ''} is ${last ?? 'absent'} after ${Math.round(options.timeoutMs / 1000)} s`);
    await sleep(options.intervalMs ?? 200);
  }
}
