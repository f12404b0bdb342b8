import pino from 'pino';
import { testEnv } from './env';

/** A logger for tests: quiet unless TEST_LOG_LEVEL asks for more. */
export const testLogger = (name = 'test') => pino({ name, level: testEnv.logLevel });
