import { badInput } from '@atrium/kit';
import type { BookingSnapshot } from '@atrium/kit/subgraph';
import type { BookingRules } from '../config';
import type { Booking } from './booking.entity';



const MINUTE_MS = 60_000;
const MAX_INT = 2_147_483_647;

/**
 * Checks a requested [startsAt, endsAt) against the booking rules and returns its length
 * in minutes. Each failure is BAD_USER_INPUT naming the offending field.
 */
export function checkRange(startsAt: Date, endsAt: Date, now: Date, rules: BookingRules): number {
  if (startsAt.getTime() % MINUTE_MS !== 0) throw badInput('input.startsAt', 'must be on a whole minute (no seconds)');
  if (endsAt.getTime() % MINUTE_MS !== 0) throw badInput('input.endsAt', 'must be on a whole minute (no seconds)');
  if (endsAt <= startsAt) throw badInput('input.endsAt', 'must be after input.startsAt');
  if (startsAt <= now) throw badInput('input.startsAt', 'must be in the future');
  if (startsAt.getTime() - now.getTime() > rules.maxAdvanceMs) {
    throw badInput('input.startsAt', `must be at most ${Math.round(rules.maxAdvanceMs / 86_400_000)} days ahead`);
  }
  const minutes = (endsAt.getTime() - startsAt.getTime()) / MINUTE_MS;
  if (minutes < rules.minMinutes) throw badInput('input.endsAt', `a booking lasts at least ${rules.minMinutes} minutes`);
  if (minutes > rules.maxMinutes) throw badInput('input.endsAt', `a booking lasts at most ${rules.maxMinutes / 1440} days`);
  return minutes;
}

/**
 * The price of `minutes` at `hourlyRate` minor units per hour: prorated per minute and
 * rounded to the nearest minor unit (halves up). Integer arithmetic until the one division.
 */
export function priceFor(hourlyRate: number, minutes: number): number {
  const amount = Math.round((hourlyRate * minutes) / 60);
  if (amount > MAX_INT) throw badInput('input.endsAt', 'the price of this booking is too large; book a shorter range');
  return amount;
}

/** What every booking.* event carries. */
export function snapshot(booking: Booking): BookingSnapshot {
  return {
    bookingId: booking.id,
    userId: booking.userId,
    workspaceId: booking.workspaceId,
    workspaceName: booking.workspaceName,
    startsAt: booking.startsAt.toISOString(),
    endsAt: booking.endsAt.toISOString(),
    price: { amount: booking.priceAmount, currency: booking.priceCurrency },
    status: booking.status,
  };
}
