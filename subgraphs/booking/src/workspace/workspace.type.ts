import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * catalog's Workspace, which booking extends with `bookings` and `availability`
 * (see WorkspaceBookingsResolver). booking knows it by key only; catalog owns its fields.
 */
@Directive('@key(fields: "id")')
@ObjectType()
export class Workspace {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A free interval [startsAt, endsAt) of a workspace.' })
export class TimeSlot {
  @Field(() => Date)
  startsAt!: Date;

  @Field(() => Date)
  endsAt!: Date;
}
