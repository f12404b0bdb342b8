import { loadRequest, UNIQUE_ID } from './measure';

describe('loadRequest', () => {
  it('posts the operation as JSON, with the bearer token when there is one', () => {
    const request = loadRequest('http://127.0.0.1:1/graphql', '{ me { id } }', { a: 1 }, 'tok', false);
    expect(request).toEqual({
      url: 'http://127.0.0.1:1/graphql',
      body: JSON.stringify({ query: '{ me { id } }', variables: { a: 1 } }),
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok' },
    });
    expect(loadRequest('u', 'q', undefined, undefined, false).headers).toEqual({ 'content-type': 'application/json' });
  });
  it('gives every request an id of its own unless identical requests are asked for', () => {
    expect(loadRequest('u', 'q', undefined, undefined).headers['x-request-id']).toBe(`bench-${UNIQUE_ID}`);
    expect(loadRequest('u', 'q', undefined, undefined, false).headers['x-request-id']).toBeUndefined();
  });
});
