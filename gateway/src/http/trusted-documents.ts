import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { ErrorCode } from '@atrium/kit';
import { GraphQLError } from 'graphql';
import { readFileSync } from 'node:fs';
import type { GatewayContext } from '../context';
import { documentId, parseManifest, type ManifestOperation } from './trusted-documents-manifest';

/**
 * `off`: the manifest is not read. `allow`: a manifest operation may be sent by its id alone
 * (Apollo's `extensions.persistedQuery.sha256Hash`), and anything else still runs. `enforce`
 * (production): only manifest operations run, by id or by their exact body.
 */
export type TrustedDocumentsMode = 'off' | 'allow' | 'enforce';

export interface TrustedDocumentsOptions {
  mode: TrustedDocumentsMode;
  /** The manifest (npm run documents); read once at start, when the mode is not `off`. */
  manifestPath: string;
}

/** What APQ keeps registered queries in today (persisted-queries.ts), or `off`. */
export type ApqStore = { kind: 'redis'; cache: KeyValueCache<string> } | { kind: 'memory' } | { kind: 'off' };

type PersistedQueryOptions = ApolloServerOptions<GatewayContext>['persistedQueries'];

/** An operation as the subscription transports receive it (graphql-ws, multipart, SSE), as far as the manifest is concerned. */
export interface SubscribePayload {
  query: string;
  extensions?: Record<string, unknown> | null;
}

const persistedQueryNotFound = () => new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
const NOT_TRUSTED = 'This operation is not in the trusted documents manifest: only the operations listed there run';
/** Over HTTP a 400, like any request the client must change (APQ clients retry only PERSISTED_QUERY_NOT_FOUND). */
const notTrusted = (overHttp: boolean) =>
  new GraphQLError(NOT_TRUSTED, { extensions: { code: ErrorCode.OPERATION_NOT_TRUSTED, ...(overHttp ? { http: { status: 400 } } : {}) } });

/** The `sha256Hash` of Apollo's `persistedQuery` extension, when a request carries one. */
function persistedQueryHash(extensions: Record<string, unknown> | null | undefined): string | undefined {
  const pq = extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return typeof pq?.sha256Hash === 'string' ? pq.sha256Hash : undefined;
}

/**
 * Trusted documents: the operations of Atrium's own clients, listed in a manifest in Apollo's
 * persisted-query format (scripts/documents.ts writes it), which every replica loads from
 * its own copy of the file — nothing to share at run time.
 *
 * Over HTTP it works with APQ rather than beside it: the manifest is a read-only first tier
 * of Apollo Server's persisted-query cache, so an id alone resolves to its body (POST or
 * GET, with APQ on or off), and under `enforce` it is the only tier — an unknown id is
 * `PERSISTED_QUERY_NOT_FOUND`, and registering new queries in Redis is pointless. A plugin
 * then refuses, under `enforce`, any operation whose body (hashed as APQ hashes it) is not in
 * the manifest, with `OPERATION_NOT_TRUSTED` (HTTP 400) — after Apollo Server parsed and
 * validated it, the first hook where a refusal gets a proper response (the token and cost
 * limits bound that work). The subscription transports (subscriptions/), which do not go
 * through Apollo Server's request pipeline, call `admit` (below) instead.
 */
export class TrustedDocuments {
  private constructor(
    readonly mode: TrustedDocumentsMode,
    private readonly bodies: ReadonlyMap<string, string>,
  ) {}

  /** Reads the manifest (unless `off`); throws a message naming the file when it is missing or malformed. */
  static load(options: TrustedDocumentsOptions): TrustedDocuments {
    if (options.mode === 'off') return new TrustedDocuments('off', new Map());
    let text: string;
    try {
      text = readFileSync(options.manifestPath, 'utf8');
    } catch (err) {
      throw new Error(`TRUSTED_DOCUMENTS=${options.mode} needs the manifest TRUSTED_DOCUMENTS_MANIFEST=${options.manifestPath} (write it with \`npm run documents\`): ${(err as Error).message}`);
    }
    return TrustedDocuments.of(options.mode, parseManifest(text, options.manifestPath).operations);
  }

  /** Trusted documents from operations already read (tools, tests). */
  static of(mode: TrustedDocumentsMode, operations: readonly Pick<ManifestOperation, 'id' | 'body'>[]): TrustedDocuments {
    return new TrustedDocuments(mode, new Map(operations.map((op) => [op.id, op.body])));
  }

  /** How many operations the manifest lists. */
  get size(): number {
    return this.bodies.size;
  }

  /**
   * Apollo Server's `persistedQueries` option, given where APQ keeps registered queries:
   * unchanged when `off`; the manifest in front of that store under `allow`; the manifest
   * alone under `enforce`. Apollo Server prefixes the keys (`apq:<hash>`): the hash is their end.
   */
  persistedQueries(apq: ApqStore, ttlSeconds: number): PersistedQueryOptions {
    if (this.mode === 'off') return apq.kind === 'off' ? false : { cache: apq.kind === 'redis' ? apq.cache : undefined, ttl: ttlSeconds };
    const store: KeyValueCache<string> | undefined =
      this.mode === 'enforce' || apq.kind === 'off' ? undefined : apq.kind === 'redis' ? apq.cache : new InMemoryLRUCache<string>();
    const bodies = this.bodies;
    const idOf = (key: string) => key.slice(key.lastIndexOf(':') + 1);
    const cache: KeyValueCache<string> = {
      async get(key: string) {
        return bodies.get(idOf(key)) ?? (await store?.get(key));
      },
      // A manifest operation needs no registration; without a store (enforce, or APQ off), nothing is registered.
      async set(key: string, value: string, options?: KeyValueCacheSetOptions) {
        if (store && !bodies.has(idOf(key))) await store.set(key, value, options);
      },
      async delete(key: string) {
        return (await store?.delete(key)) ?? false;
      },
    };
    return { cache, ttl: ttlSeconds };
  }

  /** Refuses, under `enforce`, every HTTP operation that is not in the manifest; none otherwise. */
  plugins(): ApolloServerPlugin<GatewayContext>[] {
    if (this.mode !== 'enforce') return [];
    const bodies = this.bodies;
    return [
      {
        async requestDidStart() {
          return {
            // queryHash is the SHA-256 of the body Apollo Server resolved: from the manifest
            // (an id alone), or of the text sent (checked against its sha256Hash, if any).
            async didResolveOperation({ queryHash }) {
              if (!bodies.has(queryHash)) throw notTrusted(true);
            },
          };
        },
      },
    ];
  }

  /**
   * The subscription transports' check of an operation they received. An id alone (an empty
   * `query` and Apollo's `persistedQuery` extension) is filled in from the manifest —
   * `payload.query` is set to its body — when the mode is not `off`; under `enforce` a body
   * that is not in the manifest is refused. Returns the error to answer with, or nothing
   * when it may run.
   */
  admit(payload: SubscribePayload): GraphQLError | undefined {
    if (this.mode === 'off') return undefined;
    const hash = persistedQueryHash(payload.extensions);
    if (!payload.query && hash !== undefined) {
      const body = this.bodies.get(hash);
      if (body === undefined) return persistedQueryNotFound();
      payload.query = body;
      return undefined;
    }
    if (this.mode === 'enforce' && !this.bodies.has(documentId(payload.query))) return notTrusted(false);
    return undefined;
  }
}
