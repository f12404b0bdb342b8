import { testLogger } from '@atrium/kit/testing';
import { randomUUID } from 'node:crypto';
import { loadGatewayConfig } from '../config';
import { createGateway, type Gateway } from '../gateway';

/**
 * A production gateway's settings: production needs its subgraph signing secret to start
 * (these test subgraphs ignore the signature; kit's subgraphs would check it).
 */
export const PRODUCTION_ENV = { NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: 'test-signing-secret-of-at-least-32-characters' };

/**
 * The gateways of one test suite: each on port 0 with a rate-limit budget of its own (other
 * suites share this Redis), configured by `base()` (read when a gateway starts, so it may
 * name what `beforeAll` started) plus the test's own `env`; `closeAll()` in `afterAll`.
 */
export function suiteGateways(base: () => Record<string, string>) {
  const started: Gateway[] = [];
  return {
    async start(env: Record<string, string> = {}): Promise<Gateway> {
      const config = loadGatewayConfig({ PORT: '0', RATE_LIMIT_PREFIX: `test:ratelimit:${randomUUID()}`, ...base(), ...env });
      const gateway = await createGateway(config, { log: testLogger('gateway') });
      started.push(gateway);
      return gateway;
    },
    async closeAll(): Promise<void> {
      for (const gateway of started.splice(0)) await gateway.close();
    },
  };
}
