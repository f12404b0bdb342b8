import { copyJson } from './data-source';

describe('copyJson (each sharer of a deduplicated fetch gets its own answer)', () => {
  it('copies a parsed JSON tree deeply: changing the copy leaves the original as it was', () => {
    const original = JSON.parse('{"users":{"edges":[{"node":{"id":"1","roles":["MEMBER"],"email":null}}],"count":1,"ok":true}}');
    const copy = copyJson(original) as typeof original;
    expect(copy).toEqual(original);
    copy.users.edges[0].node.roles.push('ADMIN');
    copy.users.edges[0].node.name = 'changed';
    copy.users.count = 2;
    expect(original).toEqual(JSON.parse('{"users":{"edges":[{"node":{"id":"1","roles":["MEMBER"],"email":null}}],"count":1,"ok":true}}'));
    expect(copy.users.edges[0]).not.toBe(original.users.edges[0]);
  });

  it('keeps a "__proto__" key of the answer as data, never as the copy\'s prototype', () => {
    const original = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}');
    const copy = copyJson(original) as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
    expect((copy.a as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(copy.a)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });

  it('returns scalars and null as they are', () => {
    expect(copyJson(null)).toBeNull();
    expect(copyJson('x')).toBe('x');
    expect(copyJson(3)).toBe(3);
    expect(copyJson([1, [2, { c: [3] }]])).toEqual([1, [2, { c: [3] }]]);
  });
});
