import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * booking's Booking, extended here with `payment`: payment resolves it by key alone
 * (`{ id }`), the gateway fetches every other field from booking.
 */
@Directive('@key(fields: "id")')
@ObjectType('Booking')
export class BookingExtension {
  @Field(() => ID)
  id!: string;
}
