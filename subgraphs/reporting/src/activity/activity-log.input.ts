import { PageArgs } from '@atrium/kit/subgraph';
import { IsIn, IsOptional, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';

export const ENTITY_TYPES = ['User', 'Location', 'Workspace', 'Booking', 'Payment', 'Service'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

@InputType({ description: 'Every given criterion must match.' })
export class ActivityLogFilter {
  @Field(() => ID, { nullable: true, description: 'Events caused by this user' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @Field({ nullable: true, description: 'User, Location, Workspace, Booking or Payment' })
  @IsOptional()
  @IsIn(ENTITY_TYPES)
  entityType?: string;

  @Field(() => ID, { nullable: true, description: 'Events about this entity (with or without entityType)' })
  @IsOptional()
  @IsUUID()
  entityId?: string;

  @Field({ nullable: true, description: 'Events caused by one request (its x-request-id)' })
  @IsOptional()
  @MaxLength(200)
  correlationId?: string;

  @Field({ nullable: true, description: 'The event type, e.g. "booking.cancelled"' })
  @IsOptional()
  @MaxLength(100)
  action?: string;
}

@ArgsType()
export class ActivityLogArgs extends PageArgs {
  @Field(() => ActivityLogFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: ActivityLogFilter;
}
