/**
 * One subscription over HTTP, as the fan-out benchmark opens thousands of them: a POST of
 * the subscription on its own connection (undici, through a dispatcher without a
 * connection limit), answered with a stream the client reads as it arrives —
 *
 * - `multipart`: Apollo's multipart subscription protocol (`Accept: multipart/mixed;
 *   subscriptionSpec="1.0"`; parts `{"payload": result}`, `{}` heartbeats);
 * - `sse`: GraphQL over SSE, distinct connections mode (`Accept: text/event-stream`;
 *   `event: next` with the result, `event: complete`).
 *
 * The token goes in `Authorization`. Each chunk's arrival is stamped before it is parsed,
 * and every result it completes carries that time, as bench/ws-client.ts does per message.
 */
import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import { boundaryOf, MultipartReader, SseReader } from './stream-parsers';
import type { SubscriptionHandlers } from './ws-client';

export type HttpTransport = 'multipart' | 'sse';

export const ACCEPT: Record<HttpTransport, string> = {
  multipart: 'multipart/mixed;subscriptionSpec="1.0", application/json',
  sse: 'text/event-stream',
};

export class HttpSubscription {
  private closing = false;

  private constructor(
    private readonly abort: AbortController,
    /** Resolves when the stream has ended, whoever ended it. */
    readonly ended: Promise<void>,
  ) {}

  /**
   * Sends the subscription and resolves once the response's headers say it streams (a
   * refusal — any other status or content type — rejects with its body). `id` is what the
   * handlers are called with.
   */
  static async open(options: {
    url: string;
    transport: HttpTransport;
    token: string | undefined;
    id: string;
    query: string;
    variables: Record<string, unknown>;
    handlers: SubscriptionHandlers;
    dispatcher: Dispatcher;
    timeoutMs?: number;
  }): Promise<HttpSubscription> {
    const { transport, handlers, id } = options;
    const abort = new AbortController();
    const res = await request(options.url, {
      method: 'POST',
      dispatcher: options.dispatcher,
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: ACCEPT[transport],
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ query: options.query, variables: options.variables }),
      headersTimeout: options.timeoutMs ?? 15_000,
      // Events may be minutes apart; heartbeats (multipart) and keep-alive comments (SSE) are not to be relied on.
      bodyTimeout: 0,
    });
    const contentType = String(res.headers['content-type'] ?? '');
    const streams = transport === 'sse' ? contentType.startsWith('text/event-stream') : contentType.startsWith('multipart/mixed');
    if (res.statusCode !== 200 || !streams) {
      const text = await res.body.text().catch(() => '');
      throw new Error(`HTTP ${res.statusCode} ${contentType}: ${text.slice(0, 200)}`);
    }
    let subscription: HttpSubscription | undefined;
    const ended = (async () => {
      const decoder = new TextDecoder();
      const deliver = (json: string, at: number) => {
        let result: any;
        try {
          result = JSON.parse(json);
        } catch {
          return;
        }
        if (transport === 'multipart') {
          if (result.payload) handlers.next(id, result.payload, at);
          else if (result.errors) handlers.error?.(id, result.errors); // a transport-level error
          // {}: a heartbeat
        } else handlers.next(id, result, at);
      };
      try {
        if (transport === 'multipart') {
          const reader = new MultipartReader(boundaryOf(contentType) ?? 'graphql');
          for await (const chunk of res.body) {
            const at = performance.now();
            for (const body of reader.push(decoder.decode(chunk as Buffer, { stream: true }))) deliver(body, at);
          }
        } else {
          const reader = new SseReader();
          for await (const chunk of res.body) {
            const at = performance.now();
            for (const event of reader.push(decoder.decode(chunk as Buffer, { stream: true }))) {
              if (event.event === 'next') deliver(event.data, at);
              else if (event.event === 'complete') handlers.complete?.(id);
            }
          }
        }
        // The server ended the stream: a multipart stream ends only with its subscription.
        if (transport === 'multipart' && !subscription?.closing) handlers.complete?.(id);
        if (!subscription?.closing) handlers.closed?.(0, 'the gateway ended the stream');
      } catch (err) {
        if (!subscription?.closing) handlers.closed?.(0, `stream failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    })();
    subscription = new HttpSubscription(abort, ended);
    return subscription;
  }

  /** Whether {@link close} was called (an end the caller asked for, not one to report). */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Aborts the request (the connection closes: the gateway ends the subscription) and waits for the stream to end. */
  async close(): Promise<void> {
    this.closing = true;
    this.abort.abort();
    await this.ended;
  }
}
