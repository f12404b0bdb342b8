import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createErrorFormatter } from './errors';
import { findUnsafeString, refuseUnsafeStrings } from './input-strings';
import { testLogger } from './testing/silent-logger';

const doc = (query: string) => parse(query);

describe('strings no service can store', () => {
  it('are found in variables, however deep, and named like BAD_USER_INPUT fields', () => {
    expect(findUnsafeString(undefined, { input: { email: 'a@b.c', name: 'Grace\u0000Hopper' } })).toEqual({ field: 'input.name' });
    expect(findUnsafeString(undefined, { input: { name: 'lone \ud800 high' } })).toEqual({ field: 'input.name' });
    expect(findUnsafeString(undefined, { input: { name: 'lone \udc00 low' } })).toEqual({ field: 'input.name' });
    expect(findUnsafeString(undefined, { filter: { amenities: ['wifi', 'a\u0000'] } })).toEqual({ field: 'filter.amenities' });
    expect(findUnsafeString(undefined, { representations: [{ __typename: 'User', ['i\u0000d']: 'x' }] })).toEqual({ field: 'representations' });
  });

  it('are found in string literals of arguments, defaults included', () => {
    expect(findUnsafeString(doc('{ workspaces(filter: { text: "a\\u0000b" }) { totalCount } }'), {})).toEqual({ field: 'filter.text' });
    expect(findUnsafeString(doc('query($t: String = "x\\u0000") { a(t: $t) }'), {})).toEqual({ field: 't' });
  });

  it('leave every other string alone: emoji (surrogate pairs), accents, control characters but NUL', () => {
    expect(findUnsafeString(doc('{ a(t: "Zoë 🚀 \\t tab") }'), { name: 'Zoë 🚀 日本', note: 'line\nbreak' })).toBeUndefined();
  });

  it('are refused before any resolver runs: a 400 BAD_USER_INPUT naming the field', async () => {
    let resolved = 0;
    const server = new ApolloServer({
      schema: buildSubgraphSchema({
        typeDefs: parse('input RegisterInput { name: String! } type Query { a(t: String): Int } type Mutation { register(input: RegisterInput!): Int }'),
        resolvers: { Query: { a: () => ++resolved }, Mutation: { register: () => ++resolved } },
      }),
      formatError: createErrorFormatter(testLogger()),
      plugins: [refuseUnsafeStrings(), ApolloServerPluginInlineTraceDisabled()],
    });
    await server.start();
    try {
      const run = async (query: string, variables?: Record<string, unknown>) => {
        const res = await server.executeOperation({ query, variables });
        return { status: res.http.status, body: res.body.kind === 'single' ? res.body.singleResult : undefined };
      };
      const surrogate = await run('mutation($input: RegisterInput!) { register(input: $input) }', { input: { name: 'a\ud800b' } });
      expect(surrogate.status).toBe(400);
      expect(surrogate.body).toEqual({
        errors: [
          { message: 'input.name: must not contain NUL characters or unpaired UTF-16 surrogates', extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } },
        ],
      });
      const nul = await run('{ a(t: "x\\u0000") }');
      expect(nul.status).toBe(400);
      expect(nul.body!.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 't' });
      expect(resolved).toBe(0);
      expect((await run('{ a(t: "fine 🚀") }')).body).toEqual({ data: { a: 1 } });
    } finally {
      await server.stop();
    }
  });
});
