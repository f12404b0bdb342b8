// @atrium/kit/subgraph: what a subgraph needs on top of `@atrium/kit` — its bootstrap
// (`createSubgraph`), database, domain events, jobs, live changes, the type-graphql
// federation helpers, scalars, pagination and the security-directive decorators.
import 'reflect-metadata';

export * from './context';
export * from './create-subgraph';
export * from './db';
export * from './events';
export * from './federation';
export * from './graphql-types';
export * from './jobs';
export * from './live-changes';
export * from './pagination';
export * from './read-only';
export * from './security-directives';
export * from './selection';
export * from './subscription-server';
