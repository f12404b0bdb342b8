import { Authorized, Directive, type AuthCheckerFn } from 'type-graphql';
import { forbidden, unauthenticated } from '../errors';
import { satisfiesAny, type Caller } from '../auth/caller';
import type { Policy } from '../auth/policies';

/**
 * One decorator per federation security directive. Each writes the directive into the
 * subgraph's SDL (so composition carries it to the gateway, which enforces it before
 * planning) and registers the same rule with type-graphql's auth checker, so the subgraph
 * enforces it again when called directly: defense in depth from one declaration.
 */
type AuthRule =
  | { kind: 'authenticated' }
  | { kind: 'scopes'; groups: string[][] }
  | { kind: 'policy'; groups: string[][] };

const sdlList = (groups: string[][]) => `[${groups.map((g) => `[${g.map((s) => JSON.stringify(s)).join(', ')}]`).join(', ')}]`;

function apply(directive: string, rule: AuthRule): MethodDecorator & PropertyDecorator & ClassDecorator {
  const directiveDecorator = Directive(directive);
  const authorized = Authorized<AuthRule>(rule);
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    (directiveDecorator as (t: object, k?: string | symbol, d?: PropertyDescriptor) => void)(target, key, descriptor);
    if (key !== undefined) (authorized as (t: object, k: string | symbol, d?: PropertyDescriptor) => void)(target, key, descriptor);
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

/** The type-graphql auth checker behind the decorators above. */
export function createAuthChecker(policies: Readonly<Record<string, Policy>>): AuthCheckerFn<{ caller: Caller | null }, AuthRule> {
  return ({ context, args, info }, rules) => {
    const caller = context.caller;
    const coordinate = `${info.parentType.name}.${info.fieldName}`;
    if (!caller) throw unauthenticated(`Authentication required to access ${coordinate}`);
    for (const rule of rules) {
      if (rule.kind === 'scopes' && !satisfiesAny(rule.groups, (s) => caller.scopes.includes(s))) {
        throw forbidden(`Not authorized to access ${coordinate}: requires scope ${rule.groups.map((g) => g.join(' and ')).join(' or ')}`);
      }
      if (rule.kind === 'policy') {
        const ctx = { caller, typeName: info.parentType.name, fieldName: info.fieldName, args };
        if (!satisfiesAny(rule.groups, (name) => policies[name]?.(ctx) ?? false)) {
          throw forbidden(`Not authorized to access ${coordinate}: policy ${rule.groups.map((g) => g.join(' and ')).join(' or ')} denies it`);
        }
      }
    }
    return true;
  };
}
