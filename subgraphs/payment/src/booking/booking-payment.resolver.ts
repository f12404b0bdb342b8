import { Authenticated } from '@atrium/kit/subgraph';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { PaymentContext } from '../context';
import { Payment } from '../payment/payment.entity';
import { BookingExtension } from './booking.extension';

/** `Booking.payment`: payment's field on booking's entity. */
@Resolver(() => BookingExtension)
export class BookingPaymentResolver {
  /** Batched: the payments of a whole page of bookings load in one statement. */
  @FieldResolver(() => Payment, { nullable: true, description: 'The live or latest payment of the booking, if any' })
  @Authenticated()
  payment(@Root() booking: BookingExtension, @Ctx() ctx: PaymentContext): Promise<Payment | null> {
    return ctx.payments.forBooking(booking.id);
  }
}
