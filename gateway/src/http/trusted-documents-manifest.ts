import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Apollo's persisted-query manifest format (what `@apollo/generate-persisted-query-manifest`
 * writes and Apollo Router's safelisting reads): each operation's id is the SHA-256 of its
 * body, in hex — the same hash Apollo Client's persisted-queries link sends as
 * `extensions.persistedQuery.sha256Hash`.
 */
export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface PersistedQueryManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  operations: ManifestOperation[];
}

/** A document's id: the hex SHA-256 of its exact text, as APQ and the manifest hash it. */
export const documentId = (body: string) => createHash('sha256').update(body).digest('hex');

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256'),
      name: z.string().min(1),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

/**
 * Parses a manifest's text; throws an error naming `file` and what is wrong with it — not
 * JSON, not the format, or an id that is not its body's hash (the manifest was edited by
 * hand, and clients sending that id would run something else than they think).
 */
export function parseManifest(text: string, file: string): PersistedQueryManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not an ${MANIFEST_FORMAT} version 1 (${issue.path.join('.') || 'top level'}: ${issue.message})`);
  }
  for (const op of parsed.data.operations) {
    if (documentId(op.body) !== op.id) throw new Error(`${file}: operation ${op.name}'s id ${op.id} is not the SHA-256 of its body`);
  }
  return parsed.data;
}
