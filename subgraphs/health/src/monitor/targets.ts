import { loadSupergraphConfig } from '@atrium/kit';
import { overrideKey, type HealthConfig } from '../config';

/** A service the monitor polls: its name and base URL (`/ready` is appended). */
export interface Target {
  name: string;
  url: string;
}

/** The monitor's own name: it does not poll itself (a dead monitor could not say so anyway). */
export const SELF = 'health';

/** `http://host:4001/graphql` → `http://host:4001`: the service's base URL. */
export function baseUrl(routingUrl: string): string {
  return routingUrl.replace(/\/graphql\/?$/, '').replace(/\/$/, '');
}

/**
 * Every subgraph of supergraph.yaml except health itself, then the gateway, each at its
 * `HEALTH_SERVICE_<NAME>_URL` when set, else at its routing URL (or GATEWAY_URL).
 */
export function monitoredServices(config: Pick<HealthConfig, 'SUPERGRAPH_CONFIG' | 'GATEWAY_URL' | 'serviceUrls'>): Target[] {
  const subgraphs = loadSupergraphConfig(config.SUPERGRAPH_CONFIG).filter((s) => s.name !== SELF);
  const url = (name: string, fallback: string) => baseUrl(config.serviceUrls[overrideKey(name)] ?? fallback);
  return [...subgraphs.map((s) => ({ name: s.name, url: url(s.name, s.url) })), { name: 'gateway', url: url('gateway', config.GATEWAY_URL) }];
}
