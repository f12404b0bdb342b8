import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { ErrorCode } from '../errors';
import type { AuthDirectiveNames } from './links';
import type { Caller, DenialCode, PolicyContext, PolicyRegistry } from './types';

/** An OR of AND-groups, as written in `scopes: [["a", "b"], ["c"]]` = (a AND b) OR c. */
export type Alternatives = readonly (readonly string[])[];

/**
 * Everything a field occurrence requires, gathered from the field, its return type, its parent
 * type and (for an interface parent) every implementation. Having a requirement at all means
 * authentication is required; every listed alternative set must hold as well.
 */
export interface Requirement {
  readonly scopes: readonly Alternatives[];
  readonly policies: readonly Alternatives[];
}

/** Why a field occurrence was refused. */
export interface Denial {
  readonly code: DenialCode;
  readonly message: string;
}

/**
 * Resolves and caches the requirement of each field coordinate of the supergraph. Rules (those
 * of Apollo Router, made conservative where the Router has to guess about runtime types):
 * - a directive on the field definition applies to it;
 * - a directive on a type applies to every field returning that type (unwrapped);
 * - a directive on an object or interface type applies to selecting any of its fields, which is
 *   how fragments on a protected type are refused;
 * - a field selected through an interface requires what each implementation requires for it,
 *   since the object actually returned could be any of them.
 */
export class RequirementIndex {
  private readonly byCoordinate = new Map<string, Requirement | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly names: AuthDirectiveNames,
  ) {}

  /** The requirement of `parent.fieldName`, or null when the field is open to everyone. */
  forField(parent: GraphQLCompositeType, fieldName: string): Requirement | null {
    // Meta fields (__typename, __schema, __type) are never protected, as in the Router.
    if (fieldName.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return null;
    const coordinate = `${parent.name}.${fieldName}`;
    let requirement = this.byCoordinate.get(coordinate);
    if (requirement === undefined) {
      requirement = this.compute(parent, fieldName);
      this.byCoordinate.set(coordinate, requirement);
    }
    return requirement;
  }

  private compute(parent: GraphQLCompositeType & { getFields(): Record<string, GraphQLField<unknown, unknown>> }, fieldName: string): Requirement | null {
    const field = parent.getFields()[fieldName];
    if (!field) return null;
    const collector = new Collector(this.names);
    collector.add(field.astNode?.directives);
    collector.addType(getNamedType(field.type));
    collector.addType(parent);
    if (isInterfaceType(parent)) {
      for (const implementation of this.schema.getPossibleTypes(parent)) {
        collector.addType(implementation);
        collector.add(implementation.getFields()[fieldName]?.astNode?.directives);
      }
    }
    return collector.result();
  }
}

/** Accumulates directive applications into one requirement, dropping duplicates. */
class Collector {
  private any = false;
  private readonly scopes = new Map<string, Alternatives>();
  private readonly policies = new Map<string, Alternatives>();

  constructor(private readonly names: AuthDirectiveNames) {}

  addType(type: GraphQLNamedType): void {
    this.add(type.astNode?.directives);
    for (const extension of type.extensionASTNodes) this.add(extension.directives);
  }

  add(directives: readonly ConstDirectiveNode[] | undefined): void {
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name === this.names.authenticated) {
        this.any = true;
      } else if (name === this.names.requiresScopes) {
        this.any = true;
        addAlternatives(this.scopes, directive, 'scopes');
      } else if (name === this.names.policy) {
        this.any = true;
        addAlternatives(this.policies, directive, 'policies');
      }
    }
  }

  result(): Requirement | null {
    return this.any ? { scopes: [...this.scopes.values()], policies: [...this.policies.values()] } : null;
  }
}

function addAlternatives(into: Map<string, Alternatives>, directive: ConstDirectiveNode, argument: string): void {
  const node = directive.arguments?.find((candidate) => candidate.name.value === argument)?.value;
  const alternatives = toAlternatives(node === undefined ? undefined : valueFromASTUntyped(node));
  into.set(JSON.stringify(alternatives), alternatives);
}

/**
 * Reads `[[String]]` with GraphQL's list input coercion (a single value stands for a list of one).
 * Anything malformed becomes "no alternative", which can never be satisfied: fail closed.
 */
function toAlternatives(value: unknown): Alternatives {
  const outer = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const alternatives: string[][] = [];
  for (const group of outer) {
    const members = Array.isArray(group) ? group : [group];
    if (!members.every((member): member is string => typeof member === 'string')) return [];
    alternatives.push(members);
  }
  return alternatives;
}

/**
 * Checks one requirement for one field occurrence. `policyContext` is built only when a policy
 * has to run (it may coerce arguments). Returns undefined when allowed.
 */
export function evaluateRequirement<C extends Caller>(
  requirement: Requirement,
  coordinate: string,
  caller: C | null,
  policies: PolicyRegistry<C>,
  policyContext: () => PolicyContext<C>,
): Denial | undefined {
  // All three directives imply authentication, so an anonymous caller never gets further.
  if (caller === null) {
    return { code: ErrorCode.UNAUTHENTICATED, message: `Not authorized to access ${coordinate}: requires authentication` };
  }
  let missing: string[] | undefined;
  for (const alternatives of requirement.scopes) {
    if (!anyGroupHolds(alternatives, caller.scopes, hasScope)) {
      (missing ??= []).push(describe('scope', alternatives));
    }
  }
  if (requirement.policies.length > 0) {
    let context: PolicyContext<C> | undefined;
    const passes = (name: string): boolean => {
      // Own properties only: `policies.toString` must not count as a policy named "toString".
      if (!Object.prototype.hasOwnProperty.call(policies, name)) return false;
      try {
        return policies[name](context ??= policyContext()) === true;
      } catch {
        return false; // a failing policy denies rather than opening the field
      }
    };
    for (const alternatives of requirement.policies) {
      if (!anyGroupHolds(alternatives, undefined, passes)) (missing ??= []).push(describe('policy', alternatives));
    }
  }
  return missing === undefined
    ? undefined
    : { code: ErrorCode.FORBIDDEN, message: `Not authorized to access ${coordinate}: requires ${missing.join(' and ')}` };
}

const hasScope = (scope: string, scopes: readonly string[]): boolean => scopes.includes(scope);

/** (a AND b) OR c. `context` is handed to `holds` so the scope check needs no closure per call. */
function anyGroupHolds<C>(
  alternatives: Alternatives,
  context: C,
  holds: (name: string, context: C) => boolean,
): boolean {
  for (const group of alternatives) {
    let all = true;
    for (const name of group) {
      if (!holds(name, context)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

/** "scope a", "scopes a and b", "scopes (a and b) or c", "policy owner". */
function describe(kind: 'scope' | 'policy', alternatives: Alternatives): string {
  if (alternatives.length === 0) return `${kind === 'scope' ? 'scopes' : 'policies'} that no caller can have`;
  const plural = alternatives.length > 1 || alternatives[0].length > 1;
  const groups = alternatives.map((group) =>
    alternatives.length > 1 && group.length > 1 ? `(${group.join(' and ')})` : group.join(' and '),
  );
  return `${plural ? (kind === 'scope' ? 'scopes' : 'policies') : kind} ${groups.join(' or ')}`;
}
