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

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The seed's GraphQL client: a client like any other, rate limits included. When the gateway
 * answers 429 RATE_LIMITED, it waits the `Retry-After` it was given and sends the same
 * operation again, instead of failing or hammering on: the seed paces itself, and whoever
 * signs in after it (the admin, on the dashboard) finds budget left — nothing is bypassed.
 */
export function createSeedClient(options: SeedClientOptions) {
  const { url, maxWaits = 10 } = options;
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? pause;
  return async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<SeedResponse> {
    for (let waits = 0; ; waits++) {
      const res = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as SeedResponse;
      const limited = res.status === 429 || body.errors?.some((e) => e.extensions?.code === 'RATE_LIMITED');
      if (!limited || waits >= maxWaits) return body;
      const seconds = Number(res.headers.get('retry-after')) || body.errors?.find((e) => e.extensions?.retryAfter)?.extensions?.retryAfter || 1;
      options.onWait?.(seconds);
      await sleep(seconds * 1000);
    }
  };
}
