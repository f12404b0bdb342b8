import { badInput, forbidden, hasScope, notFound, Scope, type Caller, isUuid } from '@atrium/kit';
import { checkCursor, type Connection, type EntityManager } from '@atrium/kit/subgraph';
import { Cursor } from '@mikro-orm/core';
import { NotificationChannel, Notification } from './notification.entity';


/** A Postgres array literal of ids already checked to be UUIDs. */
const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/** The row rule of a user's notifications: the user themself, or a caller who may read any user. */
export function assertCanRead(caller: Caller | null, userId: string): void {
  if (!caller || (caller.userId !== userId && !hasScope(caller, Scope.USERS_READ))) {
    throw forbidden("Only the user themself or an admin may read a user's notifications");
  }
}

export interface ListOptions {
  unreadOnly: boolean;
  /** null: every channel. */
  channel: NotificationChannel | null;
  first: number;
  after?: string | null;
}

/** The columns a list needs (not the lazy e-mail HTML). */
const COLUMNS = ['id', 'user_id', 'kind', 'channel', 'status', 'title', 'body', 'address', 'event_id', 'attempts', 'failure_reason', 'read_at', 'sent_at', 'created_at'];

/** Lists newest first: the cursor is (createdAt, id) of the last item. */
const cursorOf = (n: Notification) => Cursor.encode([n.createdAt.toISOString(), n.id]);

function decodeCursor(after: string | null | undefined): [Date, string] | null {
  const checked = checkCursor(after);
  if (!checked) return null;
  const [createdAt, id] = Cursor.decode(checked) as unknown[];
  if (!(createdAt instanceof Date) || Number.isNaN(createdAt.getTime()) || typeof id !== 'string' || !isUuid(id)) {
    throw badInput('after', 'is not a cursor returned by this list');
  }
  return [createdAt, id];
}

export class NotificationService {
  constructor(private readonly em: EntityManager) {}

  /**
   * One page of notifications for each of `userIds`, in ONE statement whatever their
   * number (a lateral join per user on the (user, channel, created_at, id) index), so a
   * list of users with their notifications is not N+1.
   */
  async listForUsers(userIds: readonly string[], options: ListOptions): Promise<Map<string, Connection<Notification>>> {
    const after = decodeCursor(options.after);
    const ids = [...new Set(userIds.filter(isUuid))];
    const result = new Map<string, Connection<Notification>>();
    if (!ids.length) return result;

    const filters: string[] = [];
    const filterParams: unknown[] = [];
    if (options.channel) {
      filters.push('and n."channel" = ?');
      filterParams.push(options.channel);
    }
    if (options.unreadOnly) filters.push('and n."read_at" is null');
    const where = filters.join(' ');
    const afterSql = after ? 'and (n."created_at", n."id") < (?::timestamptz, ?::uuid)' : '';
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select ids."owner_id", counts."total", ${COLUMNS.map((c) => `page."${c}"`).join(', ')}
       from unnest(?::uuid[]) as ids("owner_id")
       cross join lateral (
         select count(*)::int as "total" from "notification" n where n."user_id" = ids."owner_id" ${where}
       ) counts
       left join lateral (
         select ${COLUMNS.map((c) => `n."${c}"`).join(', ')} from "notification" n
         where n."user_id" = ids."owner_id" ${where} ${afterSql}
         order by n."created_at" desc, n."id" desc
         limit ?
       ) page on true
       order by ids."owner_id", page."created_at" desc, page."id" desc`,
      [uuidArray(ids), ...filterParams, ...filterParams, ...(after ? [after[0], after[1]] : []), options.first + 1],
    );

    const pages = new Map<string, { total: number; items: Notification[] }>();
    for (const row of rows) {
      const owner = row.owner_id as string;
      const page = pages.get(owner) ?? { total: row.total as number, items: [] };
      pages.set(owner, page);
      if (row.id != null) {
        const columns = Object.fromEntries(COLUMNS.map((c) => [c, row[c]]));
        page.items.push(this.em.map(Notification, columns));
      }
    }
    for (const [owner, { total, items }] of pages) {
      const hasNextPage = items.length > options.first;
      const shown = items.slice(0, options.first);
      result.set(owner, {
        edges: shown.map((node) => ({ cursor: cursorOf(node), node })),
        pageInfo: { hasNextPage, endCursor: shown.length ? cursorOf(shown[shown.length - 1]) : null },
        totalCount: total,
      });
    }
    return result;
  }

  /** Unread in-app notifications of each user, in one grouped statement (absent: none). */
  async unreadCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    const ids = [...new Set(userIds.filter(isUuid))];
    if (!ids.length) return new Map();
    const rows = await this.em.execute<{ user_id: string; unread: number }[]>(
      `select "user_id", count(*)::int as "unread" from "notification"
       where "user_id" = any(?::uuid[]) and "channel" = 'IN_APP' and "read_at" is null
       group by "user_id"`,
      [uuidArray(ids)],
    );
    return new Map(rows.map((r) => [r.user_id, r.unread]));
  }

  /** Marks one of the caller's own notifications read (idempotent: the first read time stays). */
  async markRead(caller: Caller, id: string): Promise<Notification> {
    if (!isUuid(id)) throw badInput('id', 'must be a UUID');
    const notification = await this.em.findOne(Notification, { id });
    if (!notification) throw notFound('Notification', id);
    if (notification.userId !== caller.userId) throw forbidden('You can only mark your own notifications read');
    if (!notification.readAt) {
      notification.readAt = new Date();
      await this.em.flush();
    }
    return notification;
  }

  /** Marks every unread in-app notification of the user read; returns how many. */
  markAllRead(userId: string): Promise<number> {
    return this.em.nativeUpdate(Notification, { userId, channel: NotificationChannel.IN_APP, readAt: null }, { readAt: new Date() });
  }

  /** `__resolveReference`: the caller's own notifications among `ids` (any, with users:read); others resolve to null. */
  byIds(ids: readonly string[], caller: Caller | null): Promise<Notification[]> {
    const valid = ids.filter(isUuid);
    if (!caller || !valid.length) return Promise.resolve([]);
    return this.em.find(Notification, {
      id: { $in: valid },
      ...(hasScope(caller, Scope.USERS_READ) ? {} : { userId: caller.userId }),
    });
  }
}
