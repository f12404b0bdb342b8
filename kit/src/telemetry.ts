import {
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Resource } from '@opentelemetry/resources';

// OpenTelemetry traces for every Atrium service, the gateway included (README "Tracing").
//
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and
// then free: the SDK is not even loaded, no tracer provider, context manager, propagator or
// instrumentation is registered, and everything Atrium traces goes through the no-op
// @opentelemetry/api (code on hot paths checks `tracingOn()` first).
//
// When on, the process registers one SDK (NodeTracerProvider: AsyncLocalStorage context,
// W3C trace-context propagation) the first time a service starts tracing. A process may host
// several services — the e2e tier runs the whole supergraph in one — so spans are exported
// per service: each service marks the contexts its work starts in (`Telemetry.context`), and
// a span belongs to the service of the context it was started in (or of its parent span),
// exported by that service's own batch processor and exporter under its own `service.name`.
// In production each process runs one service, and every span is simply that one's.

// What the gateway needs of the API, through kit (the one place that depends on @opentelemetry/api).
export { SpanKind, type Context as TraceContext, type Span } from '@opentelemetry/api';

/** The active context: a span started later, from a callback that runs elsewhere, can be its child. */
export const activeTraceContext = (): Context => context.active();

/** The span of `ctx` (by default the active context), if any. */
export const spanOf = (ctx: Context = context.active()): Span | undefined => trace.getSpan(ctx);

/** Sets the active span's `traceparent` (and `tracestate`) on outgoing request `headers`. */
export function injectTraceHeaders(headers: { set(name: string, value: string): void }): void {
  propagation.inject(context.active(), headers, { set: (carrier, name, value) => carrier.set(name, value) });
}

/** The context key naming the service whose work runs in a context. */
const SERVICE = createContextKey('atrium.telemetry.service');

/** Where one service's spans go. */
interface ServiceExport {
  readonly name: string;
  readonly resource: Resource;
  readonly processor: SpanProcessor;
}

/** The process's SDK while at least one service traces. */
interface Sdk {
  provider: NodeTracerProvider;
  services: Set<ServiceExport>;
  /** Instrumentations registered for the process (pg), disabled with the SDK. */
  instrumentations: Map<string, { disable(): void }>;
}

let sdk: Sdk | undefined;

/** Whether this process traces at all: hot paths skip even the no-op API when it does not. */
export const tracingOn = (): boolean => sdk !== undefined;

/** The tracer of Atrium's own spans (the no-op API's while tracing is off). */
export const atriumTracer = (): Tracer => trace.getTracer('atrium');

/**
 * Sends each ended span to the exporter of the service it belongs to: the service named by the
 * context it was started in, else its parent span's, else the process's only service. Spans of
 * no service (work no service started, in a process hosting several) are dropped.
 */
class ServiceRouter implements SpanProcessor {
  private readonly owners = new WeakMap<object, ServiceExport>();
  constructor(private readonly services: Set<ServiceExport>) {}

  onStart(span: Span, parentContext: Context): void {
    const parent = trace.getSpan(parentContext);
    const owner =
      (parentContext.getValue(SERVICE) as ServiceExport | undefined) ??
      (parent && this.owners.get(parent)) ??
      (this.services.size === 1 ? [...this.services][0] : undefined);
    if (owner) this.owners.set(span, owner);
  }

  onEnd(span: ReadableSpan): void {
    const owner = this.owners.get(span);
    if (!owner || !this.services.has(owner)) return;
    // Its service's resource (service.name): the exporter groups spans by resource.
    owner.processor.onEnd(Object.create(span, { resource: { value: owner.resource } }) as ReadableSpan);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.services].map((s) => s.processor.forceFlush()));
  }

  async shutdown(): Promise<void> {}
}

/** What a service's telemetry settings are (kit's `serviceEnv`: OTEL_*). */
export interface TelemetryConfig {
  /** Base URL of an OTLP/HTTP receiver; spans are POSTed (JSON) to `<it>/v1/traces`. Unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** The full URL of the traces endpoint, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  /** `service.name` of the spans; defaults to the service's own name. */
  OTEL_SERVICE_NAME?: string;
  /** Milliseconds between two exports of ended spans (the batch processor's delay). */
  OTEL_BSP_SCHEDULE_DELAY?: number;
}

/** A process-wide instrumentation (pg), registered once while the process traces. */
export interface Instrumentation {
  /** Names it: registered once per process, whatever the number of services asking for it. */
  readonly key: string;
  enable(): { disable(): void };
}

/** A service's tracing: its own exporter and `service.name`; no-op when tracing is off. */
export interface Telemetry {
  /** Whether this service exports spans. */
  readonly enabled: boolean;
  /** Its `service.name`. */
  readonly serviceName: string;
  /**
   * `parent` (by default the active context) as this service's: the spans started in it, and
   * their descendants, are exported as this service's. What entry points (a request, an event,
   * a job, the relay) start their spans in.
   */
  context(parent?: Context): Context;
  /** Exports what is left and stops; the last service of the process unregisters the SDK. */
  close(): Promise<void>;
}

