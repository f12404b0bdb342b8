import type { Caller, Logger } from '@atrium/kit';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../errors';
import type { SubscriptionMetrics } from '../ops/metrics';
import type { SubscriptionPlan, SubscriptionPlanner } from './event-plan';
import { SubscriberQueue } from './queue';
import type { UpstreamPool } from './upstream';

/** What subscribers receive: graphql-ws serializes each error with its `toJSON()`, so they are GraphQLErrors. */
type Result = ExecutionResult;

/** How a client subscription reaches its client (counted apart in the metrics). */
export type Transport = 'websocket' | 'multipart' | 'sse';

/** A subscription authorized and planned against one supergraph. */
export interface Planned {
  plan: SubscriptionPlan;
  /** Puts refused fields back as `null` with their errors (the authorizer's decision). */
  complete(result: Result): Result;
}

/** One client subscription, already authorized and planned. */
export interface SubscribeRequest extends Planned {
  variables: Record<string, unknown>;
  /** The connection it was opened on: {@link SubscriptionHub.renew} finds its subscriptions by it. */
  session?: object;
  caller: Caller | null;
  authorization?: string;
  requestId: string;
  transport: Transport;
  /**
   * The same subscription validated, authorized and planned against the supergraph loaded
   * now (after an update), or undefined when it is no longer valid there.
   */
  replan?(): Planned | undefined;
  /** Drops the client's connection (its queue overflowed). */
  drop(reason: string): void;
  /** Called once when the subscription ends, however it ends. */
  closed?(): void;
}

export interface HubOptions {
  /** Share one upstream stream between identical subscriptions (same operation, variables, authorization). */
  dedup: boolean;
  /** Results a subscriber may fall behind before it is dropped. */
  queueLimit: number;
  metrics: SubscriptionMetrics;
  log: Logger;
}

/** Ends a subscription with one GraphQL error, the way clients learn why it stopped. */
export const closing = (message: string, code: ErrorCode): ExecutionResult => ({ errors: [new GraphQLError(message, { extensions: { code } })] });

const expired = () => closing('The access token expired: subscribe again with a fresh token', ErrorCode.UNAUTHENTICATED);

class Subscriber {
  readonly queue: SubscriberQueue<Result>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly request: SubscribeRequest,
    private readonly limit: number,
    onClose: (s: Subscriber) => void,
  ) {
    this.queue = new SubscriberQueue(limit, () => {
      clearTimeout(this.timer);
      request.closed?.();
      onClose(this);
    });
    this.arm();
  }

  /** Authorization holds for the token's lifetime only: when it ends, so does the subscription. */
  private arm(): void {
    clearTimeout(this.timer);
    const expiresAt = this.request.caller?.expiresAt.getTime();
    if (expiresAt !== undefined) this.timer = setTimeout(() => this.queue.end(expired()), Math.max(0, Math.min(expiresAt - Date.now(), 2 ** 31 - 1)));
  }

  /** The client renewed its token (same user and scopes): the subscription lasts as long as the new one. */
  renew(caller: Caller, authorization: string): void {
    this.request.caller = caller;
    this.request.authorization = authorization;
    this.arm();
  }

  get expiresAt(): number {
    return this.request.caller?.expiresAt.getTime() ?? Infinity;
  }

  /** Queues `result`; false when it was not (the token expired, or the subscriber is dropped for falling behind). */
  deliver(result: Result, metrics: SubscriptionMetrics): boolean {
    if (this.expiresAt <= Date.now()) {
      this.queue.end(expired());
      return false;
    }
    if (this.queue.push(result)) return true;
    metrics.dropped();
    this.queue.end();
    this.request.drop(`fell more than ${this.limit} events behind`);
    return false;
  }
}

/**
 * One upstream subscription to the owning subgraph and everyone listening to it. Events are
 * completed through the query plan once, in order, and the same result is pushed to every
 * subscriber's queue without waiting for any of them.
 */
