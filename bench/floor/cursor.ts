/**
 * Keyset cursors of the floor's connections, in the format Atrium's subgraphs hand out
 * (MikroORM's `Cursor.encode`: the ordering columns' values as a JSON array, base64url; a
 * timestamp as its ISO string), so a cursor of one is a cursor of the other.
 */
import { GraphQLError } from 'graphql';

/** The kind of value each ordering column holds. */
export type CursorColumn = 'text' | 'uuid' | 'timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(values: readonly (string | Date)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

const fits = (value: unknown, column: CursorColumn) =>
  typeof value === 'string' &&
  (column === 'uuid' ? UUID.test(value) : column === 'timestamp' ? ISO.test(value) && !Number.isNaN(Date.parse(value)) : !ISO.test(value));

/**
 * The values of an `after` cursor for a list ordered by `columns`, or BAD_USER_INPUT (as
 * Atrium's `checkCursorFor`) when it is not one of that list's cursors.
 */
export function decodeCursor(after: string, columns: readonly CursorColumn[]): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== columns.length || !values.every((v, i) => fits(v, columns[i]))) {
    throw new GraphQLError('after is not a cursor returned by this list', { extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
  }
  return values as string[];
}

/** `first` of a connection: 1 to 100, as Atrium's `@PageSize()` allows. */
export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > 100) {
    throw new GraphQLError('first must be between 1 and 100', { extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
  }
  return first;
}
