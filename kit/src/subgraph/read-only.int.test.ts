import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Reference, type Ref } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, testLogger, type TestDatabase } from '../testing';
import { countStatements, openDatabase } from './db';
import { findPage } from './pagination';
import { findReadOnly, UnselectedProperty } from './read-only';

// findReadOnly answers from a statement cached per shape of the find: these tests hold its
// answers and its SQL to what MikroORM's own em.find gives, shape by shape, and check that
// a second find of a shape builds nothing (the driver's `find` is not called again).

@Entity({ tableName: 'ro_shelf' })
class Shelf {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  city!: string;
}

@Entity({ tableName: 'ro_book' })
class Book {
  [OptionalProps]?: 'id' | 'tags' | 'active' | 'createdAt' | 'label';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Shelf, { ref: true, fieldName: 'shelf_id' })
  shelf!: Ref<Shelf>;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'integer' })
  pages!: number;

  @Property({ type: 'text[]' })
  tags: string[] = [];

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  get label(): string {
    return `${this.title} (${this.pages})`;
  }
}

let db: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  db = await createTestDatabase('read_only');
  orm = await openDatabase({ url: db.url, entities: [Shelf, Book], migrations: [], log: testLogger('db'), migrate: false });
  await orm.schema.createSchema();
  const em = orm.em.fork();
  const shelves = ['Paris', 'Lyon', 'Nice'].map((city) => em.create(Shelf, { city }));
  for (let i = 0; i < 30; i++) {
    em.create(Book, {
      shelf: shelves[i % 3],
      title: `Book ${String(i).padStart(2, '0')}${i % 4 === 0 ? ' of maps' : ''}`,
      pages: 100 + i * 10,
      tags: i % 2 ? ['odd'] : ['even', 'round'],
      active: i % 5 !== 0,
      createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
    });
  }
  await em.flush();
});

afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

type Where = Parameters<typeof findReadOnly<Book>>[2];
type Options = Parameters<typeof findReadOnly<Book>>[3];

/** The SQL a find sends, and what it answers (ids in order, and each row's plain fields). */
async function observe(find: () => Promise<Book[]>) {
  const counter = countStatements(orm);
  try {
    const books = await find();
    return { statements: [...counter.statements], rows: books.map((b) => ({ id: b.id, title: b.title, pages: b.pages, tags: b.tags, active: b.active, createdAt: b.createdAt.toISOString(), shelf: b.shelf.id })) };
  } finally {
    counter.stop();
  }
}

const viaOrm = (where: Where, options: Options) => observe(() => orm.em.fork().find(Book, where, options as never));
const viaReadOnly = (where: Where, options: Options) => observe(() => findReadOnly(orm.em.fork(), Book, where, options));

