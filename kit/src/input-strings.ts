import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import { ErrorCode } from './errors';

/**
 * NUL, which PostgreSQL cannot store in text, and UTF-16 surrogates without their pair,
 * which have no UTF-8 form (PostgreSQL's jsonb refuses their `\ud800` escapes).
 */
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Where a caller's input holds a string no service can store: the field named as BAD_USER_INPUT names it. */
export interface UnsafeString {
  field: string;
}

/** The first unsafe string (or object key) in a variable's value, as `input.name`. */
function inValue(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return UNSAFE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = inValue(item, path);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (UNSAFE.test(key)) return path;
      const found = inValue(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The first string of an operation's input — a variable's value or a string literal in an
 * argument — that holds NUL or a lone surrogate, named like BAD_USER_INPUT fields are:
 * `input.name` (variables by their name, literals by their argument's). Undefined when
 * there is none.
 */
export function findUnsafeString(document: DocumentNode | undefined, variables: Record<string, unknown> | undefined): UnsafeString | undefined {
  if (variables) {
    for (const name in variables) {
      const field = inValue(variables[name], name);
      if (field) return { field };
    }
  }
  if (!document) return undefined;
  // A document's literals do not change: visited once per document (Apollo Server hands the
  // same parsed document to every request with the same query text), not on every request.
  let literal = literalsChecked.get(document);
  if (literal === undefined) literalsChecked.set(document, (literal = unsafeLiteral(document) ?? null));
  return literal === null ? undefined : { field: literal };
}

/** What {@link unsafeLiteral} found in each document seen (null: nothing). */
const literalsChecked = new WeakMap<DocumentNode, string | null>();

/** The field of the first string literal of `document` that holds an unsafe string. */
function unsafeLiteral(document: DocumentNode): string | undefined {
  const path: string[] = [];
  let found: string | undefined;
  const push = { enter: (node: { name: { value: string } }) => void path.push(node.name.value), leave: () => void path.pop() };
  visit(document, {
    // A literal's field is its argument's name; a variable's default value, the variable's.
    VariableDefinition: { enter: (node) => void path.push(node.variable.name.value), leave: () => void path.pop() },
    Argument: push,
    ObjectField: push,
    StringValue(node) {
      if (!found && UNSAFE.test(node.value)) found = path.join('.') || 'query';
    },
  });
  return found;
}

/** The refusal: BAD_USER_INPUT naming the field, HTTP 400 (nothing was executed). */
export function unsafeStringError({ field }: UnsafeString): GraphQLError {
  return new GraphQLError(`${field}: must not contain NUL characters or unpaired UTF-16 surrogates`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, field, http: { status: 400 } },
  });
}

/**
 * Refuses, before anything runs, an operation whose input holds a string no service can
 * store (see UNSAFE): one check for every argument of every field, in the gateway (before
 * planning) and in each subgraph (which may be reached without the gateway), instead of a
 * driver error deep in some resolver, logged with the SQL, and a 500.
 */
export function refuseUnsafeStrings<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const unsafe = findUnsafeString(document, request.variables);
          if (unsafe) throw unsafeStringError(unsafe);
        },
      };
    },
  };
}
