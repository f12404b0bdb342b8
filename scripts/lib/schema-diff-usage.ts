import type { Change } from '@graphql-inspector/core';
import {
  getNamedType,
  isAbstractType,
  isInputObjectType,
  parse,
  specifiedRules,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { ManifestOperation } from '../../gateway/src/http/trusted-documents-manifest';

/** The schema coordinates one client operation touches. */
interface OperationUsage {
  name: string;
  /** Named types: of every field selected, argument, variable and fragment condition (input types with all their fields' types). */
  types: Set<string>;
  /** `Type.field`, for the field's parent type and, on an interface or union, each type that implements it. */
  fields: Set<string>;
  /** `Type.field.argument` for the arguments the operation passes. */
  args: Set<string>;
  /** `@name` of the directives it uses. */
  directives: Set<string>;
  /** Types whose fields it selects: a change to one of their members (a field) is matched exactly. */
  fieldParents: Set<string>;
}

/**
 * What a manifest's operations use of a schema, and which operations a change breaks — so
 * that a breaking change no client operation reaches can be reported as safe for them.
 * Usage is read against the schema before the change (where those coordinates exist).
 */
export class ManifestUsage {
  private readonly usages: OperationUsage[];

  constructor(operations: readonly Pick<ManifestOperation, 'name' | 'body'>[], oldSchema: GraphQLSchema) {
    this.usages = operations.map((op) => usageOf(op.name, op.body, oldSchema));
  }

  get size(): number {
    return this.usages.length;
  }

  /**
   * The operations a change reaches, by name (empty: none of them). Judged by its path
   * (`Type`, `Type.field`, `Type.field.argument`, `@directive…`): a type is reached when an
   * operation uses it; a field or an enum value or input field when the operation selects
   * that field or uses that enum or input type; an argument when it is passed — or, for an
   * added or retyped argument (which may now be required), when its field is selected. A
   * change without a path reaches every operation.
   */
  operationsReachedBy(change: Pick<Change, 'path' | 'type'>): string[] {
    if (!change.path) return this.usages.map((u) => u.name);
    const [typeName, member, argument] = change.path.split('.');
    return this.usages
      .filter((u) => {
        if (typeName.startsWith('@')) return u.directives.has(typeName);
        if (argument !== undefined) {
          const field = `${typeName}.${member}`;
          return u.args.has(change.path!) || (u.fields.has(field) && (change.type === 'FIELD_ARGUMENT_ADDED' || change.type === 'FIELD_ARGUMENT_TYPE_CHANGED'));
        }
        if (member !== undefined) return u.fields.has(change.path!) || (u.types.has(typeName) && !u.fieldParents.has(typeName));
        return u.types.has(typeName);
      })
      .map((u) => u.name);
  }
}

function usageOf(name: string, body: string, schema: GraphQLSchema): OperationUsage {
  const usage: OperationUsage = { name, types: new Set(), fields: new Set(), args: new Set(), directives: new Set(), fieldParents: new Set() };
  const addType = (type: GraphQLNamedType | undefined | null) => {
    if (!type || usage.types.has(type.name)) return;
    usage.types.add(type.name);
    // Which fields of an input the client sets is in its variables, unseen here: all of them count.
    if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) addType(getNamedType(field.type));
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(body),
    visitWithTypeInfo(typeInfo, {
      OperationDefinition() {
        addType(typeInfo.getType() && getNamedType(typeInfo.getType()!));
      },
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent) return;
        usage.fieldParents.add(parent.name);
        usage.fields.add(`${parent.name}.${node.name.value}`);
        if (isAbstractType(parent)) for (const impl of schema.getPossibleTypes(parent)) usage.fields.add(`${impl.name}.${node.name.value}`);
        addType(typeInfo.getType() && getNamedType(typeInfo.getType()!));
        for (const arg of node.arguments ?? []) usage.args.add(`${parent.name}.${node.name.value}.${arg.name.value}`);
      },
      Argument() {
        const arg = typeInfo.getArgument();
        if (arg) addType(getNamedType(arg.type));
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type as Parameters<typeof typeFromAST>[1]);
        if (type) addType(getNamedType(type));
      },
      InlineFragment() {
        addType(typeInfo.getType() && getNamedType(typeInfo.getType()!));
      },
      FragmentDefinition() {
        addType(typeInfo.getType() && getNamedType(typeInfo.getType()!));
      },
      Directive(node) {
        usage.directives.add(`@${node.name.value}`);
      },
    }),
  );
  return usage;
}

/** The manifest operations that do not validate against `schema`, with their first error. */
export function invalidOperations(operations: readonly Pick<ManifestOperation, 'name' | 'body'>[], schema: GraphQLSchema): { name: string; error: string }[] {
  return operations.flatMap((op) => {
    const errors = validate(schema, parse(op.body), specifiedRules);
    return errors.length ? [{ name: op.name, error: errors[0].message }] : [];
  });
}
