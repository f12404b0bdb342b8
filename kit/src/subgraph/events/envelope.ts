import type { EventCatalog, EventType } from './catalog';

/**
 * What travels on the stream: the event and where it came from. `correlationId` is the
 * request id of the request that caused it (carried on through every follow-up event),
 * so one booking can be traced from the gateway through every subgraph's logs.
 */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  producer: string;
  correlationId: string;
  /** The user whose request caused it, when there was one. */
  actorId: string | null;
  data: EventCatalog[T];
  /**
   * The W3C `traceparent` of the relay's publish of it, itself a child of the span that
   * recorded it (telemetry.ts): consumers continue that trace. Absent when its producer did
   * not trace.
   */
  traceparent?: string;
}
