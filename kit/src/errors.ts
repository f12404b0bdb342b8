import { GraphQLError, Kind, parse, visit, type ASTNode, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { isDependencyUnavailable } from './dependency-errors';

/**
 * The error codes of Atrium's API contract (`extensions.code`). Clients switch on these;
 * anything else a resolver throws reaches them as INTERNAL_SERVER_ERROR with no details.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  BOOKING_CONFLICT: 'BOOKING_CONFLICT',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  RATE_LIMITED: 'RATE_LIMITED',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /** A dependency of the service (its database, above all) is down: retry later. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A subgraph's own error that carried no code (its message is not shown: it may hold internals). */
  DOWNSTREAM_SERVICE_ERROR: 'DOWNSTREAM_SERVICE_ERROR',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A subscription refused: too many open on this connection or this gateway. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** A subscription ended because the gateway loaded a new supergraph: subscribe again. */
  SUPERGRAPH_UPDATED: 'SUPERGRAPH_UPDATED',
  /** A request body over the size limit (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A request body that cannot be read: malformed JSON, an unknown charset (HTTP 400). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The gateway runs only its trusted documents (TRUSTED_DOCUMENTS=enforce), and this operation is not one (HTTP 400). */
  OPERATION_NOT_TRUSTED: 'OPERATION_NOT_TRUSTED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A domain error: safe to show to the client as it is. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

/** Invalid input; `field` names the offending argument path, e.g. `input.email`. */
export const badInput = (field: string, message: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });
export const unauthenticated = (message = 'Authentication required') => new AppError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not allowed') => new AppError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id: string) => new AppError(ErrorCode.NOT_FOUND, `${what} ${id} not found`, { id });
export const conflict = (message: string, code: ErrorCode = ErrorCode.CONFLICT) => new AppError(code, message);

/**
 * A scalar's refusal of an argument value (`DateTime`, `Date`): the caller's input, never
 * an outage. A plain Error, not a GraphQLError, so that GraphQL wraps it with the location
 * of the value (`Expected value of type …` for a literal, `Variable "$x" got invalid value …`
 * for a variable); `createErrorFormatter` finds it under either wrapper and answers
 * BAD_USER_INPUT naming the argument.
 */
export class ScalarRefusal extends Error {
  override name = 'ScalarRefusal';
}

/**
 * Codes shown as they are: Atrium's own (but INTERNAL_SERVER_ERROR, whose message is never
 * shown) and those GraphQL itself and Apollo Server produce for malformed requests.
 */
const PASS_THROUGH = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

/** Flattens class-validator's tree into `input.email: must be an email` entries. */
function flattenValidation(errors: ValidationErrorLike[], prefix: string): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidation(e.children ?? [], field)];
  });
}

