import express, { type RequestHandler } from 'express';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../config';
import { ErrorCode } from '../errors';

/**
 * Request signing: subgraphs answer only the gateway. The gateway signs the exact bytes of
 * every subgraph request with an HMAC-SHA256 over `<unix seconds>.<body>` and sends
 * `x-atrium-signature: t=<unix seconds>,v1=<hex>`; a subgraph that requires signatures
 * refuses anything else — `_service { sdl }` and `_entities` included, which would otherwise
 * hand the whole subgraph schema, and every entity by key, to whoever reaches its port.
 * The timestamp bounds replays to the clock-skew window.
 */
export const SIGNATURE_HEADER = 'x-atrium-signature';

/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const SIGNATURE_SKEW_SECONDS = 60;

/** A secret shorter than this is refused at start: an HMAC is only as strong as its key. */
export const MIN_SECRET_LENGTH = 32;

export interface Signing {
  /** `required`: refuse unsigned or badly signed requests. */
  mode: 'off' | 'required';
  /** The first signs; any verifies (rotation). */
  secrets: string[];
}

/**
 * Resolves `SUBGRAPH_SIGNATURE` / `SUBGRAPH_SIGNING_SECRETS`: required by default in
 * production, off otherwise; `required` without a secret stops the service at start with a
 * message saying what to set — a production subgraph never runs open by accident, only when
 * told `SUBGRAPH_SIGNATURE=off`.
 */
export function resolveSigning(config: { NODE_ENV: string; SUBGRAPH_SIGNATURE?: 'off' | 'required'; SUBGRAPH_SIGNING_SECRETS: string[] }): Signing {
  const secrets = config.SUBGRAPH_SIGNING_SECRETS;
  const mode = config.SUBGRAPH_SIGNATURE ?? (config.NODE_ENV === 'production' ? 'required' : 'off');
  if (mode === 'required' && secrets.length === 0) {
    throw new ConfigError(
      'Invalid configuration:\n  SUBGRAPH_SIGNING_SECRETS: required' +
        (config.SUBGRAPH_SIGNATURE ? ' with SUBGRAPH_SIGNATURE=required' : ' in production') +
        ': the subgraphs answer only requests the gateway signed with it (e.g. `openssl rand -hex 32`, the same on the gateway and every subgraph);' +
        ' set SUBGRAPH_SIGNATURE=off to run without (the subgraphs then answer anyone who reaches them)',
    );
  }
  const short = secrets.filter((s) => s.length < MIN_SECRET_LENGTH).length;
  if (short > 0) throw new ConfigError(`Invalid configuration:\n  SUBGRAPH_SIGNING_SECRETS: each secret needs at least ${MIN_SECRET_LENGTH} characters`);
  return { mode, secrets };
}

const digest = (secret: string, timestamp: number, body: string | Uint8Array) => createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();

/** The `x-atrium-signature` value for `body`, signed with `secret` at `now`. */
export function signatureFor(body: string | Uint8Array, secret: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${digest(secret, t, body).toString('hex')}`;
}

/**
 * What a WebSocket handshake signs: it has no body, so the signature covers the request
 * target (`/graphql`), with a prefix no HTTP body of the gateway's can start with.
 */
export const handshakeSigningInput = (target: string) => `websocket GET ${target}`;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a signature header against the body received and every accepted secret, in
 * constant time per comparison. Several `v1=` values are accepted (a signer in the middle of
 * a rotation may send one per secret).
 */
export function checkSignature(
  header: string | undefined,
  body: string | Uint8Array,
  secrets: readonly string[],
  options: { now?: number; skewSeconds?: number } = {},
): SignatureCheck {
  if (!header) return { ok: false, reason: `the request is not signed (${SIGNATURE_HEADER} missing)` };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value ?? '')) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: `malformed ${SIGNATURE_HEADER} (expected t=<unix seconds>,v1=<hex>)` };
  const skew = options.skewSeconds ?? SIGNATURE_SKEW_SECONDS;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > skew) return { ok: false, reason: `the signature's timestamp is more than ${skew}s away from this server's clock` };
  for (const secret of secrets) {
    const expected = digest(secret, timestamp, body);
    if (signatures.some((s) => timingSafeEqual(s, expected))) return { ok: true };
  }
  return { ok: false, reason: 'the signature does not match' };
}

/** The 401 body of a refused request: a GraphQL error any client can read. */
const refusal = (reason: string) => ({
  errors: [{ message: `This subgraph answers only the gateway: ${reason}`, extensions: { code: ErrorCode.UNAUTHENTICATED } }],
});

/** The raw bytes of each parsed body, kept for the signature check (bodies are bounded by the parser's limit). */
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/**
 * JSON body parsing for a subgraph's `/graphql`, then — when signing is required — the
 * signature check over the exact bytes received, before Apollo Server sees the request.
 * Only POST can be signed (a GET's operation sits in its URL, outside the body), and the
 * gateway only POSTs.
 */
export function signedJsonBody(signing: Signing, options: { limit: string | number }): RequestHandler[] {
  if (signing.mode === 'off') return [express.json({ limit: options.limit })];
  const parse = express.json({ limit: options.limit, verify: (req, _res, buf) => void rawBodies.set(req, buf) });
  const check: RequestHandler = (req, res, next) => {
    const result =
      req.method === 'POST'
        ? checkSignature(req.header(SIGNATURE_HEADER), rawBodies.get(req) ?? Buffer.alloc(0), signing.secrets)
        : ({ ok: false, reason: 'only signed POST requests are accepted' } as const);
    if (result.ok) return next();
    res.status(401).json(refusal(result.reason));
  };
  return [parse, check];
}

/**
 * The check of {@link signedJsonBody} for a request served without Express (kit's
 * http-direct.ts): its signature over `raw`, the exact bytes received; the refusal's body
 * when it fails.
 */
export function checkSignedBody(signing: Signing, req: IncomingMessage, raw: Buffer): { ok: true } | { ok: false; body: ReturnType<typeof refusal> } {
  if (signing.mode === 'off') return { ok: true };
  const header = req.headers[SIGNATURE_HEADER];
  const result = checkSignature(Array.isArray(header) ? header[0] : header, raw, signing.secrets);
  return result.ok ? result : { ok: false, body: refusal(result.reason) };
}

/** The same check for a WebSocket upgrade (its signed handshake headers), for ws's `verifyClient`. */
export function checkHandshake(signing: Signing, req: IncomingMessage): SignatureCheck {
  if (signing.mode === 'off') return { ok: true };
  const header = req.headers[SIGNATURE_HEADER];
  return checkSignature(Array.isArray(header) ? header[0] : header, handshakeSigningInput(req.url ?? '/'), signing.secrets);
}
