/**
 * Just enough of the Chrome DevTools protocol to make a child process collect its garbage
 * before its memory is read: the child runs with `--inspect=127.0.0.1:0` (a random port on
 * the loopback interface), which prints its WebSocket URL to the child's log.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/** The inspector's WebSocket URL from a log with Node's "Debugger listening on ws://…" line; undefined if absent. */
export function inspectorUrlIn(log: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1];
}

export function inspectorUrlOf(logFile: string): string | undefined {
  try {
    return inspectorUrlIn(readFileSync(logFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs `HeapProfiler.collectGarbage` (a full, compacting GC) `times` times in the process behind `url`. */
export function collectGarbage(url: string, times = 2, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let id = 0;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no garbage collection within ${timeoutMs} ms`));
    }, timeoutMs);
    const send = () => socket.send(JSON.stringify({ id: ++id, method: 'HeapProfiler.collectGarbage' }));
    socket.once('open', send);
    socket.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { id?: number; error?: { message: string } };
      if (message.id !== id) return;
      if (message.error) {
        clearTimeout(timer);
        socket.close();
        reject(new Error(`HeapProfiler.collectGarbage: ${message.error.message}`));
      } else if (id < times) {
        send();
      } else {
        clearTimeout(timer);
        socket.close();
        resolve();
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
