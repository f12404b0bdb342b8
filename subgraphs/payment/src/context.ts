import type { Context } from '@atrium/kit/subgraph';
import { PaymentService, type PaymentDeps } from './payment/payment.service';

/** kit's request context plus payment's service, bound to the request. */
export interface PaymentContext extends Context {
  payments: PaymentService;
}

/** Builds the services of one request (cheap objects: the provider is shared through `deps`). */
export function paymentContext(base: Context, deps: PaymentDeps): PaymentContext {
  return { ...base, payments: new PaymentService(base, deps) };
}
