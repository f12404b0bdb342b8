import path from 'node:path';
import { loadSupergraphConfig, parseSupergraphConfig, SupergraphConfigError } from './supergraph-config';

const FILE = '/repo/supergraph.yaml';

const valid = `
federation_version: =2.11.0
subgraphs:
  identity:
    routing_url: http://127.0.0.1:4001/graphql
    schema:
      file: ./schema/identity.graphql
  catalog:
    routing_url: http://catalog.internal:4002/graphql
    schema:
      file: schema/catalog.graphql
`;

function errorOf(text: string): string {
  try {
    parseSupergraphConfig(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(SupergraphConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseSupergraphConfig', () => {
  it('lists each subgraph in file order with its URL, port and absolute schema path', () => {
    expect(parseSupergraphConfig(valid, FILE)).toEqual([
      { name: 'identity', url: 'http://127.0.0.1:4001/graphql', port: 4001, schemaFile: '/repo/schema/identity.graphql' },
      { name: 'catalog', url: 'http://catalog.internal:4002/graphql', port: 4002, schemaFile: '/repo/schema/catalog.graphql' },
    ]);
  });

  it('reports a YAML syntax error with the file name', () => {
    expect(errorOf('subgraphs:\n  identity: [unclosed\n')).toMatch(/^\/repo\/supergraph\.yaml: invalid YAML/);
  });

  it('rejects a file without subgraphs', () => {
    expect(errorOf('federation_version: =2.11.0\n')).toContain('`subgraphs:` must be a mapping with at least one subgraph');
    expect(errorOf('subgraphs: {}\n')).toContain('at least one subgraph');
    expect(errorOf('- just\n- a list\n')).toContain('expected a mapping');
  });

  it('names the subgraph whose routing_url is missing, not a URL, or has no explicit port', () => {
    expect(errorOf('subgraphs:\n  identity:\n    schema: { file: a.graphql }\n')).toContain(
      'subgraphs.identity.routing_url is missing',
    );
    expect(errorOf('subgraphs:\n  identity:\n    routing_url: not a url\n    schema: { file: a.graphql }\n')).toContain(
      'subgraphs.identity.routing_url must be an http(s) URL with an explicit port',
    );
    expect(
      errorOf('subgraphs:\n  identity:\n    routing_url: http://127.0.0.1/graphql\n    schema: { file: a.graphql }\n'),
    ).toContain('explicit port');
  });

  it('requires schema.file', () => {
    expect(errorOf('subgraphs:\n  identity:\n    routing_url: http://127.0.0.1:4001/graphql\n')).toContain(
      'subgraphs.identity.schema.file is missing',
    );
  });

  it('rejects two subgraphs on one port and names that could not become env vars or databases', () => {
    const twice = valid.replace('4002', '4001');
    expect(errorOf(twice)).toContain('subgraphs.catalog.routing_url uses port 4001, already used by subgraphs.identity');
    expect(errorOf(valid.replace('catalog:', 'Catalog Service:'))).toContain('subgraph name "Catalog Service" must match');
  });

  it('rejects a subgraph listed twice', () => {
    expect(errorOf(`${valid}  identity:\n    routing_url: http://127.0.0.1:4009/graphql\n`)).toContain('invalid YAML');
  });
});

describe('loadSupergraphConfig', () => {
  it("reads the repository's supergraph.yaml, identity included", () => {
    const root = path.join(__dirname, '..', '..');
    const subgraphs = loadSupergraphConfig(path.join(root, 'supergraph.yaml'));
    expect(subgraphs.map((subgraph) => subgraph.name)).toContain('identity');
    for (const subgraph of subgraphs) expect(subgraph.schemaFile.startsWith(path.join(root, 'schema'))).toBe(true);
  });

  it('says which file it could not read', () => {
    expect(() => loadSupergraphConfig('/nowhere/supergraph.yaml')).toThrow(/\/nowhere\/supergraph\.yaml: cannot read it/);
  });
});
