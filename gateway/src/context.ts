import type { Caller } from '@atrium/kit';

/** Per-request context of the gateway: who is calling, and what to forward to subgraphs. */
export interface GatewayContext {
  caller: Caller | null;
  /** The raw Authorization header, forwarded unchanged to subgraphs. */
  authorization?: string;
  requestId: string;
  /** The caller's IP (through TRUST_PROXY), for per-IP rate limits. */
  ip?: string;
}
