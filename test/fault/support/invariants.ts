import type { Records } from './records';

/**
 * What must hold once the platform has settled after a fault, each as a list of
 * violations (empty when it holds), worded so a failing test says which booking and why.
 * Only the bookings of the scenario are judged.
 */

const CHARGED = ['SUCCEEDED', 'REFUNDED'];
const CONFIRMED = ['CONFIRMED', 'COMPLETED'];
const short = (id: string) => id.slice(0, 8);

/** Every booking the workload created exists, none is PENDING_PAYMENT past its hold, no payment is left PROCESSING. */
export function unsettled(records: Records, ids: readonly string[]): string[] {
  const known = new Set(records.bookings.map((b) => b.id));
  return [
    ...ids.filter((id) => !known.has(id)).map((id) => `booking ${short(id)} was created but booking has no row for it`),
    ...records.bookings
      .filter((b) => b.status === 'PENDING_PAYMENT' && b.expiresAt < records.now)
      .map((b) => `booking ${short(b.id)} is PENDING_PAYMENT ${Math.round((records.now.getTime() - b.expiresAt.getTime()) / 1000)} s past its hold`),
    ...records.payments.filter((p) => p.status === 'PROCESSING').map((p) => `payment ${short(p.id)} of booking ${short(p.bookingId)} is still PROCESSING`),
  ];
}

/** At most one charge per booking (a refunded payment was a charge too). */
export function doubleCharges(records: Records): string[] {
  const charges = new Map<string, number>();
  for (const p of records.payments) if (CHARGED.includes(p.status)) charges.set(p.bookingId, (charges.get(p.bookingId) ?? 0) + 1);
  return [...charges].filter(([, n]) => n > 1).map(([id, n]) => `booking ${short(id)} was charged ${n} times`);
}

/**
 * A booking is confirmed exactly when its charge stands: every SUCCEEDED payment's booking
 * is CONFIRMED (or COMPLETED), every confirmed booking has one, and a booking that is not
 * on (cancelled, expired, failed) had its charge refunded.
 */
export function chargesMatchStatuses(records: Records): string[] {
  const violations: string[] = [];
  for (const b of records.bookings) {
    const payments = records.payments.filter((p) => p.bookingId === b.id);
    const standing = payments.some((p) => p.status === 'SUCCEEDED');
    if (standing && !CONFIRMED.includes(b.status)) violations.push(`booking ${short(b.id)} is ${b.status} but its charge was not refunded`);
    if (!standing && CONFIRMED.includes(b.status)) {
      const refunded = payments.some((p) => p.status === 'REFUNDED');
      violations.push(`booking ${short(b.id)} is ${b.status} ${refunded ? 'but its payment was refunded' : 'without a successful payment'}`);
    }
  }
  return violations;
}

/** One confirmation e-mail (one Message-ID) per booking that was ever confirmed, none for the others. */
export function confirmationMails(records: Records): string[] {
  const violations: string[] = [];
  for (const b of records.bookings) {
    const sent = records.confirmationMails.get(b.id)?.size ?? 0;
    if (b.confirmedAt && sent !== 1) violations.push(`booking ${short(b.id)} was confirmed and got ${sent} confirmation e-mails`);
    if (!b.confirmedAt && sent > 0) violations.push(`booking ${short(b.id)} was never confirmed yet got ${sent} confirmation e-mails`);
  }
  return violations;
}

/** reporting logged each booking's creation once and holds the status booking holds. */
export function reportingMismatches(records: Records): string[] {
  const violations: string[] = [];
  for (const b of records.bookings) {
    const logged = records.createdActivity.get(b.id) ?? 0;
    if (logged !== 1) violations.push(`booking ${short(b.id)} has ${logged} booking.created rows in the activity log`);
    const reported = records.reportedStatus.get(b.id);
    if (reported !== b.status) violations.push(`booking ${short(b.id)} is ${b.status} but reporting says ${reported ?? 'nothing'}`);
  }
  return violations;
}

/** Every invariant at once: the platform has settled when this is empty. */
export function allViolations(records: Records, ids: readonly string[]): string[] {
  return [...unsettled(records, ids), ...doubleCharges(records), ...chargesMatchStatuses(records), ...confirmationMails(records), ...reportingMismatches(records)];
}
