import {
  ERRORS,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  Variable,
  type CompositeType,
  type EnumType,
  type FieldSelection,
  type Operation,
  type ScalarType,
  type Schema,
  type Selection,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';

/**
 * The final shaping of a plan's merged data to the client's operation, compiled once per
 * operation: the operation's selection sets (federation-internals' `Operation` against the
 * API schema) become a tree of plain walkers, so that a response only walks data.
 *
 * Semantics are those of @apollo/gateway's `computeResponse` (resultShaping.js): aliases,
 * `__typename` (from the data's `__typename`, else the parent type), abstract types resolved
 * from `__typename`, `@include`/`@skip`, leaves validated against their type, and the spec's
 * null propagation (a null in a non-null position makes the nearest nullable parent null, with
 * one error at the position). Fields already shaped (selected twice) are merged, not redone.
 */

type Path = (string | number)[];

/** `@skip(if:)` / `@include(if:)` of one selection: a constant or a variable. */
interface Inclusion {
  skip: boolean;
  value?: boolean;
  variable?: string;
}

type ShapeType =
  | { kind: 'nonNull'; ofType: ShapeType; typeName: string }
  | { kind: 'list'; ofType: ShapeType; typeName: string }
  | { kind: 'composite'; typeName: string; selections: ShapeSelection[] }
  | { kind: 'leaf'; typeName: string; type: ScalarType | EnumType };

type ShapeSelection =
  | {
      kind: 'typename';
      responseName: string;
      inclusions: Inclusion[];
    }
  | {
      kind: 'introspection';
      responseName: string;
      inclusions: Inclusion[];
      selection: FieldSelection;
    }
  | {
      kind: 'field';
      responseName: string;
      inclusions: Inclusion[];
      type: ShapeType;
    }
  | {
      kind: 'fragment';
      inclusions: Inclusion[];
      typeCondition: CompositeType | undefined;
      /** Whether the condition applies to a runtime `__typename` (memoized per name). */
      applies: Map<string, boolean>;
      selections: ShapeSelection[];
    };

/** A compiled operation: its root walker and what each response needs from it. */
export interface CompiledShape {
  readonly operation: Operation;
  readonly schema: Schema;
  readonly rootType: CompositeType;
  readonly root: ShapeSelection[];
  /** The operation's variable defaults (`collectDefaultedVariableValues`), applied before the request's values. */
  readonly defaultedVariables: Record<string, unknown>;
}

const compiledByOperation = new WeakMap<Operation, CompiledShape>();

/** The shape of `operation`, compiled on first use and cached with the operation. */
export function compileShape(operation: Operation): CompiledShape {
  let compiled = compiledByOperation.get(operation);
  if (!compiled) {
    const schema = operation.schema();
    const rootType = schema.schemaDefinition.rootType(operation.rootKind);
    if (!rootType) throw new Error(`The schema has no ${operation.rootKind} root type`);
    compiled = {
      operation,
      schema,
      rootType,
      root: compileSelectionSet(schema, operation.selectionSet),
      defaultedVariables: operation.collectDefaultedVariableValues(),
    };
    compiledByOperation.set(operation, compiled);
  }
  return compiled;
}

function inclusionsOf(schema: Schema, element: Selection['element']): Inclusion[] {
  const inclusions: Inclusion[] = [];
  for (const [directive, skip] of [
    [schema.skipDirective(), true],
    [schema.includeDirective(), false],
  ] as const) {
    const applied = element.appliedDirectivesOf(directive)[0];
    if (!applied) continue;
    const condition = (applied.arguments() as { if: unknown }).if;
    inclusions.push(condition instanceof Variable ? { skip, variable: condition.name } : { skip, value: condition as boolean });
  }
  return inclusions;
}

function compileSelectionSet(schema: Schema, selectionSet: SelectionSet): ShapeSelection[] {
  return selectionSet.selections().map((selection): ShapeSelection => {
    const inclusions = inclusionsOf(schema, selection.element);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const responseName = field.responseName();
      if (field.definition.isSchemaIntrospectionField()) return { kind: 'introspection', responseName, inclusions, selection };
      if (field.name === '__typename') return { kind: 'typename', responseName, inclusions };
      return { kind: 'field', responseName, inclusions, type: compileType(schema, field.definition.type!, selection.selectionSet) };
    }
    return {
      kind: 'fragment',
      inclusions,
      typeCondition: selection.element.typeCondition,
      applies: new Map(),
      selections: compileSelectionSet(schema, selection.selectionSet),
    };
  });
}

