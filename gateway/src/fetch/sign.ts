import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { handshakeSigningInput, resolveSigning, SIGNATURE_HEADER, signatureFor, type Signing } from '@atrium/kit';
import WebSocket from 'ws';

/** Gives the `x-atrium-signature` value for a body (kit's auth/signature.ts checks it). */
export type Signer = (body: string) => string;

/**
 * The gateway's signer: the first of SUBGRAPH_SIGNING_SECRETS, whenever there is one and
 * SUBGRAPH_SIGNATURE is not `off` — so secrets can be rolled out to the gateway before the
 * subgraphs start requiring them. Throws (a ConfigError naming what to set) when signatures
 * are required but no secret is given: in production, unless told `off`.
 */
export function createSigner(config: { NODE_ENV: string; SUBGRAPH_SIGNATURE?: Signing['mode']; SUBGRAPH_SIGNING_SECRETS: string[] }): Signer | undefined {
  const { secrets } = resolveSigning(config);
  if (config.SUBGRAPH_SIGNATURE === 'off' || secrets.length === 0) return undefined;
  const [secret] = secrets;
  return (body) => signatureFor(body, secret);
}

type Request = GraphQLDataSourceProcessOptions['request'];

/**
 * The exact body RemoteGraphQLDataSource sends for `request` (its `sendRequest`:
 * `JSON.stringify` of the request without `http`, with `query` first — `process` rebuilds it
 * as `{ query, ...rest }`). Atrium's data sources never use subgraph APQ, the one case where
 * the body sent differs; fetch/sign.test.ts checks these bytes against what a fetcher gets.
 */
export function sentBody(request: Request): string {
  const { http: _http, query, ...rest } = request;
  return JSON.stringify({ query, ...rest });
}

/** Signs a subgraph request in `willSendRequest`, once its body is final. */
export function signRequest(request: Request, sign: Signer): void {
  request.http?.headers.set(SIGNATURE_HEADER, sign(sentBody(request)));
}

/**
 * A `ws` WebSocket whose opening handshake carries the gateway's signature over its request
 * target: what the gateway's subscription connections to subgraphs are built with. graphql-ws
 * constructs it as `new Impl(url, protocol)` on every (re)connect, so each handshake is signed
 * afresh.
 */
export function signedWebSocket(sign: Signer) {
  return class SignedWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      const url = new URL(address);
      // ws sends `pathname + search` as the request target: the bytes the subgraph verifies.
      super(address, protocols, { headers: { [SIGNATURE_HEADER]: sign(handshakeSigningInput(`${url.pathname}${url.search}`)) } });
    }
  };
}
