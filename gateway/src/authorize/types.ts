import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import type { ErrorCode } from '../errors';

/**
 * The verified caller, or null for anonymous. The gateway may use a richer caller type (extra
 * claims); every type below takes it as a parameter so policies see it with its own type.
 */
export interface Caller {
  userId: string;
  roles: string[];
  scopes: string[];
}

/** What a `@policy` function is asked about: one field occurrence of the current operation. */
export interface PolicyContext<C extends Caller = Caller> {
  caller: C | null;
  /** The parent type as selected in the operation (an interface name when selected through one). */
  typeName: string;
  fieldName: string;
  /** The field's coerced argument values for this request. */
  args: Record<string, unknown>;
}

/** Decides one named policy; anything but `true` (including a throw) denies. */
export type Policy<C extends Caller = Caller> = (ctx: PolicyContext<C>) => boolean;

/** Policies by the names used in `@policy(policies: …)`; a name missing here always denies. */
export type PolicyRegistry<C extends Caller = Caller> = Readonly<Record<string, Policy<C>>>;

/** Enforces the supergraph's `@authenticated`, `@requiresScopes` and `@policy` directives. */
export interface Authorizer<C extends Caller = Caller> {
  /** Decide for one request. Cheap when the operation touches no protected field. */
  authorize(input: AuthorizeInput<C>): AuthorizationDecision;
}

/** One request, as the gateway has it after parsing and validation. */
export interface AuthorizeInput<C extends Caller = Caller> {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown>;
  caller: C | null;
}

/** A response as the gateway produced it (or `{}` when execution was skipped). */
export interface ExecutionResultLike {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/** The response to send to the client. */
export interface CompletedResult {
  data: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

export interface AuthorizationDecision {
  /** The operation to plan and execute: the original document object itself when nothing was removed. */
  document: DocumentNode;
  /** Stable string naming what was removed ('' when nothing): part of the query-plan cache key. */
  signature: string;
  /** True when nothing executable is left (every root field removed): the caller must not execute at all. */
  skipExecution: boolean;
  /**
   * Puts back `null` for every removed field occurrence in the response, with one error per
   * occurrence at its response path, applying GraphQL null propagation for non-null fields;
   * merges with the response's own errors. Pass `{}` when execution was skipped.
   * Mutates `result.data` in place (it is the gateway's fresh response object).
   */
  complete(result: ExecutionResultLike): CompletedResult;
}

/** Error codes of the API contract used by authorization errors. */
export type DenialCode = typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.FORBIDDEN;
