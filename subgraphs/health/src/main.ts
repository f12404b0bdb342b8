import { runService } from '@atrium/kit';
import { loadHealthConfig } from './config';
import { createServer } from './server';

runService('health', () => createServer(loadHealthConfig()));
