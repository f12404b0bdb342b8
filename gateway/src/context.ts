import type { Caller } from '@atrium/kit';

/** Per-request context of the gateway: who is calling, and what to forward to subgraphs. */
export interface GatewayContext {
  caller: Caller | null;
  /** The raw Authorization header, forwarded unchanged to subgraphs. */
  authorization?: string;
  requestId: string;
  /** The caller's IP (through TRUST_PROXY), for per-IP rate limits. */
  ip?: string;
  /**
   * Set by the response cache when it looked this operation up (its response is kept whole):
   * the fetch stage's root cache then leaves its fetches alone, as the same events would
   * invalidate both copies (http/response-cache.ts, fetch/root-cache.ts).
   */
  responseCached?: boolean;
}
