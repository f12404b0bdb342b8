import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GatewayContext } from '../context';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  /** Hide "Did you mean …?" suggestions, which let anyone map the schema without introspection. */
  blockFieldSuggestions: boolean;
}

/**
 * Every "Did you mean …?" graphql-js writes: fields, arguments, types, input fields, enum
 * values ("Did you mean the enum value …?") and abstract types ("Did you mean to use an inline
 * fragment on …?"). GraphQL names hold no `?`, so the suggestion ends at the first one.
 * graphql-armor's own masking matches only `Did you mean "…"`, and leaks enum values.
 */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** `message` without its schema suggestions. */
export const hideSuggestions = (message: string): string => message.replace(SUGGESTION, '');

/** Hides suggestions in every error an HTTP (or WebSocket-carried) operation answers with. */
const suggestionsHidden: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
        for (const error of errors ?? []) (error as { message: string }).message = hideSuggestions(error.message);
      },
    };
  },
};

/**
 * Limits on what one operation may ask for, checked before any subgraph is called, each
 * failing with HTTP 400 and a message naming the limit:
 * - depth, aliases, directives and cost: graphql-armor's validation rules, answered as
 *   GRAPHQL_VALIDATION_FAILED (armor reports BAD_USER_INPUT; Apollo Server gives every
 *   validation rule's error its validation code);
 * - tokens: graphql-js's own `maxTokens` parse option, answered as GRAPHQL_PARSE_FAILED.
 *   armor's token plugin throws from a hook Apollo Server does not catch (a 500), and
 *   parsing is the right place anyway: the parser stops at the limit.
 */
export function queryLimits(limits: QueryLimits): Pick<ApolloServerOptions<GatewayContext>, 'validationRules' | 'parseOptions'> & {
  plugins: ApolloServerPlugin<GatewayContext>[];
} {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    // armor skips `__typename` aliases by default: 10,000 of them are still 10,000 response keys.
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost },
    // Replaced by `suggestionsHidden`, which catches every kind of suggestion.
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [...(plugins as ApolloServerPlugin<GatewayContext>[]), ...(limits.blockFieldSuggestions ? [suggestionsHidden] : [])],
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
  };
}
