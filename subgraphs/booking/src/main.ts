import { loadConfig, runService } from '@atrium/kit';
import { bookingEnv } from './config';
import { createServer } from './server';

runService('booking', () => createServer(loadConfig(bookingEnv)));
