import type { Cursor } from '@mikro-orm/core';
import { checkCursorFor, toConnection } from './pagination';

const page = (items: { id: string }[]) =>
  ({ items, hasNextPage: false, endCursor: null, totalCount: undefined, from: (n: { id: string }) => `c-${n.id}` }) as unknown as Cursor<{ id: string }>;

describe('toConnection', () => {
  it('counts only when totalCount is read, and once', async () => {
    let counts = 0;
    const connection = toConnection(page([{ id: 'a' }]), async () => ++counts * 10);
    expect(connection.edges).toEqual([{ cursor: 'c-a', node: { id: 'a' } }]);
    expect(counts).toBe(0);
    expect(await connection.totalCount).toBe(10);
    expect(await connection.totalCount).toBe(10);
    expect(counts).toBe(1);
  });

  it('falls back to the page size without a count', () => {
    expect(toConnection(page([{ id: 'a' }, { id: 'b' }])).totalCount).toBe(2);
  });
});

describe('checkCursorFor', () => {
  const encode = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
  // Columns as MikroORM describes them: workspaces by (name, id), users by (createdAt, id).
  const name = { runtimeType: 'string', type: 'string', columnTypes: ['varchar(255)'] };
  const createdAt = { runtimeType: 'Date', type: 'datetime', columnTypes: ['timestamptz'] };
  const id = { runtimeType: 'string', type: 'uuid', columnTypes: ['uuid'] };
  const uuid = '2f1c7a7e-2b55-4a38-9a37-5d0f3f7b3c11';
  const workspacesCursor = encode(['Desk 1', uuid]);
  const usersCursor = encode(['2026-11-22T09:00:00.000Z', uuid]);
  const refused = (after: string, columns: unknown[]) => {
    try {
      checkCursorFor(after, columns as never);
      return undefined;
    } catch (err) {
      return (err as { extensions: unknown }).extensions;
    }
  };

  it("accepts a cursor of the list's own columns", () => {
    expect(refused(workspacesCursor, [name, id])).toBeUndefined();
    expect(refused(usersCursor, [createdAt, id])).toBeUndefined();
  });

  it('refuses, as BAD_USER_INPUT on `after`, a cursor of another list and a forged or malformed one', () => {
    const badInput = { code: 'BAD_USER_INPUT', field: 'after' };
    expect(refused(usersCursor, [name, id])).toEqual(badInput); // a timestamp where a name belongs
    expect(refused(workspacesCursor, [createdAt, id])).toEqual(badInput); // a name where a timestamp belongs
    expect(refused(encode([1, 2]), [name, id])).toEqual(badInput);
    expect(refused(encode(['Desk 1', 'not-a-uuid']), [name, id])).toEqual(badInput);
    expect(refused(encode(['Desk 1']), [name, id])).toEqual(badInput);
    expect(refused(encode(['Desk 1', uuid, 'extra']), [name, id])).toEqual(badInput);
    expect(refused('not base64 json', [name, id])).toEqual(badInput);
    expect(refused(encode([{ $gt: '' }, uuid]), [name, id])).toEqual(badInput);
  });
});
