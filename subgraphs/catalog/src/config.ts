import { subgraphEnv } from '@atrium/kit';

/** catalog's environment: the common subgraph variables (see .env.example). */
export const catalogEnv = subgraphEnv(4002, 'atrium_catalog');
