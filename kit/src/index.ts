// @atrium/kit: the one bootstrap every subgraph and the gateway share.
import 'reflect-metadata';

export * from './after-commit';
export * from './auth/caller';
export * from './auth/directives';
export * from './auth/policies';
export * from './auth/scopes';
export * from './auth/verify';
export * from './config';
export * from './context';
export * from './db';
export * from './errors';
export * from './events';
export * from './federation';
export * from './graphql-types';
export * from './http';
export * from './ids';
export * from './jobs';
export * from './live-changes';
export * from './logger';
export * from './metrics';
export * from './pagination';
export * from './pubsub';
export * from './redis';
export * from './run';
export * from './subgraph';
export * from './subscription-server';
export * from './supergraph-config';
