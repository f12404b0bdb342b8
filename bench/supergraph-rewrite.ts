/**
 * Supergraph edits the side-by-side benchmark needs for the gateways that are not Atrium's
 * (pure functions on SDL text, unit-tested in supergraph-rewrite.test.ts):
 *
 * - {@link rewriteRoutingUrls}: Hive Gateway and the stock @apollo/gateway take their
 *   subgraph addresses from the `@join__graph(url:)` of the file (Atrium's gateway has
 *   SUBGRAPH_<NAME>_URL for that), so they get a temporary copy pointing at the subgraphs
 *   the benchmark started on free ports.
 * - {@link stripSecuritySpecs}: a stock @apollo/gateway refuses a supergraph linking the
 *   `@authenticated` / `@requiresScopes` / `@policy` specs `for: SECURITY` (it does not
 *   enforce them, so it must not pretend to serve them). For the stock baseline only, the
 *   temporary copy drops those `@link`s, directive definitions, their scalars and every
 *   usage. That gateway then performs no field-level authorization at all (the subgraphs
 *   still check tokens and rules), which the benchmark documentation says.
 */
import { Kind, parse, print, visit, type ConstDirectiveNode, type DocumentNode, type StringValueNode } from 'graphql';

/** The federation security specs, by the name they are linked under by default. */
export const SECURITY_SPECS = ['authenticated', 'requiresScopes', 'policy'] as const;

const SPEC_URL = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/v\d+\.\d+$/;

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const argument = directive.arguments?.find((arg) => arg.name.value === name);
  return argument?.value.kind === Kind.STRING ? argument.value.value : undefined;
}

/** The `@join__graph(name:)` of every subgraph in the supergraph, in file order. */
export function subgraphNames(sdl: string): string[] {
  const names: string[] = [];
  visit(parse(sdl), {
    Directive(node) {
      if (node.name.value !== 'join__graph') return;
      const name = stringArgument(node as ConstDirectiveNode, 'name');
      if (name) names.push(name);
    },
  });
  return names;
}

/**
 * Replaces the routing URL of every subgraph (`@join__graph(name: "booking", url: …)`) by
 * `urls[name]`. Throws when a subgraph of the file has no URL in `urls`, or `urls` names a
 * subgraph the file does not have: a gateway left pointing at a stale port would only
 * produce confusing errors under load.
 */
export function rewriteRoutingUrls(sdl: string, urls: Readonly<Record<string, string>>): string {
  const document = parse(sdl);
  const present = subgraphNames(sdl);
  const missing = present.filter((name) => urls[name] === undefined);
  if (missing.length > 0) throw new Error(`no routing URL given for subgraph(s) ${missing.join(', ')}`);
  const unknown = Object.keys(urls).filter((name) => !present.includes(name));
  if (unknown.length > 0) throw new Error(`the supergraph has no subgraph named ${unknown.join(', ')}`);
  const rewritten = visit(document, {
    Directive(node) {
      if (node.name.value !== 'join__graph') return undefined;
      const name = stringArgument(node as ConstDirectiveNode, 'name')!;
      return {
        ...node,
        arguments: node.arguments?.map((arg) =>
          arg.name.value === 'url' ? { ...arg, value: { kind: Kind.STRING, value: urls[name] } as StringValueNode } : arg,
        ),
      };
    },
  });
  return print(rewritten);
}

/** What {@link stripSecuritySpecs} removed. */
export interface StrippedSecurity {
  sdl: string;
  /** The spec URLs whose `@link` was removed. */
  links: string[];
  /** Directive names removed (without `@`), e.g. `authenticated`. */
  directives: string[];
  /** How many usages of those directives were removed from types and fields. */
  usages: number;
}

/**
 * Removes the security specs (`@authenticated`, `@requiresScopes`, `@policy`) from a
 * supergraph: their `@link`s on the schema, their directive definitions, the scalars they
 * define (`requiresScopes__Scope`, `policy__Policy`) and every usage. Names follow the
 * link's `as:` when a spec was linked under another name. A supergraph without them comes
 * back unchanged (apart from printing).
 */
export function stripSecuritySpecs(sdl: string): StrippedSecurity {
  const document: DocumentNode = parse(sdl);
  const links: string[] = [];
  const names = new Set<string>();
  visit(document, {
    SchemaDefinition(node) {
      for (const directive of node.directives ?? []) {
        if (directive.name.value !== 'link') continue;
        const url = stringArgument(directive, 'url');
        const match = url ? SPEC_URL.exec(url) : null;
        if (!match) continue;
        links.push(url!);
        names.add(stringArgument(directive, 'as') ?? match[1]);
      }
    },
  });
  if (names.size === 0) return { sdl: print(document), links, directives: [], usages: 0 };

  let usages = 0;
  const ownsType = (typeName: string) => [...names].some((name) => typeName.startsWith(`${name}__`));
  const stripped = visit(document, {
    Directive(node, _key, _parent, _path, ancestors) {
      const onSchema = ancestors.some((a) => !Array.isArray(a) && (a as { kind?: string }).kind === Kind.SCHEMA_DEFINITION);
      if (onSchema) {
        if (node.name.value === 'link') {
          const url = stringArgument(node as ConstDirectiveNode, 'url');
          if (url && links.includes(url)) return null;
        }
        return undefined;
      }
      if (names.has(node.name.value)) {
        usages++;
        return null;
      }
      return undefined;
    },
    DirectiveDefinition(node) {
      return names.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return ownsType(node.name.value) ? null : undefined;
    },
    EnumTypeDefinition(node) {
      return ownsType(node.name.value) ? null : undefined;
    },
  });
  return { sdl: print(stripped), links, directives: [...names], usages };
}
