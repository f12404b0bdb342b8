import { inspectSubgraph, type SubgraphSdl } from '@atrium/kit/testing';
import { composeSupergraph } from '../../../scripts/lib/compose';
import { buildSchema } from './schema';

/** The subgraph's SDL: what composition and the gateway's authorization see. */
describe('booking schema', () => {
  let s: SubgraphSdl;
  beforeAll(async () => {
    s = await inspectSubgraph(buildSchema());
  });

  it('declares Booking as an entity with the contract fields', () => {
    expect(s.oneLine(s.definition('Booking'))).toMatch(/^type Booking @key\(fields: "id"\) @cacheControl\(maxAge: 30, scope: PRIVATE\) \{/);
    expect(s.field('Booking', 'status')).toBe('status: BookingStatus!');
    expect(s.field('Booking', 'startsAt')).toBe('startsAt: DateTime!');
    expect(s.field('Booking', 'endsAt')).toBe('endsAt: DateTime!');
    expect(s.field('Booking', 'price')).toBe('price: Money!');
    expect(s.field('Booking', 'workspace')).toBe('workspace: Workspace!');
    expect(s.field('Booking', 'user')).toBe('user: User!');
    expect(s.field('Booking', 'createdAt')).toBe('createdAt: DateTime!');
    expect(s.oneLine(s.definition('BookingStatus'))).toBe('enum BookingStatus { PENDING_PAYMENT CONFIRMED PAYMENT_FAILED EXPIRED CANCELLED COMPLETED }');
  });

  it('guards the operations with the security directives', () => {
    expect(s.field('Query', 'booking')).toBe('booking(id: ID!): Booking @authenticated');
    expect(s.field('Mutation', 'createBooking')).toBe('createBooking(input: CreateBookingInput!, idempotencyKey: String): Booking! @authenticated');
    expect(s.field('Mutation', 'cancelBooking')).toBe('cancelBooking(id: ID!, reason: String): Booking! @authenticated');
  });

  it("extends identity's User and catalog's Workspace by key", () => {
    expect(s.oneLine(s.definition('User'))).toMatch(/^type User @key\(fields: "id"\) \{ id: ID! bookings/);
    expect(s.field('User', 'bookings')).toBe('bookings(status: BookingStatus, first: Int! = 20, after: String): BookingConnection! @authenticated');
    expect(s.oneLine(s.definition('Workspace'))).toMatch(/^type Workspace @key\(fields: "id"\) \{ id: ID! bookings/);
    expect(s.field('Workspace', 'bookings')).toBe(
      'bookings(status: BookingStatus, first: Int! = 20, after: String): BookingConnection @requiresScopes(scopes: [["bookings:read"]])',
    );
    expect(s.field('Workspace', 'availability')).toBe('availability(from: DateTime!, to: DateTime!): [TimeSlot!]!');
    expect(s.oneLine(s.definition('TimeSlot'))).toBe('type TimeSlot { startsAt: DateTime! endsAt: DateTime! }');
  });

  it('composes with identity and catalog into one supergraph', async () => {
    const entry = (name: string, port: number) => ({ name, port, url: `http://127.0.0.1:${port}/graphql`, schemaFile: `/dev/null/${name}.graphql` });
    const result = await composeSupergraph([entry('identity', 4001), entry('catalog', 4002), entry('booking', 4003)], '/dev/null/supergraph.graphql');
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
