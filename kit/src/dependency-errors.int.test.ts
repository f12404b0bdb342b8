import { EntitySchema } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { freePort } from './http';
import { isDependencyUnavailable, serializeError } from './dependency-errors';
import { createErrorFormatter } from './errors';
import { createLogger } from './logger';
import { TEST_DATABASE_SERVER } from './testing/database';

// Real driver errors from a real PostgreSQL: what a resolver's failure looks like to the
// error formatter and to the logs.
const Thing = new EntitySchema<{ id: number; name: string }>({
  name: 'Thing',
  tableName: 'no_such_table_for_this_test',
  properties: { id: { type: 'number', primary: true }, name: { type: 'string' } },
});
const SECRET = 'grace.hopper@example.com';

let orm: MikroORM;
beforeAll(async () => {
  orm = await MikroORM.init({ clientUrl: TEST_DATABASE_SERVER, entities: [Thing], discovery: { warnWhenNoEntities: false }, pool: { min: 0, max: 2 } });
});
afterAll(() => orm?.close());

const failure = async (run: () => Promise<unknown>): Promise<Error> => {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the statement to fail');
};

/** Formats `original` as a resolver's error with kit's formatter and kit's logger; returns the answer and the log lines. */
const formatted = (original: Error) => {
  const lines: string[] = [];
  const log = createLogger({ name: 'test', destination: { write: (line: string) => void lines.push(line) } });
  const err = new GraphQLError(original.message, { path: ['things'], originalError: original });
  return { answer: createErrorFormatter(log)({ message: err.message, path: err.path }, err), logged: lines.join('') };
};

describe('database errors', () => {
  it('carry the statement and its values, which the logs never show: SQLSTATE and table instead', async () => {
    const raw = await failure(() => orm.em.fork().getConnection().execute('select ?::uuid as id', [SECRET]));
    const driver = await failure(() => orm.em.fork().find(Thing, { name: SECRET }));
    for (const [err, sqlState] of [[raw, '22P02'], [driver, '42P01']] as const) {
      expect(err.message).toContain(SECRET); // what used to reach the log
      expect(serializeError(err)).toMatchObject({ sqlState });
      const { answer, logged } = formatted(err);
      expect(answer).toEqual({ message: 'Internal server error', path: ['things'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.parse(logged)).toMatchObject({ level: 50, err: { sqlState } });
      expect(logged).not.toContain(SECRET);
      expect(logged).not.toMatch(/select|no_such_table_for_this_test"? where/i);
    }
  });

  it('that mean the database is down reach clients as SERVICE_UNAVAILABLE: a terminated connection, a refused one', async () => {
    const terminated = await failure(() => orm.em.fork().getConnection().execute('select pg_terminate_backend(pg_backend_pid())'));
    expect((terminated as { code?: string }).code).toBe('57P01');
    const down = await MikroORM.init({
      clientUrl: `postgres://postgres@127.0.0.1:${await freePort()}/nothing`,
      entities: [Thing],
      connect: false,
      discovery: { warnWhenNoEntities: false },
    });
    const refused = await failure(() => down.em.fork().find(Thing, { name: SECRET }));
    await down.close();
    for (const err of [terminated, refused]) {
      expect(isDependencyUnavailable(err)).toBe(true);
      const { answer, logged } = formatted(err);
      expect(answer).toEqual({
        message: 'A service this request needs is temporarily unavailable: retry later',
        path: ['things'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      expect(JSON.parse(logged)).toMatchObject({ level: 40, msg: 'a dependency is unavailable' });
      expect(logged).not.toContain(SECRET);
    }
  });
});
