import { isUuid } from '@atrium/kit';
import type { EventEnvelope, EventHandler, EventHandlers, HandlerContext } from '@atrium/kit/subgraph';
import { render, type NotifyingEvent } from '../notification/content';
import { notify } from '../notification/notifier';
import { Recipient } from '../recipient/recipient.entity';

/**
 * What notification does with each event it consumes. Each runs in the transaction that
 * marks the event processed (kit's consumer), so a redelivered event creates nothing
 * twice; they only write rows — sending is the delivery job's.
 */
export function eventHandlers(options: { backoffMs: number }): EventHandlers {
  const userIdOf = (event: Pick<EventEnvelope, 'id' | 'type' | 'data'>): string => {
    const { userId } = event.data as { userId?: unknown };
    if (typeof userId !== 'string' || !isUuid(userId)) throw new Error(`${event.type} ${event.id}: data.userId is not a UUID`);
    return userId;
  };

  /** Notifies the event's user, greeting them by the name notification knows (if any). */
  const notifyUser =
    <T extends Exclude<NotifyingEvent, 'service.status_changed'>>(type: T): EventHandler<T> =>
    async (event: EventEnvelope<T>, ctx: HandlerContext) => {
      const userId = userIdOf(event);
      const recipient = await ctx.em.findOne(Recipient, { id: userId });
      await notify(ctx, event, userId, render(type, event.data, recipient?.name ?? null), options.backoffMs);
    };

  return {
    /** Keeps the replica (where e-mail goes), then welcomes them. */
    'user.registered': async (event, ctx) => {
      const userId = userIdOf(event);
      const { email, name, roles } = event.data;
      await ctx.em.upsert(Recipient, { id: userId, email, name, roles, updatedAt: new Date() });
      await notify(ctx, event, userId, render('user.registered', event.data, name), options.backoffMs);
    },
    'booking.confirmed': notifyUser('booking.confirmed'),
    'booking.payment_failed': notifyUser('booking.payment_failed'),
    'booking.expired': notifyUser('booking.expired'),
    'booking.cancelled': notifyUser('booking.cancelled'),
    'payment.succeeded': notifyUser('payment.succeeded'),
    'payment.refunded': notifyUser('payment.refunded'),
    /** Keeps roles current: they decide who receives service alerts. */
    'user.roles_changed': async (event, ctx) => {
      await ctx.em.nativeUpdate(Recipient, { id: userIdOf(event) }, { roles: event.data.roles, updatedAt: new Date() });
    },
    /** A service went down or came back: every admin hears of it. */
    'service.status_changed': async (event, ctx) => {
      // The monitor's first sight of a healthy service is no news; a first sight of a
      // service that is down is.
      if (event.data.previous === null && event.data.status === 'UP') return;
      const admins = await ctx.em.find(Recipient, { roles: { $contains: ['ADMIN'] } });
      for (const admin of admins) {
        await notify(ctx, event, admin.id, render('service.status_changed', event.data, admin.name), options.backoffMs);
      }
    },
  };
}
