import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

type Result = ExecutionResult<Record<string, any>, Record<string, unknown>>;

export interface TestSubscription {
  /** Every result received so far, in order. */
  readonly results: Result[];
  /** Resolves when the subscription ends: `completed`, or the error / close that ended it. */
  readonly ended: Promise<{ completed: true } | { completed: false; error: unknown }>;
  /** Waits for the result number `index` (0-based), or fails after `timeoutMs`. */
  next(index?: number, timeoutMs?: number): Promise<Result>;
  /** Resolves once the server has acknowledged the connection. */
  readonly connected: Promise<void>;
  /** Ends the subscription and closes its WebSocket. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Sent as `connectionParams.authorization` (`Bearer …`), the way browsers authenticate. */
  token?: string;
  connectionParams?: Record<string, unknown>;
  /** graphql-ws `extensions` of the subscribe message. */
  extensions?: Record<string, unknown>;
}

/**
 * Subscribes over graphql-ws the way any client does (`http://…/graphql` is turned into
 * `ws://…/graphql`), and records what arrives, so tests can wait for the n-th result.
 * One WebSocket per subscription: tests that need many share nothing by accident.
 */
export function subscribe(url: string, query: string, variables: Record<string, unknown> = {}, options: SubscribeOptions = {}): TestSubscription {
  const results: Result[] = [];
  const waiters = new Set<() => void>();
  let resolveConnected!: () => void;
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const client: Client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.connectionParams,
    },
    on: { connected: () => resolveConnected() },
    // A close or refusal is reported through `ended`; graphql-ws would also print it.
    onNonLazyError: () => undefined,
  });
  let done = false;
  const ended = new Promise<{ completed: true } | { completed: false; error: unknown }>((resolve) => {
    client.subscribe(
      { query, variables, extensions: options.extensions },
      {
        next: (value) => {
          results.push(value as Result);
          for (const wake of waiters) wake();
        },
        error: (error) => {
          done = true;
          resolve({ completed: false, error });
          for (const wake of waiters) wake();
        },
        complete: () => {
          done = true;
          resolve({ completed: true });
          for (const wake of waiters) wake();
        },
      },
    );
  });

  return {
    results,
    ended,
    connected,
    next(index = results.length, timeoutMs = 10_000) {
      return new Promise<Result>((resolve, reject) => {
        const check = () => {
          if (results.length > index) {
            cleanup();
            resolve(results[index]);
          } else if (done) {
            cleanup();
            reject(new Error(`subscription ended after ${results.length} result(s), waiting for #${index}: ${JSON.stringify(results)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no result #${index} within ${timeoutMs} ms; got ${JSON.stringify(results)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      await client.dispose();
    },
  };
}
