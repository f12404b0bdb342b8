import { Scope } from '@atrium/kit';
import { RequiresScopes } from '@atrium/kit/subgraph';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * One domain event, as the audit trail keeps it: what happened to which entity, who caused
 * it, when, and the correlation id of the request behind it. Written only by the event
 * handlers; `actor` is resolved by `ActivityLogResolver` as a reference into identity.
 */
@RequiresScopes([Scope.REPORTS_READ])
@Directive('@key(fields: "id")')
@ObjectType({ description: 'One domain event in the audit trail (MANAGER or ADMIN).' })
@Entity({ tableName: 'activity_log' })
export class ActivityLog {
  [OptionalProps]?: 'recordedAt';

  /** The event's own id (as in the stream, the logs and the dead-letter stream). */
  @Field(() => ID, { description: 'The id of the domain event, as in logs and the dead-letter stream.' })
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Field({ description: 'The event type, e.g. "booking.created".' })
  @Property({ type: 'text' })
  action!: string;

  @Field({ description: 'User, Location, Workspace, Booking or Payment.' })
  @Property({ type: 'text' })
  entityType!: string;

  @Field(() => ID)
  @Property({ type: 'text' })
  entityId!: string;

  /** The user whose request caused the event; null for system work (expiry, completion). */
  @Property({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Field({ description: 'The request id behind the event, shared by every event it caused.' })
  @Property({ type: 'text' })
  correlationId!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  @Field({ description: 'The subgraph that emitted the event.' })
  @Property({ type: 'text' })
  producer!: string;

  @Field({ description: 'Short human text, e.g. "Booking 1a2b3c4d… confirmed".' })
  @Property({ type: 'text' })
  summary!: string;

  /** The event payload (personal data such as e-mail addresses removed): the rollup recounts from it. */
  @Property({ type: 'json' })
  data!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  recordedAt: Date = new Date();
}
