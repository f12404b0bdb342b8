import type { Caller } from '@atrium/kit';
import type { ExecutionResult } from 'graphql';
import pino from 'pino';
import { createGatewayMetrics } from '../ops/metrics';
import { closing, SubscriptionHub, type SubscribeRequest } from './hub';
import type { SubscriptionPlan, SubscriptionPlanner } from './event-plan';
import type { UpstreamPool, UpstreamSink } from './upstream';

/** A hub over a stand-in upstream (events pushed by hand) and a planner that passes events through. */
function hubOverFakeUpstream() {
  const upstreams: { sink: UpstreamSink; stopped: boolean }[] = [];
  const pool = {
    subscribe(_url: string, _request: unknown, sink: UpstreamSink) {
      const upstream = { sink, stopped: false };
      upstreams.push(upstream);
      return () => void (upstream.stopped = true);
    },
  } as unknown as UpstreamPool;
  const planner = { completeEvent: async (_plan: unknown, event: ExecutionResult) => event } as unknown as SubscriptionPlanner;
  const hub = new SubscriptionHub(planner, pool, { dedup: true, queueLimit: 10, metrics: createGatewayMetrics().subscriptions, log: pino({ level: 'silent' }) });
  return { hub, upstreams };
}

const plan = { key: 'k', serviceName: 'booking', url: 'ws://booking/graphql', primary: { variableUsages: [] } } as unknown as SubscriptionPlan;
const caller = (sessionId: string): Caller => ({ userId: 'u1', roles: [], scopes: [], sessionId, expiresAt: new Date(Date.now() + 600_000) });
const request = (c: Caller): SubscribeRequest => ({ plan, variables: {}, caller: c, requestId: 'r', transport: 'websocket', complete: (r) => r, drop: () => undefined });
const tick = () => new Promise((r) => setImmediate(r));

describe('SubscriptionHub.endWhere', () => {
  it("ends the matching subscribers with the last result — nothing they had queued — and leaves the shared stream to the others", async () => {
    const { hub, upstreams } = hubOverFakeUpstream();
    const a = hub.subscribe(request(caller('session-a')));
    const b = hub.subscribe(request(caller('session-b')));
    expect(hub.upstreams).toBe(1); // same user and scopes: one shared stream
    upstreams[0].sink.next({ data: { n: 1 } });
    upstreams[0].sink.next({ data: { n: 2 } });
    await tick();

    const last = closing('The session was revoked: sign in again', 'UNAUTHENTICATED');
    expect(hub.endWhere((c) => c?.sessionId === 'session-a', last)).toBe(1);
    expect(await a.next()).toEqual({ value: last, done: false });
    expect(await a.next()).toEqual({ value: undefined, done: true });

    expect(hub.size).toBe(1);
    expect(upstreams[0].stopped).toBe(false);
    upstreams[0].sink.next({ data: { n: 3 } });
    await tick();
    expect([(await b.next()).value, (await b.next()).value, (await b.next()).value]).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }, { data: { n: 3 } }]);

    expect(hub.endWhere((c) => c?.sessionId === 'session-a', last)).toBe(0);
    expect(hub.endWhere((c) => c?.sessionId === 'session-b', last)).toBe(1);
    expect(hub.size).toBe(0);
    expect(upstreams[0].stopped).toBe(true); // its last subscriber gone, the upstream subscription ends
  });
});
