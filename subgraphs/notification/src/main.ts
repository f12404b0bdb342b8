import { loadConfig, runService } from '@atrium/kit';
import { notificationEnv } from './config';
import { createServer } from './server';

runService('notification', () => createServer(loadConfig(notificationEnv)));