/** How often the driver's `find` (building SQL) runs during `work`. */
async function driverFinds(work: () => Promise<unknown>): Promise<number> {
  const spy = jest.spyOn(orm.em.getDriver(), 'find');
  try {
    await work();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

// Each case: a shape, seen first with one set of values, then again with others.
const shapes: { name: string; first: [Where, Options]; again: [Where, Options] }[] = [
  { name: 'equality and order', first: [{ active: true }, { orderBy: { title: 'asc', id: 'asc' } }], again: [{ active: true }, { orderBy: { title: 'asc', id: 'asc' } }] },
  { name: 'comparisons', first: [{ pages: { $gte: 150 }, title: { $ilike: '%map%' } }, { orderBy: { pages: 'desc' } }], again: [{ pages: { $gte: 300 }, title: { $ilike: '%book 2%' } }, { orderBy: { pages: 'desc' } }] },
  {
    name: 'an $or of two texts',
    first: [{ $or: [{ title: { $ilike: '%01%' } }, { title: { $ilike: '%maps%' } }] }, { orderBy: { title: 'asc' } }],
    again: [{ $or: [{ title: { $ilike: '%2%' } }, { title: { $ilike: '%nothing%' } }] }, { orderBy: { title: 'asc' } }],
  },
  { name: 'a relation\'s column (a join)', first: [{ shelf: { city: 'Paris' } }, { orderBy: { title: 'asc' } }], again: [{ shelf: { city: 'Nice' } }, { orderBy: { title: 'asc' } }] },
  { name: 'one row by a column, limit 1', first: [{ title: 'Book 01' }, { limit: 1 }], again: [{ title: 'Book 07' }, { limit: 1 }] },
  { name: 'a list of ids', first: [{ title: { $in: ['Book 01', 'Book 02'] } }, { orderBy: { title: 'asc' } }], again: [{ title: { $in: ['Book 05', 'Book 09'] } }, { orderBy: { title: 'asc' } }] },
  { name: 'a page', first: [{ pages: { $gte: 100 } }, { first: 5, orderBy: { title: 'asc', id: 'asc' } }], again: [{ pages: { $gte: 250 } }, { first: 5, orderBy: { title: 'asc', id: 'asc' } }] },
];

describe('findReadOnly', () => {
  it.each(shapes)('answers $name as em.find does, with its SQL, and builds the statement of a shape once', async ({ first, again }) => {
    expect(await viaReadOnly(...first)).toEqual(await viaOrm(...first));
    let second!: Awaited<ReturnType<typeof viaReadOnly>>;
    expect(await driverFinds(async () => (second = await viaReadOnly(...again)))).toBe(0);
    expect(second).toEqual(await viaOrm(...again));
    expect(second.rows.length).toBeGreaterThan(0);
  });

  it('pages on with a cursor: every page as em.find gives it, the second cursor\'s page from the cached statement', async () => {
    const em = orm.em.fork();
    const seen: string[] = [];
    let after: string | undefined;
    let builds = 0;
    for (let page = 0; page < 4; page++) {
      const current = after;
      let connection!: Awaited<ReturnType<typeof findPage<Book>>>;
      const finds = await driverFinds(async () => (connection = await findPage(em, Book, { active: true }, { first: 7, after: current, orderBy: { title: 'asc', id: 'asc' }, readOnly: true })));
      if (page >= 2) builds += finds;
      const expected = await orm.em.fork().find(Book, { active: true }, { orderBy: { title: 'asc', id: 'asc' }, limit: 7, offset: page * 7 });
      expect(connection.edges.map((e) => e.node.id)).toEqual(expected.map((b) => b.id));
      seen.push(...connection.edges.map((e) => e.node.id));
      after = connection.pageInfo.endCursor ?? undefined;
    }
    expect(builds).toBe(0);
    expect(new Set(seen).size).toBe(24);
  });

  it('gives objects of the entity\'s class, unmanaged: getters work, the many-to-one is a reference, nothing enters the identity map', async () => {
    const em = orm.em.fork();
    const [book] = await findReadOnly(em, Book, { title: 'Book 03' }, {});
    expect(book).toBeInstanceOf(Book);
    expect(book.label).toBe('Book 03 (130)');
    expect(Reference.isReference(book.shelf)).toBe(true);
    expect((await book.shelf.loadOrFail()).city).toBe('Paris');
    expect(em.getUnitOfWork().getById(Book.name, book.id)).toBeUndefined();
  });

  it('takes the ordinary path for values MikroORM converts (a Date, an array column\'s value), with the same answers', async () => {
    const cases: [Where, Options][] = [
      [{ createdAt: { $gte: new Date(Date.UTC(2026, 0, 20)) } }, { orderBy: { createdAt: 'asc' } }],
      [{ tags: { $contains: ['round'] } }, { orderBy: { title: 'asc' } }],
    ];
    for (const [where, options] of cases) {
      let answer!: Awaited<ReturnType<typeof viaReadOnly>>;
      // Seen a second time: the shape is known to be uncacheable, the driver builds its SQL again.
      await viaReadOnly(where, options);
      expect(await driverFinds(async () => (answer = await viaReadOnly(where, options)))).toBe(1);
      expect(answer).toEqual(await viaOrm(where, options));
      expect(answer.rows.length).toBeGreaterThan(0);
    }
  });

  it('takes the ordinary path under a filter of the entity manager\'s own (its condition may change per request)', async () => {
    const where: Where = { pages: { $gte: 100 } };
    await viaReadOnly(where, { orderBy: { title: 'asc' } }); // the shape is cached
    const em = orm.em.fork();
    em.addFilter('short', { pages: { $lt: 150 } }, Book);
    let books!: Book[];
    expect(await driverFinds(async () => (books = await findReadOnly(em, Book, where, { orderBy: { title: 'asc' } })))).toBe(1);
    expect(books.map((b) => b.pages)).toEqual([100, 110, 120, 130, 140]);
  });

  it('keeps values apart from the SQL: a quote or a backslash in a value is a value', async () => {
    const where: Where = { title: { $ilike: "%' or 1=1 --\\%" } };
    await viaReadOnly({ title: { $ilike: '%maps%' } }, { orderBy: { title: 'asc' } });
    const answer = await viaReadOnly(where, { orderBy: { title: 'asc' } });
    expect(answer).toEqual(await viaOrm(where, { orderBy: { title: 'asc' } }));
    expect(answer.rows).toEqual([]);
  });
});

describe('findPage with the fields an answer reads', () => {
  const page = (fields?: string[], after?: string) => findPage(orm.em.fork(), Book, { active: true }, { first: 4, after, orderBy: { title: 'asc', id: 'asc' }, readOnly: true, fields });

  it('selects only those columns, the key and the order\'s, from a statement cached for that set', async () => {
    await page(['pages']);
    const counter = countStatements(orm);
    let partial!: Awaited<ReturnType<typeof page>>;
    try {
      expect(await driverFinds(async () => (partial = await page(['pages'])))).toBe(0);
    } finally {
      counter.stop();
    }
    expect(counter.statements).toHaveLength(1);
    expect(counter.statements[0]).toMatch(/^select "b0"\."id", "b0"\."pages", "b0"\."title" from "ro_book" as "b0" /);
    const whole = await page();
    expect(partial.edges.map((e) => [e.node.id, e.node.title, e.node.pages, e.cursor])).toEqual(whole.edges.map((e) => [e.node.id, e.node.title, e.node.pages, e.cursor]));
    expect(partial.pageInfo).toEqual(whole.pageInfo);
  });

  it('pages on with the cursor of a partial page', async () => {
    const first = await page(['pages']);
    const second = await page(['pages'], first.pageInfo.endCursor!);
    const wholeSecond = await page(undefined, (await page()).pageInfo.endCursor!);
    expect(second.edges.map((e) => e.node.id)).toEqual(wholeSecond.edges.map((e) => e.node.id));
  });

  it('makes a row throw when a property it was not read with is read (never a silent undefined)', async () => {
    const [book] = (await page(['pages'])).edges.map((e) => e.node);
    expect(book).toBeInstanceOf(Book);
    expect(() => book.tags).toThrow(UnselectedProperty);
    expect(() => book.createdAt).toThrow(/Book\.createdAt was not read/);
    expect(() => book.shelf).toThrow(UnselectedProperty);
    // A many-to-one that is selected is the reference em.find gives.
    const [withShelf] = (await page(['shelf'])).edges.map((e) => e.node);
    expect(Reference.isReference(withShelf.shelf)).toBe(true);
  });

  it('reads every column when a field is no column property (a getter, a field resolver not declared)', async () => {
    const counter = countStatements(orm);
    let books!: Book[];
    try {
      books = (await page(['label'])).edges.map((e) => e.node);
    } finally {
      counter.stop();
    }
    expect(counter.statements[0]).toMatch(/^select "b0"\.\* from "ro_book"/);
    expect(books[0].label).toMatch(/^Book \d+/);
    expect(books[0].tags.length).toBeGreaterThan(0);
  });
});
