import { Supergraph } from '@apollo/federation-internals';
import {
  GraphQLError,
  Kind,
  parse,
  print,
  Source,
  specifiedRules,
  validate,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { documentId, MANIFEST_FORMAT, type PersistedQueryManifest } from '../../gateway/src/http/trusted-documents-manifest';

/** One `.graphql` file of client operations (and fragments). */
export interface DocumentFile {
  /** Its path as the user should read it in messages (relative to the repository). */
  file: string;
  source: string;
}

/** Operations that cannot go into the manifest; `problems` lists each as `file:line:column: what`. */
export class DocumentsError extends Error {
  override name = 'DocumentsError';
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in the operations:\n${problems.map((p) => `  ✗ ${p}`).join('\n')}`);
  }
}

/**
 * The API schema of a supergraph: what clients query through the gateway (join and link
 * machinery, `@inaccessible` elements and the federation internals removed). Any feature
 * is accepted: this only reads the schema, it enforces nothing.
 */
export function apiSchemaFromSupergraph(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

/** `file:line:column` of where a GraphQL error points (its file is the node's Source name). */
function where(error: GraphQLError, fallback: string): string {
  const loc = error.locations?.[0];
  const file = error.source?.name ?? fallback;
  return loc ? `${file}:${loc.line}:${loc.column}` : file;
}

const at = (node: DefinitionNode, file: string) => (node.loc ? `${file}:${node.loc.startToken.line}:${node.loc.startToken.column}` : file);

/** The fragments an operation uses, directly or through other fragments, by name. */
function usedFragments(root: OperationDefinitionNode, fragments: Map<string, { node: FragmentDefinitionNode }>): { names: string[]; missing: string[] } {
  const seen = new Set<string>();
  const missing = new Set<string>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (seen.has(name) || missing.has(name)) return;
        const fragment = fragments.get(name);
        if (!fragment) {
          missing.add(name);
          return;
        }
        seen.add(name);
        walk(fragment.node);
      },
    });
  walk(root);
  return { names: [...seen].sort(), missing: [...missing] };
}

/**
 * Builds the trusted-documents manifest from client operation files: one entry per named
 * operation, whose body is the operation followed by the fragments it uses (from any of
 * the files, sorted by name), printed by graphql-js — the exact text a client must send, or
 * whose id (its SHA-256) it sends alone. Every operation is validated against `schema` (the
 * API schema); every problem — a syntax error, an anonymous or duplicate operation, an
 * unknown fragment, a validation error — is collected and thrown at once as a
 * {@link DocumentsError} naming the file, line and column.
 */
export function buildManifest(files: DocumentFile[], schema: GraphQLSchema): PersistedQueryManifest {
  const problems: string[] = [];
  const operations = new Map<string, { node: OperationDefinitionNode; file: string }>();
  const fragments = new Map<string, { node: FragmentDefinitionNode; file: string }>();
  for (const { file, source } of files) {
    let document: DocumentNode;
    try {
      document = parse(new Source(source, file));
    } catch (err) {
      problems.push(err instanceof GraphQLError ? `${where(err, file)}: ${err.message}` : `${file}: ${(err as Error).message}`);
      continue;
    }
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        const name = definition.name?.value;
        if (!name) {
          problems.push(`${at(definition, file)}: every operation needs a name (clients and the manifest refer to it)`);
        } else if (operations.has(name)) {
          problems.push(`${at(definition, file)}: operation ${name} is also defined in ${operations.get(name)!.file}: operation names must be unique`);
        } else {
          operations.set(name, { node: definition, file });
        }
      } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const name = definition.name.value;
        if (fragments.has(name)) problems.push(`${at(definition, file)}: fragment ${name} is also defined in ${fragments.get(name)!.file}: fragment names must be unique`);
        else fragments.set(name, { node: definition, file });
      } else {
        problems.push(`${at(definition, file)}: only operations and fragments belong in a document (found a ${definition.kind})`);
      }
    }
  }
  const entries: PersistedQueryManifest['operations'] = [];
  for (const [name, { node, file }] of [...operations].sort(([a], [b]) => a.localeCompare(b))) {
    const used = usedFragments(node, fragments);
    for (const missing of used.missing) problems.push(`${at(node, file)}: operation ${name} uses fragment ${missing}, which no file defines`);
    if (used.missing.length) continue;
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [node, ...used.names.map((n) => fragments.get(n)!.node)] };
    const errors = validate(schema, document, specifiedRules);
    for (const error of errors) problems.push(`${where(error, file)}: ${error.message} (operation ${name})`);
    if (errors.length) continue;
    const body = print(document);
    entries.push({ id: documentId(body), name, type: node.operation, body });
  }
  if (problems.length) throw new DocumentsError(problems);
  return { format: MANIFEST_FORMAT, version: 1, operations: entries };
}

/** A glob (`*`, `**`, `?`, `{a,b}`) as a regular expression over `/`-separated relative paths. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches any number of folders (none included); a trailing `**` anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) throw new Error(`unclosed { in ${glob}`);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((alt) => alt.replace(/[.+^$()|[\]\\]/g, '\\$&'))
        .join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Every file under `dir` (node_modules and dot folders skipped), as absolute paths. */
function walk(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

const posix = (p: string) => p.split(path.sep).join('/');

/**
 * The files the arguments name, sorted and without duplicates: a file; a folder (its
 * `.graphql` / `.gql` files, at any depth); or a glob relative to `cwd` (quote it, or the
 * shell expands it first — which works too). A pattern that matches nothing is an error.
 */
export function expandDocumentGlobs(patterns: string[], cwd: string): string[] {
  // Files are named relative to cwd when they lie below it, as the user wrote them.
  const shown = (full: string) => {
    const rel = path.relative(cwd, full);
    return posix(rel.startsWith('..') || path.isAbsolute(rel) ? full : rel);
  };
  const files = new Set<string>();
  for (const pattern of patterns) {
    const glob = posix(pattern).replace(/^\.\//, '');
    let matched: string[];
    if (!/[*?{]/.test(glob)) {
      const full = path.resolve(cwd, glob);
      if (!existsSync(full)) throw new Error(`${pattern}: no such file or folder`);
      matched = statSync(full).isDirectory() ? walk(full).filter((f) => /\.(graphql|gql)$/.test(f)) : [full];
    } else {
      // Walk only below the part of the pattern that has no wildcard, and match the
      // pattern against paths written as it is (absolute, or relative to cwd).
      const segments = glob.split('/');
      const fixed = segments.slice(0, segments.findIndex((s) => /[*?{]/.test(s))).join('/');
      const base = path.resolve(cwd, fixed || '.');
      const re = globToRegExp(glob);
      const absolute = path.isAbsolute(glob);
      matched = existsSync(base) ? walk(base).filter((f) => re.test(absolute ? posix(f) : posix(path.relative(cwd, f)))) : [];
    }
    if (matched.length === 0) throw new Error(`${pattern}: no operation files match it`);
    for (const f of matched) files.add(shown(f));
  }
  return [...files].sort();
}
