import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import type { Logger } from '@atrium/kit';
import WebSocket from 'ws';
import { signedWebSocket, type Signer } from '../fetch/sign';

export interface UpstreamRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
  /** Sent as the subscribe message's `extensions.headers`: how subgraphs learn who is asking. */
  headers: Record<string, string>;
}

export interface UpstreamSink {
  next(result: ExecutionResult<Record<string, unknown>>): void;
  /** The subgraph's socket closed or could not be opened (`lost`), or the subgraph refused the operation. */
  error(reason: { lost: true } | { lost: false; errors: readonly { message: string; extensions?: Record<string, unknown> }[] }): void;
  complete(): void;
}

export interface UpstreamPoolOptions {
  keepAliveMs: number;
  log: Logger;
  /** Signs each connection's handshake: subgraphs that require signatures refuse others. */
  sign?: Signer;
}

/**
 * One multiplexed graphql-ws connection per subgraph, opened on first use and closed when
 * idle: every upstream subscription to that subgraph shares it, each carrying its own
 * caller's headers in `extensions`. No retries here: when a subgraph goes away, its
 * subscriptions end (the hub tells their clients), and the next subscribe reconnects.
 */
export class UpstreamPool {
  private readonly clients = new Map<string, Client>();

  private readonly webSocketImpl: unknown;

  constructor(private readonly options: UpstreamPoolOptions) {
    this.webSocketImpl = options.sign ? signedWebSocket(options.sign) : WebSocket;
  }

  subscribe(url: string, request: UpstreamRequest, sink: UpstreamSink): () => void {
    return this.client(url).subscribe(
      { query: request.query, variables: request.variables, operationName: request.operationName, extensions: { headers: request.headers } },
      {
        next: (result) => sink.next(result as ExecutionResult<Record<string, unknown>>),
        complete: () => sink.complete(),
        error: (err) => {
          // graphql-ws reports a refused operation as an array of GraphQL errors, and a lost
          // connection as a CloseEvent or an Error.
          if (Array.isArray(err)) return sink.error({ lost: false, errors: err });
          const { code, reason, message } = err as { code?: number; reason?: string; message?: string };
          this.options.log.warn({ url, code, reason: reason || message }, 'upstream subscription lost');
          sink.error({ lost: true });
        },
      },
    );
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.dispose()));
  }

  private client(url: string): Client {
    const wsUrl = url.replace(/^http/, 'ws');
    let client = this.clients.get(wsUrl);
    if (!client) {
      client = createClient({
        url: wsUrl,
        webSocketImpl: this.webSocketImpl,
        lazy: true,
        retryAttempts: 0,
        keepAlive: this.options.keepAliveMs,
        // A broken client (closed after an error) is replaced on the next subscribe.
        on: { closed: () => this.clients.get(wsUrl) === client && this.clients.delete(wsUrl) },
      });
      this.clients.set(wsUrl, client);
    }
    return client;
  }
}
