import type { HTTPGraphQLHead } from '@apollo/server';
import {
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  visit,
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import Negotiator from 'negotiator';
import type { ServerResponse } from 'node:http';
import { findUnsafeString } from '../../input-strings';
import type { Metrics } from '../../metrics';
import type { Context } from '../context';

/**
 * A subgraph's answer to the gateway's requests without Apollo Server's request pipeline.
 *
 * Why: the pipeline's per-request work — hashing the query text (sha256) to find its parsed
 * document, a request context with plugin hooks called through promises, header maps,
 * content negotiation, the incremental-delivery wrapper — is work a valid query does not
 * need beyond graphql-js's `execute`: without it catalog spends 0.81× the CPU per request
 * on the benchmark's query (a), identity 0.85× on (c)
 * (bench/results/2026-12-04-ab-direct-execution-*.txt).
 *
 * What it answers: a POST body Apollo Server would run as it is (`query` a string,
 * `variables` an object, `operationName` a string, no persisted query), whose document
 * parses and validates under Apollo Server's rules (introspection refused when Apollo
 * Server refuses it) and names one query or mutation, with no string Atrium refuses
 * (input-strings.ts), asking for JSON. Everything else is handed back (`false`) to Apollo
 * Server, which answers it — errors included — as it always has.
 *
 * How it runs a query: compiled once per query text and operation by graphql-jit (a
 * well-kept compiler of GraphQL operations into JavaScript functions, the one Mercurius
 * uses): the same schema, resolvers and context, without graphql-js's per-field
 * interpretation (catalog (a) 0.82×, identity (c) 0.87× the CPU per request,
 * bench/results/2026-12-04-ab-jit-*.txt). Variables are coerced by graphql-js first, so
 * that their errors are graphql-js's own; an operation graphql-jit will not compile runs
 * on graphql-js's `execute`.
 *
 * What it keeps, exactly as Apollo Server 5 does it (@apollo/server's requestPipeline.js and
 * errorNormalize.js, 5.5.1): variable-coercion errors as BAD_USER_INPUT with HTTP 400 when
 * there is no data; every error through the subgraph's `formatError` after Apollo's
 * enrichment (a code, `extensions.http` applied to the response and removed); the
 * negotiated content type; `{errors, data, extensions}` in that order, newline-terminated;
 * the request metrics (`Metrics.requestAnswered`).
 * test: direct-execution.int.test.ts compares both paths' answers (status, content type, body).
 */
export interface DirectExecution {
  /**
   * Answers `body` on `res` and resolves true, or resolves false without touching `res`
   * (Apollo Server's turn). `context` is the request's context, awaited only when taken.
   */
  answer(body: unknown, accept: string | undefined, res: ServerResponse, context: Promise<Context>): Promise<boolean>;
}

export interface DirectExecutionOptions {
  schema: GraphQLSchema;
  /** As Apollo Server's `introspection`: false refuses `__schema`/`__type` at validation. */
  introspection: boolean;
  /** The subgraph's `formatError`, the one Apollo Server is given. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  metrics: Metrics;
  /** Told each operation's text this path runs, before it runs (graphql-http.ts's `observe`). */
  observe?: (query: string) => void;
  /** Distinct query texts kept parsed and validated (oldest out first). */
  maxDocuments?: number;
}

interface Request {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/**
 * A query text as parsed, with each of its operations compiled once asked (graphql-jit; null:
 * graphql-jit would not compile it, graphql-js runs it); null when it fails to parse or
 * validate (Apollo Server says why).
 */
type Prepared = { document: DocumentNode; compiled: Map<string, CompiledQuery | null> } | null;

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
/** What Apollo Server's single-result negotiation offers (ApolloServer.js, chooseContentTypeForSingleResultResponse). */
const SINGLE_RESULT_TYPES = [JSON_TYPE, GRAPHQL_RESPONSE_TYPE, 'application/json; callbackSpec=1.0; charset=utf-8'];
/** Distinct Accept headers whose negotiation is remembered (clients send very few). */
const MAX_ACCEPT_HEADERS = 100;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The request in `body`, when Apollo Server would take it as it is and run its `query`; undefined otherwise. */
function requestOf(body: unknown): Request | undefined {
  if (!isRecord(body) || typeof body.query !== 'string' || body.query === '') return undefined;
  const { variables, operationName, extensions } = body;
  if (variables != null && !isRecord(variables)) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  // Extensions are Apollo Server's to read only for persisted queries (refused or looked up there).
  if (extensions != null && (!isRecord(extensions) || 'persistedQuery' in extensions)) return undefined;
  return { query: body.query, variables: (variables ?? undefined) as Record<string, unknown> | undefined, operationName: (operationName ?? undefined) as string | undefined };
}

/** Variable-coercion errors, which Apollo Server answers as BAD_USER_INPUT (requestPipeline.js, isBadUserInputGraphQLError). */
function isBadUserInput(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const name = node.variable.name.value;
  return ['has invalid value', 'got invalid value ', 'of required type ', 'of non-null type '].some((tail) => error.message.startsWith(`Variable "$${name}" ${tail}`));
}

const userInputError = (error: GraphQLError) =>
  new GraphQLError(error.message, { nodes: error.nodes, originalError: error.originalError ?? error, extensions: { ...error.extensions, code: 'BAD_USER_INPUT' } });

/**
 * Whether a variable sits inside a list or object literal (`_entities(representations:
 * [{ __typename: "User", id: $id }])`): graphql-jit reads such a literal of a custom scalar
 * without the request's variables (the `$id` is lost), so graphql-js runs these.
 */
function variablesInLiterals(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (node.value.kind === Kind.LIST || node.value.kind === Kind.OBJECT) {
        visit(node.value, {
          Variable() {
            found = true;
            return BREAK;
          },
        });
      }
      return found ? BREAK : false;
    },
  });
  return found;
}

