import type { Caller } from './caller';
import { Scope } from './scopes';

/** What a policy may look at: the caller and the arguments of the guarded field. */
export interface PolicyContext {
  caller: Caller | null;
  typeName: string;
  fieldName: string;
  args: Record<string, unknown>;
}
export type Policy = (ctx: PolicyContext) => boolean;

/**
 * The named policies that `@policy(policies: [[...]])` refers to. The gateway evaluates
 * them before planning and the subgraph again before resolving, so one definition serves
 * both. A name used in a schema but missing here denies.
 */
export const policies: Readonly<Record<string, Policy>> = {
  /** The caller is the user named by the field's `id` argument, or may read any user. */
  self_or_admin: ({ caller, args }) =>
    !!caller && (caller.userId === args.id || caller.scopes.includes(Scope.USERS_READ)),
};
