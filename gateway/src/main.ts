import { runService } from '@atrium/kit';
import { loadGatewayConfig } from './config';
import { createGateway } from './server';

runService('gateway', () => createGateway(loadGatewayConfig()));
