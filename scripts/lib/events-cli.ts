import type { Redis } from 'ioredis';

/** The stream id just before `id`, so that `XGROUP SETID` makes `id` itself the next delivery. */
export function idBefore(id: string): string {
  if (id === '0' || id === '0-0') return '0';
  const match = /^(\d+)(?:-(\d+))?$/.exec(id);
  if (!match) throw new Error(`not a stream id: ${id} (expected <milliseconds>-<sequence>, e.g. 1763822400000-0, or 0 for the beginning)`);
  const ms = BigInt(match[1]);
  const seq = BigInt(match[2] ?? '0');
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  return ms === 0n ? '0' : `${ms - 1n}-18446744073709551615`;
}

/**
 * Re-delivers the stream to `group` from `from` on: the group's position moves back and
 * its consumers read everything after it again. Handlers are idempotent (each group
 * records the events it handled), so an event a group already handled has no second
 * effect; a read model rebuilt from scratch (its tables and processed_event emptied)
 * receives the whole history again.
 */
export async function replay(redis: Redis, stream: string, group: string, from: string): Promise<{ entries: number }> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const names = groups.map((g) => String(g[g.indexOf('name') + 1]));
  if (!names.includes(group)) throw new Error(`no consumer group "${group}" on ${stream} (groups: ${names.join(', ') || 'none'})`);
  await redis.xgroup('SETID', stream, group, idBefore(from));
  const entries = (await redis.xrange(stream, from === '0' ? '-' : from, '+')) as unknown[];
  return { entries: entries.length };
}

export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lag: number | null;
  lastDeliveredId: string;
}

/** Each consumer group's position, pending deliveries and lag (entries not yet read). */
export async function groups(redis: Redis, stream: string): Promise<GroupInfo[]> {
  const raw = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  return raw.map((g) => {
    const get = (k: string) => g[g.indexOf(k) + 1];
    return {
      name: String(get('name')),
      consumers: Number(get('consumers')),
      pending: Number(get('pending')),
      lag: get('lag') == null ? null : Number(get('lag')),
      lastDeliveredId: String(get('last-delivered-id')),
    };
  });
}