class SharedStream {
  readonly subscribers = new Set<Subscriber>();
  private stopUpstream: (() => void) | undefined;
  private tail: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(
    readonly key: string,
    readonly first: SubscribeRequest,
    private readonly hub: { planner: SubscriptionPlanner; pool: UpstreamPool; options: HubOptions; remove(s: SharedStream): void },
  ) {}

  start(): void {
    const { plan, variables, authorization, requestId } = this.first;
    const used = Object.fromEntries((plan.primary.variableUsages ?? []).filter((v) => v in variables).map((v) => [v, variables[v]]));
    this.hub.options.metrics.upstreamStarted(plan.serviceName);
    this.stopUpstream = this.hub.pool.subscribe(
      plan.url,
      {
        query: plan.primary.operation,
        variables: used,
        operationName: plan.primary.operationName,
        headers: { ...(authorization ? { authorization } : {}), 'x-request-id': requestId },
      },
      {
        next: (event) => {
          this.tail = this.tail.then(() => this.handle(event));
        },
        complete: () => {
          this.tail = this.tail.then(() => this.end());
        },
        error: (reason) => {
          const last = reason.lost
            ? closing(`Subgraph "${plan.serviceName}" went away: subscribe again`, ErrorCode.SUBGRAPH_UNAVAILABLE)
            : { errors: reason.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions })) };
          this.tail = this.tail.then(() => this.end(this.first.complete(last)));
        },
      },
    );
  }

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
  }

  /**
   * Carries the stream over to a new supergraph: the next events are completed with the new
   * plan. When its primary fetch is unchanged (same subgraph, URL, operation and variables)
   * the upstream subscription stays open, so no event is lost; otherwise it is opened again
   * on the new plan's subgraph. Returns whether the upstream was kept.
   */
  replan(next: Planned): boolean {
    const before = this.first.plan;
    this.first.plan = next.plan;
    this.first.complete = next.complete;
    const same =
      before.serviceName === next.plan.serviceName &&
      before.url === next.plan.url &&
      before.primary.operation === next.plan.primary.operation &&
      (before.primary.variableUsages ?? []).join() === (next.plan.primary.variableUsages ?? []).join();
    if (same || this.ended) return same;
    this.stopUpstream?.();
    this.start();
    return false;
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.end();
  }

  /** Ends every subscriber (after `last`, if given) and the upstream subscription. */
  end(last?: Result): void {
    if (this.ended) return;
    this.ended = true;
    this.hub.remove(this);
    this.stopUpstream?.();
    for (const s of [...this.subscribers]) s.queue.end(last);
  }

  private async handle(event: ExecutionResult<Record<string, unknown>>): Promise<void> {
    if (this.ended) return;
    const { metrics, log } = this.hub.options;
    metrics.eventReceived(this.first.plan.serviceName);
    let result: Result;
    try {
      result = this.first.complete(await this.hub.planner.completeEvent(this.first.plan, event, this.first.variables, this.context()));
    } catch (err) {
      log.error({ err, subgraph: this.first.plan.serviceName }, 'subscription event could not be completed');
      result = closing('This event could not be completed', ErrorCode.INTERNAL_SERVER_ERROR);
    }
    let delivered = 0;
    for (const s of [...this.subscribers]) if (s.deliver(result, metrics)) delivered++;
    metrics.delivered(delivered);
  }

  /**
   * The context the completing fetches run with: the token of the subscriber whose token
   * lasts longest (all share one authorization context), so a departed subscriber's
   * expiring token never fails the others' events.
   */
  private context(): GatewayContext {
    let best = this.first;
    let bestExpiry = -Infinity;
    for (const s of this.subscribers) {
      if (s.expiresAt > bestExpiry) {
        bestExpiry = s.expiresAt;
        best = s.request;
      }
    }
    return { caller: best.caller, authorization: best.authorization, requestId: `${this.first.requestId}:${randomUUID()}` };
  }
}

