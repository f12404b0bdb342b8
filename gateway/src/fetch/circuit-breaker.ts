import type { Logger } from '@atrium/kit';
import { GraphQLError } from 'graphql';
import CircuitBreaker from 'opossum';
import { ErrorCode } from '../errors';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** How long an open circuit fails fast before letting one trial fetch through. */
  resetMs: number;
  /** Percentage of failed fetches within the window that opens the circuit. */
  errorPercentage: number;
  /** Fewest fetches within the window before the circuit may open at all. */
  volumeThreshold: number;
  /** The rolling window failures are counted in. */
  windowMs: number;
}

/** One subgraph's circuit: runs its fetches, or refuses them while open. */
export interface SubgraphCircuit {
  run<T>(fetch: () => Promise<T>): Promise<T>;
  readonly state: CircuitState;
}

export interface CircuitBreakers {
  /** The circuit of subgraph `name` (created on first use). */
  for(name: string): SubgraphCircuit;
  /** Every circuit's state, for `/ready`. */
  states(): Record<string, CircuitState>;
  shutdown(): void;
}

/**
 * Only a subgraph that is down should open its circuit: network errors, timeouts and 5xx
 * answers count; a 4xx answer (a bad request, an expired token) is the caller's problem,
 * and GraphQL errors in a 200 response never reach here as failures.
 */
export function isSubgraphFailure(err: unknown): boolean {
  // SubgraphDataSource wraps what it could not classify; judge the original.
  if (err instanceof GraphQLError && err.originalError) return isSubgraphFailure(err.originalError);
  if (err instanceof GraphQLError) {
    const status = (err.extensions.response as { status?: number } | undefined)?.status;
    return status === undefined || status >= 500;
  }
  return true;
}

/**
 * One opossum breaker per subgraph around its fetches. While a circuit is open, fetches
 * fail at once with SUBGRAPH_UNAVAILABLE saying when the next attempt will be made,
 * instead of each request waiting for a timeout; after `resetMs` one trial fetch decides
 * whether it closes again. `onChange` hears every state change (metrics).
 */
export function createCircuitBreakers(
  options: CircuitBreakerOptions,
  onChange: (subgraph: string, state: CircuitState) => void,
  log?: Logger,
): CircuitBreakers {
  const circuits = new Map<string, { breaker: CircuitBreaker<[() => Promise<unknown>], unknown>; openedAt: number }>();

  const create = (name: string) => {
    const breaker = new CircuitBreaker((fetch: () => Promise<unknown>) => fetch(), {
      timeout: false, // SubgraphDataSource bounds each fetch itself.
      resetTimeout: options.resetMs,
      errorThresholdPercentage: options.errorPercentage,
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.windowMs,
      rollingCountBuckets: 10,
      // true = not a failure (the error is still thrown to the caller).
      errorFilter: (err: unknown) => !isSubgraphFailure(err),
    });
    const entry = { breaker, openedAt: 0 };
    breaker.on('open', () => {
      entry.openedAt = Date.now();
      log?.warn({ subgraph: name, retryInMs: options.resetMs }, 'subgraph circuit opened: failing fast');
      onChange(name, 'open');
    });
    breaker.on('halfOpen', () => onChange(name, 'half-open'));
    breaker.on('close', () => {
      log?.info({ subgraph: name }, 'subgraph circuit closed');
      onChange(name, 'closed');
    });
    onChange(name, 'closed');
    return entry;
  };

  const stateOf = (breaker: CircuitBreaker): CircuitState => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed');

  return {
    for(name) {
      let entry = circuits.get(name);
      if (!entry) circuits.set(name, (entry = create(name)));
      const { breaker } = entry;
      return {
        get state() {
          return stateOf(breaker);
        },
        run: async <T>(fetch: () => Promise<T>): Promise<T> => {
          try {
            return (await breaker.fire(fetch)) as T;
          } catch (err) {
            // opossum's own rejection: the subgraph was not called.
            if ((err as { code?: string }).code === 'EOPENBREAKER') {
              const seconds = Math.max(1, Math.ceil((entry.openedAt + options.resetMs - Date.now()) / 1000));
              throw new GraphQLError(`subgraph ${name} is unavailable (circuit open, retrying in ${seconds}s)`, {
                extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: name, circuit: 'open' },
              });
            }
            throw err;
          }
        },
      };
    },
    states() {
      return Object.fromEntries([...circuits].map(([name, { breaker }]) => [name, stateOf(breaker)]));
    },
    shutdown() {
      for (const { breaker } of circuits.values()) breaker.shutdown();
    },
  };
}
