import { isInterfaceType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { Directive, Extensions } from 'type-graphql';
import { forbidden, unauthenticated } from '../errors';
import { satisfiesAny, type Caller } from '../auth/caller';
import type { Policy } from '../auth/policies';

/**
 * One decorator per federation security directive. Each writes the directive into the
 * subgraph's SDL (so composition carries it to the gateway, which enforces it before
 * planning) and marks the field with the same rule, which `secureResolvers` turns into a
 * check the subgraph runs again when called directly: defense in depth from one declaration.
 */
export type AuthRule =
  | { kind: 'authenticated' }
  | { kind: 'scopes'; groups: string[][] }
  | { kind: 'policy'; groups: string[][] };

/** Where a field's rules sit in its GraphQL extensions (one key per kind: a field may carry several). */
const RULE_PREFIX = 'atrium:auth:';

const sdlList = (groups: string[][]) => `[${groups.map((g) => `[${g.map((s) => JSON.stringify(s)).join(', ')}]`).join(', ')}]`;

function apply(directive: string, rule: AuthRule): MethodDecorator & PropertyDecorator & ClassDecorator {
  const directiveDecorator = Directive(directive);
  const marked = Extensions({ [`${RULE_PREFIX}${rule.kind}`]: rule });
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    (directiveDecorator as (t: object, k?: string | symbol, d?: PropertyDescriptor) => void)(target, key, descriptor);
    if (key !== undefined) (marked as (t: object, k: string | symbol, d?: PropertyDescriptor) => void)(target, key, descriptor);
  }) as MethodDecorator & PropertyDecorator & ClassDecorator;
}

/** `@authenticated`: any signed-in caller. */
export const Authenticated = () => apply('@authenticated', { kind: 'authenticated' });

/** `@requiresScopes(scopes: groups)`: (all of one group) OR (all of another)… */
export const RequiresScopes = (...groups: string[][]) =>
  apply(`@requiresScopes(scopes: ${sdlList(groups)})`, { kind: 'scopes', groups });

/** `@policy(policies: groups)`: named functions from the policy registry, same OR-of-ANDs. */
export const RequiresPolicy = (...groups: string[][]) =>
  apply(`@policy(policies: ${sdlList(groups)})`, { kind: 'policy', groups });

/** The rules a field of a built type-graphql schema was marked with (none: an empty list). */
export function rulesOf(extensions: Readonly<Record<string, unknown>> | null | undefined): AuthRule[] {
  if (!extensions) return [];
  return Object.keys(extensions)
    .filter((key) => key.startsWith(RULE_PREFIX))
    .map((key) => extensions[key] as AuthRule);
}

/** A field's check: throws UNAUTHENTICATED or FORBIDDEN, returns when the caller may resolve it. */
export type FieldGuard = (caller: Caller | null, args: Record<string, unknown>) => void;

/**
 * The check of field `typeName.fieldName` under `rules`, made once when the schema is built
 * (its coordinate and messages included) and run synchronously on every resolution: no
 * middleware chain, no promise per resolved value. Policies see the caller and the field's
 * arguments; an unknown policy denies.
 */
export function fieldGuard(typeName: string, fieldName: string, rules: readonly AuthRule[], policies: Readonly<Record<string, Policy>>): FieldGuard {
  const coordinate = `${typeName}.${fieldName}`;
  const checks = rules.flatMap((rule): ((caller: Caller, args: Record<string, unknown>) => void)[] => {
    if (rule.kind === 'scopes') {
      const message = `Not authorized to access ${coordinate}: requires scope ${rule.groups.map((g) => g.join(' and ')).join(' or ')}`;
      return [
        (caller) => {
          if (!satisfiesAny(rule.groups, (s) => caller.scopes.includes(s))) throw forbidden(message);
        },
      ];
    }
    if (rule.kind === 'policy') {
      const message = `Not authorized to access ${coordinate}: policy ${rule.groups.map((g) => g.join(' and ')).join(' or ')} denies it`;
      return [
        (caller, args) => {
          const ctx = { caller, typeName, fieldName, args };
          if (!satisfiesAny(rule.groups, (name) => policies[name]?.(ctx) ?? false)) throw forbidden(message);
        },
      ];
    }
    return []; // `authenticated`: the caller check below, which every rule implies
  });
  const unauthenticatedMessage = `Authentication required to access ${coordinate}`;
  return (caller, args) => {
    if (!caller) throw unauthenticated(unauthenticatedMessage);
    for (const check of checks) check(caller, args);
  };
}

type Resolver = GraphQLFieldResolver<unknown, { caller: Caller | null }, Record<string, unknown>>;
type ResolverMap = Record<string, Record<string, unknown>>;

/**
 * Puts each marked field's guard in front of its resolver in `resolvers` (type-graphql's
 * resolver map of `schema`, before federation merges it), in place: a query's or field's
 * `resolve`, and both `subscribe` and `resolve` of a subscription. Fields without rules are
 * left as they are, so they pay nothing.
 */
export function secureResolvers(schema: GraphQLSchema, resolvers: ResolverMap, policies: Readonly<Record<string, Policy>>): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    const typeResolvers = resolvers[type.name];
    if (!typeResolvers) continue;
    for (const field of Object.values(type.getFields())) {
      const rules = rulesOf(field.extensions as Record<string, unknown>);
      if (!rules.length) continue;
      const guard = fieldGuard(type.name, field.name, rules, policies);
      const guarded = (resolve: Resolver): Resolver => (source, args, context, info) => {
        guard(context.caller, args);
        return resolve(source, args, context, info);
      };
      const current = typeResolvers[field.name];
      if (typeof current === 'function') typeResolvers[field.name] = guarded(current as Resolver);
      else if (current && typeof current === 'object') {
        const { subscribe, resolve } = current as { subscribe?: Resolver; resolve?: Resolver };
        typeResolvers[field.name] = { ...current, ...(subscribe && { subscribe: guarded(subscribe) }), ...(resolve && { resolve: guarded(resolve) }) };
      } else {
        // A marked field type-graphql resolves by default (none do today): guard a plain read.
        typeResolvers[field.name] = guarded((source) => (source as Record<string, unknown>)[field.name]);
      }
    }
  }
}
