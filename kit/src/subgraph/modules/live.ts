import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { SubgraphConfig } from '../../config';
import type { Module } from '../../lifecycle';
import { createPubSub, type PubSub } from '../../pubsub';
import { liveChanges, type LiveEntity } from '../live-changes';

/**
 * Live events over Redis pub/sub, behind the subgraph's subscriptions; the committed
 * changes of `live` entities are published on it.
 */
export const livePubSub = (options: { config: SubgraphConfig; name: string; log: Logger; orm: MikroORM; live?: LiveEntity[] }): Module<PubSub> => ({
  name: 'pub/sub',
  async start() {
    const { config, name, log, orm, live } = options;
    const pubSub = await createPubSub({ redisUrl: config.REDIS_URL, prefix: config.PUBSUB_PREFIX, log, name });
    if (live?.length) orm.em.getEventManager().registerSubscriber(liveChanges(pubSub, live, log));
    return pubSub;
  },
  // After the consumer and jobs: what they commit on the way out is still announced.
  close: (pubSub) => pubSub.close(),
});