function compileType(schema: Schema, type: Type, selectionSet: SelectionSet | undefined): ShapeType {
  if (isNonNullType(type)) return { kind: 'nonNull', typeName: type.toString(), ofType: compileType(schema, type.ofType, selectionSet) };
  if (isListType(type)) return { kind: 'list', typeName: type.toString(), ofType: compileType(schema, type.ofType, selectionSet) };
  if (isCompositeType(type)) {
    if (!selectionSet) throw new Error(`Invalid empty selection set for composite type ${type}`);
    return { kind: 'composite', typeName: type.name, selections: compileSelectionSet(schema, selectionSet) };
  }
  return { kind: 'leaf', typeName: type.toString(), type: type as ScalarType | EnumType };
}

/** One response's shaping: the compiled shape, the variables and the errors it collects. */
interface ShapeRun {
  shape: CompiledShape;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  introspect: (selection: FieldSelection) => unknown;
}

const NULL_BUBBLE_UP = true;

function isSkipped(inclusions: Inclusion[], variables: Record<string, unknown>): boolean {
  for (const inclusion of inclusions) {
    let value = inclusion.value;
    if (inclusion.variable !== undefined) {
      const v = variables[inclusion.variable];
      if (typeof v !== 'boolean') throw new Error(`Unexpected value ${v} for variable $${inclusion.variable} of @${inclusion.skip ? 'skip' : 'include'}`);
      value = v;
    }
    if (inclusion.skip ? value : !value) return true;
  }
  return false;
}

/**
 * Shapes `input` (the plan's merged data) to the compiled operation. Returns the client's
 * `data` and the errors of value completion (null propagation, invalid leaves or typenames).
 */
export function shapeResponse(
  shape: CompiledShape,
  input: Record<string, unknown>,
  variables: Record<string, unknown> | undefined,
  introspect: (selection: FieldSelection) => unknown,
): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
  const run: ShapeRun = {
    shape,
    variables: { __proto__: null, ...shape.defaultedVariables, ...variables },
    errors: [],
    introspect,
  };
  const data = Object.create(null) as Record<string, unknown>;
  const bubbled = applySelections(run, input, shape.root, data, [], shape.rootType);
  return { data: bubbled ? null : data, errors: run.errors };
}

function fragmentApplies(run: ShapeRun, selection: Extract<ShapeSelection, { kind: 'fragment' }>, typename: string | undefined, parentType: CompositeType): boolean {
  const condition = selection.typeCondition;
  if (!condition) return true;
  if (!typename) return isSubtype(condition, parentType);
  let applies = selection.applies.get(typename);
  if (applies === undefined) {
    const type = run.shape.schema.type(typename);
    applies = !!type && isSubtype(condition, type);
    selection.applies.set(typename, applies);
  }
  return applies;
}

