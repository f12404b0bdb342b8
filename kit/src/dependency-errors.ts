import pino from 'pino';

/**
 * SQLSTATEs that say the database cannot serve right now rather than that the request was
 * wrong: class 08 (connection exception), class 53 (insufficient resources: too many
 * connections, disk full, out of memory), 57P01–57P03 (shut down, crashed, starting up) and
 * 25006 (a read-only transaction: connected to a standby during a failover).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[123]|25006)$/;

/** Socket errors of a connection to a dependency (PostgreSQL, Redis, SMTP…). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** What pg, its pool and knex say when a connection is lost or cannot be had (no code attached). */
const CONNECTION_LOST = /Connection terminated|connection error and is not queryable|Timeout acquiring a connection|timeout exceeded when trying to connect/i;

/** Condition names of the SQLSTATEs worth naming in a log line (the rest are logged by code alone). */
const CONDITIONS: Record<string, string> = {
  '08000': 'connection_exception',
  '08001': 'sqlclient_unable_to_establish_sqlconnection',
  '08003': 'connection_does_not_exist',
  '08004': 'sqlserver_rejected_establishment_of_sqlconnection',
  '08006': 'connection_failure',
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22021': 'character_not_in_repertoire',
  '22P02': 'invalid_text_representation',
  '22P05': 'untranslatable_character',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '23P01': 'exclusion_violation',
  '25006': 'read_only_sql_transaction',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '42703': 'undefined_column',
  '42P01': 'undefined_table',
  '53300': 'too_many_connections',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  '57P02': 'crash_shutdown',
  '57P03': 'cannot_connect_now',
};

type ErrorLike = Error & Record<string, unknown>;

const isSqlState = (code: unknown): code is string => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);

/**
 * An instance of MikroORM's `DriverException` (any of its subclasses), told by its class
 * chain rather than `instanceof`: kit's core (the gateway's kit) must not load MikroORM,
 * and a process that has such an error has loaded it anyway.
 */
function isDriverException(err: unknown): boolean {
  for (let proto = Object.getPrototypeOf(err); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'DriverException') return true;
  }
  return false;
}

/**
 * A PostgreSQL error as MikroORM (DriverException) or pg itself (DatabaseError, what a raw
 * `em.execute` rejects with) hands it over. Their messages hold the statement with its
 * values inlined, and `detail` / `where` quote the offending values again.
 */
function isDatabaseError(err: unknown): err is ErrorLike {
  if (isDriverException(err)) return true;
  const e = err as ErrorLike | null;
  return e instanceof Error && isSqlState(e.code) && typeof e.severity === 'string';
}

/** knex prefixes the statement (values inlined) to the message of whatever a query rejects with: `select … - reason`. */
const startsWithSql = (message: string) =>
  /^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release|set|lock|create|alter|drop|truncate)\b[\s\S]* - /i.test(message);

/** The error and its causes, outermost first (bounded: a cause cycle must not hang a log call). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, depth = 0; e != null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) out.push(e);
  return out;
}

/**
 * True when `err` says a dependency (the database, above all) is down or unreachable, not
 * that the request was wrong: clients get SERVICE_UNAVAILABLE and may retry.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  return chain(err).some((e) => {
    if (!(e instanceof Error)) return false;
    const code = (e as ErrorLike).code;
    if (isSqlState(code)) return UNAVAILABLE_SQLSTATE.test(code);
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    return e.name === 'KnexTimeoutError' || CONNECTION_LOST.test(e.message);
  });
}

/** Only the frames of a stack: its first lines repeat the message, which may hold SQL and values. */
const framesOf = (stack: unknown) =>
  typeof stack === 'string'
    ? stack
        .split('\n')
        .filter((line) => line.trimStart().startsWith('at '))
        .join('\n')
    : undefined;

/** A database error as it may be logged: its SQLSTATE, condition and the table / constraint / column it names, never the statement or the values. */
function describeDatabaseError(err: ErrorLike): Record<string, unknown> {
  const sqlState = isSqlState(err.code) ? err.code : undefined;
  const condition = sqlState ? CONDITIONS[sqlState] : undefined;
  const summary: Record<string, unknown> = {
    type: err.name,
    message: sqlState ? `database error ${sqlState}${condition ? ` (${condition})` : ''}` : `database error${typeof err.code === 'string' ? ` ${err.code}` : ''}`,
  };
  if (sqlState) summary.sqlState = sqlState;
  for (const key of ['table', 'constraint', 'column', 'schema', 'dataType', 'routine'] as const) {
    if (typeof err[key] === 'string') summary[key] = err[key];
  }
  const frames = framesOf(err.stack);
  summary.stack = `${err.name}: ${summary.message}${frames ? `\n${frames}` : ''}`;
  return summary;
}

/**
 * pino's `err` serializer, made safe for database errors: MikroORM's and pg's errors carry
 * the SQL with its parameter values in their message, stack and `detail`, so they are
 * logged as SQLSTATE, table and constraint instead (enough to find the cause, nothing a
 * user typed). Any other error is serialized as pino does, its causes made safe the same way.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  if (isDatabaseError(err)) return describeDatabaseError(err);
  const serialized = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  if (startsWithSql(err.message)) {
    const code = (err as ErrorLike).code;
    serialized.message = `query failed${typeof code === 'string' ? `: ${code}` : ''} (statement omitted)`;
    serialized.stack = `${err.name}: ${serialized.message}\n${framesOf(err.stack) ?? ''}`;
  }
  if (err.cause !== undefined) serialized.cause = serializeError(err.cause);
  return serialized;
}
