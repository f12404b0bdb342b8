import { Scope } from '@atrium/kit';
import { loader, RequiresScopes, type Connection } from '@atrium/kit/subgraph';
import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { BookingConnection } from '../booking/booking.connection';
import type { Booking } from '../booking/booking.entity';
import { BookingListArgs } from '../booking/booking.input';
import type { BookingContext } from '../context';
import { TimeSlot } from './availability.types';
import { WorkspaceExtension } from './workspace.extension';

const EMPTY: Connection<Booking> = { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };

/** Adds `bookings` and `availability` to catalog's Workspace. */
@Resolver(() => WorkspaceExtension)
export class WorkspaceBookingsResolver {
  /** Batched: the bookings of every workspace in a request load in one statement. */
  // Nullable, like every field a caller may be refused: a refusal nulls this field, not its workspace.
  @FieldResolver(() => BookingConnection, { nullable: true, description: "The workspace's bookings, latest start first (MANAGER or ADMIN)." })
  @RequiresScopes([Scope.BOOKINGS_READ])
  async bookings(@Root() workspace: WorkspaceExtension, @Args() args: BookingListArgs, @Ctx() ctx: BookingContext): Promise<Connection<Booking>> {
    const key = `Workspace.bookings:${args.status ?? ''}:${args.first}:${args.after ?? ''}`;
    return (await loader(ctx, key, (ids) => ctx.bookings.pages('workspace_id', ids, args)).load(workspace.id)) ?? EMPTY;
  }

  /** Batched: one statement for every workspace of a request with the same window. */
  @FieldResolver(() => [TimeSlot], {
    description: 'Free intervals within [from, to) (at most 31 days): the window minus live bookings, merged. None for an archived workspace.',
  })
  async availability(
    @Root() workspace: WorkspaceExtension,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Ctx() ctx: BookingContext,
  ): Promise<TimeSlot[]> {
    ctx.availability.checkWindow(from, to);
    const key = `Workspace.availability:${from.toISOString()}:${to.toISOString()}`;
    const found = await loader(ctx, key, (ids) => ctx.availability.freeSlots(ids, from, to)).load(workspace.id);
    return found?.slots ?? [];
  }
}