/** A graphql-jit error as graphql-js makes it: its `extensions` an object (graphql-jit's is fixed to undefined when there are none). */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
  (copy as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return copy;
}

/** `extensions.http` as Apollo Server applies it to the response (errorNormalize.js, isPartialHTTPGraphQLHead). */
function isHttpHead(value: unknown): value is Partial<HTTPGraphQLHead> {
  if (!value || typeof value !== 'object') return false;
  const head = value as { status?: unknown; headers?: unknown };
  return (!('status' in head) || typeof head.status === 'number') && (!('headers' in head) || head.headers instanceof Map);
}

export function directExecution(options: DirectExecutionOptions): DirectExecution {
  const { schema, formatError, metrics } = options;
  const maxDocuments = options.maxDocuments ?? 1_000;
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const documents = new Map<string, Prepared>();
  const contentTypes = new Map<string, string | null>();

  const prepare = (query: string): Prepared => {
    let prepared = documents.get(query);
    if (prepared !== undefined) return prepared;
    try {
      const document = parse(query);
      prepared = validate(schema, document, rules).length ? null : { document, compiled: new Map() };
    } catch {
      prepared = null; // a syntax error: Apollo Server's to report
    }
    if (documents.size >= maxDocuments) documents.delete(documents.keys().next().value!);
    documents.set(query, prepared);
    return prepared;
  };

  /** The operation compiled by graphql-jit (once per document and operation name); null when it does not compile. */
  const compiledOf = (prepared: NonNullable<Prepared>, operationName: string | undefined): CompiledQuery | null => {
    const key = operationName ?? '';
    let compiled = prepared.compiled.get(key);
    if (compiled === undefined) {
      const made = variablesInLiterals(prepared.document) ? undefined : compileQuery(schema, prepared.document, operationName);
      compiled = made && isCompiledQuery(made) ? made : null;
      prepared.compiled.set(key, compiled);
    }
    return compiled;
  };

  /**
   * The compiled operation's result, as graphql-js's `execute` gives it: the variables
   * coerced by graphql-js first (its errors, with their messages and nodes, are what Apollo
   * Server turns into BAD_USER_INPUT), each error with `extensions` (graphql-jit leaves
   * them out when there are none).
   */
  const runCompiled = async (compiled: CompiledQuery, operation: OperationDefinitionNode, contextValue: Context, variables: Record<string, unknown> | undefined): Promise<ExecutionResult> => {
    if (operation.variableDefinitions?.length) {
      const coerced = getVariableValues(schema, operation.variableDefinitions, variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    // The raw values: graphql-jit coerces them itself (a custom scalar would refuse its own output).
    const result = await compiled.query(undefined, contextValue, variables);
    return result.errors ? { ...result, errors: result.errors.map(withExtensions) } : result;
  };

  /** The response's content type for this Accept header, as Apollo Server negotiates it; null: not one this path sends. */
  const contentTypeFor = (accept: string | undefined): string | null => {
    if (!accept) return JSON_TYPE;
    let type = contentTypes.get(accept);
    if (type === undefined) {
      const preferred = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_TYPES);
      type = preferred === JSON_TYPE || preferred === GRAPHQL_RESPONSE_TYPE ? preferred : null;
      if (contentTypes.size < MAX_ACCEPT_HEADERS) contentTypes.set(accept, type);
    }
    return type;
  };

  /** Apollo Server's normalizeAndFormatErrors: each error with a code, through formatError; `extensions.http` into `head`. */
  const formatErrors = (errors: readonly GraphQLError[], head: { status?: number; headers: Map<string, string> }): GraphQLFormattedError[] =>
    errors.map((error) => {
      try {
        const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
        if (isHttpHead(extensions.http)) {
          if (extensions.http.status) head.status = extensions.http.status;
          for (const [name, value] of extensions.http.headers ?? []) head.headers.set(name, value);
          delete extensions.http;
        }
        return formatError({ ...error.toJSON(), extensions }, error);
      } catch {
        return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
    });

  return {
    async answer(body, accept, res, context) {
      const startedAt = performance.now();
      const request = requestOf(body);
      if (!request) return false;
      const contentType = contentTypeFor(accept);
      if (!contentType) return false;
      const prepared = prepare(request.query);
      if (!prepared) return false;
      const { document } = prepared;
      const operation = getOperationAST(document, request.operationName);
      if (!operation || operation.operation === 'subscription') return false;
      if (findUnsafeString(document, request.variables)) return false;
      let contextValue: Context;
      try {
        contextValue = await context;
      } catch {
        return false; // a refused caller: Apollo Server answers the same failure
      }
      options.observe?.(request.query);
      const compiled = compiledOf(prepared, request.operationName);
      const result = compiled
        ? await runCompiled(compiled, operation, contextValue, request.variables)
        : await execute({ schema, document, contextValue, variableValues: request.variables, operationName: request.operationName });
      const errors = result.errors?.map((e) => (e.extensions.code == null && isBadUserInput(e) ? userInputError(e) : e));
      const head: { status?: number; headers: Map<string, string> } = { headers: new Map() };
      const formatted = errors ? formatErrors(errors, head) : undefined;
      if (errors?.length && result.data === undefined && !head.status) head.status = 400;
      metrics.requestAnswered(operation.name?.value, startedAt, errors);
      const text = `${JSON.stringify({ errors: formatted, data: result.data, extensions: result.extensions })}\n`;
      for (const [name, value] of head.headers) res.setHeader(name, value);
      res.statusCode = head.status ?? 200;
      if (!head.headers.has('content-type')) res.setHeader('content-type', contentType);
      res.setHeader('content-length', Buffer.byteLength(text));
      res.end(text);
      return true;
    },
  };
}
