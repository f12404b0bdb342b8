import { composeServices } from '@apollo/composition';
import { inspectSubgraph, type SubgraphSdl } from '@atrium/kit/testing';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from './schema';

/** The subgraph's SDL: what composition and the gateway's authorization see. */
describe('reporting schema', () => {
  let s: SubgraphSdl;
  beforeAll(async () => {
    s = await inspectSubgraph(buildSchema());
  });

  it('guards every report with reports:read', () => {
    const scope = '@requiresScopes(scopes: [["reports:read"]])';
    expect(s.field('Query', 'activityLog')).toBe(`activityLog(first: Int! = 20, after: String, filter: ActivityLogFilter): ActivityLogConnection ${scope}`);
    expect(s.field('Query', 'dailyStats')).toBe(`dailyStats(from: Date!, to: Date!): [DailyStats!] ${scope}`);
    expect(s.field('Workspace', 'stats')).toBe(`stats(from: DateTime, to: DateTime): WorkspaceStats ${scope}`);
  });

  it('declares ActivityLog as an entity guarded as a whole, with the actor as a User reference', () => {
    expect(s.oneLine(s.definition('ActivityLog'))).toMatch(/^type ActivityLog @requiresScopes\(scopes: \[\["reports:read"\]\]\) @key\(fields: "id"\) \{/);
    expect(s.field('ActivityLog', 'actor')).toBe('actor: User');
    for (const name of ['action', 'entityType', 'correlationId', 'producer', 'summary']) expect(s.field('ActivityLog', name)).toBe(`${name}: String!`);
    expect(s.field('ActivityLog', 'entityId')).toBe('entityId: ID!');
    expect(s.field('ActivityLog', 'occurredAt')).toBe('occurredAt: DateTime!');
    expect(s.oneLine(s.definition('User'))).toBe('type User @key(fields: "id", resolvable: false) { id: ID! }');
  });

  it('extends catalog Workspace by key with stats only', () => {
    expect(s.oneLine(s.definition('Workspace'))).toMatch(/^type Workspace @key\(fields: "id"\) \{ id: ID! stats\(/);
  });

  it('reports revenue as a list of Money, one per currency, and days as a Date scalar', () => {
    expect(s.field('DailyStats', 'revenue')).toBe('revenue: [Money!]!');
    expect(s.field('DailyStats', 'date')).toBe('date: Date!');
    expect(s.field('WorkspaceStats', 'revenue')).toBe('revenue: [Money!]!');
    expect(s.field('WorkspaceStats', 'occupancy')).toBe('occupancy: Float!');
    expect(s.oneLine(s.definition('Date'))).toBe('scalar Date');
  });

  it('filters the activity log by actor, entity, correlation id and action', () => {
    const filter = s.oneLine(s.definition('ActivityLogFilter'));
    for (const f of ['actorId: ID', 'entityType: String', 'entityId: ID', 'correlationId: String', 'action: String']) expect(filter).toContain(f);
  });

  it('composes with the committed identity and catalog subgraphs', () => {
    const committed = (name: string) => ({
      name,
      url: `http://127.0.0.1/${name}`,
      typeDefs: parse(readFileSync(path.join(__dirname, '..', '..', '..', 'schema', `${name}.graphql`), 'utf8')),
    });
    const result = composeServices([committed('identity'), committed('catalog'), { name: 'reporting', url: 'http://127.0.0.1/reporting', typeDefs: parse(s.sdl) }]);
    expect(result.errors?.map((e) => e.message)).toBeUndefined();
    expect(result.supergraphSdl).toMatch(/stats\(from: DateTime, to: DateTime\): WorkspaceStats/);
  });
});
