import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { Status } from '../status/service-status.entity';

/**
 * One probe of one service, as the poll saw it: the raw history behind
 * `serviceHealthHistory` (latency and status over time). Written by every poll, pruned past
 * HEALTH_HISTORY_RETENTION_MS, read only in aggregate (see HistoryService).
 */
@Entity({ tableName: 'probe_sample' })
@Index({ name: 'probe_sample_at_index', expression: 'create index "probe_sample_at_index" on "probe_sample" ("at")' })
export class ProbeSample {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'text' })
  service!: string;

  @Property({ type: 'timestamptz' })
  at!: Date;

  @Property({ type: 'text' })
  status!: Status;

  @Property({ type: 'integer', nullable: true })
  latencyMs!: number | null;
}
