import { buildSchema, Kind, parse } from 'graphql';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { documentId, parseManifest } from '../../gateway/src/http/trusted-documents-manifest';
import { apiSchemaFromSupergraph, buildManifest, DocumentsError, expandDocumentGlobs } from './documents';
import { OPERATIONS as DASHBOARD_OPERATIONS, operationRequest } from '../../gateway/dashboard/src/operations';
import { findRepoRoot } from './repo-root';
import { loadSeedOperations } from './seed-operations';

const schema = buildSchema(`
  type Query { me: User, user(id: ID!): User }
  type Mutation { rename(name: String!): User! }
  type Subscription { userChanged: User! }
  type User { id: ID! name: String! friends: [User!]! }
`);

/** The problems a set of files is refused with. */
function problems(files: { file: string; source: string }[]): string[] {
  try {
    buildManifest(files, schema);
  } catch (err) {
    if (err instanceof DocumentsError) return err.problems;
    throw err;
  }
  throw new Error('expected the manifest to be refused');
}

describe('buildManifest', () => {
  it('writes one entry per named operation, with its type, its body and the SHA-256 of that body as its id', () => {
    const manifest = buildManifest(
      [
        { file: 'a.graphql', source: 'query Me { me { id } }\nmutation Rename($n: String!) { rename(name: $n) { id name } }' },
        { file: 'b.graphql', source: 'subscription Changed { userChanged { id } }' },
      ],
      schema,
    );
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    expect(manifest.operations.map((op) => [op.name, op.type])).toEqual([
      ['Changed', 'subscription'],
      ['Me', 'query'],
      ['Rename', 'mutation'],
    ]);
    for (const op of manifest.operations) expect(op.id).toBe(documentId(op.body));
    expect(manifest.operations[1].body).toBe('query Me {\n  me {\n    id\n  }\n}');
    // What the gateway loads: the same manifest, read back from its JSON.
    expect(parseManifest(JSON.stringify(manifest), 'manifest.json')).toEqual(manifest);
  });

  it('appends the fragments an operation uses, from any file, and only those', () => {
    const manifest = buildManifest(
      [
        { file: 'fragments.graphql', source: 'fragment Who on User { id name ...Friends }\nfragment Friends on User { friends { id } }\nfragment Unused on User { id }' },
        { file: 'ops.graphql', source: 'query Me { me { ...Who } }' },
      ],
      schema,
    );
    const [me] = manifest.operations;
    expect(me.body).toMatch(/^query Me \{/);
    expect(me.body).toContain('fragment Friends on User');
    expect(me.body).toContain('fragment Who on User');
    expect(me.body).not.toContain('Unused');
    expect(me.body.indexOf('fragment Friends')).toBeLessThan(me.body.indexOf('fragment Who'));
  });

  it('fails with every problem at once, each naming its file, line and column', () => {
    const found = problems([
      { file: 'docs/a.graphql', source: 'query A { me { nope } }\nquery { me { id } }\nquery B { me { ...Missing } }' },
      { file: 'docs/b.graphql', source: 'query A { me { id } }' },
      { file: 'docs/c.graphql', source: 'query C {' },
      { file: 'docs/d.graphql', source: 'type Extra { id: ID }' },
    ]);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^docs\/a\.graphql:2:1: every operation needs a name/),
        expect.stringMatching(/^docs\/b\.graphql:1:1: operation A is also defined in docs\/a\.graphql/),
        expect.stringMatching(/^docs\/c\.graphql:1:10: Syntax Error/),
        expect.stringMatching(/^docs\/d\.graphql:1:1: only operations and fragments belong in a document/),
        expect.stringMatching(/^docs\/a\.graphql:1:16: Cannot query field "nope" on type "User".*\(operation A\)$/),
        expect.stringMatching(/^docs\/a\.graphql:3:1: operation B uses fragment Missing, which no file defines$/),
      ]),
    );
    expect(found).toHaveLength(6);
  });

  it('names the file a fragment comes from when the fragment is what fails validation', () => {
    const found = problems([
      { file: 'fragments.graphql', source: 'fragment Who on User { id age }' },
      { file: 'ops.graphql', source: 'query Me { me { ...Who } }' },
    ]);
    expect(found).toEqual([expect.stringMatching(/^fragments\.graphql:1:27: Cannot query field "age" on type "User"\..* \(operation Me\)$/)]);
  });
});

