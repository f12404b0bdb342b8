import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A free interval [startsAt, endsAt) of a workspace.' })
export class TimeSlot {
  @Field(() => Date)
  startsAt!: Date;

  @Field(() => Date)
  endsAt!: Date;
}
