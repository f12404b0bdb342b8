import { loadConfig, runService } from '@atrium/kit';
import { identityEnv } from './config';
import { createServer } from './server';

runService('identity', () => createServer(loadConfig(identityEnv)));
