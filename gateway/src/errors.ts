import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ErrorCode as ContractCode } from '@atrium/kit';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Every `extensions.code` the gateway answers with, in one place: Atrium's API contract
 * (kit's `ErrorCode`, which clients switch on) and the request errors Apollo Server names,
 * which the gateway gives itself where Apollo Server does not run (operations over
 * WebSocket) or must recognise (a subgraph's refusal of a request).
 */
export const ErrorCode = {
  ...ContractCode,
  GRAPHQL_PARSE_FAILED: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  GRAPHQL_VALIDATION_FAILED: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  OPERATION_RESOLUTION_FAILURE: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A formatted error (what Apollo Server and the authorizer's completion hand back) as a
 * GraphQLError again, for what takes GraphQLErrors: a gateway executor's result, and
 * graphql-ws's execution results (sent with their `toJSON()`).
 */
export const asGraphQLError = (e: GraphQLFormattedError | GraphQLError) =>
  e instanceof GraphQLError ? e : new GraphQLError(e.message, { path: e.path, extensions: e.extensions });
