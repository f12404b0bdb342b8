import { parse, type OperationDefinitionNode } from 'graphql';
import { credentialFields, rateLimited } from './rate-limit';

const fields = (source: string, variables: Record<string, unknown> = {}) => {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return credentialFields(operation, document, variables);
};
const count = (source: string) => fields(source).length;

describe('credentialFields', () => {
  it('finds login, register and refreshSession at the root of a mutation', () => {
    expect(fields('mutation { login(input: { email: "a@b.c", password: "p" }) { accessToken } }')).toEqual([{ field: 'login', account: 'a@b.c' }]);
    expect(count('mutation M { a: register(input: {}) { accessToken } }')).toBe(1);
    expect(fields('mutation { me { id } refreshSession(refreshToken: "t") { accessToken } }')).toEqual([{ field: 'refreshSession', account: undefined }]);
  });

  it('counts every aliased field of one operation, not the request once', () => {
    const registers = Array.from({ length: 15 }, (_, i) => `r${i}: register(input: { email: "u${i}@x.y", password: "p", name: "n" }) { accessToken }`).join(' ');
    const found = fields(`mutation { ${registers} }`);
    expect(found).toHaveLength(15);
    expect(new Set(found.map((f) => f.account)).size).toBe(15);
    expect(count('mutation { a: login(input: { email: "x" }) { accessToken } b: login(input: { email: "x" }) { accessToken } refreshSession(refreshToken: "t") { accessToken } }')).toBe(3);
  });

  it('counts a response key once, as execution merges fields that share it', () => {
    expect(count('mutation { login(input: { email: "x" }) { accessToken } ...F } fragment F on Mutation { login(input: { email: "x" }) { refreshToken } }')).toBe(1);
    expect(count('mutation { ...F ...F } fragment F on Mutation { a: register(input: {}) { accessToken } }')).toBe(1);
  });

  it('sees through fragments and inline fragments at the root', () => {
    expect(count('mutation { ...F } fragment F on Mutation { login }')).toBe(1);
    expect(count('mutation { ... on Mutation { login a: login } }')).toBe(2);
    expect(count('mutation { ...F } fragment F on Mutation { ...F }')).toBe(0); // a cycle ends
  });

  it('names the account by the e-mail of the input, from variables too, trimmed and lower-cased', () => {
    expect(fields('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { email: ' Admin@Atrium.Test ', password: 'p' } })).toEqual([
      { field: 'login', account: 'admin@atrium.test' },
    ]);
    expect(fields('mutation($e: String!) { login(input: { email: $e, password: "p" }) { accessToken } }', { e: 'm@x.y' })[0].account).toBe('m@x.y');
    expect(fields('mutation { login(email: "Plain@x.y") }')[0].account).toBe('plain@x.y');
    expect(fields('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { email: 42 } })[0].account).toBeUndefined();
    expect(fields('mutation($i: LoginInput!) { login(input: $i) { accessToken } }')[0].account).toBeUndefined();
  });

  it('ignores queries, other mutations and nested fields of the same name', () => {
    expect(count('{ login }')).toBe(0);
    expect(count('mutation { book(slot: 1) { id } }')).toBe(0);
    expect(count('mutation { book(slot: 1) { login } }')).toBe(0);
  });
});

describe('rateLimited', () => {
  it('is a 429 RATE_LIMITED saying when to retry, in whole seconds', () => {
    const err = rateLimited(1_500);
    expect(err.message).toBe('Too many requests: retry in 2s');
    expect(err.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 2, http: { status: 429 } });
    expect((err.extensions.http as { headers: Map<string, string> }).headers.get('retry-after')).toBe('2');
  });
});
