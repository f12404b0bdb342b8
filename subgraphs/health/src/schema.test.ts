import { composeServices } from '@apollo/composition';
import { inspectSubgraph, type SubgraphSdl } from '@atrium/kit/testing';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from './schema';

/** The subgraph's SDL: what composition and the gateway's authorization see. */
describe('health schema', () => {
  let s: SubgraphSdl;
  beforeAll(async () => {
    s = await inspectSubgraph(buildSchema());
  });

  it('lets any signed-in user read services and keeps the rest to system:admin', () => {
    const admin = '@requiresScopes(scopes: [["system:admin"]])';
    expect(s.field('Query', 'services')).toBe('services: [ServiceStatus!]! @authenticated');
    expect(s.field('Query', 'systemHealth')).toBe(`systemHealth: SystemHealth ${admin}`);
    expect(s.field('Query', 'incidents')).toBe(`incidents(first: Int! = 20, after: String, openOnly: Boolean! = false): IncidentConnection ${admin}`);
    expect(s.field('Query', 'serviceHealthHistory')).toBe(`serviceHealthHistory(windowMinutes: Int! = 60): HealthHistory ${admin}`);
  });

  it('declares ServiceStatus by name and Incident by id as entities', () => {
    expect(s.oneLine(s.definition('ServiceStatus'))).toMatch(/^type ServiceStatus @authenticated @key\(fields: "name"\) \{/);
    expect(s.oneLine(s.definition('Incident'))).toMatch(/^type Incident @requiresScopes\(scopes: \[\["system:admin"\]\]\) @key\(fields: "id"\) \{/);
    for (const f of ['name: String!', 'status: HealthStatus!', 'latencyMs: Int', 'checkedAt: DateTime', 'changedAt: DateTime', 'reason: String', 'url: String']) {
      expect(s.oneLine(s.definition('ServiceStatus'))).toContain(f);
    }
    for (const f of ['id: ID!', 'service: String!', 'startedAt: DateTime!', 'resolvedAt: DateTime', 'durationMs: Float', 'reason: String', 'open: Boolean!']) {
      expect(s.oneLine(s.definition('Incident'))).toContain(f);
    }
  });

  it('describes the platform in SystemHealth', () => {
    expect(s.oneLine(s.definition('SystemHealth'))).toContain(
      'status: SystemState! services: [ServiceStatus!]! redis: DependencyStatus! postgres: DependencyStatus! eventStream: EventStreamHealth! queues: [QueueStats!]!',
    );
    expect(s.oneLine(s.definition('ConsumerGroupLag'))).toContain('name: String! pending: Int! lag: Int');
  });

  it('composes with the committed subgraphs', () => {
    const committed = (name: string) => ({
      name,
      url: `http://127.0.0.1/${name}`,
      typeDefs: parse(readFileSync(path.join(__dirname, '..', '..', '..', 'schema', `${name}.graphql`), 'utf8')),
    });
    const names = ['identity', 'catalog', 'booking', 'payment', 'notification', 'reporting'];
    const result = composeServices([...names.map(committed), { name: 'health', url: 'http://127.0.0.1/health', typeDefs: parse(s.sdl) }]);
    expect(result.errors?.map((e) => e.message)).toBeUndefined();
  });
});
