import { checkCursor, type EntityManager, findPage } from '@atrium/kit/subgraph';
import type { FilterQuery } from '@mikro-orm/core';
import { ActivityLog } from './activity-log.entity';
import type { ActivityLogFilter } from './activity-log.input';

/** Reads of the audit trail (it is written only by the event handlers, see projection/). */
export class ActivityLogService {
  constructor(private readonly em: EntityManager) {}

  /** Newest first, keyset-paginated on (occurredAt, id): stable while new events arrive. */
  list(filter: ActivityLogFilter = {}, first: number, after: string | null | undefined) {
    const where: FilterQuery<ActivityLog> = {};
    if (filter.actorId) where.actorId = filter.actorId.toLowerCase();
    if (filter.entityType) where.entityType = filter.entityType;
    if (filter.entityId) where.entityId = filter.entityId.toLowerCase();
    if (filter.correlationId) where.correlationId = filter.correlationId;
    if (filter.action) where.action = filter.action;
    return findPage(this.em, ActivityLog, where, { first, after: checkCursor(after), orderBy: { occurredAt: 'desc', id: 'desc' } });
  }

  byIds(ids: readonly string[]): Promise<ActivityLog[]> {
    return this.em.find(ActivityLog, { id: ids as string[] });
  }
}
