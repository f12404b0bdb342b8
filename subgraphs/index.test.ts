import { loadSupergraphConfig } from '@atrium/kit';
import path from 'node:path';
import { SUBGRAPHS, type SubgraphName } from '.';

const listed = loadSupergraphConfig(path.join(__dirname, '..', 'supergraph.yaml'));

describe('the registry of subgraphs', () => {
  it('holds the subgraphs of supergraph.yaml, by the same names and in the same order', () => {
    expect(Object.keys(SUBGRAPHS)).toEqual(listed.map((entry) => entry.name));
  });

  it("gives each subgraph the default port of its routing_url in supergraph.yaml", () => {
    const ports = Object.fromEntries(listed.map((entry) => [entry.name, (SUBGRAPHS[entry.name as SubgraphName].loadConfig({}) as { PORT: number }).PORT]));
    expect(ports).toEqual(Object.fromEntries(listed.map((entry) => [entry.name, entry.port])));
  });
});
