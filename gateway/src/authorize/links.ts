import { Kind, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from 'graphql';

/**
 * The names under which the supergraph uses the three authorization directives. A missing
 * entry means the supergraph does not link that spec, so nothing can require it.
 */
export interface AuthDirectiveNames {
  authenticated?: string;
  requiresScopes?: string;
  policy?: string;
}

const SPECS = {
  'https://specs.apollo.dev/authenticated': 'authenticated',
  'https://specs.apollo.dev/requiresScopes': 'requiresScopes',
  'https://specs.apollo.dev/policy': 'policy',
} as const satisfies Record<string, keyof AuthDirectiveNames>;

/** Versions whose semantics this module implements; anything else is refused, never ignored. */
const SUPPORTED_VERSION = '0.1';

/** The specs that define the directive used to link the others (`@link`, or `@core` in older supergraphs). */
const LINK_SPECS: Record<string, string> = {
  'https://specs.apollo.dev/link': 'link',
  'https://specs.apollo.dev/core': 'core',
};

/**
 * Reads the `@link` (or legacy `@core`) applications on the supergraph's schema definition and
 * returns the local names of the authorization directives, honouring `as:` on the link and on
 * imports. Returns null when none of the three specs is linked: the supergraph then has no
 * authorization requirements at all.
 *
 * Throws for a linked authorization spec of a version other than v0.1: silently ignoring it
 * would leave protected fields open.
 */
export function resolveAuthDirectiveNames(supergraph: DocumentNode): AuthDirectiveNames | null {
  const schemaDirectives: ConstDirectiveNode[] = [];
  for (const definition of supergraph.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
      schemaDirectives.push(...(definition.directives ?? []));
    }
  }

  // The link directive can itself be renamed (`@link(url: ".../link/v1.0", as: "mylink")`), so
  // first learn its names from the applications that bootstrap it.
  const linkDirectiveNames = new Set<string>();
  for (const directive of schemaDirectives) {
    const url = parseSpecUrl(stringArgument(directive, 'url') ?? stringArgument(directive, 'feature'));
    const ownName = url && LINK_SPECS[url.identity];
    if (ownName && directive.name.value === (stringArgument(directive, 'as') ?? ownName)) {
      linkDirectiveNames.add(directive.name.value);
    }
  }

  const names: AuthDirectiveNames = {};
  let found = false;
  for (const directive of schemaDirectives) {
    if (!linkDirectiveNames.has(directive.name.value)) continue;
    const url = parseSpecUrl(stringArgument(directive, 'url') ?? stringArgument(directive, 'feature'));
    if (!url || !(url.identity in SPECS)) continue;
    const specName = SPECS[url.identity as keyof typeof SPECS];
    if (url.version !== SUPPORTED_VERSION) {
      throw new Error(
        `Unsupported authorization spec ${url.identity}/v${url.version} in the supergraph: ` +
          `only v${SUPPORTED_VERSION} is enforced, refusing to serve it unenforced`,
      );
    }
    names[specName] = importedName(directive, specName) ?? stringArgument(directive, 'as') ?? specName;
    found = true;
  }
  return found ? names : null;
}

function parseSpecUrl(url: string | undefined): { identity: string; version: string } | null {
  const match = url === undefined ? null : /^(.+)\/v(\d+\.\d+)\/?$/.exec(url);
  return match ? { identity: match[1], version: match[2] } : null;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/**
 * The local name given by `import: ["@x"]` or `import: [{ name: "@x", as: "@y" }]`, if the
 * spec's directive is imported; otherwise the link's namespace applies (the directive that
 * shares the spec's name is then used as `@<namespace>`).
 */
function importedName(directive: ConstDirectiveNode, specName: string): string | undefined {
  const imports = directive.arguments?.find((argument) => argument.name.value === 'import')?.value;
  if (imports?.kind !== Kind.LIST) return undefined;
  const wanted = `@${specName}`;
  for (const entry of imports.values) {
    if (entry.kind === Kind.STRING && entry.value === wanted) return specName;
    if (entry.kind === Kind.OBJECT) {
      const field = (name: string): ConstValueNode | undefined =>
        entry.fields.find((objectField) => objectField.name.value === name)?.value;
      const name = field('name');
      if (name?.kind !== Kind.STRING || name.value !== wanted) continue;
      const alias = field('as');
      return alias?.kind === Kind.STRING ? alias.value.replace(/^@/, '') : specName;
    }
  }
  return undefined;
}
