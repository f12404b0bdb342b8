import type { EventEnvelope, EventType } from '@atrium/kit/subgraph';
import { describe as describeEvent, EVENT_TYPES, formatMoney, formatRange, storedData } from './describe';

const envelope = <T extends EventType>(type: T, data: EventEnvelope<T>['data']): EventEnvelope =>
  ({ id: 'e', type, version: 1, occurredAt: '2026-11-22T10:00:00Z', producer: 'test', correlationId: 'c', actorId: null, data }) as EventEnvelope;

describe('activity-log descriptions', () => {
  it('covers every event type of the catalog', () => {
    expect(EVENT_TYPES).toHaveLength(17);
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(['user.registered', 'booking.created', 'payment.refunded', 'location.created', 'service.status_changed']));
  });

  it('formats money with the currency’s own decimals', () => {
    expect(formatMoney({ amount: 1250, currency: 'EUR' })).toBe('12.50 EUR');
    expect(formatMoney({ amount: 1500, currency: 'JPY' })).toBe('1500 JPY');
    expect(formatMoney({ amount: 5, currency: 'XXZ' })).toBe('0.05 XXZ');
  });

  it('formats a time range on one day or across days, in UTC', () => {
    expect(formatRange('2026-11-23T09:00:00Z', '2026-11-23T11:30:00Z')).toBe('2026-11-23 09:00–11:30 UTC');
    expect(formatRange('2026-11-23T22:00:00Z', '2026-11-24T08:00:00Z')).toBe('2026-11-23 22:00 – 2026-11-24 08:00 UTC');
  });

  it('names the entity and says what happened', () => {
    const bookingId = '1a2b3c4d-0000-4000-8000-000000000001';
    const booking = {
      bookingId,
      userId: 'u',
      workspaceId: 'w',
      workspaceName: 'Desk A1',
      startsAt: '2026-11-23T09:00:00Z',
      endsAt: '2026-11-23T11:00:00Z',
      price: { amount: 3000, currency: 'EUR' },
      status: 'PENDING_PAYMENT',
    };
    expect(describeEvent(envelope('booking.created', booking))).toEqual({
      entityType: 'Booking',
      entityId: bookingId,
      summary: 'Booking 1a2b3c4d… created for "Desk A1", 2026-11-23 09:00–11:00 UTC, 30.00 EUR',
    });
    expect(describeEvent(envelope('booking.confirmed', booking))!.summary).toBe('Booking 1a2b3c4d… confirmed');
    expect(describeEvent(envelope('booking.cancelled', { ...booking, reason: null, wasPaid: false }))!.summary).toBe('Booking 1a2b3c4d… cancelled');
    const payment = { paymentId: 'p', bookingId, userId: 'u', amount: { amount: 3000, currency: 'EUR' }, last4: '4242', status: 'FAILED' };
    expect(describeEvent(envelope('payment.failed', { ...payment, reason: 'card declined', declined: true }))).toEqual({
      entityType: 'Payment',
      entityId: 'p',
      summary: 'Declined payment of 30.00 EUR for booking 1a2b3c4d…: card declined',
    });
  });

  it('caps long summaries and ignores types it does not know', () => {
    const failed = { bookingId: 'b', reason: 'x'.repeat(1000) } as EventEnvelope<'booking.payment_failed'>['data'];
    const long = describeEvent(envelope('booking.payment_failed', failed));
    expect(long!.summary).toHaveLength(300);
    expect(describeEvent({ ...envelope('booking.confirmed', {} as never), type: 'booking.teleported' as EventType })).toBeNull();
  });

  it('keeps no e-mail address in the stored payload', () => {
    expect(storedData({ userId: 'u', email: 'a@b.c', name: 'A', roles: ['MEMBER'] })).toEqual({ userId: 'u', name: 'A', roles: ['MEMBER'] });
  });
});
