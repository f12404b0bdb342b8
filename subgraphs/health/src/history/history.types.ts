import { Field, Int, ObjectType } from 'type-graphql';
import { Status } from '../status/service-status.entity';

@ObjectType({ description: "What the probes of one service saw during one step of a history window." })
export class ServiceHealthPoint {
  @Field(() => Date, { description: 'Start of the step (a multiple of stepSeconds since the epoch, so points of every service line up).' })
  at!: Date;

  @Field(() => Status, { description: 'DOWN when any probe of the step failed, else UP.' })
  status!: Status;

  @Field(() => Int, { nullable: true, description: 'Mean response time of the probes that got an answer; null when none did.' })
  latencyMs!: number | null;

  @Field(() => Int, { nullable: true, description: 'Slowest answer of the step; null when none came.' })
  maxLatencyMs!: number | null;

  @Field(() => Int, { description: 'Probes in the step.' })
  probes!: number;

  @Field(() => Int, { description: 'Probes of the step that found the service DOWN.' })
  failures!: number;
}

@ObjectType({ description: 'The probe history of one monitored service (ADMIN).' })
export class ServiceHealthHistory {
  @Field({ description: 'As in `services`.' })
  service!: string;

  @Field(() => [ServiceHealthPoint], { description: 'Oldest first; steps without a probe are left out (the monitor was not running).' })
  points!: ServiceHealthPoint[];
}

@ObjectType({ description: 'Latency and status of every monitored service over a recent window (ADMIN).' })
export class HealthHistory {
  @Field(() => Date, { description: 'Start of the window.' })
  since!: Date;

  @Field(() => Int, { description: 'Width of one point, in seconds: the window divided into at most 360 steps, at least 1 s.' })
  stepSeconds!: number;

  @Field(() => [ServiceHealthHistory], { description: 'Every monitored service, in the order of `services`.' })
  services!: ServiceHealthHistory[];
}
