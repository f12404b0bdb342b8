import { tracingOn } from '@atrium/kit';
import { graphql, startOtlpReceiver, waitFor, type OtlpReceiver, type ReceivedSpan } from '@atrium/kit/testing';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

// The whole supergraph in this one process, every service exporting its spans to this test's
// own OTLP/HTTP receiver under its own service.name (kit's telemetry.ts: one SDK per process,
// one exporter per service). A member books and pays through the gateway; the trace of that
// payment must reach payment, booking's confirmation, notification's e-mail and reporting.

let receiver: OtlpReceiver;
let sg: RunningSupergraph;
let member: Session;
let manager: Session;
let workspaceId: string;
let closed = false;

const SPAN_KIND = { server: 2, client: 3, producer: 4, consumer: 5 };
const DAY = 24 * 3600_000;

const gql = (query: string, variables: Record<string, unknown>, token?: string, requestId?: string) =>
  graphql(sg.url, query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // A short batch delay: spans reach the receiver within a fraction of a second of ending.
  sg = await startSupergraph({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
  ({ member, manager } = await castOfUsers(sg.url));
  const location = await gql(`mutation { createLocation(input: { name: "Traced House", city: "Lyon", address: "2 quai", timezone: "Europe/Paris" }) { id } }`, {}, manager.accessToken);
  const ws = await gql(
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Traced room", kind: MEETING_ROOM, capacity: 4, hourlyRate: { amount: 1000, currency: "EUR" } }) { id } }`,
    { l: location.data!.createLocation.id },
    manager.accessToken,
  );
  workspaceId = ws.data!.createWorkspace.id;
});

afterAll(async () => {
  if (!closed) await sg?.close();
  await receiver?.close();
});

/** The spans of one trace, and what is wrong with its shape (empty when nothing is). */
function shapeOf(spans: ReceivedSpan[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId);
  const orphans = spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId));
  const services = new Set(spans.map((s) => s.service));
  const has = (service: string, test: (s: ReceivedSpan) => boolean) => spans.some((s) => s.service === service && test(s));
  const missing = [
    ...['gateway', 'payment', 'booking', 'notification', 'reporting'].filter((service) => !services.has(service)).map((service) => `spans of ${service}`),
    ...(has('gateway', (s) => s.kind === SPAN_KIND.client && s.name === 'fetch payment' && s.attributes['atrium.subgraph.name'] === 'payment') ? [] : ['the gateway fetch of payment']),
    ...(has('payment', (s) => s.kind === SPAN_KIND.server) ? [] : ["payment's server span"]),
    ...(has('payment', (s) => s.name === 'Mutation.payForBooking') ? [] : ["payment's resolver span"]),
    ...(has('payment', (s) => s.scope === '@opentelemetry/instrumentation-pg') ? [] : ["payment's SQL"]),
    ...(has('payment', (s) => s.name === 'outbox write payment.succeeded') ? [] : ['the outbox write of payment.succeeded']),
    ...(has('payment', (s) => s.kind === SPAN_KIND.producer && s.name === 'publish payment.succeeded') ? [] : ["the relay's publish of payment.succeeded"]),
    ...(has('booking', (s) => s.kind === SPAN_KIND.consumer && s.name === 'consume payment.succeeded') ? [] : ["booking's handling of payment.succeeded"]),
    ...(has('booking', (s) => s.name === 'outbox write booking.confirmed') ? [] : ["booking's confirmation"]),
    ...(has('notification', (s) => s.kind === SPAN_KIND.consumer && s.name === 'consume booking.confirmed') ? [] : ["notification's handling of booking.confirmed"]),
    ...(has('notification', (s) => s.kind === SPAN_KIND.consumer && s.name.startsWith('job ')) ? [] : ["notification's delivery job"]),
    ...(has('reporting', (s) => s.kind === SPAN_KIND.consumer && s.name === 'consume booking.confirmed') ? [] : ["reporting's handling of booking.confirmed"]),
  ];
  return { roots, orphans, missing };
}

