import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse } from 'graphql';
import { createErrorFormatter, ScalarRefusal } from '../errors';
import { DateScalar, DateTimeScalar } from './graphql-types';
import { testLogger } from '../testing/silent-logger';

// Values a hostile or careless caller sends: each must be the caller's error, never an outage.
const BAD_DATE_TIMES = ['not-a-date', '2026-02-30', '+275760-09-13T00:00:00Z', '2026-02-30T00:00:00Z', 1767225600000];

describe('the DateTime and Date scalars', () => {
  it('refuse malformed, impossible and out-of-range values with a ScalarRefusal saying what is expected', () => {
    for (const bad of BAD_DATE_TIMES) {
      expect(() => DateTimeScalar.parseValue(bad)).toThrow(ScalarRefusal);
      expect(() => DateTimeScalar.parseValue(bad)).toThrow(/^must be an RFC 3339 date-time such as 2026-11-22T09:00:00Z, got /);
    }
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: 'not-a-date' }, undefined)).toThrow('must be an RFC 3339 date-time such as 2026-11-22T09:00:00Z, got "not-a-date"');
    expect(DateTimeScalar.parseValue('2026-11-22T09:00:00+01:00')).toEqual(new Date('2026-11-22T08:00:00Z'));
    for (const bad of ['2026-02-30', '2026-13-01', '2026-01-01T00:00:00Z', 'not-a-date']) expect(() => DateScalar.parseValue(bad)).toThrow(ScalarRefusal);
    expect(DateScalar.parseValue('2024-02-29')).toBe('2024-02-29');
  });

  describe('through a server with kit’s error formatter', () => {
    const server = new ApolloServer({
      schema: buildSubgraphSchema({
        typeDefs: parse(`scalar DateTime scalar Date
          input Window { startsAt: DateTime! }
          type Query { slots(from: DateTime!, to: DateTime!): Int! window(input: Window!): Int! day(on: Date!): Int! }`),
        resolvers: { DateTime: DateTimeScalar, Date: DateScalar, Query: { slots: () => 1, window: () => 1, day: () => 1 } },
      }),
      formatError: createErrorFormatter(testLogger()),
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    });
    beforeAll(() => server.start());
    afterAll(() => server.stop());

    const run = async (query: string, variables?: Record<string, unknown>) => {
      const res = await server.executeOperation({ query, variables });
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      return { status: res.http.status, errors: res.body.singleResult.errors, data: res.body.singleResult.data };
    };

    it('answers a refused literal with a 400 BAD_USER_INPUT naming the argument', async () => {
      const res = await run('{ slots(from: "not-a-date", to: "2026-02-30") }');
      expect(res.status).toBe(400);
      expect(res.errors!.map((e) => [e.message, e.extensions])).toEqual([
        ['from: must be an RFC 3339 date-time such as 2026-11-22T09:00:00Z, got "not-a-date"', { code: 'BAD_USER_INPUT', field: 'from' }],
        ['to: must be an RFC 3339 date-time such as 2026-11-22T09:00:00Z, got "2026-02-30"', { code: 'BAD_USER_INPUT', field: 'to' }],
      ]);
      const nested = await run('{ window(input: { startsAt: "+275760-09-13T00:00:00Z" }) }');
      expect(nested.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.startsAt' });
    });

    it('answers a refused variable with a 400 BAD_USER_INPUT naming the variable and the field in it', async () => {
      const res = await run('query($f: DateTime!) { slots(from: $f, to: $f) }', { f: '+275760-09-13T00:00:00Z' });
      expect(res.status).toBe(400);
      expect(res.errors!.map((e) => [e.message, e.extensions])).toEqual([
        ['f: must be an RFC 3339 date-time such as 2026-11-22T09:00:00Z, got "+275760-09-13T00:00:00Z"', { code: 'BAD_USER_INPUT', field: 'f' }],
      ]);
      const nested = await run('query($w: Window!) { window(input: $w) }', { w: { startsAt: 'not-a-date' } });
      expect(nested.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'w.startsAt' });
      const day = await run('query($d: Date!) { day(on: $d) }', { d: '2026-02-30' });
      expect(day.errors![0].message).toBe('d: must be a calendar day written YYYY-MM-DD such as 2026-11-22, got "2026-02-30"');
    });
  });
});
