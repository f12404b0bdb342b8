import { badInput, isUuid } from '@atrium/kit';
import { type Connection, type EntityManager } from '@atrium/kit/subgraph';
import { Cursor } from '@mikro-orm/core';
import { Booking, type BookingStatus } from './booking.entity';

/** The column a list of bookings belongs to: `User.bookings` or `Workspace.bookings`. */
export type BookingOwner = 'user_id' | 'workspace_id';

export interface ListArgs {
  status?: BookingStatus | null;
  first: number;
  after?: string | null;
}

/** A cursor is the (startsAt, id) of the last booking seen, in MikroORM's cursor encoding. */
const cursorOf = (b: Booking) => Cursor.encode([b.startsAt.toISOString(), b.id]);

function decodeAfter(after: string | null | undefined): [Date, string] | null {
  if (after == null) return null;
  try {
    const [startsAt, id, ...rest] = Cursor.decode(after);
    if (startsAt instanceof Date && !Number.isNaN(startsAt.getTime()) && typeof id === 'string' && isUuid(id) && rest.length === 0) {
      return [startsAt, id];
    }
  } catch {
    // fall through
  }
  throw badInput('after', 'is not a cursor returned by this list');
}

/** A PostgreSQL array literal of uuids; only validated UUIDs reach it. */
const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/**
 * One page of bookings for each of many owners, newest start first, in ONE statement:
 * a lateral join per owner keeps keyset pagination (`(starts_at, id) < cursor`, served by
 * the (owner, starts_at desc, id desc) index) and counts each owner's total alongside.
 * This is what `User.bookings` and `Workspace.bookings` batch into, so a list of users
 * with their bookings costs one query, not one per user.
 */
export async function bookingPages(
  em: EntityManager,
  owner: BookingOwner,
  ownerIds: readonly string[],
  args: ListArgs,
): Promise<(Connection<Booking> & { id: string })[]> {
  const after = decodeAfter(args.after);
  const ids = ownerIds.filter(isUuid);
  if (ids.length === 0) return [];
  const statusFilter = args.status ? `and b.status = ?` : '';
  const statusParams = args.status ? [args.status] : [];
  const rows = await em.execute<Record<string, unknown>[]>(
    `select p.owner_id as __owner_id, c.total as __total, b.*
       from unnest(?::uuid[]) as p(owner_id)
       cross join lateral (
         select count(*)::int as total from booking b where b.${owner} = p.owner_id ${statusFilter}
       ) c
       left join lateral (
         select b.* from booking b
          where b.${owner} = p.owner_id ${statusFilter}
            ${after ? 'and (b.starts_at, b.id) < (?, ?)' : ''}
          order by b.starts_at desc, b.id desc
          limit ?
       ) b on true`,
    [uuidArray(ids), ...statusParams, ...statusParams, ...(after ?? []), args.first + 1],
  );
  const pages = new Map<string, { total: number; items: Booking[] }>();
  for (const { __owner_id, __total, ...row } of rows) {
    const page = pages.get(__owner_id as string) ?? { total: __total as number, items: [] };
    pages.set(__owner_id as string, page);
    if (row.id != null) page.items.push(em.map(Booking, row));
  }
  return [...pages].map(([id, { total, items }]) => {
    const shown = items.slice(0, args.first);
    return {
      id,
      edges: shown.map((node) => ({ cursor: cursorOf(node), node })),
      pageInfo: { hasNextPage: items.length > args.first, endCursor: shown.length ? cursorOf(shown[shown.length - 1]) : null },
      totalCount: total,
    };
  });
}
