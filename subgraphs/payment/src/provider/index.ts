import type { PaymentConfig } from '../config';
import type { PaymentProvider } from './provider';
import { SimulatedProvider } from './simulated';

export * from './provider';
export { SimulatedProvider, TEST_CARDS } from './simulated';

/** The provider named by `PAYMENT_PROVIDER`. */
export function createProvider(config: Pick<PaymentConfig, 'PAYMENT_PROVIDER'>): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'simulated':
      return new SimulatedProvider();
  }
}
