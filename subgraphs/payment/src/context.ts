import type { Context } from '@atrium/kit/subgraph';
import { PaymentService, type PaymentDeps } from './payment/payment.service';

/** kit's request context plus payment's service, bound to the request. */
export interface PaymentContext extends Context {
  payments: PaymentService;
}

export function paymentContext(base: Context, deps: PaymentDeps): PaymentContext {
  const ctx = base as PaymentContext;
  return Object.assign(ctx, { payments: new PaymentService(ctx, deps) });
}
