import { graphql, waitFor } from '@atrium/kit/testing';
import type IORedis from 'ioredis';
import type { RunningSupergraph, Session } from '../../../test/support/supergraph';
import type { Gateway } from '../gateway';

// What the cache e2e suites (entity, response and root cache) share: reading a gateway's
// counters, waiting for an event to be relayed and for the gateways' consumer group to have
// handled the stream, and the writes that raise events.

/** The sum of a counter's values whose labels include `labels` (0 before it was ever exported). */
export async function counterSum(gateway: Gateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = gateway.metrics.registry.getSingleMetric(name);
  if (!found) return 0;
  const { values } = await found.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

/** Waits until an event of `type` (whose payload passes `match`) is on the supergraph's stream: committed is not yet relayed. */
export async function relayed(sg: RunningSupergraph, type: string, match: (data: Record<string, unknown>) => boolean): Promise<void> {
  await waitFor(async () => (await sg.events.all()).some((e) => e.type === type && match(e.data as unknown as Record<string, unknown>)), { timeoutMs: 60_000, what: `${type} on the stream` });
}

/** Whether the gateways' consumer group has handled every event on the stream so far (nothing left to deliver, nothing pending). */
export async function groupCaughtUp(redis: IORedis, stream: string, group = 'gateway-cache'): Promise<boolean> {
  const pairs = (flat: unknown[]) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));
  const info = pairs((await redis.xinfo('STREAM', stream)) as unknown[]);
  const found = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map(pairs).find((g) => g.name === group);
  return !!found && found.pending === 0 && found['last-delivered-id'] === info['last-generated-id'];
}

const DAY = 86_400_000;

/** An hour's slot `days` from today, at `hour` UTC. */
export function slot(days: number, hour: number): { startsAt: string; endsAt: string } {
  const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + days * DAY + hour * 3600_000);
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3600_000).toISOString() };
}

/** A booking of `session`'s at 9:00 `day` days from today, once booking knows the workspace; resolves when its event is relayed. */
export async function book(sg: RunningSupergraph, session: Session, workspaceId: string, day: number): Promise<string> {
  // booking learns of a workspace from catalog's event: until then it refuses it.
  const created = await waitFor(
    async () =>
      (await graphql(sg.url, `mutation($i: CreateBookingInput!) { createBooking(input: $i) { id } }`, { i: { workspaceId, ...slot(day, 9) } }, { token: session.accessToken })).data?.createBooking
        .id as string | undefined,
    { timeoutMs: 60_000, what: 'booking to know the workspace' },
  );
  await relayed(sg, 'booking.created', (data) => data.bookingId === created);
  return created;
}

/** A desk created by `manager` at `locationId`; resolves when its event is relayed. */
export async function createWorkspace(sg: RunningSupergraph, manager: Session, locationId: string, name: string): Promise<string> {
  const created = await graphql(
    sg.url,
    `mutation($l: ID!, $n: String!) { createWorkspace(input: { locationId: $l, name: $n, kind: DESK, capacity: 2, hourlyRate: { amount: 900, currency: "EUR" } }) { id } }`,
    { l: locationId, n: name },
    { token: manager.accessToken },
  );
  const id = created.data!.createWorkspace.id as string;
  await relayed(sg, 'workspace.created', (data) => data.workspaceId === id);
  return id;
}