const VALUE_KINDS = new Set<string>([Kind.VARIABLE, Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

/** The argument (`from`, `input.startsAt`) whose literal value starts at `position` of the document `body`. */
function argumentAt(body: string, position: number): string | undefined {
  const path: string[] = [];
  let found: string | undefined;
  const push = { enter: (node: { name: { value: string } }) => void path.push(node.name.value), leave: () => void path.pop() };
  try {
    visit(parse(body), {
      Argument: push,
      ObjectField: push,
      enter(node: ASTNode) {
        if (!found && path.length > 0 && VALUE_KINDS.has(node.kind) && node.loc?.start === position) found = path.join('.');
      },
    });
  } catch {
    return undefined; // not a document (cannot happen for a validated one): no field then
  }
  return found;
}

/**
 * The BAD_USER_INPUT answer for a scalar's refusal of an argument, whichever wrapper GraphQL
 * put around it: `extensions.field` names the argument (`from`, `input.startsAt`), or the
 * variable that carried the value, as every other BAD_USER_INPUT does.
 */
function scalarRefusal(error: unknown, formatted: GraphQLFormattedError): GraphQLFormattedError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  // The refusal sits one or two wrappers down (graphql-js wraps a variable's twice).
  let refusal: unknown = error.originalError;
  for (let depth = 0; depth < 3 && refusal instanceof GraphQLError; depth++) refusal = refusal.originalError;
  if (!(refusal instanceof ScalarRefusal)) return undefined;
  let field: string | undefined;
  // A variable: graphql-js writes `Variable "$input" got invalid value … at "input.startsAt"; <inner message>`.
  const variable = /^Variable "\$(\w+)" got invalid value /.exec(error.message);
  if (variable) {
    const inner = error.originalError?.message ?? '';
    const head = inner && error.message.endsWith(`; ${inner}`) ? error.message.slice(0, -inner.length - 2) : '';
    field = / at "([\w.[\]]+)"$/.exec(head)?.[1] ?? variable[1];
  } else if (error.source && error.positions?.length) {
    field = argumentAt(error.source.body, error.positions[0]);
  }
  return {
    message: field ? `${field}: ${refusal.message}` : error.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: field ? { code: ErrorCode.BAD_USER_INPUT, field } : { code: ErrorCode.BAD_USER_INPUT },
  };
}

/**
 * A subgraph's error as the gateway relays it (@apollo/gateway marks each with
 * `serviceName`): with its code and message, except that internals never pass — an
 * INTERNAL_SERVER_ERROR keeps its code with a generic message, and an error without a code
 * (@apollo/gateway labels it DOWNSTREAM_SERVICE_ERROR) gets a generic one. Undefined for
 * any error that did not come from a subgraph.
 */
function subgraphError(formatted: GraphQLFormattedError, extensions: Record<string, unknown>, log: Logger): GraphQLFormattedError | undefined {
  const serviceName = extensions.serviceName;
  if (typeof serviceName !== 'string') return undefined;
  const { exception: _exception, ...shown } = extensions;
  const code = typeof shown.code === 'string' ? shown.code : ErrorCode.DOWNSTREAM_SERVICE_ERROR;
  if (code !== ErrorCode.INTERNAL_SERVER_ERROR && code !== ErrorCode.DOWNSTREAM_SERVICE_ERROR) return { ...formatted, extensions: shown };
  // Not an error of the gateway's: the subgraph logged its own (same request id); this line says which field it cost.
  log.warn({ subgraph: serviceName, path: formatted.path, code, subgraphMessage: formatted.message.slice(0, 500) }, 'subgraph error hidden from the client');
  return {
    message: code === ErrorCode.INTERNAL_SERVER_ERROR ? 'Internal server error' : `Subgraph "${serviceName}" failed to resolve this field`,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code, serviceName },
  };
}

/**
 * The one place where errors become what clients see, in the gateway and every subgraph.
 * Domain errors and GraphQL's own request errors pass through (without stack traces);
 * type-graphql's argument validation and scalars' refusals become BAD_USER_INPUT naming the
 * field; subgraphs' errors pass with their code (internals hidden, see `subgraphError`); a
 * dependency that is down (the database) is SERVICE_UNAVAILABLE, which clients may retry;
 * everything else is logged with the request id and replaced by a bare
 * INTERNAL_SERVER_ERROR, so no SQL, stack trace or internal message ever leaks. Logged
 * errors go through kit's logger, which keeps SQL and its values out of logs too.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { stacktrace: _omit, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    const validationErrors = (original as { extensions?: { validationErrors?: ValidationErrorLike[] } })?.extensions
      ?.validationErrors;
    if (validationErrors && Array.isArray(validationErrors)) {
      const argName = (original as { argumentName?: string }).argumentName ?? '';
      const fields = flattenValidation(validationErrors, argName);
      const first = fields[0] ?? { field: argName, message: 'is invalid' };
      return {
        message: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: first.field, fields },
      };
    }
    const refused = scalarRefusal(error, formatted);
    if (refused) return refused;
    const relayed = subgraphError(formatted, extensions, log);
    if (relayed) return relayed;
    const code = typeof extensions.code === 'string' ? extensions.code : undefined;
    if (code && PASS_THROUGH.has(code) && (original instanceof GraphQLError || !(original instanceof Error))) {
      return { ...formatted, extensions };
    }
    // What follows is not the caller's to see: only its place in the response stays.
    const replaced = (code: ErrorCode, message: string) => ({ message, locations: formatted.locations, path: formatted.path, extensions: { code } });
    if (isDependencyUnavailable(original)) {
      log.warn({ err: original, path: formatted.path }, 'a dependency is unavailable');
      return replaced(ErrorCode.SERVICE_UNAVAILABLE, 'A service this request needs is temporarily unavailable: retry later');
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return replaced(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
  };
}
