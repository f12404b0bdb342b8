/**
 * A bare graphql-transport-ws client over one `ws` socket: connection_init (the token in
 * `connectionParams.authorization`) → connection_ack → subscribe. Thousands of these stay
 * light in the load generator, unlike as many graphql-ws `Client`s (retries, lazy
 * connections, timers of their own): each is one socket and a message handler that stamps
 * the arrival time before it parses anything.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export const GRAPHQL_WS_PROTOCOL = 'graphql-transport-ws';

export interface SubscriptionHandlers {
  /** A `next` message of subscription `id`; `at` is `performance.now()` when it arrived. */
  next(id: string, payload: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] }, at: number): void;
  /** The server refused or ended subscription `id` with an `error` message. */
  error?(id: string, errors: unknown): void;
  complete?(id: string): void;
  /** The socket closed (whoever closed it). */
  closed?(code: number, reason: string): void;
}

/** The gateway's WebSocket URL for its HTTP GraphQL URL (same port, same path). */
export const wsUrlOf = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

export class GraphqlWsSocket {
  private closing = false;

  private constructor(
    private readonly socket: WebSocket,
    readonly closedPromise: Promise<{ code: number; reason: string }>,
  ) {}

  /** Opens a socket and completes the handshake; rejects on a refusal, a close or after `timeoutMs`. */
  static connect(httpUrl: string, token: string | undefined, handlers: SubscriptionHandlers, timeoutMs = 15_000): Promise<GraphqlWsSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrlOf(httpUrl), GRAPHQL_WS_PROTOCOL, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      let acked = false;
      let client: GraphqlWsSocket | undefined;
      const timer = setTimeout(() => {
        if (acked) return;
        socket.terminate();
        reject(new Error(`no connection_ack within ${timeoutMs} ms`));
      }, timeoutMs);
      const closedPromise = new Promise<{ code: number; reason: string }>((done) => {
        socket.once('close', (code, reason) => {
          clearTimeout(timer);
          const why = reason.toString();
          if (!acked) reject(new Error(`socket closed before connection_ack (${code}${why ? ` ${why}` : ''})`));
          handlers.closed?.(code, why);
          done({ code, reason: why });
        });
      });
      socket.on('error', (err) => {
        if (!acked) {
          clearTimeout(timer);
          reject(err);
        }
        // After the handshake an error is followed by 'close', which reports it.
      });
      socket.once('open', () => {
        socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
      });
      socket.on('message', (data: WebSocket.RawData) => {
        const at = performance.now();
        let message: { type?: string; id?: string; payload?: any };
        try {
          message = JSON.parse(data.toString());
        } catch {
          return;
        }
        switch (message.type) {
          case 'connection_ack':
            acked = true;
            clearTimeout(timer);
            client = new GraphqlWsSocket(socket, closedPromise);
            resolve(client);
            break;
          case 'next':
            handlers.next(String(message.id), message.payload ?? {}, at);
            break;
          case 'error':
            handlers.error?.(String(message.id), message.payload);
            break;
          case 'complete':
            handlers.complete?.(String(message.id));
            break;
          case 'ping':
            socket.send(JSON.stringify({ type: 'pong' }));
            break;
          default:
            break;
        }
      });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Whether {@link close} was called (a close the caller asked for, not one to report). */
  get isClosing(): boolean {
    return this.closing;
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  complete(id: string): void {
    if (this.isOpen) this.socket.send(JSON.stringify({ id, type: 'complete' }));
  }

  /** Closes normally (1000) and waits for the close, cutting the socket after `graceMs`. */
  async close(graceMs = 3_000): Promise<void> {
    this.closing = true;
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000, 'done');
    const cut = setTimeout(() => this.socket.terminate(), graceMs);
    await this.closedPromise;
    clearTimeout(cut);
  }
}
