import type { Context } from '@atrium/kit/subgraph';
import { BookingService } from './booking/booking.service';
import type { BookingRules } from './config';
import { AvailabilityService } from './workspace/availability.service';

/** kit's request context plus booking's services, bound to the request. */
export interface BookingContext extends Context {
  bookings: BookingService;
  availability: AvailabilityService;
}

/** Builds the services of one request (cheap objects: state lives in `em`). */
export function bookingContext(base: Context, rules: BookingRules): BookingContext {
  return { ...base, bookings: new BookingService(base, rules), availability: new AvailabilityService(base.em, rules.availabilityMaxMs) };
}
