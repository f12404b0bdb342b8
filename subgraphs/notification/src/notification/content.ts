import type { BookingSnapshot, EventCatalog, EventMoney, PaymentSnapshot } from '@atrium/kit/subgraph';
import { NotificationKind } from './notification.entity';

/** What one event says to its user, per channel: decided once, when the event arrives. */
export interface Content {
  kind: NotificationKind;
  /** Headline and e-mail subject, e.g. "Booking confirmed: Desk 1, 24 Nov 2026 10:00–12:00 UTC". */
  title: string;
  /** One or two sentences: the in-app message and (after the title) the SMS. */
  summary: string;
  /** The e-mail's plain text. */
  text: string;
  /** The e-mail's HTML alternative (every interpolated value escaped). */
  html: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Booking events carry instants but no time zone yet, so times are shown in UTC and say
 * so. (Asked for: the workspace's time zone in BookingSnapshot.)
 */
export const DISPLAY_TIME_ZONE = 'UTC';

/** "€12.50", "$3.00", "¥500": minor units in the currency's own number of decimals. */
export function formatMoney({ amount, currency }: EventMoney): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency}`; // not an ISO 4217 code: still readable
  }
}

function parts(instant: Date, timeZone: string) {
  const values = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${Number(values.day)} ${MONTHS[Number(values.month) - 1]} ${values.year}`, time: `${values.hour}:${values.minute}` };
}

