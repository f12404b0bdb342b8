import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The root logger of a service: JSON lines (pino) in production, readable lines when
 * LOG_FORMAT=pretty (the dev runner sets it). Secrets never reach the log: the
 * redaction list covers the headers and fields that carry them.
 */
export function createLogger(options: { name: string; level?: string; format?: 'json' | 'pretty' }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.newPassword',
        '*.currentPassword',
        '*.refreshToken',
        '*.accessToken',
        '*.totp',
        '*.card',
        '*.cvc',
      ],
      censor: '[redacted]',
    },
    ...(options.format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,name', singleLine: true } } }
      : {}),
  });
}
