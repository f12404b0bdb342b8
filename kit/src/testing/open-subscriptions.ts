import type { Metrics } from '../metrics';
import { waitFor } from './events';

/** Subscriptions a subgraph has open right now (its `atrium_subscriptions_open` gauge). */
export async function openSubscriptions(metrics: Metrics): Promise<number> {
  const gauge = metrics.registry.getSingleMetric('atrium_subscriptions_open');
  if (!gauge) throw new Error(`${metrics.service} has no atrium_subscriptions_open metric`);
  return (await gauge.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/**
 * Waits until a subgraph has exactly `count` subscriptions open. A subscription counts once
 * its pub/sub subscription is confirmed by Redis, so after this an event cannot be missed —
 * what a test needs before making the change it expects to hear about.
 */
export function waitForOpenSubscriptions(metrics: Metrics, count: number): Promise<true> {
  return waitFor(async () => (await openSubscriptions(metrics)) === count, { what: `${count} open subscription(s) on ${metrics.service}` });
}
