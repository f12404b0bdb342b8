import { ApolloGateway } from '@apollo/gateway';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rewriteRoutingUrls, stripSecuritySpecs, subgraphNames } from './supergraph-rewrite';

const ATRIUM = readFileSync(path.join(__dirname, '..', 'schema', 'supergraph.graphql'), 'utf8');

const TINY = `
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY, as: "scopes")
{ query: Query }

directive @scopes(scopes: [[scopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar scopes__Scope
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }

enum join__Graph {
  A @join__graph(name: "a", url: "http://old-a:1/graphql")
  B @join__graph(name: "b", url: "http://old-b:2/graphql")
}

type Query {
  """Mentions @scopes and @authenticated in a description: left alone"""
  secret: String @scopes(scopes: [["admin"]])
  open: String
}
`;

describe('rewriteRoutingUrls', () => {
  it('points every subgraph at its new URL and changes nothing else', () => {
    const out = rewriteRoutingUrls(TINY, { a: 'http://127.0.0.1:5001/graphql', b: 'http://127.0.0.1:5002/graphql' });
    expect(out).toContain('A @join__graph(name: "a", url: "http://127.0.0.1:5001/graphql")');
    expect(out).toContain('B @join__graph(name: "b", url: "http://127.0.0.1:5002/graphql")');
    expect(out).not.toContain('old-');
    expect(out).toContain('@scopes(scopes: [["admin"]])');
  });
  it('refuses a missing or unknown subgraph', () => {
    expect(() => rewriteRoutingUrls(TINY, { a: 'http://x/graphql' })).toThrow(/no routing URL given for subgraph\(s\) b/);
    expect(() => rewriteRoutingUrls(TINY, { a: 'http://x', b: 'http://y', c: 'http://z' })).toThrow(/no subgraph named c/);
  });
  it("rewrites Atrium's supergraph", () => {
    const names = subgraphNames(ATRIUM);
    expect(names).toEqual(expect.arrayContaining(['identity', 'catalog', 'booking', 'payment', 'notification', 'reporting', 'health']));
    const urls = Object.fromEntries(names.map((n, i) => [n, `http://127.0.0.1:${6000 + i}/graphql`]));
    const out = rewriteRoutingUrls(ATRIUM, urls);
    for (const [name, url] of Object.entries(urls)) expect(out).toContain(`@join__graph(name: "${name}", url: "${url}")`);
  });
});

describe('stripSecuritySpecs', () => {
  it('removes the link, the directive, its scalar and its usages, following `as:`', () => {
    const { sdl, links, directives, usages } = stripSecuritySpecs(TINY);
    expect(links).toEqual(['https://specs.apollo.dev/requiresScopes/v0.1']);
    expect(directives).toEqual(['scopes']);
    expect(usages).toBe(1);
    expect(sdl).not.toMatch(/requiresScopes\/v0\.1|directive @scopes|scalar scopes__Scope|@scopes\(/);
    expect(sdl).toContain('Mentions @scopes and @authenticated in a description: left alone');
    expect(sdl).toContain('https://specs.apollo.dev/join/v0.5');
    expect(sdl).toMatch(/secret: String\n/);
  });
  it('leaves a supergraph without security specs as it was', () => {
    const plain = stripSecuritySpecs(stripSecuritySpecs(TINY).sdl);
    expect(plain).toMatchObject({ links: [], directives: [], usages: 0 });
  });
  it("strips Atrium's three specs, so a stock @apollo/gateway accepts what it refused", async () => {
    await expect(new ApolloGateway({ supergraphSdl: ATRIUM }).load()).rejects.toThrow(/for: SECURITY/);
    const stripped = stripSecuritySpecs(ATRIUM);
    expect(stripped.directives.sort()).toEqual(['authenticated', 'policy', 'requiresScopes']);
    expect(stripped.usages).toBeGreaterThan(10);
    expect(stripped.sdl).not.toMatch(/@(authenticated|requiresScopes|policy)\b(?![^"]*""")/);
    const gateway = new ApolloGateway({ supergraphSdl: stripped.sdl });
    const { schema } = await gateway.load();
    expect(schema.getQueryType()?.getFields().me).toBeDefined();
    await gateway.stop();
  });
});
