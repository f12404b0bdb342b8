import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { ValidationError } from 'class-validator';
import { badInput, createErrorFormatter, notFound } from './errors';
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
