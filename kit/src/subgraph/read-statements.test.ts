import { Cursor } from '@mikro-orm/core';
import { shapeOf } from './read-statements';

// A shape is what a cached statement is keyed by: everything of a find but its strings and
// numbers, which become the statement's slots.
describe('shapeOf', () => {
  const page = { orderBy: { name: 'asc', id: 'asc' }, first: 20, overfetch: true };

  it('is the same for the same find with other strings and numbers, whose values are its slots in order', () => {
    const a = shapeOf({ kind: 'DESK', capacity: { $gte: 4 } }, page)!;
    const b = shapeOf({ kind: 'HOTEL_ROOM', capacity: { $gte: 12 } }, page)!;
    expect(a.key).toBe(b.key);
    expect(a.values).toEqual(['DESK', 4]);
    expect(b.values).toEqual(['HOTEL_ROOM', 12]);
  });

  it('differs when anything but a slot differs: a boolean, a null, the keys or their order, a list\'s length, the order by, the page size', () => {
    const key = (where: unknown, options: Parameters<typeof shapeOf>[1] = page) => shapeOf(where, options)!.key;
    const base = key({ active: true, kind: 'DESK' });
    expect(key({ active: false, kind: 'DESK' })).not.toBe(base);
    expect(key({ active: true, kind: null })).not.toBe(base);
    expect(key({ kind: 'DESK', active: true })).not.toBe(base);
    expect(key({ active: true, name: 'DESK' })).not.toBe(base);
    expect(key({ id: { $in: ['a'] } })).not.toBe(key({ id: { $in: ['a', 'b'] } }));
    expect(key({ active: true, kind: 'DESK' }, { ...page, orderBy: { name: 'desc', id: 'asc' } })).not.toBe(base);
    expect(key({ active: true, kind: 'DESK' }, { ...page, first: 50 })).not.toBe(base);
    expect(key({ active: true, kind: 'DESK' }, { ...page, limit: 1 })).not.toBe(base);
  });

  it('takes a cursor\'s values as slots after the where\'s', () => {
    const shape = shapeOf({ kind: 'DESK' }, { ...page, after: Cursor.encode(['Desk 7', 'b0f0']) })!;
    expect(shape.values).toEqual(['DESK', 'Desk 7', 'b0f0']);
    expect(shape.key).toBe(shapeOf({ kind: 'ROOM' }, { ...page, after: Cursor.encode(['Room 1', 'c1c1']) })!.key);
    expect(shape.key).not.toBe(shapeOf({ kind: 'DESK' }, page)!.key);
  });

  it('has none for values MikroORM converts or options it does not know: a Date, an instance, a cursor of timestamps, populate', () => {
    expect(shapeOf({ createdAt: { $gte: new Date() } }, page)).toBeUndefined();
    expect(shapeOf({ location: new (class Location {})() }, page)).toBeUndefined();
    expect(shapeOf({}, { ...page, after: Cursor.encode(['2026-12-04T10:00:00.000Z', 'id']) })).toBeUndefined();
    expect(shapeOf({}, { ...page, populate: ['location'] } as never)).toBeUndefined();
    expect(shapeOf({ capacity: Number.NaN }, page)).toBeUndefined();
  });
});
