import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fragmentsOf } from './response-cache-keys';
import { responseTags, tagsOfEntities } from './response-cache-tags';

// Against Atrium's own composed supergraph, as the gateway walks responses.
const sdl = readFileSync(path.join(__dirname, '..', '..', '..', 'schema', 'supergraph.graphql'), 'utf8');
const schema = Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
const tags = (query: string, data: Record<string, unknown>, s = schema) => {
  const document = parse(query);
  return responseTags(s, getOperationAST(document)!, fragmentsOf(document), data);
};

const workspace = (id: string, location = 'l1') => ({ id, name: `Desk ${id}`, location: { id: location, city: 'Hamburg' } });

describe('responseTags', () => {
  it('tags a search by every workspace and location it holds, and by the types its list may hold', () => {
    const data = { workspaces: { totalCount: 2, edges: [{ node: workspace('w1') }, { node: workspace('w2', 'l2') }] } };
    expect(tags('{ workspaces(first: 20) { totalCount edges { node { id name location { id city } } } } }', data)).toEqual([
      'Location:l1',
      'Location:l2',
      'Workspace:*',
      'Workspace:w1',
      'Workspace:w2',
    ]);
  });

  it('tags an empty list, or a page count alone, by the type it may hold: a workspace created may join it', () => {
    expect(tags('{ workspaces { edges { node { id } } } }', { workspaces: { edges: [] } })).toEqual(['Workspace:*']);
    expect(tags('{ workspaces { totalCount pageInfo { hasNextPage } } }', { workspaces: { totalCount: 0, pageInfo: { hasNextPage: false } } })).toEqual(['Workspace:*']);
    expect(tags('{ locations { id } }', { locations: [] })).toEqual(['Location:*']);
  });

  it('tags one entity by its id, and a missing one by its type (it may be created)', () => {
    expect(tags('query($id: ID!) { workspace(id: $id) { id name } }', { workspace: { id: 'w1', name: 'Desk' } })).toEqual(['Workspace:w1']);
    expect(tags('query($id: ID!) { workspace(id: $id) { id name } }', { workspace: null })).toEqual(['Workspace:*']);
  });

  it('tags an entity whose id is not selected by its type, and reads an aliased id under its alias', () => {
    expect(tags('query($id: ID!) { workspace(id: $id) { name location { city } } }', { workspace: { name: 'Desk', location: { city: 'Hamburg' } } })).toEqual(['Location:*', 'Workspace:*']);
    expect(tags('query($id: ID!) { w: workspace(id: $id) { key: id id: name } }', { w: { key: 'w1', id: 'Desk' } })).toEqual(['Workspace:w1']);
  });

  it('follows fragments, named and inline', () => {
    const query = 'query($id: ID!) { workspace(id: $id) { ...Desk } } fragment Desk on Workspace { id ... on Workspace { location { id } } }';
    expect(tags(query, { workspace: { id: 'w1', location: { id: 'l1' } } })).toEqual(['Location:l1', 'Workspace:w1']);
  });

  it('names an abstract type’s object by its __typename, and by every possible type without one', () => {
    const s = buildSchema(`
      interface Node { id: ID! }
      type A implements Node { id: ID! }
      type B implements Node { id: ID! }
      type Query { node(id: ID!): Node }
    `);
    expect(tags('{ node(id: "1") { __typename id } }', { node: { __typename: 'B', id: '1' } }, s)).toEqual(['B:1']);
    expect(tags('{ node(id: "1") { kind: __typename id } }', { node: { kind: 'A', id: '1' } }, s)).toEqual(['A:1']);
    expect(tags('{ node(id: "1") { id } }', { node: { id: '1' } }, s)).toEqual(['A:1', 'B:1']);
  });
});

describe('tagsOfEntities', () => {
  it('invalidates each entity and its type, once each', () => {
    expect(tagsOfEntities([{ type: 'Workspace', id: 'w1' }, { type: 'Location', id: 'l1' }, { type: 'Workspace', id: 'w2' }]).sort()).toEqual([
      'Location:*',
      'Location:l1',
      'Workspace:*',
      'Workspace:w1',
      'Workspace:w2',
    ]);
  });
});
