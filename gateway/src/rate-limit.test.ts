import { parse, type OperationDefinitionNode } from 'graphql';
import { rateLimited, selectsRootMutation } from './rate-limit';

const check = (source: string) => {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return selectsRootMutation(operation, document);
};

describe('selectsRootMutation', () => {
  it('catches login, register and refreshSession at the root of a mutation', () => {
    expect(check('mutation { login(email: "a", password: "b") { accessToken } }')).toBe(true);
    expect(check('mutation M { a: register(input: {}) { id } }')).toBe(true);
    expect(check('mutation { me { id } refreshSession { accessToken } }')).toBe(true);
  });

  it('sees through fragments and inline fragments at the root', () => {
    expect(check('mutation { ...F } fragment F on Mutation { login }')).toBe(true);
    expect(check('mutation { ... on Mutation { login } }')).toBe(true);
    expect(check('mutation { ...F } fragment F on Mutation { ...F }')).toBe(false); // a cycle ends
  });

  it('ignores queries, other mutations and nested fields of the same name', () => {
    expect(check('{ login }')).toBe(false);
    expect(check('mutation { book(slot: 1) { id } }')).toBe(false);
    expect(check('mutation { book(slot: 1) { login } }')).toBe(false);
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
