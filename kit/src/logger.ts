import pino, { type DestinationStream, type Logger } from 'pino';
import { serializeError } from './dependency-errors';
import { mergeTraceLogFields, traceLogFields } from './telemetry';

export type { Logger };

/**
 * The root logger of a service: JSON lines (pino) in production, readable lines when
 * LOG_FORMAT=pretty (the dev runner sets it). Secrets never reach the log: the
 * redaction list covers the headers and fields that carry them, and logged errors
 * (`{ err }`) never carry SQL or the values in it (see `serializeError`). While a span is
 * active, each line carries its `trace_id` and `span_id`.
 */
export function createLogger(options: { name: string; level?: string; format?: 'json' | 'pretty'; destination?: DestinationStream }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    serializers: { err: serializeError },
    // `trace_id` and `span_id` of the active span, when the service traces (telemetry.ts).
    mixin: traceLogFields,
    mixinMergeStrategy: mergeTraceLogFields,
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
  }, options.destination);
}
