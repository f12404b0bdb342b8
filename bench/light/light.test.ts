import { printSubgraphSchema } from '@apollo/subgraph';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSupergraphConfig } from '../../kit/src/supergraph-config';
import { QUERY_SPECS } from '../queries';
import { lightData, lightId } from './data';
import { createLightSubgraph } from './light-subgraph';
import { connection, subjectOf } from './resolvers';

const root = path.resolve(__dirname, '..', '..');
const entries = loadSupergraphConfig(path.join(root, 'supergraph.yaml'));
const light = (name: string) => createLightSubgraph({ name, sdl: readFileSync(entries.find((e) => e.name === name)!.schemaFile, 'utf8') });
/** A token-shaped string whose payload names `sub` (light subgraphs read it without verifying). */
const bearer = (sub: string) => `Bearer e30.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.sig`;
const data = lightData();
const facts = { memberId: data.memberId, memberToken: '', adminToken: '' };

describe('lightData', () => {
  it('has the seed\'s shape: 22 users, 20 workspaces in 3 locations, 50 paid bookings of the first member', () => {
    expect(data.users).toHaveLength(22);
    expect(data.locations).toHaveLength(3);
    expect(data.workspaces).toHaveLength(20);
    expect(data.bookings).toHaveLength(50);
    expect(data.bookings.every((b) => b.userId === data.memberId && b.status === 'CONFIRMED')).toBe(true);
    expect(new Set(data.payments.map((p) => p.bookingId)).size).toBe(50);
    expect(new Set([...data.users, ...data.workspaces, ...data.bookings].map((x) => x.id)).size).toBe(92);
  });
  it('is the same on every call, so every light process agrees on ids', () => {
    expect(lightData()).toEqual(data);
    expect(lightId('user', 2)).toBe(data.memberId);
  });
});

describe('light subgraphs', () => {
  it.each(entries.map((e) => e.name))('%s serves exactly the SDL of its schema file', (name) => {
    const file = readFileSync(entries.find((e) => e.name === name)!.schemaFile, 'utf8');
    expect(printSubgraphSchema(light(name).schema).trim()).toBe(file.replace(/^#.*\n/, '').trim());
  });
  it.each(['single', 'nested', 'auth'] as const)('answers the direct query of %s as the benchmark checks it', async (query) => {
    const op = QUERY_SPECS[query].direct;
    const text = await light(op.subgraph).answer(JSON.stringify({ query: op.query, variables: op.variables?.(facts) ?? {} }), bearer(data.adminId));
    const result = JSON.parse(text);
    expect(result.errors).toBeUndefined();
    expect(op.check(result.data)).toBeNull();
  });
  it('answers `me` for the token\'s subject, and remembers each answer per caller', async () => {
    const identity = light('identity');
    const body = JSON.stringify({ query: '{ me { id name } }' });
    const first = await identity.answer(body, bearer(data.memberId));
    expect(JSON.parse(first).data.me).toEqual({ id: data.memberId, name: 'Bench Member 0' });
    expect(await identity.answer(body, bearer(data.memberId))).toBe(first);
    expect(JSON.parse(await identity.answer(body, bearer(data.adminId))).data.me.id).toBe(data.adminId);
    expect(JSON.parse(await identity.answer(body, undefined)).data.me).toBeNull();
  });
  it('resolves the entities a gateway asks for query (b): workspaces with their city, users, payments', async () => {
    const [booking] = data.bookings;
    const catalog = JSON.parse(
      await light('catalog').answer(JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Workspace { name location { city } } } }', variables: { r: [{ __typename: 'Workspace', id: booking.workspaceId }] } }), undefined),
    );
    expect(catalog.data._entities[0].location.city).toEqual(expect.any(String));
    const payment = JSON.parse(
      await light('payment').answer(JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Booking { payment { status } } } }', variables: { r: [{ __typename: 'Booking', id: booking.id }] } }), undefined),
    );
    expect(payment.data._entities[0].payment.status).toBe('SUCCEEDED');
  });
  it('answers errors, not exceptions, for bodies that are not GraphQL', async () => {
    expect(JSON.parse(await light('catalog').answer('nope', undefined)).errors[0].message).toMatch(/not JSON/);
    expect(JSON.parse(await light('catalog').answer('{"query":"{ nope }"}', undefined)).errors[0].message).toMatch(/nope/);
  });
});

describe('helpers', () => {
  it('reads the subject of a bearer token, or nothing', () => {
    expect(subjectOf(bearer('u1'))).toBe('u1');
    expect(subjectOf('Bearer garbage')).toBeUndefined();
    expect(subjectOf(undefined)).toBeUndefined();
  });
  it('pages a list as a cursor connection', () => {
    const page = connection([1, 2, 3], 2);
    expect(page.edges.map((e) => e.node)).toEqual([1, 2]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(connection([1, 2, 3], 2, page.pageInfo.endCursor).edges.map((e) => e.node)).toEqual([3]);
    expect(page.totalCount).toBe(3);
  });
});
