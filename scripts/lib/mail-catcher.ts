import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { parseMessage } from './mail-mime';

/** One message as the capture server received it. */
export interface CapturedMessage {
  /** Envelope sender and recipients (MAIL FROM / RCPT TO). */
  from: string;
  to: string[];
  /** Decoded subject, plain text and HTML bodies. */
  subject: string;
  text: string | null;
  html: string | null;
  /** Header values by lower-case name, decoded. */
  headers: Record<string, string>;
  /** The message exactly as sent (RFC 5322). */
  raw: string;
  receivedAt: Date;
  /** The .eml file it was written to, when a folder was given. */
  file?: string;
}

export interface CaptureServerOptions {
  /** 2525 by default; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Also write each message to `<folder>/<timestamp>-<to>.eml` (created if missing). */
  folder?: string;
  /** Recipients to refuse with 550, to exercise permanent failures. */
  reject?: (address: string) => boolean;
}

export interface CaptureServer {
  port: number;
  host: string;
  /** Every message received, oldest first. */
  messages: CapturedMessage[];
  /** The first message (received or still to come) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (message: CapturedMessage) => boolean, timeoutMs?: number): Promise<CapturedMessage>;
  close(): Promise<void>;
}

/** `2026-11-24T10-00-00-000Z-alice@example.com.eml`: sortable, and safe on every file system. */
const fileName = (receivedAt: Date, to: string[], attempt: number) =>
  `${receivedAt.toISOString().replace(/[:.]/g, '-')}-${to.join(',').replace(/[^\w@.+,-]/g, '_').slice(0, 150)}${attempt ? `-${attempt}` : ''}.eml`;

async function writeEml(folder: string, message: CapturedMessage, raw: Buffer): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const file = join(folder, fileName(message.receivedAt, message.to, attempt));
    try {
      await writeFile(file, raw, { flag: 'wx' }); // the bytes as received, whatever their charset
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw err;
    }
  }
}

/**
 * A local SMTP server that accepts every message (no authentication, no TLS) and keeps
 * it in memory — and on disk as .eml files when given a folder — instead of delivering
 * it: what the dev runner points notification's SMTP_URL at, and what tests read mail from.
 */
export async function startCaptureServer(options: CaptureServerOptions = {}): Promise<CaptureServer> {
  const host = options.host ?? '127.0.0.1';
  const messages: CapturedMessage[] = [];
  const waiters = new Set<{ predicate: (m: CapturedMessage) => boolean; resolve: (m: CapturedMessage) => void }>();
  if (options.folder) await mkdir(options.folder, { recursive: true });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    size: 25 * 1024 * 1024,
    closeTimeout: 1_000,
    banner: 'Atrium capture server: mail is kept, never delivered',
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (options.reject?.(address.address)) {
        return callback(Object.assign(new Error(`Mailbox ${address.address} unavailable`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
        const raw = Buffer.concat(chunks);
        const parsed = parseMessage(raw);
        const message: CapturedMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: parsed.subject,
          text: parsed.text,
          html: parsed.html,
          headers: parsed.headers,
          raw: raw.toString('utf8'),
          receivedAt: new Date(),
        };
        const store = options.folder ? writeEml(options.folder, message, raw).then((file) => void (message.file = file)) : Promise.resolve();
        store.then(
          () => {
            messages.push(message);
            for (const waiter of waiters) {
              if (waiter.predicate(message)) {
                waiters.delete(waiter);
                waiter.resolve(message);
              }
            }
            callback(null, 'Message captured');
          },
          (err: Error) => callback(Object.assign(err, { responseCode: 451 })), // could not store it: try again later
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`capture server: port ${options.port ?? 2525} on ${host} is already in use`) : err);
    server.server.once('error', onError);
    server.listen(options.port ?? 2525, host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  // Errors of single connections (a client hanging up mid-way) must not crash the process.
  server.on('error', () => undefined);

  return {
    port: (server.server.address() as AddressInfo).port,
    host,
    messages,
    waitFor(predicate, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (m: CapturedMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching message within ${timeoutMs} ms; received: ${JSON.stringify(messages.map((m) => [m.to, m.subject]))}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
