import { Authenticated } from '@atrium/kit/subgraph';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum Status {
  UP = 'UP',
  DOWN = 'DOWN',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(Status, { name: 'HealthStatus', description: 'UNKNOWN until the first poll has seen the service.' });

/**
 * The last known state of one monitored service (a subgraph or the gateway), written by
 * the poll job. `url` comes from the configuration, not the table (see ServiceStatusResolver).
 */
@Authenticated()
@Directive('@key(fields: "name")')
@ObjectType({ description: 'A monitored subgraph or the gateway, as its last readiness probe saw it.' })
@Entity({ tableName: 'service_status' })
export class ServiceStatus {
  @Field({ description: 'As in supergraph.yaml, or "gateway".' })
  @PrimaryKey({ type: 'text' })
  name!: string;

  @Field(() => Status)
  @Property({ type: 'text' })
  status!: Status;

  @Field(() => Int, { nullable: true, description: 'Response time of the last probe; null when it got no answer.' })
  @Property({ type: 'integer', nullable: true })
  latencyMs!: number | null;

  @Field(() => Date, { nullable: true, description: 'When the last probe ran; null before the first.' })
  @Property({ type: 'timestamptz' })
  checkedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the status last changed.' })
  @Property({ type: 'timestamptz' })
  changedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last probe failed: "503 Service Unavailable", "connection refused", "timeout after 2000 ms".' })
  @Property({ type: 'text', nullable: true })
  reason!: string | null;
}

/** One status change of a service: the history behind incidents and alerts. */
@Entity({ tableName: 'status_change' })
export class StatusChange {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  service!: string;

  @Property({ type: 'text', fieldName: 'from_status' })
  from!: Status;

  @Property({ type: 'text', fieldName: 'to_status' })
  to!: Status;

  @Property({ type: 'timestamptz' })
  at!: Date;

  @Property({ type: 'integer', nullable: true })
  latencyMs!: number | null;

  @Property({ type: 'text', nullable: true })
  reason!: string | null;
}
