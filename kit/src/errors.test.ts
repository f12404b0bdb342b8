import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { ValidationError } from 'class-validator';
import { DriverException } from '@mikro-orm/core';
import { PostgreSqlExceptionConverter } from '@mikro-orm/postgresql';
import { DatabaseError } from 'pg';
import { badInput, createErrorFormatter, notFound } from './errors';
import { createLogger } from './logger';
import { testLogger } from './testing/silent-logger';

const format = createErrorFormatter(testLogger());
const formatted = (error: GraphQLError): GraphQLFormattedError => error.toJSON();

describe('the error formatter', () => {
  it('passes domain errors through with their code and field, without a stack trace', () => {
    const err = badInput('input.email', 'must be an email');
    const out = format({ ...formatted(err), extensions: { ...err.extensions, stacktrace: ['at x'] } }, err);
    expect(out).toEqual({ message: 'input.email: must be an email', extensions: { code: 'BAD_USER_INPUT', field: 'input.email' } });
  });

  it('hides an unexpected error (a driver exception with SQL, say) behind INTERNAL_SERVER_ERROR', () => {
    const original = new Error('insert into "user" values ($1) - duplicate key value violates unique constraint');
    const wrapped = new GraphQLError(original.message, { originalError: original, path: ['register'] });
    const out = format(formatted(wrapped), wrapped);
    expect(out).toEqual({ message: 'Internal server error', path: ['register'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(out)).not.toMatch(/insert|unique/);
  });

  it('turns class-validator failures into BAD_USER_INPUT naming every field under the argument', () => {
    const child = Object.assign(new ValidationError(), { property: 'amount', constraints: { min: 'amount must not be less than 0' } });
    const top = Object.assign(new ValidationError(), {
      property: 'hourlyRate',
      children: [child],
    });
    const name = Object.assign(new ValidationError(), { property: 'name', constraints: { length: 'name must be longer than or equal to 1 characters' } });
    const err = Object.assign(new ArgumentValidationError([top, name]), { argumentName: 'input' });
    const wrapped = new GraphQLError(err.message, { originalError: err, path: ['createWorkspace'] });
    const out = format(formatted(wrapped), wrapped);
    expect(out.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.hourlyRate.amount',
      fields: [
        { field: 'input.hourlyRate.amount', message: 'amount must not be less than 0' },
        { field: 'input.name', message: 'name must be longer than or equal to 1 characters' },
      ],
    });
    expect(out.message).toBe('input.hourlyRate.amount: amount must not be less than 0; input.name: name must be longer than or equal to 1 characters');
  });

  it('keeps NOT_FOUND and GraphQL validation errors as they are', () => {
    const nf = notFound('Workspace', 'abc');
    expect(format(formatted(nf), nf).extensions).toEqual({ code: 'NOT_FOUND', id: 'abc' });
    const invalid = new GraphQLError('Cannot query field "nope"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format(formatted(invalid), invalid)).toEqual(formatted(invalid));
  });
});

describe('the error formatter and what must never leak', () => {
  /** A logger whose lines the test reads: kit's own, so its error serializer is the one production uses. */
  const capturing = () => {
    const lines: Record<string, any>[] = [];
    const log = createLogger({ name: 'test', level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    return { lines, format: createErrorFormatter(log) };
  };

  it('never shows the message of an INTERNAL_SERVER_ERROR (a query-planner crash, say), and logs it', () => {
    // What Apollo Server hands the formatter when the gateway's executor throws.
    const crash = new Error('Was not able to find any options for id: 1234 (subgraph catalog)');
    const wrapped = new GraphQLError(crash.message, { originalError: crash });
    const { lines, format } = capturing();
    const out = format({ message: crash.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, wrapped);
    expect(out).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines).toEqual([expect.objectContaining({ level: 50, msg: 'unexpected error', err: expect.objectContaining({ message: crash.message }) })]);
  });

  it("relays a subgraph's error with its code and message, and one without a code as DOWNSTREAM_SERVICE_ERROR with a generic message", () => {
    const { lines, format } = capturing();
    // As @apollo/gateway relays subgraph errors: `serviceName` added, DOWNSTREAM_SERVICE_ERROR when the subgraph gave no code.
    const relayed = (message: string, extensions: Record<string, unknown>) => {
      const err = new GraphQLError(message, { path: ['workspace', 'stats'], extensions, originalError: { message } as Error });
      return format(formatted(err), err);
    };
    expect(relayed('to: the range may span at most 366 days', { code: 'BAD_USER_INPUT', field: 'to', serviceName: 'reporting' })).toEqual({
      message: 'to: the range may span at most 366 days',
      path: ['workspace', 'stats'],
      extensions: { code: 'BAD_USER_INPUT', field: 'to', serviceName: 'reporting' },
    });
    expect(relayed('Cannot read properties of undefined (reading "rows") at /srv/app.js:12', { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' })).toEqual({
      message: 'Subgraph "reviews" failed to resolve this field',
      path: ['workspace', 'stats'],
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' },
    });
    expect(relayed('select * from "secret" - boom', { code: 'INTERNAL_SERVER_ERROR', serviceName: 'reviews', exception: { stacktrace: ['at x'] } })).toEqual({
      message: 'Internal server error',
      path: ['workspace', 'stats'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'reviews' },
    });
    // Logged as what they are (the subgraph's own errors, logged there too), never as the gateway's unexpected errors.
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'subgraph error hidden from the client'],
      [40, 'subgraph error hidden from the client'],
    ]);
  });

  it('answers SERVICE_UNAVAILABLE, which a client may retry, when the database cannot be reached or shuts down', () => {
    const { lines, format } = capturing();
    const asResolverError = (original: Error) => {
      const err = new GraphQLError(original.message, { path: ['workspaces'], originalError: original });
      return format(formatted(err), err);
    };
    const refused = new DriverException(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const shutdown = pgError('57P01', `select * from "workspace" where "name" = 'secret' - terminating connection due to administrator command`);
    for (const original of [refused, new PostgreSqlExceptionConverter().convertException(shutdown)]) {
      expect(asResolverError(original)).toEqual({
        message: 'A service this request needs is temporarily unavailable: retry later',
        path: ['workspaces'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    }
    // A constraint violation is no outage: still an internal error.
    const unique = new PostgreSqlExceptionConverter().convertException(pgError('23505', 'insert into "user" - duplicate key', { table: 'user', constraint: 'user_email_unique' }));
    expect(asResolverError(unique).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(lines.map((l) => l.level)).toEqual([40, 40, 50]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('logs a database error by SQLSTATE, table and constraint, never with its statement or values', () => {
    const { lines, format } = capturing();
    const violation = new PostgreSqlExceptionConverter().convertException(
      pgError('23505', `insert into "user" ("email", "name") values ('grace@example.com', 'Grace') - duplicate key value violates unique constraint "user_email_unique"`, {
        detail: 'Key (email)=(grace@example.com) already exists.',
        table: 'user',
        constraint: 'user_email_unique',
        schema: 'public',
      }),
    );
    const err = new GraphQLError(violation.message, { path: ['register'], originalError: violation });
    format(formatted(err), err);
    const [line] = lines;
    expect(line.err).toMatchObject({ type: 'UniqueConstraintViolationException', sqlState: '23505', table: 'user', constraint: 'user_email_unique' });
    expect(line.err.message).toBe('database error 23505 (unique_violation)');
    expect(JSON.stringify(lines)).not.toMatch(/grace|Grace|insert into|values/);
  });
});

/** A PostgreSQL error as pg raises it (the same class and fields), with the message knex gives it. */
function pgError(code: string, message: string, fields: Record<string, string> = {}) {
  return Object.assign(new DatabaseError(message, message.length, 'error'), { severity: 'ERROR', code, routine: 'x', ...fields });
}
