import { buildSubgraphSchema } from '@apollo/subgraph';
import { parseSupergraphConfig } from '@atrium/kit';
import { ChangeType, CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { parse, type GraphQLSchema } from 'graphql';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isMap, isSeq, parseDocument } from 'yaml';
import { parseManifest, type ManifestOperation } from '../../gateway/src/http/trusted-documents-manifest';
import { apiSchemaFromSupergraph } from './documents';
import { invalidOperations, ManifestUsage } from './schema-diff-usage';

export type Level = 'breaking' | 'dangerous' | 'safe';

/** A change between the base's schema and the working tree's, as schema:diff judges it. */
export interface ClassifiedChange {
  /** `api`, or a subgraph's name. */
  schema: string;
  message: string;
  /** Its schema coordinate (`Type.field.argument`), when it has one. */
  path?: string;
  type: string;
  /** What @graphql-inspector/core says. */
  criticality: Level;
  /**
   * What schema:diff reports: the criticality, except that a breaking change no manifest
   * operation reaches is safe for those clients, and an added optional argument is safe
   * (inspector calls it dangerous, for what its resolver might now do: nothing changes for a
   * client that does not pass it).
   */
  level: Level;
  /** For a breaking change, with a manifest: the operations it reaches. */
  reaches?: string[];
  /** The entry of the acknowledgements file that accepts this breaking change. */
  acknowledged?: Acknowledgement;
}

/** One breaking change accepted on purpose, in the acknowledgements file. */
export interface Acknowledgement {
  /** `api` or a subgraph's name. */
  schema: string;
  /** The change's path (`User.email`) or its message, as schema:diff prints them. */
  change: string;
  /** Why breaking it is fine (who was told, what replaced it). */
  reason: string;
}

export interface SchemaReport {
  schema: string;
  /** Its file in the working tree, relative to the repository. */
  file: string;
  status: 'changed' | 'added' | 'removed';
  changes: ClassifiedChange[];
}

export interface SchemaDiffReport {
  base: string;
  baseCommit: string;
  manifest?: { file: string; operations: number };
  schemas: SchemaReport[];
  /** Manifest operations that no longer validate against the new API schema. */
  invalidOperations: { name: string; error: string }[];
  /** Acknowledgements that matched no change of this diff (fine: they are from earlier changes). */
  unusedAcknowledgements: Acknowledgement[];
}

export interface SchemaDiffOptions {
  /** The repository (where supergraph.yaml is). */
  root: string;
  /** A git ref: a commit, a branch, `HEAD~1`, `origin/main`... */
  base: string;
  /** The trusted-documents manifest whose operations make the check usage-aware (none: every breaking change counts). */
  manifestFile?: string;
  /** The acknowledgements file (absent: nothing is acknowledged). */
  acknowledgementsFile?: string;
}

export class SchemaDiffError extends Error {
  override name = 'SchemaDiffError';
}

