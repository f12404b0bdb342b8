// `npm run events -- <command>`: look at and replay the domain event stream.
//   replay --from <stream id|0> --group <group>   re-deliver history to a consumer group
//   tail [--count 20]                             the latest events
//   groups                                        consumer groups: pending, lag, position
//   dead                                          dead-lettered events and why
// Uses REDIS_URL (default redis://127.0.0.1:6379) and EVENTS_STREAM (default atrium:events).
import { connectRedis } from '@atrium/kit';
import { parseArgs } from 'node:util';
import { groups, replay } from './lib/events-cli';
import { loadEventsEnv } from './lib/tool-env';

const USAGE = 'usage: npm run events -- replay --from <id> --group <group> | tail [--count N] | groups | dead';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { from: { type: 'string' }, group: { type: 'string' }, count: { type: 'string', default: '20' } },
  });
  const { stream, redisUrl } = loadEventsEnv();
  const redis = await connectRedis(redisUrl, 'events-cli');
  try {
    switch (positionals[0]) {
      case 'replay': {
        if (!values.from || !values.group) throw new Error(`replay needs --from and --group\n${USAGE}`);
        const { entries } = await replay(redis, stream, values.group, values.from);
        console.log(`group "${values.group}" will receive ${entries} event(s) again, from ${values.from} (already-handled ones are skipped by its handlers)`);
        return 0;
      }
      case 'tail': {
        const entries = (await redis.xrevrange(stream, '+', '-', 'COUNT', Number(values.count))) as [string, string[]][];
        for (const [id, fields] of entries.reverse()) {
          const e = JSON.parse(fields[fields.indexOf('event') + 1]);
          console.log(`${id}  ${e.occurredAt}  ${e.type.padEnd(24)} ${e.producer.padEnd(12)} correlation=${e.correlationId}`);
        }
        return 0;
      }
      case 'groups':
        console.table(await groups(redis, stream));
        return 0;
      case 'dead': {
        const entries = (await redis.xrange(`${stream}:dead`, '-', '+')) as [string, string[]][];
        for (const [id, f] of entries) console.log(`${id}  group=${f[f.indexOf('group') + 1]}  error=${f[f.indexOf('error') + 1]}  event=${f[f.indexOf('event') + 1]}`);
        if (entries.length === 0) console.log('no dead-lettered events');
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    redis.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
