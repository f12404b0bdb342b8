import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiSchemaFromSupergraph, buildManifest } from './documents';
import { runSchemaDiff, schemaDiff, type SchemaDiffReport } from './schema-diff';

// A repository of its own (real git) with one subgraph, `shop`, in two versions: the base
// commit, and the working tree that removes a field clients use (Product.name), removes one
// no client uses (Query.legacy), adds an optional argument and adds an enum value (and a
// type and a field, each reported as one change).

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])';
const V1 = `${LINK}
type Query { product(id: ID!): Product, products(first: Int): [Product!]!, legacy: String }
type Product @key(fields: "id") { id: ID! name: String! color: Color }
enum Color { RED GREEN }
`;
const V2 = `${LINK}
type Query { product(id: ID!): Product, products(first: Int, after: String): [Product!]!, reviews(first: Int): [Review!]! }
type Product @key(fields: "id") { id: ID! color: Color }
enum Color { RED GREEN BLUE }
"A review, with fields and descriptions that come along with it."
type Review { "stars" stars: Int, text: String }
`;
const OPERATIONS = 'query ProductName($id: ID!) { product(id: $id) { id name color } }\nquery Products { products(first: 2) { id } }';
const YAML = 'subgraphs:\n  shop:\n    routing_url: http://127.0.0.1:4101/graphql\n    schema:\n      file: ./schema/shop.graphql\n';

let repo: string;

function write(file: string, content: string) {
  mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  writeFileSync(path.join(repo, file), content);
}

/** Writes a version of the shop subgraph and the supergraph composed from it. */
function writeVersion(sdl: string) {
  const composed = composeServices([{ name: 'shop', url: 'http://127.0.0.1:4101/graphql', typeDefs: parse(sdl) }]);
  if (composed.errors) throw composed.errors[0];
  write('schema/shop.graphql', sdl);
  write('schema/supergraph.graphql', composed.supergraphSdl);
  return composed.supergraphSdl;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'atrium-schema-diff-'));
  git('init', '--quiet');
  write('supergraph.yaml', YAML);
  const v1 = writeVersion(V1);
  git('add', '.');
  git('-c', 'user.name=test', '-c', 'user.email=test@atrium.test', 'commit', '--quiet', '-m', 'v1');
  // The clients' operations, valid against v1.
  write('documents/manifest.json', JSON.stringify(buildManifest([{ file: 'ops.graphql', source: OPERATIONS }], apiSchemaFromSupergraph(v1))));
  writeVersion(V2);
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

const byPath = (report: SchemaDiffReport, schema: string) => Object.fromEntries(report.schemas.find((s) => s.schema === schema)!.changes.map((c) => [c.path, c]));

