import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { changedEntities, ENTITY_CHANGES } from './cache-invalidation-map';

const root = path.join(__dirname, '..', '..', '..');
// The real event types: the keys of kit's EventCatalog, read from its source.
const catalogSource = readFileSync(path.join(root, 'kit', 'src', 'subgraph', 'events', 'catalog.ts'), 'utf8');
const catalogBody = catalogSource.slice(catalogSource.indexOf('export interface EventCatalog'), catalogSource.indexOf('\n}\n', catalogSource.indexOf('export interface EventCatalog')));
const eventTypes = [...catalogBody.matchAll(/^\s+'([a-z_]+\.[a-z_]+)':/gm)].map((m) => m[1]);
const sdl = readFileSync(path.join(root, 'schema', 'supergraph.graphql'), 'utf8');
const schema = Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).schema;

describe('ENTITY_CHANGES', () => {
  it('lists every domain event type of the catalog, and no other', () => {
    expect(eventTypes.length).toBeGreaterThan(10);
    expect(Object.keys(ENTITY_CHANGES).sort()).toEqual([...eventTypes].sort());
  });

  it('names only entity types of the supergraph keyed by id', () => {
    for (const changes of Object.values(ENTITY_CHANGES)) {
      for (const [type] of changes) {
        const definition = schema.type(type);
        expect(definition).toBeDefined();
        const keyed = definition!.appliedDirectivesOf('join__type').some((d) => (d.arguments() as { key?: string }).key === 'id');
        expect({ type, keyed }).toEqual({ type, keyed: true });
      }
    }
  });

  it('invalidates an entity for every event that changes one of the cached types (Location, Workspace, Booking, Payment)', () => {
    const changed = new Set(Object.values(ENTITY_CHANGES).flatMap((changes) => changes.map(([type]) => type)));
    for (const type of ['Location', 'Workspace', 'Booking', 'Payment']) expect(changed).toContain(type);
    for (const type of eventTypes.filter((t) => /^(workspace|booking|payment)\./.test(t))) {
      expect((ENTITY_CHANGES as Record<string, readonly unknown[]>)[type].length).toBeGreaterThan(0);
    }
  });
});

describe('changedEntities', () => {
  it('reads the ids of the entities an event changes from its payload', () => {
    expect(changedEntities('payment.succeeded', { paymentId: 'p1', bookingId: 'b1', userId: 'u1', amount: { amount: 1, currency: 'EUR' } })).toEqual([
      { type: 'Payment', id: 'p1' },
      { type: 'Booking', id: 'b1' },
      { type: 'User', id: 'u1' },
    ]);
    expect(changedEntities('workspace.updated', { workspaceId: 'w1', locationId: 'l1' })).toEqual([
      { type: 'Workspace', id: 'w1' },
      { type: 'Location', id: 'l1' },
    ]);
  });

  it('names nothing for an unknown event type or a payload without ids', () => {
    expect(changedEntities('something.new', { id: 'x' })).toEqual([]);
    expect(changedEntities('workspace.updated', null)).toEqual([]);
    expect(changedEntities('service.status_changed', { service: 'catalog' })).toEqual([]);
  });
});
