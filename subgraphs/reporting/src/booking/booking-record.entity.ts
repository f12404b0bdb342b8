import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * What reporting knows of one booking, from booking.* events (never from booking's
 * database): enough for occupancy and revenue per workspace. An event older than the
 * one that set the current status does not overwrite it (events may arrive out of order).
 */
@Entity({ tableName: 'booking_record' })
@Index({ name: 'booking_record_workspace_time_index', properties: ['workspaceId', 'startsAt', 'endsAt'] })
export class BookingRecord {
  /** booking's id. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  /** A BookingStatus of the booking subgraph: PENDING_PAYMENT, CONFIRMED, … */
  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'integer' })
  priceAmount!: number;

  @Property({ type: 'character(3)', length: 3 })
  priceCurrency!: string;

  /** When the event that set `status` occurred. */
  @Property({ type: 'timestamptz' })
  statusAt!: Date;
}
