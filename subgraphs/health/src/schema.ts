import { forbidden, hasScope, Scope, unauthenticated, isUuid } from '@atrium/kit';
import { buildFederatedSchema } from '@atrium/kit/subgraph';
import DataLoader from 'dataloader';
import type { HealthContext } from './context';
import { HistoryResolver } from './history/history.resolver';
import { IncidentResolver } from './incident/incident.resolver';
import { ServiceStatusResolver } from './status/service-status.resolver';
import type { ServiceStatus } from './status/service-status.entity';
import { SystemHealthResolver } from './system/system-health.resolver';

/** health's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [ServiceStatusResolver, IncidentResolver, SystemHealthResolver, HistoryResolver],
    references: {
      // Incidents by key, for the same callers as `incidents` (defense in depth: `_entities`
      // reaches here without going through a guarded query field).
      Incident: (ids, ctx) => {
        const { caller } = ctx;
        if (!caller) throw unauthenticated('Authentication required to access Incident');
        if (!hasScope(caller, Scope.SYSTEM_ADMIN)) throw forbidden('Not authorized to access Incident: requires scope system:admin');
        return (ctx as HealthContext).incidents.byIds(ids.filter(isUuid));
      },
    },
    extraResolvers: {
      // ServiceStatus is keyed by name, not id, so it batches through its own loader.
      ServiceStatus: {
        __resolveReference: (ref: { name: string }, ctx: HealthContext) => {
          if (!ctx.caller) throw unauthenticated('Authentication required to access ServiceStatus');
          return serviceLoader(ctx).load(ref.name);
        },
      },
    },
  });
}

function serviceLoader(ctx: HealthContext): DataLoader<string, ServiceStatus | null> {
  const key = 'ref:ServiceStatus';
  let found = ctx.loaders.get(key) as DataLoader<string, ServiceStatus | null> | undefined;
  if (!found) {
    found = new DataLoader<string, ServiceStatus | null>(async (names) => {
      const rows = await ctx.statuses.byNames(names);
      return names.map((name) => rows.find((r) => r.name === name) ?? null);
    });
    ctx.loaders.set(key, found as DataLoader<string, unknown>);
  }
  return found;
}
