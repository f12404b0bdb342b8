import { loadConfig, runService } from '@atrium/kit';
import { paymentEnv } from './config';
import { createServer } from './server';

runService('payment', () => createServer(loadConfig(paymentEnv)));
