import type { Context } from '@atrium/kit/subgraph';
import { BookingService } from './booking/booking.service';
import type { BookingRules } from './config';

/** kit's request context plus booking's service, bound to the request. */
export interface BookingContext extends Context {
  bookings: BookingService;
  rules: BookingRules;
}

export function bookingContext(base: Context, rules: BookingRules): BookingContext {
  const ctx = { ...base, rules } as BookingContext;
  ctx.bookings = new BookingService(ctx, rules);
  return ctx;
}
