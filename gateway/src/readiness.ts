import type { CircuitState } from './circuit-breaker';

export interface ReadinessReport {
  ready: boolean;
  subgraphs: Record<string, 'up' | 'down'>;
  /** Each subgraph's circuit breaker (informative: an open circuit is already a subgraph that failed). */
  circuits?: Record<string, CircuitState>;
  /** Redis, when the gateway uses it (rate limits). */
  redis?: 'up' | 'down';
}

export interface ReadinessChecks {
  circuits?: () => Record<string, CircuitState>;
  redis?: () => Promise<'up' | 'down'>;
}

/**
 * Readiness of the gateway: the supergraph is loaded (it is, once this exists), every
 * subgraph answers a `{ __typename }` query — which any federation subgraph does, Atrium's
 * or not — and Redis answers when the gateway uses it. Probe results are cached briefly so
 * probes cannot turn into a load on subgraphs; circuit states are always current.
 */
export function createReadiness(urls: ReadonlyMap<string, string>, checks: ReadinessChecks = {}, ttlMs = 2_000): () => Promise<ReadinessReport> {
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  const probe = async (url: string): Promise<'up' | 'down'> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(2_000),
      });
      return res.ok ? 'up' : 'down';
    } catch {
      return 'down';
    }
  };
  const check = async (): Promise<ReadinessReport> => {
    const [entries, redis] = await Promise.all([
      Promise.all([...urls].map(async ([name, url]) => [name, await probe(url)] as const)),
      checks.redis?.(),
    ]);
    return {
      ready: entries.every(([, s]) => s === 'up') && redis !== 'down',
      subgraphs: Object.fromEntries(entries),
      ...(redis ? { redis } : {}),
    };
  };
  return async () => {
    if (!cached || Date.now() - cached.at > ttlMs) cached = { at: Date.now(), report: check() };
    const report = await cached.report;
    return checks.circuits ? { ...report, circuits: checks.circuits() } : report;
  };
}
