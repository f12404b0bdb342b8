import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, print, visit, type ASTNode, type DefinitionNode, type GraphQLSchema, type ObjectTypeDefinitionNode } from 'graphql';

/** A subgraph's printed SDL and helpers to assert on parts of it. */
export interface SubgraphSdl {
  /** The SDL exactly as `printSubgraphSchema` prints it (with the federation directives). */
  readonly sdl: string;
  /** The top-level definition (type, enum, input, scalar…) named `name`; throws if there is none. */
  definition(name: string): DefinitionNode;
  /** `oneLine(definition(name))`: a whole definition without descriptions, on one line. */
  typeSdl(name: string): string;
  /** `name(args): Type @directives` of a field of an object or input type, without descriptions, on one line; throws if there is none. */
  field(type: string, name: string): string;
  /** A type's definition line without its body, e.g. `type Payment @authenticated @key(fields: "id")`. */
  header(type: string): string;
  /** `node` printed without descriptions, on one line, with no padding inside parentheses. */
  oneLine(node: ASTNode): string;
}

/** `node` printed without descriptions, on one line, with no padding inside parentheses. */
export function oneLine(node: ASTNode): string {
  return print(visit(node, { enter: (n) => ('description' in n && n.description ? { ...n, description: undefined } : undefined) }))
    .replace(/\s+/g, ' ')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')');
}

/** Inspects a subgraph's SDL as composition and the gateway see it. */
export async function inspectSubgraph(schema: GraphQLSchema | Promise<GraphQLSchema>): Promise<SubgraphSdl> {
  const sdl = printSubgraphSchema(await schema);
  const definitions = parse(sdl).definitions;
  const find = (name: string) => definitions.find((d) => 'name' in d && d.name?.value === name);

  const definition = (name: string): DefinitionNode => {
    const def = find(name);
    if (!def) throw new Error(`${name} not found in:\n${sdl}`);
    return def;
  };
  const field = (type: string, name: string): string => {
    const found = (find(type) as ObjectTypeDefinitionNode | undefined)?.fields?.find((f) => f.name.value === name);
    if (!found) throw new Error(`${type}.${name} not found in:\n${sdl}`);
    return oneLine(found);
  };

  return {
    sdl,
    definition,
    typeSdl: (name) => oneLine(definition(name)),
    field,
    header: (type) => oneLine(definition(type)).replace(/ \{.*$/, ''),
    oneLine,
  };
}
