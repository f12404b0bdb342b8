import { subscribe, waitFor, type TestSubscription } from '@atrium/kit/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PersistedQueryManifest } from '../../gateway/src/http/trusted-documents-manifest';
import { startSupergraph, type RunningSupergraph } from '../support/supergraph';

// Atrium's own trusted documents (documents/manifest.json, from documents/*.graphql) on the
// whole supergraph, as production runs it: TRUSTED_DOCUMENTS=enforce, clients sending ids.

const MANIFEST = path.join(__dirname, '..', '..', 'documents', 'manifest.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as PersistedQueryManifest;
const idOf = (name: string) => manifest.operations.find((op) => op.name === name)!.id;

let sg: RunningSupergraph;
const subs: TestSubscription[] = [];

beforeAll(async () => {
  sg = await startSupergraph({ TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_MANIFEST: MANIFEST });
});
afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await sg?.close();
});

/** Sends a manifest operation by its id alone, as Apollo Client's persisted-queries link does. */
async function byId(name: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(sg.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: idOf(name) } } }),
  });
  return { status: res.status, ...((await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] }) };
}

describe("the member app's trusted documents under enforce", () => {
  it('registers, reads me and searches workspaces by id alone, and refuses an operation of its own making', async () => {
    const registered = await byId('Register', { input: { email: 'trusted@atrium.test', password: 'correct-horse-battery', name: 'Tru Sted' } });
    expect(registered.errors).toBeUndefined();
    const token = registered.data.register.accessToken as string;
    const me = await byId('Me', {}, token);
    expect(me.data.me).toMatchObject({ name: 'Tru Sted', email: 'trusted@atrium.test', roles: ['MEMBER'], unreadNotificationCount: expect.any(Number) });
    const search = await byId('SearchWorkspaces', { first: 5 }, token);
    expect(search.errors).toBeUndefined();
    expect(search.data.workspaces.totalCount).toEqual(expect.any(Number));

    const adHoc = await fetch(sg.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id email } }' }),
    });
    expect(adHoc.status).toBe(400);
    expect(((await adHoc.json()) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual(['OPERATION_NOT_TRUSTED']);
  });

  it('opens the manifest subscription sent by id over WebSocket', async () => {
    const registered = await byId('Register', { input: { email: 'watcher@atrium.test', password: 'correct-horse-battery', name: 'Wat Cher' } });
    const sub = subscribe(sg.url, '', {}, { token: registered.data.register.accessToken, extensions: { persistedQuery: { version: 1, sha256Hash: idOf('BookingUpdated') } } });
    subs.push(sub);
    await waitFor(async () => sg.gateway.hub.size === 1 || undefined);
    expect(sub.results).toEqual([]);
  });
});
