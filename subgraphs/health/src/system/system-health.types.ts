import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ServiceStatus, Status } from '../status/service-status.entity';

export enum SystemState {
  UP = 'UP',
  DEGRADED = 'DEGRADED',
  DOWN = 'DOWN',
}
registerEnumType(SystemState, {
  name: 'SystemState',
  description: 'UP: everything answers. DEGRADED: some service is DOWN or not yet polled. DOWN: Postgres or Redis is down, or every service is.',
});

@ObjectType({ description: "A dependency of health's own: answered a trivial command or not." })
export class DependencyStatus {
  @Field(() => Status)
  status!: Status;

  @Field(() => Int, { nullable: true, description: 'Round trip of the check; null when it failed.' })
  latencyMs!: number | null;
}

@ObjectType({ description: 'One consumer group on the event stream (one per consuming subgraph).' })
export class ConsumerGroupLag {
  @Field()
  name!: string;

  @Field(() => Int, { description: 'Delivered but not yet acknowledged.' })
  pending!: number;

  @Field(() => Int, { nullable: true, description: 'Entries not yet delivered to the group; null when Redis cannot tell.' })
  lag!: number | null;
}

@ObjectType({ description: 'The Redis Stream that carries domain events.' })
export class EventStreamHealth {
  @Field(() => Int, { description: 'Entries on the stream.' })
  length!: number;

  @Field(() => Int, { description: 'Entries on the dead-letter stream.' })
  deadLetters!: number;

  @Field(() => [ConsumerGroupLag])
  groups!: ConsumerGroupLag[];
}

@ObjectType({ description: 'Job counts of one BullMQ queue (queues are named <subgraph>-<job>).' })
export class QueueStats {
  @Field()
  name!: string;

  @Field(() => Int)
  waiting!: number;

  @Field(() => Int)
  active!: number;

  @Field(() => Int)
  delayed!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  completed!: number;
}

@ObjectType({ description: 'The whole platform at a glance (ADMIN).' })
export class SystemHealth {
  @Field(() => SystemState)
  status!: SystemState;

  @Field(() => [ServiceStatus])
  services!: ServiceStatus[];

  @Field(() => DependencyStatus)
  redis!: DependencyStatus;

  @Field(() => DependencyStatus)
  postgres!: DependencyStatus;

  @Field(() => EventStreamHealth)
  eventStream!: EventStreamHealth;

  @Field(() => [QueueStats])
  queues!: QueueStats[];
}