/** Runs the command as `npm run schema:diff` does; gives its exit code and output. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSchemaDiff(argv, { root: repo, log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('schemaDiff', () => {
  it('classifies a removed field as breaking, an added optional argument as safe and an added enum value as dangerous, in the API schema and the subgraph', async () => {
    const report = await schemaDiff({ root: repo, base: 'HEAD' });
    expect(report.schemas.map((s) => s.schema)).toEqual(['api', 'shop']);
    for (const schema of ['api', 'shop']) {
      const changes = byPath(report, schema);
      expect(changes['Product.name']).toMatchObject({ criticality: 'breaking', level: 'breaking' });
      expect(changes['Query.legacy']).toMatchObject({ criticality: 'breaking', level: 'breaking' });
      expect(changes['Query.products.after']).toMatchObject({ criticality: 'dangerous', level: 'safe' });
      expect(changes['Color.BLUE']).toMatchObject({ criticality: 'dangerous', level: 'dangerous' });
      // An added type or field is one change: its fields, arguments and descriptions come with it.
      expect(Object.keys(changes).filter((p) => p.startsWith('Review') || p.startsWith('Query.reviews'))).toEqual(['Review', 'Query.reviews']);
    }
  });

  it('with a manifest, reports a breaking change no operation uses as safe for those clients, and names the operations the others break', async () => {
    const report = await schemaDiff({ root: repo, base: 'HEAD', manifestFile: path.join(repo, 'documents/manifest.json') });
    const api = byPath(report, 'api');
    expect(api['Product.name']).toMatchObject({ criticality: 'breaking', level: 'breaking', reaches: ['ProductName'] });
    expect(api['Query.legacy']).toMatchObject({ criticality: 'breaking', level: 'safe', reaches: [] });
    expect(byPath(report, 'shop')['Query.legacy']).toMatchObject({ level: 'safe' });
    expect(report.invalidOperations).toEqual([{ name: 'ProductName', error: expect.stringContaining('Cannot query field "name" on type "Product"') }]);
  });
});

describe('npm run schema:diff', () => {
  it('fails on unacknowledged breaking changes, naming them, and prints every change grouped by schema and level', async () => {
    const { code, out, err } = await run('--base', 'HEAD', '--manifest', 'documents/manifest.json');
    expect(code).toBe(1);
    expect(out).toMatch(/API schema \(schema\/supergraph\.graphql\)\n {2}breaking \(1\)\n {4}✗ Field 'name' was removed from object type 'Product'\s+\[Product\.name; used by ProductName\]/);
    expect(out).toMatch(/ {2}dangerous \(1\)\n {4}! Enum value 'BLUE' was added to enum 'Color'/);
    expect(out).toMatch(/ {2}safe \(4\)\n {4}✓ Type 'Review' was added {2}\[Review\]\n/);
    expect(out).toMatch(/ {4}✓ Field 'legacy' was removed from object type 'Query'\s+\[Query\.legacy; breaking, but no manifest operation uses it\]/);
    expect(out).toMatch(/✓ Argument 'after: String' added to field 'Query\.products'\s+\[Query\.products\.after; dangerous for graphql-inspector\]/);
    expect(out).toMatch(/subgraph shop \(schema\/shop\.graphql\)/);
    expect(out).toMatch(/ProductName: Cannot query field "name"/);
    expect(err).toMatch(/2 breaking change\(s\) not acknowledged:\n {2}✗ api: Field 'name' was removed from object type 'Product' \(Product\.name\) — breaks ProductName\n {2}✗ shop: /);
    expect(err).toMatch(/acknowledge it in schema\/breaking-changes\.yaml/);
  });

  it('takes documents/manifest.json by default, and without a manifest counts every breaking change', async () => {
    expect((await run('--base', 'HEAD')).err).toMatch(/2 breaking change\(s\) not acknowledged/);
    execFileSync('mv', ['documents/manifest.json', 'documents/manifest.json.bak'], { cwd: repo });
    try {
      const { code, err } = await run('--base', 'HEAD');
      expect(code).toBe(1);
      expect(err).toMatch(/4 breaking change\(s\) not acknowledged/);
    } finally {
      execFileSync('mv', ['documents/manifest.json.bak', 'documents/manifest.json'], { cwd: repo });
    }
  });

  it('passes once the breaking changes are acknowledged (by path or by message), and shows why', async () => {
    write(
      'schema/breaking-changes.yaml',
      [
        'acknowledged:',
        '  - schema: api',
        '    change: Product.name',
        '    reason: "renamed to title in release 3; the app stopped asking for it"',
        '  - schema: shop',
        `    change: "Field 'name' was removed from object type 'Product'"`,
        '    reason: the shop subgraph no longer owns names',
        '  - schema: api',
        '    change: Old.field',
        '    reason: from an earlier change',
      ].join('\n'),
    );
    try {
      const { code, out, err } = await run('--base', 'HEAD');
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toMatch(/\[Product\.name; used by ProductName; acknowledged: renamed to title in release 3; the app stopped asking for it\]/);
      expect(out).toMatch(/schema:diff ok — 2 breaking, 2 dangerous, 8 safe \(every breaking change acknowledged in schema\/breaking-changes\.yaml\)/);
    } finally {
      rmSync(path.join(repo, 'schema/breaking-changes.yaml'));
    }
  });

  it('refuses an acknowledgement without a reason', async () => {
    write('schema/breaking-changes.yaml', 'acknowledged:\n  - schema: api\n    change: Product.name\n');
    try {
      const { code, err } = await run('--base', 'HEAD');
      expect(code).toBe(1);
      expect(err).toMatch(/schema\/breaking-changes\.yaml: acknowledged\[0\]\.reason is missing/);
    } finally {
      rmSync(path.join(repo, 'schema/breaking-changes.yaml'));
    }
  });

  it('skips with a message when the base does not exist and --if-base-exists is given, and fails otherwise', async () => {
    expect(await run('--base', 'HEAD~1', '--if-base-exists')).toEqual({ code: 0, out: expect.stringMatching(/schema:diff skipped: HEAD~1 names no commit here/), err: '' });
    const missing = await run('--base', 'HEAD~1');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/--base HEAD~1 names no commit/);
    expect((await run()).code).toBe(2);
  });

  it('fails when a manifest operation no longer validates, even without a breaking change since the base', async () => {
    git('add', '.');
    git('-c', 'user.name=test', '-c', 'user.email=test@atrium.test', 'commit', '--quiet', '-m', 'v2, with a stale manifest');
    const { code, err } = await run('--base', 'HEAD');
    expect(code).toBe(1);
    expect(err).toMatch(/1 manifest operation\(s\) no longer validate/);
  });

  it('passes when nothing changed since the base', async () => {
    write('documents/manifest.json', JSON.stringify(buildManifest([{ file: 'ops.graphql', source: 'query Products { products(first: 2) { id color } }' }], apiSchemaFromSupergraph(writeVersion(V2)))));
    git('add', '.');
    git('-c', 'user.name=test', '-c', 'user.email=test@atrium.test', 'commit', '--quiet', '-m', 'v2');
    const { code, out } = await run('--base', 'HEAD');
    expect(code).toBe(0);
    expect(out).toMatch(/no changes: API schema, shop/);
    expect(out).toMatch(/schema:diff ok — 0 breaking, 0 dangerous, 0 safe/);
  });
});
