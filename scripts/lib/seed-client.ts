import type { SeedOperation } from './seed-operations';

/** What the gateway answers to one operation. */
export interface SeedResponse {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string; retryAfter?: number } }[];
}

export interface SeedClientOptions {
  /** The gateway's GraphQL endpoint. */
  url: string;
  /** Told how long the client waits out a rate limit (the progress bar shows it). */
  onWait?: (seconds: number) => void;
  /** Consecutive waits for one operation before giving up with the last answer. */
  maxWaits?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** The seed's way to send an operation: `gql(op, variables, token)`. */
export type SeedClient = (op: SeedOperation, variables?: Record<string, unknown>, token?: string) => Promise<SeedResponse>;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What a gateway that does not read the trusted-documents manifest (TRUSTED_DOCUMENTS=off)
 * answers an id sent alone: Apollo Server's codes with APQ on and off.
 */
const ID_NOT_KNOWN = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/**
 * The seed's GraphQL client: a client like any other, rate limits and trusted documents
 * included. It sends each operation by its manifest id alone (Apollo's `persistedQuery`
 * extension), what the gateway runs under TRUSTED_DOCUMENTS=allow or enforce (production);
 * a gateway that answers that it does not know ids (`off`, the development default) gets the
 * manifest's exact body instead, from then on — as Apollo Client's persisted-queries link does.
 * When the gateway answers 429 RATE_LIMITED, it waits the `Retry-After` it was given and
 * sends the same operation again, instead of failing or hammering on: the seed paces itself,
 * and whoever signs in after it (the admin, on the dashboard) finds budget left — nothing is bypassed.
 */
export function createSeedClient(options: SeedClientOptions): SeedClient {
  const { url, maxWaits = 10 } = options;
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? pause;
  let sendBodies = false;
  const post = async (op: SeedOperation, variables: Record<string, unknown>, token: string | undefined, withBody: boolean) => {
    const request = withBody
      ? { operationName: op.name, query: op.body, variables }
      : { operationName: op.name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: op.id } } };
    const res = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(request),
    });
    return { res, body: (await res.json()) as SeedResponse };
  };
  return async function gql(op, variables = {}, token) {
    for (let waits = 0; ; waits++) {
      const withBody = sendBodies;
      let { res, body } = await post(op, variables, token, withBody);
      if (!withBody && body.errors?.some((e) => ID_NOT_KNOWN.has(e.extensions?.code ?? ''))) {
        sendBodies = true;
        ({ res, body } = await post(op, variables, token, true));
      }
      const limited = res.status === 429 || body.errors?.some((e) => e.extensions?.code === 'RATE_LIMITED');
      if (!limited || waits >= maxWaits) return body;
      const seconds = Number(res.headers.get('retry-after')) || body.errors?.find((e) => e.extensions?.retryAfter)?.extensions?.retryAfter || 1;
      options.onWait?.(seconds);
      await sleep(seconds * 1000);
    }
  };
}
