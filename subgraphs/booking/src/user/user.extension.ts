import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * identity's User, which booking extends with `bookings` (see UserBookingsResolver).
 * booking knows it by key only; identity owns its fields.
 */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class UserExtension {
  @Field(() => ID)
  id!: string;
}
