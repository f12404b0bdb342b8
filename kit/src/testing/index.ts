// Test helpers shared by every tier; imported as '@atrium/kit/testing' from tests only.
export * from './database';
export * from './env';
export * from './events';
export * from './graphql-client';
export * from './issuer';
export * from './open-subscriptions';
export * from './sdl';
export { freePort } from '../http';
export * from './silent-logger';
export * from './subscriptions';
export * from './private-redis';
export * from './tcp-proxy';
export * from './otlp-receiver';
