import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The counters of one UTC day. Event handlers increment them in their own transaction;
 * the daily rollup recomputes yesterday's row from the activity log (self-healing).
 */
@Entity({ tableName: 'daily_stats' })
export class DailyCounters {
  [OptionalProps]?: 'bookings' | 'cancellations' | 'confirmed' | 'newUsers' | 'updatedAt';

  /** `YYYY-MM-DD` (MikroORM maps a `date` column to that string). */
  @PrimaryKey({ type: 'date' })
  date!: string;

  @Property({ type: 'integer' })
  bookings: number = 0;

  @Property({ type: 'integer' })
  cancellations: number = 0;

  @Property({ type: 'integer' })
  confirmed: number = 0;

  @Property({ type: 'integer' })
  newUsers: number = 0;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** Net revenue of one UTC day in one currency: payments succeeded minus refunds, minor units. */
@Entity({ tableName: 'daily_revenue' })
export class DailyRevenue {
  @PrimaryKey({ type: 'date' })
  date!: string;

  @PrimaryKey({ type: 'character(3)', length: 3 })
  currency!: string;

  /** bigint: a busy day may exceed 2^31 minor units in total, even if GraphQL's Int cannot. */
  @Property({ type: 'bigint' })
  amount!: string;
}
