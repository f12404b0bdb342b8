import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';

/** One subgraph as listed in `supergraph.yaml`. */
export interface SubgraphEntry {
  /** The key under `subgraphs:` (`identity`, `catalog`, ...). */
  name: string;
  /** `routing_url`: where the gateway sends this subgraph's fetches by default. */
  url: string;
  /** The port of `routing_url`: the subgraph's default port. */
  port: number;
  /** `schema.file`, resolved to an absolute path (relative to the YAML file's folder). */
  schemaFile: string;
}

/** A `supergraph.yaml` that cannot be used; the message names the file and the offending key. */
export class SupergraphConfigError extends Error {
  override name = 'SupergraphConfigError';
}

// Subgraph names become env var suffixes (SUBGRAPH_<NAME>_URL), database names
// (atrium_<name>), compose service names and folder names: keep them boring.
const NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;

/**
 * Reads and validates the rover-format supergraph config (`supergraph.yaml`).
 * The list keeps the file's order. Throws {@link SupergraphConfigError} with a message
 * naming the file and the key when the file is missing or malformed.
 */
export function loadSupergraphConfig(file: string): SubgraphEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SupergraphConfigError(`${file}: cannot read it (${(error as Error).message})`);
  }
  return parseSupergraphConfig(text, file);
}

/**
 * Parses the text of a supergraph config; `file` is used in error messages and to resolve
 * relative schema paths.
 */
export function parseSupergraphConfig(text: string, file: string): SubgraphEntry[] {
  function fail(message: string): never {
    throw new SupergraphConfigError(`${file}: ${message}`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) fail(`invalid YAML: ${doc.errors[0].message}`);

  const root = doc.contents;
  if (!isMap(root)) fail('expected a mapping with a `subgraphs:` key at the top level');
  const subgraphs = doc.get('subgraphs', true);
  if (!isMap(subgraphs) || subgraphs.items.length === 0) {
    fail('`subgraphs:` must be a mapping with at least one subgraph');
  }

  const entries: SubgraphEntry[] = [];
  for (const pair of subgraphs.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!NAME_PATTERN.test(name)) {
      fail(`subgraph name ${JSON.stringify(name)} must match ${NAME_PATTERN} (lower case, digits, "-" or "_")`);
    }
    const at = `subgraphs.${name}`;
    if (!isMap(pair.value)) fail(`${at} must be a mapping with routing_url and schema.file`);
    const body = pair.value.toJSON() as Record<string, unknown>;

    const routingUrl = body.routing_url;
    if (routingUrl === undefined || routingUrl === null) fail(`${at}.routing_url is missing (expected an http(s) URL)`);
    const port = typeof routingUrl === 'string' ? portOf(routingUrl) : undefined;
    if (typeof routingUrl !== 'string' || port === undefined) {
      fail(`${at}.routing_url must be an http(s) URL with an explicit port, got ${JSON.stringify(routingUrl)}`);
    }

    const schema = body.schema;
    const schemaFile = typeof schema === 'object' && schema !== null ? (schema as { file?: unknown }).file : undefined;
    if (typeof schemaFile !== 'string' || schemaFile.trim() === '') {
      fail(`${at}.schema.file is missing (the path of the subgraph's generated SDL)`);
    }

    const clash = entries.find((entry) => entry.port === port);
    if (clash) fail(`${at}.routing_url uses port ${port}, already used by subgraphs.${clash.name}`);

    entries.push({
      name,
      url: routingUrl,
      port,
      schemaFile: path.resolve(path.dirname(path.resolve(file)), schemaFile),
    });
  }
  return entries;
}

function portOf(url: string): number | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  // URL drops a port equal to the scheme's default, so an explicit :80 reads as ''.
  return parsed.port === '' ? undefined : Number(parsed.port);
}
