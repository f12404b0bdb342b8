import { subgraphEnv } from '@atrium/kit';

/** reporting's environment: the common subgraph variables (see .env.example). */
export const reportingEnv = subgraphEnv(4006, 'atrium_reporting');