/** "24 Nov 2026 10:00–12:00 UTC", or "24 Nov 2026 22:00 – 25 Nov 2026 02:00 UTC" across midnight. */
export function formatRange(startsAt: string | Date, endsAt: string | Date, timeZone = DISPLAY_TIME_ZONE): string {
  const start = parts(new Date(startsAt), timeZone);
  const end = parts(new Date(endsAt), timeZone);
  const zone = timeZone === 'UTC' ? ' UTC' : ` (${timeZone})`;
  return start.date === end.date
    ? `${start.date} ${start.time}–${end.time}${zone}`
    : `${start.date} ${start.time} – ${end.date} ${end.time}${zone}`;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Subjects are one line whatever a workspace is called. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').trim();

interface Draft {
  kind: NotificationKind;
  title: string;
  summary: string;
  /** Paragraphs of the e-mail after the greeting. */
  paragraphs: string[];
  /** Label/value rows shown as a small table (booking details). */
  details?: [string, string][];
}

/** Turns a draft into the three renderings, greeting the user by name when notification knows it. */
function finish(draft: Draft, name: string | null): Content {
  const title = oneLine(draft.title);
  const greeting = name ? `Hello ${name},` : 'Hello,';
  const details = draft.details ?? [];
  const text = [
    greeting,
    '',
    ...draft.paragraphs.flatMap((p) => [p, '']),
    ...(details.length ? [...details.map(([label, value]) => `${label}: ${value}`), ''] : []),
    '— Atrium',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; color: #1a1a1a">',
    `<h1 style="font-size: 18px">${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(greeting)}</p>`,
    ...draft.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(details.length
      ? [
          '<table style="border-collapse: collapse">',
          ...details.map(([label, value]) => `<tr><th style="text-align: left; padding-right: 12px">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
          '</table>',
        ]
      : []),
    '<p style="color: #666">— Atrium</p>',
    '</body></html>',
  ].join('\n');
  return { kind: draft.kind, title, summary: draft.summary, text, html };
}

const bookingDetails = (b: BookingSnapshot): [string, string][] => [
  ['Workspace', b.workspaceName],
  ['When', formatRange(b.startsAt, b.endsAt)],
  ['Price', formatMoney(b.price)],
  ['Booking', b.bookingId],
];

const paymentDetails = (p: PaymentSnapshot): [string, string][] => [
  ['Amount', formatMoney(p.amount)],
  ['Card', `ending ${p.last4}`],
  ['Booking', p.bookingId],
];

/** The event types notification speaks about, and what it says for each. */
export const templates = {
  'user.registered': (u: EventCatalog['user.registered']): Draft => ({
    kind: NotificationKind.WELCOME,
    title: `Welcome to Atrium, ${u.name}`,
    summary: 'Your account is ready: find a desk, a meeting room or an office and book it in a few clicks.',
    paragraphs: [
      'Welcome to Atrium! Your account is ready.',
      'Find a desk, a meeting room, a private office or a hotel room, and book it in a few clicks.',
    ],
  }),
  'booking.confirmed': (b: EventCatalog['booking.confirmed']): Draft => {
    const slot = `${b.workspaceName}, ${formatRange(b.startsAt, b.endsAt)}`;
    return {
      kind: NotificationKind.BOOKING_CONFIRMED,
      title: `Booking confirmed: ${slot}`,
      summary: `Your booking of ${slot} is confirmed (${formatMoney(b.price)}).`,
      paragraphs: [`Your booking of ${b.workspaceName} is confirmed. See you there!`],
      details: bookingDetails(b),
    };
  },
  'booking.payment_failed': (b: EventCatalog['booking.payment_failed']): Draft => {
    const slot = `${b.workspaceName}, ${formatRange(b.startsAt, b.endsAt)}`;
    return {
      kind: NotificationKind.BOOKING_PAYMENT_FAILED,
      title: `Payment failed: ${slot}`,
      summary: `The payment for ${slot} failed (${b.reason}); the slot was released.`,
      paragraphs: [
        `We could not take the payment of ${formatMoney(b.price)} for your booking of ${b.workspaceName}: ${b.reason}.`,
        'The slot has been released. You can book again with another card.',
      ],
      details: bookingDetails(b),
    };
  },
  'booking.expired': (b: EventCatalog['booking.expired']): Draft => {
    const slot = `${b.workspaceName}, ${formatRange(b.startsAt, b.endsAt)}`;
    return {
      kind: NotificationKind.BOOKING_EXPIRED,
      title: `Booking expired: ${slot}`,
      summary: `Your hold on ${slot} expired before it was paid; the slot was released.`,
      paragraphs: [`Your hold on ${b.workspaceName} expired before it was paid, so the slot has been released.`],
      details: bookingDetails(b),
    };
  },
  'booking.cancelled': (b: EventCatalog['booking.cancelled']): Draft => {
    const slot = `${b.workspaceName}, ${formatRange(b.startsAt, b.endsAt)}`;
    const refund = b.wasPaid ? ` Your payment of ${formatMoney(b.price)} will be refunded.` : '';
    return {
      kind: NotificationKind.BOOKING_CANCELLED,
      title: `Booking cancelled: ${slot}`,
      summary: `Your booking of ${slot} was cancelled.${refund}`,
      paragraphs: [
        `Your booking of ${b.workspaceName} was cancelled${b.reason ? ` (${b.reason})` : ''}.${refund}`,
      ],
      details: bookingDetails(b),
    };
  },
  'payment.succeeded': (p: EventCatalog['payment.succeeded']): Draft => ({
    kind: NotificationKind.PAYMENT_RECEIVED,
    title: `Payment received: ${formatMoney(p.amount)}`,
    summary: `We received your payment of ${formatMoney(p.amount)} (card ending ${p.last4}).`,
    paragraphs: [`We received your payment of ${formatMoney(p.amount)} by the card ending ${p.last4}. Thank you!`],
    details: paymentDetails(p),
  }),
  'payment.refunded': (p: EventCatalog['payment.refunded']): Draft => ({
    kind: NotificationKind.PAYMENT_REFUNDED,
    title: `Refund issued: ${formatMoney(p.amount)}`,
    summary: `${formatMoney(p.amount)} is on its way back to your card ending ${p.last4}.`,
    paragraphs: [`We refunded ${formatMoney(p.amount)} to the card ending ${p.last4}. It may take a few days to appear.`],
    details: paymentDetails(p),
  }),
  'service.status_changed': (c: EventCatalog['service.status_changed']): Draft =>
    c.status === 'DOWN'
      ? {
          kind: NotificationKind.SERVICE_DOWN,
          title: `Service down: ${c.service}`,
          summary: `${c.service} stopped answering${c.reason ? ` (${c.reason})` : ''}.`,
          paragraphs: [`The health monitor found ${c.service} down${c.reason ? `: ${c.reason}` : ''}. An incident is open until it answers again.`],
          details: [['Service', c.service], ['Reason', c.reason ?? 'unknown'], ...(c.incidentId ? [['Incident', c.incidentId] as [string, string]] : [])],
        }
      : {
          kind: NotificationKind.SERVICE_UP,
          title: `Service back up: ${c.service}`,
          summary: `${c.service} answers again${c.latencyMs != null ? ` (${c.latencyMs} ms)` : ''}.`,
          paragraphs: [`${c.service} answers the health monitor again; its incident is resolved.`],
          details: [['Service', c.service], ...(c.incidentId ? [['Incident', c.incidentId] as [string, string]] : [])],
        },
} satisfies { [T in keyof EventCatalog]?: (data: EventCatalog[T]) => Draft };

export type NotifyingEvent = keyof typeof templates;

/** The content of the notification `type` causes, greeting `name` when known. */
export function render<T extends NotifyingEvent>(type: T, data: EventCatalog[T], name: string | null): Content {
  const template = templates[type] as (d: EventCatalog[T]) => Draft;
  return finish(template(data), name);
}
