import pino from 'pino';

/** A logger for tests: quiet unless TEST_LOG_LEVEL asks for more. */
export const testLogger = (name = 'test') => pino({ name, level: process.env.TEST_LOG_LEVEL ?? 'silent' });
