import type { Cursor } from '@mikro-orm/core';
import { toConnection } from './pagination';

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
