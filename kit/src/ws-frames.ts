import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';

/**
 * A frame over `maxPayload` makes ws close its socket with 1009 and emit `error`, which
 * graphql-ws prints with console.error, stack and all, as an internal error: one per
 * connection anyone opens. It is the client's fault, so it is logged as a warning instead.
 */
export function warnOnOversizedFrames(wss: WebSocketServer, log: Logger): void {
  wss.on('connection', (socket) => {
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'error' && (args[0] as { code?: string } | undefined)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        log.warn('WebSocket frame over the size limit: connection closed (1009)');
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
  });
}
