import { context, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { atriumTracer, continueTrace, failed, inSpan, NOOP_SPAN, traceparentOf, tracingOn, type Telemetry } from './telemetry';

// How a trace goes on through domain events and jobs (README "Tracing"): the outbox row records
// the `traceparent` of the span that wrote it, the relay publishes the event in a span that is
// that one's child and puts its own `traceparent` in the envelope, each consumer handles the
// event in a child of it, and a job added meanwhile carries the `traceparent` of whatever was
// active in its data. Every helper is a no-op, or nearly, while tracing is off.

/** The key a job's data carries its trace under. */
export const JOB_TRACEPARENT = 'traceparent';

/**
 * The "outbox write" of an event: a span (child of the active one, ended at once: the row is
 * inserted with the transaction's flush, whose SQL is a span of its own) whose `traceparent`
 * the outbox row keeps. Null while tracing is off, or outside any trace.
 */
export function recordedTrace(type: string, id: string, producer: string): string | null {
  if (!tracingOn() || !trace.getSpan(context.active())) return null;
  const span = atriumTracer().startSpan(`outbox write ${type}`, {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'atrium.outbox', 'messaging.operation.type': 'create', 'messaging.message.id': id, 'atrium.event.type': type, 'atrium.event.producer': producer },
  });
  const traceparent = traceparentOf(trace.setSpan(context.active(), span)) ?? null;
  span.end();
  return traceparent;
}

/** The relay's publish of one outbox row: its span, and the `traceparent` its envelope carries. */
export interface PublishTrace {
  /** What the envelope carries: the publish span's, or the row's own when not tracing. */
  readonly traceparent: string | undefined;
  /** Ends the publish span (failed with `err`, when given). */
  end(err?: unknown): void;
}

/**
 * Starts the relay's "publish" span of an outbox row, a child of the span that recorded it
 * (nothing for a row recorded outside any trace: the relay's polling starts no traces).
 */
export function publishTrace(telemetry: Telemetry | undefined, row: { id: string; type: string; traceparent: string | null }, stream: string): PublishTrace {
  if (!telemetry?.enabled || !row.traceparent) return { traceparent: row.traceparent ?? undefined, end: () => {} };
  const parent = continueTrace(row.traceparent, telemetry.context(ROOT_CONTEXT));
  const span = atriumTracer().startSpan(
    `publish ${row.type}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'redis', 'messaging.operation.type': 'send', 'messaging.destination.name': stream, 'messaging.message.id': row.id, 'atrium.event.type': row.type },
    },
    parent,
  );
  return {
    traceparent: traceparentOf(trace.setSpan(parent, span)) ?? row.traceparent,
    end: (err) => {
      if (err) failed(span, err);
      span.end();
    },
  };
}

/**
 * Runs a consumer's handling of `event` in a span continuing the event's trace (a child of the
 * relay's publish; the root of a trace of its own when the event carries none).
 */
export function consumeTrace<T>(
  telemetry: Telemetry | undefined,
  event: { id: string; type: string; correlationId?: string; traceparent?: string },
  where: { stream: string; group: string },
  handle: (span: Span) => Promise<T>,
): Promise<T> {
  if (!telemetry?.enabled) return handle(NOOP_SPAN);
  const attributes = {
    'messaging.system': 'redis',
    'messaging.operation.type': 'process',
    'messaging.destination.name': where.stream,
    'messaging.consumer.group.name': where.group,
    'messaging.message.id': event.id,
    'atrium.event.type': event.type,
    ...(event.correlationId ? { 'atrium.correlation_id': event.correlationId } : {}),
  };
  return inSpan(`consume ${event.type}`, { kind: SpanKind.CONSUMER, attributes }, handle, continueTrace(event.traceparent, telemetry.context(ROOT_CONTEXT)));
}

/** `data` plus the active span's `traceparent`, for a job added now (unchanged when there is none). */
export function withJobTrace<T extends object>(data: T): T {
  if (!tracingOn()) return data;
  const traceparent = traceparentOf();
  return traceparent ? { ...data, [JOB_TRACEPARENT]: traceparent } : data;
}

/**
 * Runs a job in a span continuing the trace of what added it (its data's `traceparent`); a job
 * of a schedule, or one added outside any trace, starts a trace of its own.
 */
export function jobTrace<T>(
  telemetry: Telemetry | undefined,
  queue: string,
  job: { id?: string; name: string; data: unknown; attemptsMade: number },
  run: () => Promise<T>,
): Promise<T> {
  if (!telemetry?.enabled) return run();
  const traceparent = (job.data as Record<string, unknown> | null)?.[JOB_TRACEPARENT];
  const attributes = {
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'process',
    'messaging.destination.name': queue,
    'atrium.job.name': job.name,
    'atrium.job.attempt': job.attemptsMade + 1,
    ...(job.id ? { 'messaging.message.id': job.id } : {}),
  };
  return inSpan(`job ${queue}`, { kind: SpanKind.CONSUMER, attributes }, run, continueTrace(traceparent, telemetry.context(ROOT_CONTEXT)));
}
