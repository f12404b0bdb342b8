import { createRecorder, type EntityManager } from '@atrium/kit/subgraph';
import { randomUUID } from 'node:crypto';
import { Incident } from '../incident/incident.entity';
import type { Observation } from '../monitor/probe';
import type { Target } from '../monitor/targets';
import { transition } from '../monitor/transition';
import { ServiceStatus, Status, StatusChange } from './service-status.entity';

/** Serializes pollers cluster-wide: overlapping poll jobs or replicas never race on a service. */
const POLL_LOCK = 'select pg_advisory_xact_lock(hashtext(?))';

/** Service states: written from poll observations, read by the GraphQL fields. */
export class StatusService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Applies one poll's observations in one transaction: updates each service's state, and
   * on a change writes a history row, opens or resolves its incident and records
   * `service.status_changed` in the outbox (so the event exists iff the change committed).
   * An observation older than the stored one (a slow, overlapping poll) is ignored.
   */
  async record(observations: Observation[], correlationId: string): Promise<StatusChange[]> {
    return this.em.transactional(async (em) => {
      await em.getConnection().execute(POLL_LOCK, ['health:poll'], 'get', em.getTransactionContext());
      const events = createRecorder(em, { producer: 'health', correlationId, actorId: null });
      const names = observations.map((o) => o.service);
      const current = new Map((await em.find(ServiceStatus, { name: names })).map((s) => [s.name, s]));
      const open = new Map((await em.find(Incident, { service: names, resolvedAt: null })).map((i) => [i.service, i]));
      const changes: StatusChange[] = [];
      for (const seen of observations) {
        let row = current.get(seen.service);
        if (row?.checkedAt && row.checkedAt > seen.at) continue;
        const previous = row?.status ?? Status.UNKNOWN;
        const step = transition(previous, seen.status, open.has(seen.service));
        if (!row) {
          row = em.create(ServiceStatus, { name: seen.service, status: previous, latencyMs: null, checkedAt: null, changedAt: seen.at, reason: null });
        }
        Object.assign(row, { status: seen.status, latencyMs: seen.latencyMs, checkedAt: seen.at, reason: seen.reason });
        let incident = open.get(seen.service) ?? null;
        if (step.openIncident) {
          incident = em.create(Incident, { id: randomUUID(), service: seen.service, startedAt: seen.at, resolvedAt: null, durationMs: null, reason: seen.reason });
        }
        if (step.resolveIncident && incident) {
          incident.resolvedAt = seen.at;
          incident.durationMs = Math.max(0, seen.at.getTime() - incident.startedAt.getTime());
        }
        if (!step.changed) continue;
        row.changedAt = seen.at;
        const change = em.create(StatusChange, {
          id: randomUUID(),
          service: seen.service,
          from: previous,
          to: seen.status as Status,
          at: seen.at,
          latencyMs: seen.latencyMs,
          reason: seen.reason,
        });
        changes.push(change);
        events.record('service.status_changed', {
          service: seen.service,
          status: seen.status,
          previous: previous === Status.UNKNOWN ? null : previous,
          latencyMs: seen.latencyMs,
          reason: seen.reason,
          incidentId: incident?.id ?? null,
        });
      }
      return changes;
    });
  }

  /** Every monitored service in configuration order, UNKNOWN until first polled. */
  async list(targets: Target[]): Promise<ServiceStatus[]> {
    const rows = await this.byNames(targets.map((t) => t.name));
    return targets.map((t) => rows.find((r) => r.name === t.name) ?? unknown(t.name));
  }

  /** The stored rows of `names` (a service never polled has none). */
  async byNames(names: readonly string[]): Promise<ServiceStatus[]> {
    return this.em.find(ServiceStatus, { name: names as string[] });
  }
}

/** A service the monitor has not polled yet. */
export function unknown(name: string): ServiceStatus {
  return Object.assign(new ServiceStatus(), { name, status: Status.UNKNOWN, latencyMs: null, checkedAt: null, changedAt: null, reason: null });
}