/** The endpoint spans are sent to, or undefined when tracing is off. */
export function tracesEndpoint(config: TelemetryConfig): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

const disabled = (serviceName: string): Telemetry => ({
  enabled: false,
  serviceName,
  context: (parent) => parent ?? context.active(),
  close: async () => {},
});

/**
 * Starts the tracing of service `name` when `config` names an OTLP endpoint; otherwise
 * returns a no-op and loads nothing. The first service of the process registers the SDK
 * (context manager, W3C propagator, tracer provider) and the `instrumentations` (pg: see
 * telemetry-sql.ts); the last one to close unregisters them all.
 */
export function startTelemetry(name: string, config: TelemetryConfig, instrumentations: Instrumentation[] = []): Telemetry {
  const serviceName = config.OTEL_SERVICE_NAME ?? name;
  const url = tracesEndpoint(config);
  if (!url) return disabled(serviceName);

  // Loaded only now: a service that does not trace never loads the SDK.
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');

  if (!sdk) {
    const services = new Set<ServiceExport>();
    const provider = new NodeTracerProvider({ spanProcessors: [new ServiceRouter(services)] });
    // AsyncLocalStorage context manager and W3C trace-context (+ baggage) propagation.
    provider.register();
    sdk = { provider, services, instrumentations: new Map() };
  }
  for (const instrumentation of instrumentations) {
    if (!sdk.instrumentations.has(instrumentation.key)) sdk.instrumentations.set(instrumentation.key, instrumentation.enable());
  }
  const service: ServiceExport = {
    name: serviceName,
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    processor: new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY ?? 5_000 }),
  };
  const current = sdk;
  current.services.add(service);
  let closing: Promise<void> | undefined;
  return {
    enabled: true,
    serviceName,
    context: (parent) => (parent ?? context.active()).setValue(SERVICE, service),
    close: () =>
      (closing ??= (async () => {
        try {
          await service.processor.shutdown(); // exports what is left
        } finally {
          current.services.delete(service);
          if (current.services.size === 0 && sdk === current) {
            sdk = undefined;
            for (const instrumentation of current.instrumentations.values()) instrumentation.disable();
            trace.disable();
            context.disable();
            propagation.disable();
            await current.provider.shutdown();
          }
        }
      })()),
  };
}

/** A span that records nothing: what `inSpan` hands its function while tracing is off. */
export const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs `fn` in a new active span `name`, a child of `parent` (by default the active context),
 * and ends it when `fn` settles; an error it throws is recorded on the span and rethrown. While
 * tracing is off, only calls `fn`.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  if (!sdk) return fn(NOOP_SPAN);
  return atriumTracer().startActiveSpan(name, options, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Marks `span` failed with `err` (an exception event and an ERROR status). */
export function failed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

// W3C `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header), as the event
// envelope, the outbox row and a job's data carry it.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The `traceparent` of the span active in `ctx` (by default the active context); undefined when there is none. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const span = trace.getSpanContext(ctx);
  if (!span || !isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * `base` (by default the root context) with the span `traceparent` names as its remote parent:
 * what a consumer of an event or a job continues. Anything that is not a valid `traceparent`
 * (none, another version's malformed value, all-zero ids) gives `base` unchanged.
 */
export function continueTrace(traceparent: unknown, base: Context = ROOT_CONTEXT): Context {
  if (typeof traceparent !== 'string') return base;
  const match = TRACEPARENT.exec(traceparent.trim());
  // Version ff is invalid; version 00 has exactly four fields.
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5] !== undefined)) return base;
  const parent = { traceId: match[2], spanId: match[3], traceFlags: parseInt(match[4], 16) & 0xff, isRemote: true };
  return isSpanContextValid(parent) ? trace.setSpanContext(base, parent) : base;
}

const NO_TRACE_FIELDS: Record<string, string> = Object.freeze({});

/**
 * The log fields of the active span (`trace_id`, `span_id`), for pino's `mixin`; none (one
 * shared empty object, which `mergeTraceLogFields` leaves alone) while tracing is off or no
 * span is active.
 */
export function traceLogFields(): Record<string, string> {
  if (!sdk) return NO_TRACE_FIELDS;
  const span = trace.getSpanContext(context.active());
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : NO_TRACE_FIELDS;
}

/**
 * pino's `mixinMergeStrategy` for `traceLogFields`: a line without a trace is written exactly
 * as it would be without the mixin (no copy); one with a trace gets its ids, its own fields first.
 */
export function mergeTraceLogFields(mergeObject: object, mixinObject: object): object {
  return mixinObject === NO_TRACE_FIELDS ? mergeObject : Object.assign(mixinObject, mergeObject);
}
