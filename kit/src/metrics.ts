import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// The gateway builds its own metrics on a service's registry with these (prom-client is
// kit's dependency, not the gateway's).
export { Counter, Gauge, Histogram, Registry };

/** What became of one event delivered to a consumer group. */
export type EventOutcome = 'handled' | 'skipped' | 'failed' | 'dead_lettered';

/** Distinct values a free-form label (operation name, error code, event type) may take. */
export const MAX_OPERATION_LABELS = 200;
const MAX_CODE_LABELS = 50;
const MAX_EVENT_TYPE_LABELS = 100;

/**
 * Keeps a label's cardinality bounded: the first `max` distinct values pass, later ones
 * read `other`, so a client inventing operation names cannot grow the series without bound.
 */
export function capLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}

export interface Metrics {
  readonly service: string;
  /** This service's own registry (never the global one: tests run many services per process). */
  readonly registry: Registry;
  /**
   * Apollo Server plugin: requests, errors and latency per operation
   * (`operationName`, or `anonymous`; past {@link MAX_OPERATION_LABELS} names, `other`).
   */
  readonly plugin: ApolloServerPlugin<BaseContext>;
  /**
   * One GraphQL request answered: what {@link plugin} records, for a request answered
   * without Apollo Server's pipeline (kit/src/subgraph/modules/direct-execution.ts).
   * `startedAt` is `performance.now()` when it arrived; `errors` as the pipeline saw them
   * (before formatting).
   */
  requestAnswered(operationName: string | null | undefined, startedAt: number, errors: readonly { extensions?: Record<string, unknown> }[] | undefined): void;
  /** The outbox relay published `count` events to the stream. */
  eventsPublished(count: number): void;
  /** A consumer group was delivered an event of `type`, with this outcome. */
  eventHandled(type: string, outcome: EventOutcome): void;
  /**
   * Reports the lag of consumer group `group` on `stream` (XINFO GROUPS) at each scrape,
   * until the returned function is called.
   */
  watchStreamLag(redis: Redis, stream: string, group: string): () => void;
  /**
   * Reports what `check` says of each dependency (a database, Redis, a subgraph) as
   * `atrium_dependency_up{service,dependency}` (1 up, 0 down) at each scrape. Dependencies
   * show here and on `/status`, never in `/ready`.
   */
  watchDependencies(check: () => Promise<Record<string, 'up' | 'down'>>): void;
}

/** A scrape never waits longer than this on Redis for the lag (an unreachable Redis queues commands). */
const LAG_TIMEOUT_MS = 1_000;

/**
 * Declares metrics on one registry, each by its name, help and labels (all there is to say
 * of one): a service's metrics read as a list rather than as repeated option objects.
 */
export function metricsOn(registry: Registry) {
  const registers = [registry];
  return {
    counter: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames, registers }),
    histogram: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) => new Histogram<L>({ name, help, labelNames, registers }),
    /** `collect` runs at each scrape (a value read then, not kept up to date). */
    gauge: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], collect?: (this: Gauge<L>) => Promise<void> | void) =>
      new Gauge<L>({ name, help, labelNames, registers, ...(collect ? { collect } : {}) }),
  };
}

