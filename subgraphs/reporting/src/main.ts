import { loadConfig, runService } from '@atrium/kit';
import { reportingEnv } from './config';
import { createServer } from './server';

runService('reporting', () => createServer(loadConfig(reportingEnv)));
