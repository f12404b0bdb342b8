import type { BookingSnapshot } from '@atrium/kit/subgraph';
import { formatMoney, formatRange, render } from './content';
import { NotificationKind } from './notification.entity';

const booking: BookingSnapshot = {
  bookingId: 'b5a1c7e0-0000-4000-8000-000000000001',
  userId: 'a5a1c7e0-0000-4000-8000-000000000001',
  workspaceId: 'c5a1c7e0-0000-4000-8000-000000000001',
  workspaceName: 'Desk 1',
  startsAt: '2026-11-24T10:00:00.000Z',
  endsAt: '2026-11-24T12:00:00.000Z',
  price: { amount: 1250, currency: 'EUR' },
  status: 'CONFIRMED',
};

describe('notification content', () => {
  it('formats money from minor units in the currency’s own decimals', () => {
    expect(formatMoney({ amount: 1250, currency: 'EUR' })).toBe('€12.50');
    expect(formatMoney({ amount: 300, currency: 'USD' })).toBe('$3.00');
    expect(formatMoney({ amount: 500, currency: 'JPY' })).toBe('¥500');
    expect(formatMoney({ amount: 1250, currency: 'XXZ' })).toMatch(/12\.50/);
  });

  it('formats a time range on one day, across midnight, and in a time zone', () => {
    expect(formatRange('2026-11-24T10:00:00Z', '2026-11-24T12:00:00Z')).toBe('24 Nov 2026 10:00–12:00 UTC');
    expect(formatRange('2026-09-03T22:00:00Z', '2026-09-04T02:30:00Z')).toBe('3 Sep 2026 22:00 – 4 Sep 2026 02:30 UTC');
    expect(formatRange('2026-11-24T10:00:00Z', '2026-11-24T12:00:00Z', 'Europe/Paris')).toBe('24 Nov 2026 11:00–13:00 (Europe/Paris)');
  });

  it('confirms a booking with the workspace, the time and the price in every rendering', () => {
    const content = render('booking.confirmed', booking, 'Alice');
    expect(content.kind).toBe(NotificationKind.BOOKING_CONFIRMED);
    expect(content.title).toBe('Booking confirmed: Desk 1, 24 Nov 2026 10:00–12:00 UTC');
    expect(content.summary).toContain('€12.50');
    expect(content.text).toMatch(/^Hello Alice,/);
    for (const part of ['Desk 1', '24 Nov 2026 10:00–12:00 UTC', '€12.50', booking.bookingId]) {
      expect(content.text).toContain(part);
      expect(content.html).toContain(part);
    }
  });

  it('escapes HTML and keeps the subject on one line whatever the workspace is called', () => {
    const content = render('booking.cancelled', { ...booking, workspaceName: 'Desk <b>"A&B"</b>\r\nBcc: x@evil.test', reason: null, wasPaid: true }, null);
    expect(content.title).not.toMatch(/[\r\n]/);
    expect(content.html).toContain('Desk &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;');
    expect(content.html).not.toContain('<b>"A&B"</b>');
    expect(content.text).toMatch(/^Hello,/);
    expect(content.summary).toContain('will be refunded');
  });

  it('says why a payment failed, and what was received or refunded', () => {
    expect(render('booking.payment_failed', { ...booking, reason: 'card declined' }, null).text).toContain('card declined');
    const paid = { paymentId: 'p', bookingId: booking.bookingId, userId: booking.userId, amount: { amount: 1250, currency: 'EUR' }, last4: '4242', status: 'SUCCEEDED' };
    expect(render('payment.succeeded', paid, null)).toMatchObject({ kind: NotificationKind.PAYMENT_RECEIVED, title: 'Payment received: €12.50' });
    expect(render('payment.refunded', paid, null).summary).toContain('ending 4242');
    expect(render('user.registered', { userId: booking.userId, email: 'a@b.c', name: 'Alice', roles: ['MEMBER'] }, 'Alice').title).toBe(
      'Welcome to Atrium, Alice',
    );
  });
});
