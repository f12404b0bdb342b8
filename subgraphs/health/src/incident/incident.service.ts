import { checkCursor, type EntityManager, findPage } from '@atrium/kit/subgraph';
import type { FilterQuery } from '@mikro-orm/core';
import { Incident } from './incident.entity';

/** Reads of incidents (written only by the poll job, see StatusService.record). */
export class IncidentService {
  constructor(private readonly em: EntityManager) {}

  /** Newest first, keyset-paginated on (startedAt, id); `openOnly` keeps the unresolved ones. */
  list(first: number, after: string | null | undefined, openOnly = false) {
    const where: FilterQuery<Incident> = openOnly ? { resolvedAt: null } : {};
    return findPage(this.em, Incident, where, { first, after: checkCursor(after), orderBy: { startedAt: 'desc', id: 'desc' } });
  }

  byIds(ids: readonly string[]): Promise<Incident[]> {
    return this.em.find(Incident, { id: ids as string[] });
  }
}
