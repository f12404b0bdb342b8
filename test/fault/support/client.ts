import { graphql } from '@atrium/kit/testing';
import { setTimeout as sleep } from 'node:timers/promises';

/** How a call ended: with data, with an answer the caller accepts as final, or not at all. */
export type Outcome<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

export interface PersistOptions {
  /** Error codes that are an answer (PAYMENT_DECLINED, BOOKING_CONFLICT…), not an outage to wait out. */
  final?: readonly string[];
  /** Give up after this long; the outcome is then `GAVE_UP`. */
  deadlineMs?: number;
}

/** One request may hang on a half-dead stack: it counts as failed after this long. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Calls the gateway the way a well-behaved client does while a service is down: a refused
 * connection, a 5xx, SUBGRAPH_UNAVAILABLE, SERVICE_UNAVAILABLE, NOT_FOUND for something
 * another service has not heard of yet — anything but a final answer — is tried again after
 * a short pause until the deadline. Mutations are only ever repeated where repeating is
 * safe: createBooking with an idempotency key, payForBooking (one live payment per booking),
 * cancelBooking.
 */
export async function persist<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string | undefined,
  options: PersistOptions = {},
): Promise<Outcome<T>> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const final = new Set(options.final ?? []);
  let last = 'no answer';
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await withTimeout(graphql<T>(url, query, variables, { token }), REQUEST_TIMEOUT_MS);
      const error = res.errors?.[0];
      if (!error && res.data) return { ok: true, data: res.data };
      const code = String(error?.extensions?.code ?? `HTTP_${res.status}`);
      if (final.has(code)) return { ok: false, code, message: error?.message ?? '' };
      last = `${code}: ${error?.message ?? ''}`;
    } catch (err) {
      last = err instanceof Error ? `${err.message}${err.cause ? ` (${String((err.cause as Error).message ?? err.cause)})` : ''}` : String(err);
    }
    if (Date.now() > deadline) return { ok: false, code: 'GAVE_UP', message: last };
    await sleep(Math.min(250 * 2 ** attempt, 1_500));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The data of a call that must succeed (setting up users and workspaces), or a clear error. */
export async function must<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  // Only outages are waited out: a refusal or a bad request is a broken set-up, said at once.
  const outcome = await persist<T>(url, query, variables, token, { final: ['BAD_USER_INPUT', 'FORBIDDEN', 'UNAUTHENTICATED', 'GRAPHQL_VALIDATION_FAILED'] });
  if (!outcome.ok) throw new Error(`${query.trim().split('\n')[0].slice(0, 80)} failed: ${outcome.code} ${outcome.message}`);
  return outcome.data;
}
