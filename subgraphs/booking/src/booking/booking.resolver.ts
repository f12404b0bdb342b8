import { Authenticated } from '@atrium/kit/subgraph';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { BookingContext } from '../context';
import { UserExtension } from '../user/user.extension';
import { WorkspaceExtension } from '../workspace/workspace.extension';
import { Booking } from './booking.entity';
import { CreateBookingInput } from './booking.input';
import { bookingFromState, bookingUpdatesFor, type BookingState, type BookingUpdatedArgs } from './booking.live';

@Resolver(() => Booking)
export class BookingResolver {
  @Query(() => Booking, { nullable: true, description: "One of your bookings (anyone's with bookings:read)." })
  @Authenticated()
  booking(@Arg('id', () => ID) id: string, @Ctx() ctx: BookingContext): Promise<Booking | null> {
    return ctx.bookings.get(id);
  }

  @Mutation(() => Booking, {
    description:
      'Holds the slot for you (PENDING_PAYMENT until paid; it expires unpaid). BOOKING_CONFLICT when it overlaps a live booking. ' +
      'Retrying with the same idempotencyKey returns the same booking.',
  })
  @Authenticated()
  createBooking(
    @Arg('input') input: CreateBookingInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null | undefined,
    @Ctx() ctx: BookingContext,
  ): Promise<Booking> {
    return ctx.bookings.create(input, idempotencyKey);
  }

  @Mutation(() => Booking, { description: 'Your booking (any with bookings:read), while PENDING_PAYMENT or CONFIRMED and before it starts; a paid one is refunded.' })
  @Authenticated()
  cancelBooking(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null | undefined,
    @Ctx() ctx: BookingContext,
  ): Promise<Booking> {
    return ctx.bookings.cancel(id, reason);
  }

  @Subscription(() => Booking, {
    description:
      'Each status change of your bookings (any with bookings:read) as it commits, from creation (PENDING_PAYMENT) on; ' +
      'only those of one booking or one workspace when given.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, BookingUpdatedArgs, BookingContext>) => bookingUpdatesFor(context, args),
  })
  @Authenticated()
  bookingUpdated(
    @Root() state: BookingState,
    // Declared for the schema; the filtering happens as events arrive (bookingUpdatesFor).
    @Arg('bookingId', () => ID, { nullable: true }) _bookingId: string | null,
    @Arg('workspaceId', () => ID, { nullable: true }) _workspaceId: string | null,
  ): Booking {
    return bookingFromState(state);
  }

  /** A reference into catalog: the gateway fetches the workspace's fields from there. */
  @FieldResolver(() => WorkspaceExtension)
  workspace(@Root() booking: Booking): WorkspaceExtension {
    return { id: booking.workspaceId };
  }

  /** A reference into identity. */
  @FieldResolver(() => UserExtension)
  user(@Root() booking: Booking): UserExtension {
    return { id: booking.userId };
  }
}
