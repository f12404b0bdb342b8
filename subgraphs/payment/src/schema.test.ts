import { inspectSubgraph, type SubgraphSdl } from '@atrium/kit/testing';
import { buildSchema } from './schema';

/** The subgraph's SDL: what composition and the gateway's authorization see. */
describe('payment schema', () => {
  let s: SubgraphSdl;
  beforeAll(async () => {
    s = await inspectSubgraph(buildSchema());
  });

  it('declares Payment as an entity keyed by id, for signed-in callers only', () => {
    expect(s.header('Payment')).toBe('type Payment @authenticated @key(fields: "id") @cacheControl(maxAge: 30, scope: PRIVATE)');
    expect(s.field('Payment', 'status')).toBe('status: PaymentStatus!');
    expect(s.field('Payment', 'amount')).toBe('amount: Money!');
    expect(s.field('Payment', 'last4')).toBe('last4: String!');
    expect(s.field('Payment', 'failureReason')).toBe('failureReason: String');
    expect(s.field('Payment', 'booking')).toBe('booking: Booking!');
    expect(s.field('Payment', 'attempts')).toBe('attempts: Int!');
    expect(s.field('Payment', 'refundedAt')).toBe('refundedAt: DateTime');
    expect(s.oneLine(s.definition('PaymentStatus'))).toBe('enum PaymentStatus { PROCESSING SUCCEEDED FAILED REFUNDED }');
  });

  it('never exposes card data or provider references as fields', () => {
    expect(s.oneLine(s.definition('Payment'))).not.toMatch(/cardRef|providerRef|refundRef|cvc|number/i);
  });

  it('extends Booking and User by key with payment fields', () => {
    expect(s.header('Booking')).toBe('type Booking @key(fields: "id")');
    expect(s.field('Booking', 'payment')).toBe('payment: Payment @authenticated');
    expect(s.header('User')).toBe('type User @key(fields: "id")');
    expect(s.field('User', 'payments')).toBe('payments(first: Int! = 20, after: String): PaymentConnection! @authenticated');
  });

  it('keeps the contract of payForBooking', () => {
    expect(s.field('Mutation', 'payForBooking')).toBe('payForBooking(input: PayForBookingInput!): Payment! @authenticated');
    expect(s.oneLine(s.definition('PayForBookingInput'))).toBe('input PayForBookingInput { bookingId: ID! card: CardInput! }');
    expect(s.oneLine(s.definition('CardInput'))).toBe('input CardInput { number: String! expMonth: Int! expYear: Int! cvc: String! }');
    expect(s.field('Query', 'payment')).toBe('payment(id: ID!): Payment @authenticated');
  });
});