describe('parseManifest', () => {
  it('refuses a manifest whose id is not the hash of its body, naming the file and the operation', () => {
    const text = JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: documentId('query A { a }'), name: 'A', type: 'query', body: 'query A { b }' }] });
    expect(() => parseManifest(text, 'm.json')).toThrow("m.json: operation A's id");
    expect(() => parseManifest('{"format":"other"}', 'm.json')).toThrow(/m\.json: not an apollo-persisted-query-manifest version 1 \(format/);
    expect(() => parseManifest('nope', 'm.json')).toThrow(/m\.json: not JSON/);
  });
});

describe('expandDocumentGlobs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'atrium-docs-'));
    for (const file of ['app/a.graphql', 'app/deep/b.graphql', 'app/deep/c.gql', 'app/notes.md', 'other/d.graphql']) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), '');
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('expands globs with ** and {a,b}, folders and plain files, relative to the folder given', () => {
    expect(expandDocumentGlobs(['app/**/*.graphql'], dir)).toEqual(['app/a.graphql', 'app/deep/b.graphql']);
    expect(expandDocumentGlobs(['app/*/*.{graphql,gql}', 'other/d.graphql'], dir)).toEqual(['app/deep/b.graphql', 'app/deep/c.gql', 'other/d.graphql']);
    expect(expandDocumentGlobs(['app'], dir)).toEqual(['app/a.graphql', 'app/deep/b.graphql', 'app/deep/c.gql']);
    expect(expandDocumentGlobs([`${dir}/app/*.graphql`], path.join(dir, 'other'))).toEqual([`${dir}/app/a.graphql`]);
  });

  it('fails on a pattern that matches no file', () => {
    expect(() => expandDocumentGlobs(['app/**/*.txt'], dir)).toThrow('app/**/*.txt: no operation files match it');
    expect(() => expandDocumentGlobs(['missing.graphql'], dir)).toThrow('missing.graphql: no such file or folder');
  });
});

describe("Atrium's own trusted documents", () => {
  it('documents/manifest.json is what `npm run documents` writes from documents/ against the committed supergraph', () => {
    const root = findRepoRoot();
    const files = expandDocumentGlobs(['documents/**/*.graphql'], root);
    const api = apiSchemaFromSupergraph(readFileSync(path.join(root, 'schema', 'supergraph.graphql'), 'utf8'));
    const manifest = buildManifest(
      files.map((file) => ({ file, source: readFileSync(path.join(root, file), 'utf8') })),
      api,
    );
    expect(JSON.parse(readFileSync(path.join(root, 'documents', 'manifest.json'), 'utf8'))).toEqual(manifest);
  });

  const root = findRepoRoot();
  const committed = parseManifest(readFileSync(path.join(root, 'documents', 'manifest.json'), 'utf8'), 'documents/manifest.json');
  const defined = (file: string) =>
    parse(readFileSync(path.join(root, file), 'utf8'))
      .definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []))
      .sort();
  const nameById = new Map(committed.operations.map((op) => [op.id, op.name]));
  /** Each operation's name, and what the committed manifest calls the operation of its id: the same, unless it is missing. */
  const inManifest = (ops: readonly { id: string; name: string }[]) => ops.map((op) => [op.name, nameById.get(op.id)]);

  it('sends every operation of the dashboard (gateway/dashboard/src/operations.ts) by an id of the committed manifest: all of documents/dashboard.graphql', () => {
    expect(inManifest(DASHBOARD_OPERATIONS)).toEqual(DASHBOARD_OPERATIONS.map((op) => [op.name, op.name]));
    for (const op of DASHBOARD_OPERATIONS) expect(operationRequest(op, {}, false).extensions?.persistedQuery.sha256Hash).toBe(op.id);
    expect(DASHBOARD_OPERATIONS.map((op) => op.name).sort()).toEqual(defined('documents/dashboard.graphql'));
  });

  it('sends every operation of the seed (scripts/seed.ts) by an id of the committed manifest: all of documents/seed.graphql', () => {
    const seed = Object.values(loadSeedOperations());
    expect(inManifest(seed)).toEqual(seed.map((op) => [op.name, op.name]));
    for (const op of seed) expect(documentId(op.body)).toBe(op.id);
    expect(seed.map((op) => op.name).sort()).toEqual(defined('documents/seed.graphql'));
  });
});