/**
 * The gateway's subscriptions: deduplicates identical ones onto one upstream stream and
 * fans each completed event out to every subscriber through a bounded queue.
 */
export class SubscriptionHub {
  private readonly streams = new Map<string, SharedStream>();
  private subscriberCount = 0;

  constructor(
    readonly planner: SubscriptionPlanner,
    readonly pool: UpstreamPool,
    readonly options: HubOptions,
  ) {}

  /** Subscribers currently open. */
  get size(): number {
    return this.subscriberCount;
  }

  /** Upstream subscriptions currently open. */
  get upstreams(): number {
    return this.streams.size;
  }

  subscribe(request: SubscribeRequest): AsyncIterableIterator<Result> {
    const key = this.options.dedup ? dedupKey(request) : randomUUID();
    let stream = this.streams.get(key);
    const fresh = !stream;
    if (!stream) {
      stream = new SharedStream(key, request, this);
      this.streams.set(key, stream);
    }
    const owner = stream;
    const subscriber = new Subscriber(request, this.options.queueLimit, (s) => {
      this.subscriberCount--;
      this.options.metrics.open(-1, request.transport);
      owner.remove(s);
    });
    this.subscriberCount++;
    this.options.metrics.open(1, request.transport);
    stream.add(subscriber);
    if (fresh) stream.start();
    return subscriber.queue;
  }

  /**
   * A new supergraph was loaded: each stream whose operation is still valid is planned again
   * and goes on ({@link SharedStream.replan}); the others end with `last`.
   */
  reload(last: Result): { kept: number; reopened: number; ended: number } {
    const counts = { kept: 0, reopened: 0, ended: 0 };
    for (const stream of [...this.streams.values()]) {
      let next: Planned | undefined;
      try {
        next = stream.first.replan?.();
      } catch (err) {
        this.options.log.error({ err }, 'a subscription could not be planned again after a supergraph update');
      }
      if (!next) {
        counts.ended += stream.subscribers.size;
        stream.end(last);
      } else if (stream.replan(next)) counts.kept += stream.subscribers.size;
      else counts.reopened += stream.subscribers.size;
    }
    return counts;
  }

  /** Ends every subscription with `last` (the gateway stops). */
  closeAll(last: Result): void {
    for (const stream of [...this.streams.values()]) stream.end(last);
  }

  /**
   * Ends the subscriptions whose caller matches (their session was revoked, say): `last` is
   * their final result, and nothing still queued for them is delivered. Their streams go on
   * for the others. Returns how many ended.
   */
  endWhere(matches: (caller: Caller | null) => boolean, last: Result): number {
    let ended = 0;
    for (const stream of [...this.streams.values()]) {
      for (const s of [...stream.subscribers]) {
        if (!matches(s.request.caller)) continue;
        s.queue.end(last, true);
        ended++;
      }
    }
    return ended;
  }

  /**
   * Gives the subscriptions of one connection (`session`) a renewed token of the same caller:
   * their expiry moves to the new token's, and the fetches completing their events forward
   * it. Returns how many were renewed.
   */
  renew(session: object, caller: Caller, authorization: string): number {
    let renewed = 0;
    for (const stream of this.streams.values()) {
      for (const s of stream.subscribers) {
        if (s.request.session !== session) continue;
        s.renew(caller, authorization);
        renewed++;
      }
    }
    return renewed;
  }

  remove(stream: SharedStream): void {
    if (this.streams.get(stream.key) === stream) this.streams.delete(stream.key);
  }
}

/** Same operation, variables and authorization context (who, with which scopes) → same stream. */
function dedupKey(r: SubscribeRequest): string {
  const who = r.caller ? `${r.caller.userId}:${[...r.caller.scopes].sort().join(' ')}` : 'anonymous';
  return `${r.plan.key}\u0000${stableJson(r.variables)}\u0000${who}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