/**
 * The Prometheus metrics of one service (a subgraph, or the gateway): default process
 * metrics plus Atrium's `atrium_*` metrics, on a registry of its own.
 */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { counter, gauge, histogram } = metricsOn(registry);

  const requests = counter('atrium_graphql_requests_total', 'GraphQL requests, by operation name and status (ok, or error when the response carries errors).', ['service', 'operation', 'status']);
  const errors = counter('atrium_graphql_errors_total', 'GraphQL errors in responses, by operation name and extensions.code.', ['service', 'operation', 'code']);
  const duration = histogram('atrium_graphql_request_duration_seconds', 'Time from receiving a GraphQL request to sending its response, by operation name.', ['service', 'operation']);
  const published = counter('atrium_events_published_total', 'Domain events the outbox relay published to the event stream.', ['service']);
  const handled = counter('atrium_events_handled_total', "Events delivered to this service's consumer group, by type and outcome (handled, skipped, failed, dead_lettered).", ['service', 'type', 'outcome']);
  const lagSources = new Set<{ redis: Redis; stream: string; group: string }>();
  gauge('atrium_event_stream_lag', 'Entries of the event stream not yet delivered to the consumer group (XINFO GROUPS lag), read at scrape time.', ['service', 'group'], async function () {
    this.reset();
    await Promise.all(
      [...lagSources].map(async ({ redis, stream, group }) => {
        const lag = await readLag(redis, stream, group).catch(() => null);
        if (lag !== null) this.set({ service, group }, lag);
      }),
    );
  });

  let dependencies: (() => Promise<Record<string, 'up' | 'down'>>) | undefined;
  gauge('atrium_dependency_up', 'Whether each dependency of this service answers (1) or not (0), read at scrape time; never part of /ready.', ['service', 'dependency'], async function () {
    if (!dependencies) return;
    const states = await dependencies();
    this.reset();
    for (const [dependency, state] of Object.entries(states)) this.set({ service, dependency }, state === 'up' ? 1 : 0);
  });

  const publishedChild = published.labels({ service });
  const eventType = capLabel(MAX_EVENT_TYPE_LABELS);
  const code = capLabel(MAX_CODE_LABELS);
  // Children are looked up once per operation name, not once per request.
  const operationName = capLabel(MAX_OPERATION_LABELS);
  const byOperation = new Map<string, { operation: string; ok: Counter.Internal; error: Counter.Internal; duration: Histogram.Internal<'service' | 'operation'> }>();
  const instruments = (name: string) => {
    const operation = operationName(name);
    let found = byOperation.get(operation);
    if (!found) {
      found = {
        operation,
        ok: requests.labels({ service, operation, status: 'ok' }),
        error: requests.labels({ service, operation, status: 'error' }),
        duration: duration.labels({ service, operation }),
      };
      byOperation.set(operation, found);
    }
    return found;
  };
  const countErrors = (operation: string, list: readonly { extensions?: Record<string, unknown> }[]) => {
    for (const error of list) {
      const c = error.extensions?.code;
      errors.inc({ service, operation, code: code(typeof c === 'string' ? c : 'INTERNAL_SERVER_ERROR') });
    }
  };

  const requestAnswered: Metrics['requestAnswered'] = (name, startedAt, list) => {
    const { operation, ok, error, duration } = instruments(name ?? 'anonymous');
    duration.observe((performance.now() - startedAt) / 1000);
    if (list?.length) {
      error.inc();
      countErrors(operation, list);
    } else ok.inc();
  };

  const plugin: ApolloServerPlugin<BaseContext> = {
    async requestDidStart() {
      const start = performance.now();
      return {
        async willSendResponse({ operationName, errors }) {
          requestAnswered(operationName, start, errors);
        },
      };
    },
    // A request refused before it reaches the pipeline (a malformed Authorization header).
    async contextCreationDidFail({ error }) {
      const { operation, error: failed } = instruments('unknown');
      failed.inc();
      countErrors(operation, [error as { extensions?: Record<string, unknown> }]);
    },
  };

  return {
    service,
    registry,
    plugin,
    requestAnswered,
    eventsPublished: (count) => publishedChild.inc(count),
    eventHandled: (type, outcome) => handled.inc({ service, type: eventType(type), outcome }),
    watchStreamLag(redis, stream, group) {
      const source = { redis, stream, group };
      lagSources.add(source);
      return () => void lagSources.delete(source);
    },
    watchDependencies: (check) => void (dependencies = check),
  };
}

/** The `lag` of one consumer group (Redis ≥ 7), or null when Redis cannot tell. */
async function readLag(redis: Redis, stream: string, group: string): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LAG_TIMEOUT_MS)));
  try {
    const groups = (await Promise.race([redis.xinfo('GROUPS', stream), timeout])) as (string | number | null)[][] | null;
    for (const fields of groups ?? []) {
      if (fields[fields.indexOf('name') + 1] !== group) continue;
      const i = fields.indexOf('lag');
      const lag = i < 0 ? null : fields[i + 1];
      return lag === null || lag === undefined ? null : Number(lag);
    }
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Express handler for `GET /metrics`: the registry in Prometheus' text format. */
export function serveMetrics(registry: Registry) {
  return async (_req: Request, res: Response) => {
    try {
      res.set('content-type', registry.contentType).send(await registry.metrics());
    } catch (err) {
      res.status(500).type('text/plain').send(`cannot collect metrics: ${err instanceof Error ? err.message : err}`);
    }
  };
}
