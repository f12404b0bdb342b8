// @atrium/kit: what every Atrium service shares, the gateway included — config, errors,
// logging, metrics, auth, HTTP, live events. It loads no MikroORM, pg, BullMQ or
// type-graphql (a test guards it): a subgraph's bootstrap is `@atrium/kit/subgraph`.

export * from './after-commit';
export * from './auth/caller';
export * from './auth/policies';
export * from './auth/revocations';
export * from './auth/scopes';
export * from './auth/signature';
export * from './auth/verify';
export * from './config';
export * from './dependency-errors';
export * from './errors';
export * from './http';
export * from './http-direct';
export * from './input-strings';
export * from './lifecycle';
export * from './ids';
export * from './logger';
export * from './metrics';
export * from './pubsub';
export * from './redis';
export * from './run';
export * from './supergraph-config';
export * from './telemetry';
export * from './telemetry-http';
export * from './ws-frames';
