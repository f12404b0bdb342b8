import { GraphQLError } from 'graphql';
import { createCircuitBreakers, isSubgraphFailure } from './circuit-breaker';

describe('isSubgraphFailure', () => {
  it('counts network errors, timeouts and 5xx answers, not 4xx answers', () => {
    expect(isSubgraphFailure(new TypeError('fetch failed'))).toBe(true);
    expect(isSubgraphFailure(new GraphQLError('502: Bad Gateway', { extensions: { response: { status: 502 } } }))).toBe(true);
    expect(isSubgraphFailure(new GraphQLError('401', { extensions: { code: 'UNAUTHENTICATED', response: { status: 401 } } }))).toBe(false);
    const wrapped = (original: Error) => new GraphQLError('Subgraph "x" is unavailable', { originalError: original });
    expect(isSubgraphFailure(wrapped(new GraphQLError('400', { extensions: { response: { status: 400 } } })))).toBe(false);
    expect(isSubgraphFailure(wrapped(Object.assign(new Error('aborted'), { name: 'AbortError' })))).toBe(true);
  });
});

describe('createCircuitBreakers', () => {
  it('opens after the volume threshold of failures and then refuses without calling', async () => {
    const changes: string[] = [];
    const circuits = createCircuitBreakers({ resetMs: 60_000, errorPercentage: 50, volumeThreshold: 2, windowMs: 10_000 }, (name, state) =>
      changes.push(`${name}:${state}`),
    );
    try {
      const circuit = circuits.for('reviews');
      const down = jest.fn(async () => {
        throw new TypeError('fetch failed');
      });
      await expect(circuit.run(down)).rejects.toThrow('fetch failed');
      await expect(circuit.run(down)).rejects.toThrow('fetch failed');
      await expect(circuit.run(down)).rejects.toThrow(/^subgraph reviews is unavailable \(circuit open, retrying in 60s\)$/);
      expect(down).toHaveBeenCalledTimes(2);
      expect(circuits.states()).toEqual({ reviews: 'open' });
      expect(changes).toEqual(['reviews:closed', 'reviews:open']);
    } finally {
      circuits.shutdown();
    }
  });
});
