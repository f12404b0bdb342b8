import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import type { GatewayContext } from '../context';
import { cacheControlHeader, cachePolicy, type CacheHints, type CachePolicy } from '../plan/cache-policy';
import type { AuthorizingGateway } from '../plan/authorizing-gateway';

/**
 * The `Cache-Control` header of every GraphQL response over HTTP, from the schema's cache
 * hints (plan/cache-policy.ts): what a browser or CDN may keep, and for how long. The policy
 * is computed once per document and supergraph.
 */
export function cacheControl(gateway: Pick<AuthorizingGateway, 'cacheHints'>): ApolloServerPlugin<GatewayContext> {
  const policies = new WeakMap<CacheHints, WeakMap<DocumentNode, Map<string, CachePolicy>>>();
  const policyOf = (hints: CacheHints, schema: Parameters<typeof cachePolicy>[0], document: DocumentNode, operationName: string | undefined) => {
    let byDocument = policies.get(hints);
    if (!byDocument) policies.set(hints, (byDocument = new WeakMap()));
    let byName = byDocument.get(document);
    if (!byName) byDocument.set(document, (byName = new Map()));
    let policy = byName.get(operationName ?? '');
    if (!policy) byName.set(operationName ?? '', (policy = cachePolicy(schema, hints, document, operationName)));
    return policy;
  };
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, document, schema, request, contextValue }) {
          const hints = gateway.cacheHints;
          const { body } = response;
          const single = body.kind === 'single';
          const errors = body.kind !== 'single' || !!body.singleResult.errors?.length;
          const policy = single && hints && document ? policyOf(hints, schema, document, request.operationName) : { maxAge: 0, scope: 'PUBLIC' as const };
          response.http.headers.set('cache-control', cacheControlHeader(policy, { anonymous: !contextValue.caller && !contextValue.authorization, errors }));
        },
      };
    },
  };
}
