import { buildFederatedSchema } from '@atrium/kit/subgraph';
import { BookingPaymentResolver } from './booking/booking-payment.resolver';
import type { PaymentContext } from './context';
import { PaymentResolver } from './payment/payment.resolver';
import { UserPaymentsResolver } from './user/user-payments.resolver';

/** payment's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [PaymentResolver, BookingPaymentResolver, UserPaymentsResolver],
    references: {
      Payment: (ids, ctx) => (ctx as PaymentContext).payments.visibleByIds(ids),
      // Entities of other subgraphs this one extends: known by key alone, no query.
      Booking: async (ids) => ids.map((id) => ({ id })),
      User: async (ids) => ids.map((id) => ({ id })),
    },
  });
}