/** Returns true when a null must bubble up past this selection set's object. */
function applySelections(
  run: ShapeRun,
  input: Record<string, unknown>,
  selections: ShapeSelection[],
  output: Record<string, unknown>,
  path: Path,
  parentType: CompositeType,
): boolean {
  for (const selection of selections) {
    if (selection.inclusions.length > 0 && isSkipped(selection.inclusions, run.variables)) continue;
    switch (selection.kind) {
      case 'introspection':
        if (output[selection.responseName] === undefined) output[selection.responseName] = run.introspect(selection.selection);
        break;
      case 'typename': {
        if (output[selection.responseName] !== undefined) break;
        let value = own(input, selection.responseName) ?? null;
        if (value === null && selection.responseName !== '__typename') value = input.__typename ?? null;
        const type = typeof value === 'string' ? (run.shape.schema.type(value) ?? parentType) : parentType;
        if (!isObjectType(type)) return NULL_BUBBLE_UP;
        output[selection.responseName] = type.name;
        break;
      }
      case 'field': {
        path.push(selection.responseName);
        const completed = completeValue(run, output[selection.responseName], selection.type, own(input, selection.responseName) ?? null, path, parentType);
        output[selection.responseName] = completed.value;
        path.pop();
        if (completed.invalid) return NULL_BUBBLE_UP;
        break;
      }
      case 'fragment': {
        const typename = input.__typename;
        if (typename !== undefined && typename !== null && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${typename}`);
        if (fragmentApplies(run, selection, typename || undefined, parentType)) {
          if (applySelections(run, input, selection.selections, output, path, selection.typeCondition ?? parentType)) return NULL_BUBBLE_UP;
        }
        break;
      }
    }
  }
  return false;
}

interface Completed {
  value: unknown;
  /** A null in a non-null position: the parent must be null too. */
  invalid?: boolean;
  /** An error was already recorded below (so the bubbling null adds none). */
  hasErrors?: boolean;
}

function describe(path: Path, typeName: string, parentType: CompositeType): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? `field ${parentType.name}.${last}` : `array element of type ${typeName} at index ${last}`;
}

function completeValue(run: ShapeRun, outputValue: unknown, type: ShapeType, inputValue: unknown, path: Path, parentType: CompositeType): Completed {
  // Already shaped by an earlier selection of the same response name.
  if (outputValue === null || (outputValue !== undefined && leafBelow(type))) return { value: outputValue };
  switch (type.kind) {
    case 'nonNull': {
      const inner = completeValue(run, outputValue, type.ofType, inputValue, path, parentType);
      if (inner.value !== null) return { value: inner.value };
      if (!inner.hasErrors) {
        run.errors.push(
          ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describe(path, type.ofType.typeName, parentType)}.`, { path: [...path] }),
        );
      }
      return { value: null, invalid: true, hasErrors: true };
    }
    case 'list': {
      if (inputValue === null) return { value: null };
      if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${inputValue} returned by subgraph for list type ${type.typeName}`);
      if (outputValue !== undefined && (!Array.isArray(outputValue) || outputValue.length !== inputValue.length)) {
        throw new Error(`Invalid list value already shaped for list type ${type.typeName}`);
      }
      const previous = outputValue as unknown[] | undefined;
      const list = new Array<unknown>(inputValue.length);
      let nullify = false;
      let hasErrors = false;
      for (let i = 0; i < inputValue.length; i++) {
        path.push(i);
        const item = completeValue(run, previous?.[i], type.ofType, inputValue[i] ?? null, path, parentType);
        path.pop();
        if (item.invalid) nullify = true;
        if (item.hasErrors) hasErrors = true;
        list[i] = item.value;
      }
      return { value: nullify ? null : list, hasErrors };
    }
    case 'composite': {
      if (inputValue === null) return { value: null };
      if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.typeName}`);
      const object = inputValue as Record<string, unknown>;
      const typename = object.__typename;
      if (typename !== undefined && typeof typename !== 'string') throw new Error(`Invalid non-string value ${typename} for __typename at ${path}`);
      let runtimeType = run.shape.schema.type(type.typeName) as CompositeType;
      if (typename) {
        const named = run.shape.schema.type(typename);
        if (!named || !isCompositeType(named)) {
          run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describe(path, type.typeName, parentType)}.`, { path: [...path] }));
          return { value: null, hasErrors: true };
        }
        runtimeType = named;
      }
      const output = (outputValue ?? Object.create(null)) as Record<string, unknown>;
      const bubbled = applySelections(run, object, type.selections, output, path, runtimeType);
      return { value: bubbled ? null : output, hasErrors: bubbled };
    }
    case 'leaf': {
      if (inputValue === null) return { value: null };
      if (isValidLeafValue(run.shape.schema, inputValue, type.type)) return { value: inputValue };
      run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describe(path, type.typeName, parentType)}.`, { path: [...path] }));
      return { value: null, hasErrors: true };
    }
  }
}

/** Whether a type has no selection set (stock: an already-shaped value without selections is kept). */
function leafBelow(type: ShapeType): boolean {
  while (type.kind === 'nonNull' || type.kind === 'list') type = type.ofType;
  return type.kind === 'leaf';
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}