describe('OpenTelemetry traces, end to end', () => {
  it('one booking paid through the gateway is one trace, from the gateway through payment, booking, notification and reporting', async () => {
    // booking learns about the workspace from catalog's events: book once it knows it.
    const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 9 * DAY + 10 * 3600_000);
    const slot = { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 2 * 3600_000).toISOString() };
    const created = await waitFor(
      async () => (await gql(`mutation($input: CreateBookingInput!) { createBooking(input: $input) { id } }`, { input: { workspaceId, ...slot } }, member.accessToken)).data?.createBooking,
      { what: 'booking to know the workspace', timeoutMs: 60_000 },
    );
    const paid = await gql(
      `mutation Pay($input: PayForBookingInput!) { payForBooking(input: $input) { status } }`,
      { input: { bookingId: created.id, card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } } },
      member.accessToken,
      'req-traced-pay',
    );
    expect(paid.data?.payForBooking.status).toBe('SUCCEEDED');
    await sg.mail.waitFor((m) => m.to.includes('member@atrium.test') && /Booking confirmed: Traced room/.test(m.subject), 60_000);

    // The trace is the one whose root is the gateway's server span of that request.
    const root = await waitFor(
      () => receiver.spans.find((s) => s.service === 'gateway' && s.kind === SPAN_KIND.server && s.attributes['atrium.request_id'] === 'req-traced-pay'),
      { what: "the gateway's span of the payment", timeoutMs: 60_000 },
    );
    expect(root).toMatchObject({ parentSpanId: '', name: 'mutation Pay', attributes: { 'graphql.operation.name': 'Pay' } });
    const traceOf = () => receiver.spans.filter((s) => s.traceId === root.traceId);
    // Each service exports on its own schedule: wait until every part has arrived.
    await waitFor(
      () => {
        const { orphans, missing } = shapeOf(traceOf());
        return orphans.length === 0 && missing.length === 0;
      },
      { what: 'the whole trace', timeoutMs: 120_000, intervalMs: 200 },
    ).catch((err: Error) => {
      const { orphans, missing } = shapeOf(traceOf());
      throw new Error(`${err.message}\nmissing: ${missing.join(', ')}\norphans: ${orphans.map((s) => `${s.service}:${s.name}`).join(', ')}`);
    });

    const spans = traceOf();
    const { roots, orphans } = shapeOf(spans);
    expect(roots).toEqual([root]);
    expect(orphans).toEqual([]);
    expect([...new Set(spans.map((s) => s.service))]).toEqual(expect.arrayContaining(['gateway', 'payment', 'booking', 'notification', 'reporting']));
    // The gateway's stages are children of its server span.
    const gatewayChildren = spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name);
    expect(gatewayChildren).toEqual(expect.arrayContaining(['graphql.parse', 'graphql.validate', 'gateway.authorize', 'gateway.plan', 'gateway.execute']));
    // The subgraph fetch says what happened to it, and payment's server span is its child.
    const fetch = spans.find((s) => s.name === 'fetch payment')!;
    expect(fetch.attributes).toMatchObject({ 'atrium.subgraph.name': 'payment', 'atrium.fetch.dedup': 'sent', 'atrium.fetch.attempts': 1, 'atrium.fetch.circuit': 'closed' });
    expect(spans.find((s) => s.service === 'payment' && s.kind === SPAN_KIND.server)!.parentSpanId).toBe(fetch.spanId);
    // The event chain: outbox write → relay publish → consumer, each the parent of the next.
    const written = spans.find((s) => s.name === 'outbox write payment.succeeded')!;
    const published = spans.find((s) => s.name === 'publish payment.succeeded')!;
    expect(published.parentSpanId).toBe(written.spanId);
    expect(spans.filter((s) => s.name === 'consume payment.succeeded').every((s) => s.parentSpanId === published.spanId)).toBe(true);
  });

  it('stops tracing the process once every service that traced has closed', async () => {
    expect(tracingOn()).toBe(true);
    closed = true;
    await sg.close();
    expect(tracingOn()).toBe(false);
  });
});
