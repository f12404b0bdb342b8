import { Authenticated } from '@atrium/kit/subgraph';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BookingExtension } from '../booking/booking.extension';
import type { PaymentContext } from '../context';
import { UserExtension } from '../user/user.extension';
import { Payment } from './payment.entity';
import { PayForBookingInput } from './payment.input';

@Resolver(() => Payment)
export class PaymentResolver {
  @Mutation(() => Payment, {
    description:
      "Pays one of your PENDING_PAYMENT bookings by card. SUCCEEDED, or PROCESSING while a transient provider failure is retried; a decline is a PAYMENT_DECLINED error (the FAILED payment stays on record). Test cards: 4242424242424242 succeeds, 4000000000000002 declines, 4000000000000119 fails transiently once.",
  })
  @Authenticated()
  payForBooking(@Arg('input') input: PayForBookingInput, @Ctx() ctx: PaymentContext): Promise<Payment> {
    return ctx.payments.pay(input);
  }

  @Query(() => Payment, { nullable: true, description: 'A payment: your own, or any with bookings:read' })
  @Authenticated()
  payment(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentContext): Promise<Payment | null> {
    return ctx.payments.get(id);
  }

  @FieldResolver(() => BookingExtension, { description: 'The booking paid for (fields from the booking subgraph)' })
  booking(@Root() payment: Payment): BookingExtension {
    return { id: payment.bookingId };
  }

  @FieldResolver(() => UserExtension, { description: 'The payer' })
  user(@Root() payment: Payment): UserExtension {
    return { id: payment.userId };
  }
}
