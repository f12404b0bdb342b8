import type { CircuitState } from '../fetch/circuit-breaker';

/**
 * `/ready`: whether *this* gateway process can serve. Never a subgraph's or Redis's state:
 * every replica sees the same subgraphs, so one subgraph down would take every gateway pod
 * out of its Service at once — and the fields of the other subgraphs would be lost with it,
 * although the gateway answers for them (the missing subgraph's fields fail with
 * SUBGRAPH_UNAVAILABLE, as they should).
 */
export interface Readiness {
  ready: boolean;
  /** Why not, when not ready: `loading` (no supergraph yet) or `draining` (shutting down). */
  reason?: 'loading' | 'draining';
}

export function createReadiness(state: { loaded(): boolean; draining(): boolean }): () => Readiness {
  return () => {
    if (state.draining()) return { ready: false, reason: 'draining' };
    if (!state.loaded()) return { ready: false, reason: 'loading' };
    return { ready: true };
  };
}

/** `/status`: what the gateway depends on, for operators and dashboards (never for probes). */
export interface DependencyStatus {
  subgraphs: Record<string, 'up' | 'down'>;
  /** Each subgraph's circuit breaker (an open circuit is a subgraph that kept failing). */
  circuits?: Record<string, CircuitState>;
  /** Redis, when the gateway uses it (rate limits, persisted queries). */
  redis?: 'up' | 'down';
}

export interface DependencyChecks {
  circuits?: () => Record<string, CircuitState>;
  redis?: () => Promise<'up' | 'down'>;
  /** Each probe's own budget: the whole report answers within it, whatever is down. */
  timeoutMs?: number;
  /** Reports are reused this long, so a busy status page cannot turn into load on subgraphs. */
  ttlMs?: number;
}

/**
 * Probes every subgraph with `{ __typename }` — which any federation subgraph answers,
 * Atrium's or not — and Redis when used. Results are cached for `ttlMs`; circuit states
 * are always current.
 */
export function createDependencyStatus(urls: ReadonlyMap<string, string>, checks: DependencyChecks = {}): () => Promise<DependencyStatus> {
  const timeoutMs = checks.timeoutMs ?? 800;
  const ttlMs = checks.ttlMs ?? 2_000;
  let cached: { at: number; report: Promise<Omit<DependencyStatus, 'circuits'>> } | undefined;
  const probe = async (url: string): Promise<'up' | 'down'> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      // Any answer short of a server error is a subgraph that is there (a 401 is one that
      // wants the gateway's signature, which this bare probe does not carry).
      return res.status < 500 ? 'up' : 'down';
    } catch {
      return 'down';
    }
  };
  const check = async () => {
    const [entries, redis] = await Promise.all([
      Promise.all([...urls].map(async ([name, url]) => [name, await probe(url)] as const)),
      checks.redis?.(),
    ]);
    return { subgraphs: Object.fromEntries(entries), ...(redis ? { redis } : {}) };
  };
  return async () => {
    if (!cached || Date.now() - cached.at > ttlMs) cached = { at: Date.now(), report: check() };
    const report = await cached.report;
    return checks.circuits ? { ...report, circuits: checks.circuits() } : report;
  };
}
