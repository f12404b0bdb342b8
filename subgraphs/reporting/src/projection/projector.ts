import type { BookingSnapshot, EventEnvelope, EventHandler, EventHandlers, HandlerContext, PaymentSnapshot } from '@atrium/kit/subgraph';
import { BookingRecordsService } from '../booking/booking-records.service';
import { utcDay } from '../common/dates';
import { COUNTERS, DailyStatsService, REVENUE_SIGN } from '../stats/daily-stats.service';
import { describe, EVENT_TYPES, storedData } from './describe';

/**
 * Folds one domain event into reporting's read model, inside the handler's transaction
 * (shared with kit's processed-event record): one activity-log row, the day's counters
 * and revenue, and the booking/payment facts behind workspace statistics.
 *
 * The activity-log row is keyed by the event id and inserted first; when it already
 * exists the event was folded in before and nothing else is touched — a second guard
 * against double counting under kit's own.
 */
export async function project(event: EventEnvelope, { em, log }: Pick<HandlerContext, 'em' | 'log'>): Promise<void> {
  const description = describe(event);
  if (!description) {
    log.warn({ type: event.type }, 'event type unknown to reporting; ignored');
    return;
  }
  const occurredAt = new Date(event.occurredAt);
  if (Number.isNaN(occurredAt.getTime())) throw new Error(`event ${event.id} has an invalid occurredAt: ${event.occurredAt}`);
  const inserted = await em.execute<{ id: string }[]>(
    `insert into "activity_log" ("id", "action", "entity_type", "entity_id", "actor_id", "correlation_id", "occurred_at", "producer", "summary", "data", "recorded_at")
     values (?, ?, ?, ?, ?, ?, ?::timestamptz, ?, ?, ?::jsonb, now())
     on conflict ("id") do nothing
     returning "id"`,
    [
      event.id,
      event.type,
      description.entityType,
      description.entityId,
      event.actorId,
      event.correlationId,
      occurredAt.toISOString(),
      event.producer,
      description.summary,
      JSON.stringify(storedData(event.data)),
    ],
  );
  if (inserted.length === 0) return;

  const day = utcDay(occurredAt);
  const stats = new DailyStatsService(em);
  const counter = COUNTERS[event.type];
  if (counter) await stats.increment(day, counter);
  const sign = REVENUE_SIGN[event.type];
  if (sign) {
    const { amount } = event.data as PaymentSnapshot;
    await stats.addRevenue(day, amount.currency, sign * amount.amount);
  }
  const records = new BookingRecordsService(em);
  if (event.type.startsWith('booking.')) await records.applyBooking(event.type, event.data as BookingSnapshot, occurredAt);
  if (event.type.startsWith('payment.')) await records.applyPayment(event.type, event.data as PaymentSnapshot, occurredAt);
}

/** reporting consumes every event type of the catalog, all through `project`. */
export const handlers: EventHandlers = Object.fromEntries(EVENT_TYPES.map((type) => [type, project as EventHandler])) as EventHandlers;
