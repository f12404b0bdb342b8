import { runService } from '@atrium/kit';
import { loadGatewayConfig } from './config';
import { createGateway } from './gateway';

runService('gateway', () => createGateway(loadGatewayConfig()));