const API = 'api';
const SUPERGRAPH_FILE = 'schema/supergraph.graphql';

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** The commit `ref` names, or undefined when it names none (no parent commit, unknown branch). */
export function resolveCommit(root: string, ref: string): string | undefined {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A file's text at `commit`, or undefined when it did not exist there. */
function showAt(root: string, commit: string, file: string): string | undefined {
  try {
    return git(root, ['show', `${commit}:${file}`]);
  } catch {
    return undefined;
  }
}

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/** Each subgraph's schema file (repository-relative, `/`-separated), from a supergraph.yaml text. */
function subgraphFiles(root: string, yamlText: string | undefined, where: string): Map<string, string> {
  if (yamlText === undefined) return new Map();
  const entries = parseSupergraphConfig(yamlText, path.join(root, 'supergraph.yaml')).map((e) => [e.name, path.relative(root, e.schemaFile).split(path.sep).join('/')] as const);
  if (entries.length === 0) throw new SchemaDiffError(`supergraph.yaml at ${where} lists no subgraph`);
  return new Map(entries);
}

function build(kind: 'api' | 'subgraph', sdl: string, where: string): GraphQLSchema {
  try {
    return kind === 'api' ? apiSchemaFromSupergraph(sdl) : buildSubgraphSchema(parse(sdl));
  } catch (err) {
    throw new SchemaDiffError(`${where}: not a valid ${kind === 'api' ? 'supergraph' : 'subgraph schema'} (${(err as Error).message})`);
  }
}

const LEVELS: Record<CriticalityLevel, Level> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** Reads the acknowledgements file: `acknowledged:` a list of `{ schema, change, reason }`. */
export function parseAcknowledgements(text: string, file: string): Acknowledgement[] {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new SchemaDiffError(`${file}: invalid YAML: ${doc.errors[0].message}`);
  if (doc.contents === null) return [];
  const list = isMap(doc.contents) ? doc.get('acknowledged', true) : undefined;
  if (list === undefined || list === null) return [];
  if (!isSeq(list)) throw new SchemaDiffError(`${file}: \`acknowledged:\` must be a list of { schema, change, reason }`);
  return (list.toJSON() as unknown[]).map((entry, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    for (const key of ['schema', 'change', 'reason'] as const) {
      if (typeof e[key] !== 'string' || !(e[key] as string).trim()) throw new SchemaDiffError(`${file}: acknowledged[${i}].${key} is missing (every entry needs schema, change and reason)`);
    }
    return { schema: e.schema as string, change: e.change as string, reason: e.reason as string };
  });
}

/**
 * Compares the API schema (derived from schema/supergraph.graphql) and each subgraph's
 * schema (the files supergraph.yaml names) at `base` — read with `git show` — with the
 * working tree, and classifies every change with @graphql-inspector/core: breaking,
 * dangerous or safe. With a trusted-documents manifest, a breaking change that reaches none
 * of its operations (see ManifestUsage) is safe for those clients; and an operation that no
 * longer validates against the new API schema is reported. A breaking change is
 * acknowledged by an entry of the acknowledgements file naming its schema and its path or
 * message.
 */
export async function schemaDiff(options: SchemaDiffOptions): Promise<SchemaDiffReport> {
  const { root, base } = options;
  const baseCommit = resolveCommit(root, base);
  if (!baseCommit) throw new SchemaDiffError(`--base ${base} names no commit of ${root}`);
  const acknowledgements = options.acknowledgementsFile ? parseAcknowledgements(readIfExists(options.acknowledgementsFile) ?? '', path.relative(root, options.acknowledgementsFile)) : [];
  const operations: ManifestOperation[] | undefined = options.manifestFile
    ? parseManifest(readFileSync(options.manifestFile, 'utf8'), path.relative(root, options.manifestFile)).operations
    : undefined;

  const oldSubgraphs = subgraphFiles(root, showAt(root, baseCommit, 'supergraph.yaml'), base);
  const newSubgraphs = subgraphFiles(root, readIfExists(path.join(root, 'supergraph.yaml')), 'the working tree');
  const sources: { schema: string; kind: 'api' | 'subgraph'; oldFile?: string; newFile?: string }[] = [
    { schema: API, kind: 'api', oldFile: SUPERGRAPH_FILE, newFile: SUPERGRAPH_FILE },
    ...[...new Set([...newSubgraphs.keys(), ...oldSubgraphs.keys()])].map((name) => ({ schema: name, kind: 'subgraph' as const, oldFile: oldSubgraphs.get(name), newFile: newSubgraphs.get(name) })),
  ];

  let usage: ManifestUsage | undefined;
  let invalid: SchemaDiffReport['invalidOperations'] = [];
  const used = new Set<Acknowledgement>();
  const schemas: SchemaReport[] = [];
  for (const source of sources) {
    const oldSdl = source.oldFile ? showAt(root, baseCommit, source.oldFile) : undefined;
    const newSdl = source.newFile ? readIfExists(path.join(root, source.newFile)) : undefined;
    if (oldSdl === undefined && newSdl === undefined) continue;
    const oldSchema = oldSdl === undefined ? null : build(source.kind, oldSdl, `${source.oldFile} at ${base}`);
    const newSchema = newSdl === undefined ? null : build(source.kind, newSdl, `${source.newFile}`);
    if (source.kind === 'api' && operations) {
      // Client operations are read against the API schema; subgraph coordinates share its names.
      if (oldSchema) usage = new ManifestUsage(operations, oldSchema);
      if (newSchema) invalid = invalidOperations(operations, newSchema);
    }
    const changes = oldSchema && newSchema ? withoutPartsOfAdditions(await diff(oldSchema, newSchema)) : [];
    schemas.push({
      schema: source.schema,
      file: (source.newFile ?? source.oldFile)!,
      status: oldSchema && newSchema ? 'changed' : oldSchema ? 'removed' : 'added',
      changes: changes.map((change) => classify(source.schema, change, usage, acknowledgements, used)),
    });
  }
  return {
    base,
    baseCommit,
    manifest: operations && options.manifestFile ? { file: path.relative(root, options.manifestFile), operations: operations.length } : undefined,
    schemas,
    invalidOperations: invalid,
    unusedAcknowledgements: acknowledgements.filter((a) => !used.has(a)),
  };
}

const ADDITIONS = new Set<string>([ChangeType.TypeAdded, ChangeType.FieldAdded, ChangeType.InputFieldAdded, ChangeType.FieldArgumentAdded, ChangeType.DirectiveAdded]);

/**
 * Leaves out the safe changes that are part of an addition listed already — the fields,
 * arguments, descriptions and directives of an added type or field — so that a new type
 * reads as one line. Breaking and dangerous changes always stay. (Inspector's own
 * `simplifyChanges` rule also folds changes into a deprecation or an added interface at the
 * same place, which could hide a breaking change: not used.)
 */
function withoutPartsOfAdditions(changes: Change[]): Change[] {
  const added = changes.filter((c) => ADDITIONS.has(c.type) && c.path);
  return changes.filter(
    (c) =>
      c.criticality.level !== CriticalityLevel.NonBreaking ||
      !c.path ||
      !added.some((a) => a !== c && (c.path!.startsWith(`${a.path}.`) || (c.path === a.path && !ADDITIONS.has(c.type)))),
  );
}

function classify(schema: string, change: Change, usage: ManifestUsage | undefined, acknowledgements: Acknowledgement[], used: Set<Acknowledgement>): ClassifiedChange {
  const criticality = LEVELS[change.criticality.level];
  const result: ClassifiedChange = { schema, message: change.message, path: change.path, type: change.type, criticality, level: criticality };
  if (change.type === ChangeType.FieldArgumentAdded && criticality === 'dangerous') result.level = 'safe';
  if (criticality !== 'breaking') return result;
  if (usage) {
    result.reaches = usage.operationsReachedBy(change);
    if (result.reaches.length === 0) result.level = 'safe';
  }
  const ack = acknowledgements.find((a) => a.schema === schema && (a.change === change.path || a.change === change.message));
  if (ack) {
    result.acknowledged = ack;
    used.add(ack);
  }
  return result;
}

/** The breaking changes that fail the check: breaking for the clients, and not acknowledged. */
export const unacknowledged = (report: SchemaDiffReport) => report.schemas.flatMap((s) => s.changes.filter((c) => c.level === 'breaking' && !c.acknowledged));

const MARK: Record<Level, string> = { breaking: '✗', dangerous: '!', safe: '✓' };

/** The report as people read it: by schema, then by level, each change with its path and what it reaches. */
export function formatReport(report: SchemaDiffReport): string {
  const lines: string[] = [];
  const usage = report.manifest ? `usage-aware: ${report.manifest.operations} operation(s) of ${report.manifest.file}` : 'no trusted-documents manifest: every breaking change counts';
  lines.push(`schema:diff against ${report.base} (${report.baseCommit.slice(0, 12)}) — ${usage}`);
  for (const s of report.schemas) {
    const title = s.schema === API ? `API schema (${s.file})` : `subgraph ${s.schema} (${s.file})`;
    if (s.status !== 'changed') {
      lines.push('', `${title}: ${s.status === 'added' ? 'new, nothing to compare' : `removed (was in ${report.base})`}`);
      continue;
    }
    if (s.changes.length === 0) continue;
    lines.push('', title);
    for (const level of ['breaking', 'dangerous', 'safe'] as const) {
      const changes = s.changes.filter((c) => c.level === level);
      if (changes.length === 0) continue;
      lines.push(`  ${level} (${changes.length})`);
      for (const c of changes) {
        const notes: string[] = [];
        if (c.path) notes.push(c.path);
        if (c.criticality === 'breaking' && c.reaches) notes.push(c.reaches.length ? `used by ${c.reaches.join(', ')}` : 'breaking, but no manifest operation uses it');
        else if (c.level !== c.criticality) notes.push(`${c.criticality} for graphql-inspector`);
        if (c.acknowledged) notes.push(`acknowledged: ${c.acknowledged.reason}`);
        lines.push(`    ${MARK[level]} ${c.message}${notes.length ? `  [${notes.join('; ')}]` : ''}`);
      }
    }
  }
  const unchanged = report.schemas.filter((s) => s.status === 'changed' && s.changes.length === 0).map((s) => (s.schema === API ? 'API schema' : s.schema));
  if (unchanged.length) lines.push('', `no changes: ${unchanged.join(', ')}`);
  if (report.invalidOperations.length) {
    lines.push('', `Manifest operations that no longer validate against the new API schema (${report.invalidOperations.length}):`);
    for (const op of report.invalidOperations) lines.push(`    ✗ ${op.name}: ${op.error}`);
  }
  return lines.join('\n');
}

export interface SchemaDiffCli {
  root: string;
  log(line: string): void;
  error(line: string): void;
}

/**
 * `schema:diff --base <ref> [--manifest FILE] [--acknowledgements FILE] [--if-base-exists]`:
 * prints the report; exits 1 when a breaking change is not acknowledged (naming each), or
 * when a manifest operation no longer validates and no breaking change explains it. With
 * `--if-base-exists`, a base that names no commit (a first commit, a shallow clone) skips
 * the check with a message instead of failing.
 */
export async function runSchemaDiff(argv: string[], cli: SchemaDiffCli): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      base: { type: 'string' },
      manifest: { type: 'string' },
      acknowledgements: { type: 'string', default: 'schema/breaking-changes.yaml' },
      'if-base-exists': { type: 'boolean', default: false },
    },
  });
  if (!values.base) {
    cli.error('schema:diff: --base <git ref> is required (e.g. --base origin/main, --base HEAD~1)');
    return 2;
  }
  const { root } = cli;
  if (values['if-base-exists'] && !resolveCommit(root, values.base)) {
    cli.log(`schema:diff skipped: ${values.base} names no commit here (a first commit, or a shallow clone)`);
    return 0;
  }
  const defaultManifest = path.join(root, 'documents', 'manifest.json');
  const manifestFile = values.manifest ? path.resolve(root, values.manifest) : existsSync(defaultManifest) ? defaultManifest : undefined;
  const acknowledgementsFile = path.resolve(root, values.acknowledgements!);
  let report: SchemaDiffReport;
  try {
    report = await schemaDiff({ root, base: values.base, manifestFile, acknowledgementsFile });
  } catch (err) {
    cli.error(`schema:diff: ${(err as Error).message}`);
    return 1;
  }
  cli.log(formatReport(report));
  const failing = unacknowledged(report);
  const ackFile = path.relative(root, acknowledgementsFile);
  if (failing.length) {
    cli.error(`\nschema:diff failed: ${failing.length} breaking change(s) not acknowledged:`);
    for (const c of failing) cli.error(`  ✗ ${c.schema}: ${c.message}${c.path ? ` (${c.path})` : ''}${c.reaches?.length ? ` — breaks ${c.reaches.join(', ')}` : ''}`);
    cli.error(`Make the change backward compatible, or acknowledge it in ${ackFile}:\n  acknowledged:\n    - schema: ${failing[0].schema}\n      change: ${JSON.stringify(failing[0].path ?? failing[0].message)}\n      reason: why breaking it is fine`);
    return 1;
  }
  const breaking = report.schemas.some((s) => s.changes.some((c) => c.level === 'breaking'));
  if (report.invalidOperations.length && !breaking) {
    cli.error(`\nschema:diff failed: ${report.invalidOperations.length} manifest operation(s) no longer validate (see above)`);
    return 1;
  }
  const counts = (['breaking', 'dangerous', 'safe'] as const).map((level) => `${report.schemas.reduce((n, s) => n + s.changes.filter((c) => c.level === level).length, 0)} ${level}`);
  cli.log(`\nschema:diff ok — ${counts.join(', ')}${breaking ? ` (every breaking change acknowledged in ${ackFile})` : ''}`);
  return 0;
}
