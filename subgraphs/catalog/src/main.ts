import { loadConfig, runService } from '@atrium/kit';
import { catalogEnv } from './config';
import { createServer } from './server';

runService('catalog', () => createServer(loadConfig(catalogEnv)));
