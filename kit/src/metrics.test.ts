import { ApolloServer } from '@apollo/server';
import { notFound } from './errors';
import { capLabel, createMetrics, MAX_OPERATION_LABELS, type Metrics } from './metrics';

/** The value of one series (0 when it does not exist yet). */
async function value(metrics: Metrics, name: string, labels: Record<string, string>, suffix = ''): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const found = values.find(
    (v) => (suffix ? (v as { metricName?: string }).metricName === `${name}${suffix}` : true) && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return found?.value ?? 0;
}

async function serverWith(metrics: Metrics) {
  const server = new ApolloServer({
    typeDefs: 'type Query { hello: String, missing: String }',
    resolvers: { Query: { hello: () => 'world', missing: () => Promise.reject(notFound('Thing', '42')) } },
    plugins: [metrics.plugin],
  });
  await server.start();
  return server;
}

describe('service metrics', () => {
  it('counts requests by operation and status, errors by code, and times each operation', async () => {
    const metrics = createMetrics('test');
    const server = await serverWith(metrics);
    await server.executeOperation({ query: 'query Hello { hello }' });
    await server.executeOperation({ query: 'query Hello { hello }' });
    await server.executeOperation({ query: '{ missing }' });
    await server.executeOperation({ query: 'query Broken {' });
    await server.stop();

    const requests = (labels: Record<string, string>) => value(metrics, 'atrium_graphql_requests_total', { service: 'test', ...labels });
    expect(await requests({ operation: 'Hello', status: 'ok' })).toBe(2);
    expect(await requests({ operation: 'Hello', status: 'error' })).toBe(0);
    expect(await requests({ operation: 'anonymous', status: 'error' })).toBe(2); // the NOT_FOUND and the parse failure
    expect(await value(metrics, 'atrium_graphql_errors_total', { operation: 'anonymous', code: 'NOT_FOUND' })).toBe(1);
    expect(await value(metrics, 'atrium_graphql_errors_total', { operation: 'anonymous', code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(await value(metrics, 'atrium_graphql_request_duration_seconds', { operation: 'Hello' }, '_count')).toBe(2);
  });

  it(`labels operations past the first ${MAX_OPERATION_LABELS} distinct names as "other"`, async () => {
    const metrics = createMetrics('test');
    const server = await serverWith(metrics);
    for (let i = 0; i < MAX_OPERATION_LABELS + 5; i++) await server.executeOperation({ query: `query Op${i} { hello }` });
    await server.executeOperation({ query: 'query Op0 { hello }' }); // an early name keeps its own label
    await server.stop();

    const { values } = await metrics.registry.getSingleMetric('atrium_graphql_requests_total')!.get();
    expect(new Set(values.map((v) => v.labels.operation)).size).toBe(MAX_OPERATION_LABELS + 1);
    expect(await value(metrics, 'atrium_graphql_requests_total', { operation: 'other', status: 'ok' })).toBe(5);
    expect(await value(metrics, 'atrium_graphql_requests_total', { operation: 'Op0', status: 'ok' })).toBe(2);
  });

  it('caps any free-form label the same way', () => {
    const cap = capLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map(cap)).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
  });

  it('gives each service a registry of its own, with the default process metrics', async () => {
    const a = createMetrics('a');
    const b = createMetrics('b');
    a.eventsPublished(3);
    a.eventHandled('booking.created', 'handled');
    expect(await value(a, 'atrium_events_published_total', { service: 'a' })).toBe(3);
    expect(await value(b, 'atrium_events_published_total', { service: 'b' })).toBe(0);
    const text = await a.registry.metrics();
    expect(text).toContain('atrium_events_handled_total{service="a",type="booking.created",outcome="handled"} 1');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(a.registry.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
