import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context';
import type { SubsequentIncrementalResult } from './incremental';

/**
 * `@defer` over HTTP. Apollo Server hands a gateway's executor one request and takes one
 * result back, but it already writes `multipart/mixed; deferSpec=20220824` responses (what
 * Apollo Client and Sandbox read) for a response body of kind `incremental`. So the executor
 * returns the initial result as usual and leaves the payloads still to come here, under the
 * request's context ({@link deferRest}); the plugin ({@link incrementalDelivery}) turns the
 * response into an incremental one on its way out, formatting the errors of each later
 * payload as Apollo Server formats the initial ones.
 *
 * Only a client whose `Accept` asks for it gets parts ({@link acceptsDefer}); any other gets
 * one ordinary response with everything (the executor runs the deferred parts to the end).
 */
const rests = new WeakMap<object, AsyncIterable<SubsequentIncrementalResult>>();

/** Whether the request's `Accept` takes incremental delivery in the format Atrium speaks. */
export const acceptsDefer = (accept: string | null | undefined) => !!accept && /multipart\/mixed[^,]*deferSpec\s*=\s*"?20220824/i.test(accept);

/** Keeps the payloads after the initial result of the request whose context is `context`. */
export function deferRest(context: object, rest: AsyncIterable<SubsequentIncrementalResult>): void {
  rests.set(context, rest);
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export function incrementalDelivery(formatError: FormatError): ApolloServerPlugin<GatewayContext> {
  const format = (errors: readonly GraphQLError[] | undefined) => errors?.map((e) => formatError(e.toJSON(), e));
  async function* formatted(rest: AsyncIterable<SubsequentIncrementalResult>) {
    for await (const payload of rest) {
      yield {
        hasNext: payload.hasNext,
        ...(payload.incremental ? { incremental: payload.incremental.map(({ errors, ...item }) => (errors?.length ? { ...item, errors: format(errors) } : item)) } : {}),
      };
    }
  }
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }: GraphQLRequestContextWillSendResponse<GatewayContext>) {
          const rest = rests.get(contextValue);
          if (!rest || response.body.kind !== 'single') return;
          rests.delete(contextValue);
          response.body = { kind: 'incremental', initialResult: { ...response.body.singleResult, hasNext: true }, subsequentResults: formatted(rest) };
        },
      };
    },
  };
}
