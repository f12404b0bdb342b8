import { badInput } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` is a UUID. Ids that are not match nothing, and must never reach a `uuid`
 * column (PostgreSQL would answer with an error, and the client with a 500).
 */
export const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);

/** `id`, or BAD_USER_INPUT naming `field` when it is not a UUID. */
export function requireUuid(field: string, id: string): string {
  if (!isUuid(id)) throw badInput(field, 'must be a UUID');
  return id;
}
