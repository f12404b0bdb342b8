import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { SubgraphConfig } from '../../config';
import type { Module } from '../../lifecycle';
import type { Metrics } from '../../metrics';
import type { Redis } from '../../redis';
import type { Telemetry } from '../../telemetry';
import { startConsumer, type Consumer, type EventHandlers } from '../events/consumer';
import { startRelay, type Relay } from '../events/relay';
import type { Jobs } from '../jobs';

interface EventsOptions {
  config: SubgraphConfig;
  orm: MikroORM;
  redis: Redis;
  log: Logger;
  metrics: Metrics;
  /** The subgraph's tracing (the relay's publishes, the consumer's handling). */
  telemetry?: Telemetry;
}

/** Publishes the outbox to the event stream, woken as soon as a transaction that wrote events commits. */
export const outboxRelay = ({ config, orm, redis, log, metrics, telemetry }: EventsOptions): Module<Relay> => ({
  name: 'relay',
  start() {
    const relay = startRelay({ orm, redis, stream: config.EVENTS_STREAM, log, metrics, retainMs: config.EVENTS_RETAIN * 1000, telemetry });
    // Publish as soon as a transaction that wrote events commits, rather than at the next poll.
    orm.em.getEventManager().registerSubscriber({ afterTransactionCommit: () => relay.wake(), afterFlush: () => relay.wake() });
    return relay;
  },
  close: (relay) => relay.stop(),
});

/** Reads the event stream with the subgraph's consumer group (its name), as consumer `consumer`. */
export const eventConsumer = (options: EventsOptions & { group: string; consumer: string; handlers: EventHandlers; jobs: Jobs }): Module<Consumer> => ({
  name: 'consumer',
  start: () =>
    startConsumer({
      orm: options.orm,
      redis: options.redis,
      stream: options.config.EVENTS_STREAM,
      group: options.group,
      consumer: options.consumer,
      handlers: options.handlers,
      jobs: options.jobs,
      log: options.log,
      retryIdleMs: options.config.EVENTS_RETRY_IDLE_MS,
      maxDeliveries: options.config.EVENTS_MAX_DELIVERIES,
      metrics: options.metrics,
      telemetry: options.telemetry,
    }),
  close: (consumer) => consumer.stop(),
});
