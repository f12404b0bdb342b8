import { Client } from 'pg';
import type { CapturedMessage } from '../../../scripts/lib/mail-catcher';
import type { PrivatePostgres } from './postgres';

export interface BookingRow {
  id: string;
  status: string;
  expiresAt: Date;
  confirmedAt: Date | null;
}

export interface PaymentRow {
  id: string;
  bookingId: string;
  status: string;
}

/** What the databases and the SMTP sink hold about a set of bookings: the ground truth. */
export interface Records {
  /** booking's own rows. */
  bookings: BookingRow[];
  /** payment's rows for those bookings. */
  payments: PaymentRow[];
  /** reporting's audit trail: `booking.created` rows per booking. */
  createdActivity: Map<string, number>;
  /** reporting's read model: the status it believes each booking has. */
  reportedStatus: Map<string, string>;
  /** "Booking confirmed" e-mails per booking, by distinct Message-ID. */
  confirmationMails: Map<string, Set<string>>;
  /** The databases' clock when read (holds expire by it). */
  now: Date;
}

async function query<R extends object>(url: string, sql: string, params: unknown[]): Promise<R[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Reads every subgraph database concerned, straight from the private PostgreSQL (never
 * through the services under test), plus the mail the sink caught. A fresh connection per
 * read: the server may just have been killed and restarted.
 */
export async function readRecords(postgres: PrivatePostgres, mail: readonly CapturedMessage[], ids: readonly string[]): Promise<Records> {
  const [bookings, payments, activity, reported, [{ now }]] = await Promise.all([
    query<BookingRow>(
      postgres.url('atrium_booking'),
      `select id, status, expires_at as "expiresAt", confirmed_at as "confirmedAt" from booking where id = any($1::uuid[])`,
      [ids],
    ),
    query<PaymentRow>(postgres.url('atrium_payment'), `select id, booking_id as "bookingId", status from payment where booking_id = any($1::uuid[])`, [ids]),
    query<{ id: string; n: number }>(
      postgres.url('atrium_reporting'),
      `select entity_id as id, count(*)::int as n from activity_log where action = 'booking.created' and entity_id = any($1::text[]) group by entity_id`,
      [ids],
    ),
    query<{ id: string; status: string }>(postgres.url('atrium_reporting'), `select id, status from booking_record where id = any($1::uuid[])`, [ids]),
    query<{ now: Date }>(postgres.url('atrium_booking'), 'select now() as now', []),
  ]);
  const confirmationMails = new Map<string, Set<string>>();
  for (const message of mail) {
    if (!message.subject.startsWith('Booking confirmed')) continue;
    const id = ids.find((bookingId) => message.text?.includes(bookingId));
    if (!id) continue;
    const messageIds = confirmationMails.get(id) ?? new Set<string>();
    messageIds.add(message.headers['message-id'] ?? `(no Message-ID, received ${message.receivedAt.toISOString()})`);
    confirmationMails.set(id, messageIds);
  }
  return {
    bookings,
    payments,
    createdActivity: new Map(activity.map((a) => [a.id, a.n])),
    reportedStatus: new Map(reported.map((r) => [r.id, r.status])),
    confirmationMails,
    now,
  };
}
