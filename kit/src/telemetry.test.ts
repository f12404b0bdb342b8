import { context, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { buildSchema, graphql } from 'graphql';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { atriumTracer, continueTrace, inSpan, startTelemetry, traceparentOf, tracingOn } from './telemetry';
import { consumeTrace, JOB_TRACEPARENT, jobTrace, publishTrace, recordedTrace, withJobTrace } from './telemetry-events';
import { traceRootFields } from './telemetry-resolvers';
import { startOtlpReceiver, waitFor } from './testing';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

/** A logger writing into `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ name: 'test', destination: new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk))), done()) }) });
  return { log, lines };
}

/** A schema whose root fields answer, and a nested field that does too. */
const helloSchema = () => {
  const schema = buildSchema('type Query { hello: Greeting } type Greeting { text: String } type Mutation { wave: Boolean }');
  schema.getQueryType()!.getFields().hello.resolve = async () => ({ text: 'hi' });
  schema.getMutationType()!.getFields().wave.resolve = () => true;
  return schema;
};

describe('traceparent helpers (what the envelope, the outbox row and job data carry)', () => {
  it('turn a traceparent into a remote parent and back, unchanged', () => {
    const ctx = continueTrace(TRACEPARENT);
    expect(trace.getSpanContext(ctx)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(traceparentOf(ctx)).toBe(TRACEPARENT);
  });

  it('keep an unsampled flag as it was', () => {
    expect(traceparentOf(continueTrace(`00-${TRACE_ID}-${SPAN_ID}-00`))).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('leave the base context alone for anything that is not a valid traceparent', () => {
    const base = ROOT_CONTEXT.setValue(Symbol('marker'), 1);
    for (const bad of [undefined, null, 42, '', 'garbage', `00-${'0'.repeat(32)}-${SPAN_ID}-01`, `00-${TRACE_ID}-${'0'.repeat(16)}-01`, `ff-${TRACE_ID}-${SPAN_ID}-01`, `00-${TRACE_ID}-${SPAN_ID}-01-extra`, `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`]) {
      expect(continueTrace(bad, base)).toBe(base);
    }
  });

  it('give no traceparent where no span is active', () => {
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
  });

  it('make a span started from an envelope’s traceparent a child of the span that published it', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const publish = provider.getTracer('test').startSpan('publish');
    const envelope = { traceparent: traceparentOf(trace.setSpan(ROOT_CONTEXT, publish)) };
    provider.getTracer('test').startSpan('consume', {}, continueTrace(envelope.traceparent)).end();
    publish.end();
    const [consume] = exporter.getFinishedSpans();
    expect(consume.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(consume.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
  });
});

describe('tracing switched off (no OTLP endpoint)', () => {
  it('is a no-op: nothing registered, contexts unchanged, job data untouched, no trace in the outbox row', async () => {
    const telemetry = startTelemetry('quiet', {});
    expect(telemetry.enabled).toBe(false);
    expect(tracingOn()).toBe(false);
    const parent = ROOT_CONTEXT.setValue(Symbol('p'), 1);
    expect(telemetry.context(parent)).toBe(parent);
    const data = { bookingId: 'b' };
    expect(withJobTrace(data)).toBe(data);
    expect(recordedTrace('booking.created', 'id', 'booking')).toBeNull();
    expect(await inSpan('x', {}, async (span) => span.isRecording())).toBe(false);
    await telemetry.close();
  });

  it('writes log lines without trace fields, exactly as before', () => {
    const { log, lines } = capturingLogger();
    log.info({ bookingId: 'b' }, 'hello');
    expect(Object.keys(lines[0]).sort()).toEqual(['bookingId', 'hostname', 'level', 'msg', 'name', 'pid', 'time']);
  });

  it('leaves traced root fields answering as before', async () => {
    const schema = traceRootFields(helloSchema());
    expect(await graphql({ schema, source: '{ hello { text } }' })).toEqual({ data: { hello: { text: 'hi' } } });
    expect(await graphql({ schema, source: 'mutation { wave }' })).toEqual({ data: { wave: true } });
  });
});

describe('tracing switched on, several services in one process', () => {
  it('exports each service’s spans under its own service.name, and carries one trace through outbox, relay, consumer and job', async () => {
    const receiver = await startOtlpReceiver();
    const config = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: 50 };
    const producer = startTelemetry('producer', config);
    const consumer = startTelemetry('consumer', { ...config, OTEL_SERVICE_NAME: 'consumer-renamed' });
    try {
      expect(tracingOn()).toBe(true);
      const { log, lines } = capturingLogger();

      // The producer's request records an event; its relay publishes it; the consumer handles it and adds a job.
      let row = { id: 'e1', type: 'booking.created', traceparent: null as string | null };
      await inSpan('request', {}, async () => {
        row = { ...row, traceparent: recordedTrace(row.type, row.id, 'producer') };
        log.info('recorded');
      }, producer.context(ROOT_CONTEXT));
      const published = publishTrace(producer, row, 'stream');
      published.end();
      let jobData: Record<string, unknown> = {};
      await consumeTrace(consumer, { id: row.id, type: row.type, traceparent: published.traceparent }, { stream: 'stream', group: 'consumer' }, async () => {
        jobData = withJobTrace({ notificationId: 'n1' });
      });
      await jobTrace(consumer, 'consumer-deliver', { id: 'j1', name: 'deliver', data: jobData, attemptsMade: 0 }, async () => {
        // Started through the global API inside the job, as instrumentations do: the job's service's.
        atriumTracer().startSpan('inside the job').end();
      });
      // Work of no service, in a process hosting several: dropped, not misattributed.
      atriumTracer().startSpan('nobody’s', {}, ROOT_CONTEXT).end();

      await waitFor(() => receiver.spans.length >= 6, { what: 'the spans', timeoutMs: 20_000 });
      const byName = (name: string) => receiver.spans.find((s) => s.name === name)!;
      const request = byName('request');
      const written = byName('outbox write booking.created');
      const publish = byName('publish booking.created');
      const consume = byName('consume booking.created');
      const job = byName('job consumer-deliver');
      const inside = byName('inside the job');
      expect([request, written, publish].map((s) => s.service)).toEqual(['producer', 'producer', 'producer']);
      expect([consume, job, inside].map((s) => s.service)).toEqual(['consumer-renamed', 'consumer-renamed', 'consumer-renamed']);
      expect(new Set(receiver.spans.map((s) => s.traceId))).toEqual(new Set([request.traceId]));
      expect(written.parentSpanId).toBe(request.spanId);
      expect(publish.parentSpanId).toBe(written.spanId);
      expect(consume.parentSpanId).toBe(publish.spanId);
      expect(job.parentSpanId).toBe(consume.spanId);
      expect(inside.parentSpanId).toBe(job.spanId);
      expect(jobData[JOB_TRACEPARENT]).toBe(`00-${consume.traceId}-${consume.spanId}-01`);
      expect(job.attributes).toMatchObject({ 'messaging.system': 'bullmq', 'atrium.job.attempt': 1 });
      expect(receiver.spans.some((s) => s.name === 'nobody’s')).toBe(false);
      // Log lines written in a span carry its ids.
      expect(lines[0]).toMatchObject({ msg: 'recorded', trace_id: request.traceId, span_id: request.spanId });
    } finally {
      await producer.close();
      expect(tracingOn()).toBe(true); // the consumer still traces
      await consumer.close();
      await receiver.close();
    }
    // The last service closed: the SDK is unregistered, the API is the no-op one again.
    expect(tracingOn()).toBe(false);
    expect(atriumTracer().startSpan('after').isRecording()).toBe(false);
    expect(context.active()).toBe(ROOT_CONTEXT as Context);
  });

  it('gives each root field a span of its own, once however often the schema is wrapped, and none to nested fields', async () => {
    const receiver = await startOtlpReceiver();
    const telemetry = startTelemetry('fields', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: 50 });
    try {
      const schema = traceRootFields(traceRootFields(helloSchema()));
      await inSpan('request', {}, async () => {
        expect(await graphql({ schema, source: 'query Greet { hello { text } }' })).toEqual({ data: { hello: { text: 'hi' } } });
        expect(await graphql({ schema, source: 'mutation { wave }' })).toEqual({ data: { wave: true } });
      }, telemetry.context(ROOT_CONTEXT));
      await waitFor(() => receiver.spans.length >= 3, { what: 'the spans', timeoutMs: 20_000 });
      const request = receiver.spans.find((s) => s.name === 'request')!;
      expect(receiver.spans.map((s) => s.name).sort()).toEqual(['Mutation.wave', 'Query.hello', 'request']);
      expect(receiver.spans.filter((s) => s.name !== 'request').every((s) => s.parentSpanId === request.spanId)).toBe(true);
      expect(receiver.spans.find((s) => s.name === 'Query.hello')!.attributes).toMatchObject({ 'graphql.operation.name': 'Greet', 'graphql.field.name': 'hello' });
    } finally {
      await telemetry.close();
      await receiver.close();
    }
  });
});
