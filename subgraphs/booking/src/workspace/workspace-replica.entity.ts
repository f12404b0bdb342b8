import { Check, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * booking's own read model of catalog's workspaces, fed by `workspace.created/updated/
 * archived`: what createBooking checks (exists, active) and prices with, without ever
 * calling catalog. `sourceOccurredAt` is the time of the event it reflects, so a late or
 * redelivered older event never overwrites a newer state.
 */
@Entity({ tableName: 'workspace_replica' })
@Check({ name: 'workspace_replica_hourly_rate_amount_check', expression: '"hourly_rate_amount" >= 0' })
export class WorkspaceReplica {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  locationId!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'integer' })
  capacity!: number;

  @Property({ type: 'integer' })
  hourlyRateAmount!: number;

  @Property({ type: 'character(3)', length: 3 })
  hourlyRateCurrency!: string;

  @Property({ type: 'boolean' })
  active!: boolean;

  @Property({ type: 'text' })
  city!: string;

  @Property({ type: 'text' })
  timezone!: string;

  @Property({ type: 'timestamptz' })
  sourceOccurredAt!: Date;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
