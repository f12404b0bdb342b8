import { Client } from 'pg';
import { waitFor } from '@atrium/kit/testing';
import { must } from './client';
import { ADMIN } from './environment';

export interface Session {
  userId: string;
  accessToken: string;
}

/** Who the workload acts as, and what it books. */
export interface Cast {
  admin: Session;
  manager: Session;
  members: Session[];
  workspaceIds: string[];
}

const PASSWORD = 'correct-horse-battery';
const AUTH = 'accessToken user { id }';

const session = (payload: { accessToken: string; user: { id: string } }): Session => ({ userId: payload.user.id, accessToken: payload.accessToken });

async function login(url: string, email: string, password = PASSWORD): Promise<Session> {
  const data = await must(url, `mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`, { input: { email, password } });
  return session(data.login);
}

async function register(url: string, email: string, name: string): Promise<Session> {
  const data = await must(url, `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`, { input: { email, password: PASSWORD, name } });
  return session(data.register);
}

/**
 * Sets the scene through the gateway, as people would: the admin promotes a manager, who
 * creates a location and `workspaces` workspaces; `members` members register. Returns once
 * booking has heard of every workspace (from catalog's events), so the first booking of the
 * workload cannot fail for a reason that has nothing to do with the fault.
 */
export async function castOf(url: string, bookingDatabaseUrl: string, { members = 4, workspaces = 3 } = {}): Promise<Cast> {
  const admin = await login(url, ADMIN.email, ADMIN.password);
  const { userId: managerId } = await register(url, 'manager@atrium.fault', 'Mo Manager');
  await must(url, `mutation($id: ID!) { setUserRoles(userId: $id, roles: [MANAGER]) { id } }`, { id: managerId }, admin.accessToken);
  // A new token carries the new role's scopes.
  const manager = await login(url, 'manager@atrium.fault');
  const people = await Promise.all(Array.from({ length: members }, (_, i) => register(url, `member${i + 1}@atrium.fault`, `Member ${i + 1}`)));

  const { createLocation } = await must(
    url,
    `mutation { createLocation(input: { name: "Fault Lines", city: "Lisbon", address: "1 Rua Augusta", timezone: "Europe/Lisbon" }) { id } }`,
    {},
    manager.accessToken,
  );
  const workspaceIds: string[] = [];
  for (let i = 1; i <= workspaces; i++) {
    const { createWorkspace } = await must(
      url,
      `mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`,
      { input: { locationId: createLocation.id, name: `Room ${i}`, kind: 'MEETING_ROOM', capacity: 6, hourlyRate: { amount: 1500, currency: 'EUR' } } },
      manager.accessToken,
    );
    workspaceIds.push(createWorkspace.id);
  }
  await waitFor(() => knownWorkspaces(bookingDatabaseUrl, workspaceIds).then((n) => n === workspaceIds.length), {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: 'booking to hear of every workspace',
  });
  return { admin, manager, members: people, workspaceIds };
}

async function knownWorkspaces(url: string, ids: string[]): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from workspace_replica where id = any($1::uuid[])', [ids]);
    return rows[0].n;
  } finally {
    await client.end();
  }
}
