import { waitFor } from '@atrium/kit/testing';
import { startHealth, type Harness } from '../testing/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHealth('health_system');
});

afterAll(async () => {
  await h?.close();
});

const SYSTEM = `{
  systemHealth {
    status
    services { name status }
    redis { status latencyMs }
    postgres { status latencyMs }
    eventStream { length deadLetters groups { name pending lag } }
    queues { name waiting active delayed failed completed }
  }
}`;

describe('systemHealth', () => {
  it('reports Postgres and Redis UP, the event stream and every job queue, including the poll', async () => {
    // The first poll's status changes reach the stream through the outbox relay.
    await waitFor(async () => (await h.events.all()).length >= 3, { what: 'first status events on the stream' });
    await h.server.redis.xgroup('CREATE', h.events.env.EVENTS_STREAM, 'reporting', '0');
    const res = await h.gql(SYSTEM);
    expect(res.errors).toBeUndefined();
    const health = res.data!.systemHealth;
    expect(health.status).toBe('UP');
    expect(health.services.map((s: { name: string }) => s.name)).toEqual(['identity', 'catalog', 'gateway']);
    expect(health.redis).toEqual({ status: 'UP', latencyMs: expect.any(Number) });
    expect(health.postgres).toEqual({ status: 'UP', latencyMs: expect.any(Number) });
    expect(health.eventStream.length).toBeGreaterThanOrEqual(3);
    expect(health.eventStream.deadLetters).toBe(0);
    expect(health.eventStream.groups).toEqual([{ name: 'reporting', pending: 0, lag: health.eventStream.length }]);
    const poll = health.queues.find((q: { name: string }) => q.name === 'health-poll');
    expect(poll).toEqual({ name: 'health-poll', waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number), failed: 0, completed: expect.any(Number) });
    expect(poll.completed + poll.delayed + poll.active + poll.waiting).toBeGreaterThan(0);
  });

  it('is DEGRADED while one service is DOWN', async () => {
    await h.fakes.gateway.stop();
    await waitFor(async () => (await h.gql('{ systemHealth { status } }')).data?.systemHealth.status === 'DEGRADED', { what: 'DEGRADED' });
    await h.fakes.gateway.start();
    await waitFor(async () => (await h.gql('{ systemHealth { status } }')).data?.systemHealth.status === 'UP', { what: 'UP again' });
  });
});
