import { connectRedis, type Redis } from '@atrium/kit';
import { createTestEvents, testEnv, type TestEvents } from '@atrium/kit/testing';
import { groups, idBefore, replay } from './events-cli';

let redis: Redis;
let events: TestEvents;

beforeAll(async () => {
  redis = await connectRedis(testEnv.redisUrl, 'test');
  events = createTestEvents('cli');
});
afterAll(async () => {
  await events.close();
  redis.disconnect();
});

describe('npm run events', () => {
  it('computes the id just before another', () => {
    expect(idBefore('1700000000000-5')).toBe('1700000000000-4');
    expect(idBefore('1700000000000-0')).toBe('1699999999999-18446744073709551615');
    expect(idBefore('0')).toBe('0');
    expect(() => idBefore('yesterday')).toThrow(/not a stream id/);
  });

  it('replays history into a consumer group from a given id', async () => {
    const stream = events.env.EVENTS_STREAM;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await redis.xadd(stream, '*', 'event', JSON.stringify({ n: i })))!);
    await redis.xgroup('CREATE', stream, 'reporting', '$');
    expect((await groups(redis, stream))[0]).toMatchObject({ name: 'reporting', lag: 0 });

    expect(await replay(redis, stream, 'reporting', ids[2])).toEqual({ entries: 3 });
    const read = (await redis.xreadgroup('GROUP', 'reporting', 'c1', 'COUNT', 10, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
    expect(read[0][1].map(([id]) => id)).toEqual(ids.slice(2));

    await replay(redis, stream, 'reporting', '0');
    const again = (await redis.xreadgroup('GROUP', 'reporting', 'c1', 'COUNT', 10, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
    expect(again[0][1]).toHaveLength(5);
  });

  it('refuses a group that does not exist, naming the ones that do', async () => {
    await expect(replay(redis, events.env.EVENTS_STREAM, 'nobody', '0')).rejects.toThrow(/no consumer group "nobody".*reporting/);
  });
});
