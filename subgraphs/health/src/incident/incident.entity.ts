import { Scope } from '@atrium/kit';
import { RequiresScopes } from '@atrium/kit/subgraph';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, Float, ID, ObjectType } from 'type-graphql';

/**
 * A period during which a service was DOWN: opened by the poll that saw it go down,
 * resolved (with its duration) by the poll that saw it come back. At most one is open per
 * service (a partial unique index says so).
 */
@RequiresScopes([Scope.SYSTEM_ADMIN])
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A period during which a service was DOWN (ADMIN).' })
@Entity({ tableName: 'incident' })
export class Incident {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Field({ description: 'The service that went DOWN.' })
  @Property({ type: 'text' })
  service!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Null while the service is still DOWN.' })
  @Property({ type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  /** bigint in the table (an incident may outlast 2^31 ms, about 25 days); Float in GraphQL for the same reason. */
  @Field(() => Float, { nullable: true, description: 'Milliseconds from start to resolution; null while open.' })
  @Property({ type: 'bigint', nullable: true, runtimeType: 'number' })
  durationMs!: number | null;

  @Field(() => String, { nullable: true, description: 'What the probe saw when it went DOWN.' })
  @Property({ type: 'text', nullable: true })
  reason!: string | null;
}
