import type { EntityManager } from '@atrium/kit/subgraph';
import { daysBetween } from '../common/dates';
import { DailyStatsService, MAX_DAYS } from './daily-stats.service';

// Counts the days `range` lists: listing 0001-01-01..9999-12-31 before refusing it took the
// event loop for seconds (issue 8, D4), which no assertion on time could catch reliably.
jest.mock('../common/dates', () => {
  const actual = jest.requireActual('../common/dates');
  return { ...actual, daysBetween: jest.fn(actual.daysBetween) };
});
const listed = jest.mocked(daysBetween);

/** An entity manager that must not be reached: a refused range costs no SQL. */
const noDatabase = new Proxy({} as EntityManager, {
  get: (_target, property) => {
    throw new Error(`the database was used (em.${String(property)}) for a refused range`);
  },
});

describe('DailyStatsService.range', () => {
  beforeEach(() => listed.mockClear());

  it('refuses a range longer than MAX_DAYS before listing a single day', async () => {
    const service = new DailyStatsService(noDatabase);
    await expect(service.range('0001-01-01', '9999-12-31')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
    await expect(service.range('2030-01-01', '2031-01-02')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
    await expect(service.range('2031-03-02', '2031-03-01')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
    expect(listed).not.toHaveBeenCalled();
  });

  it('lists the days of a range of MAX_DAYS or fewer, and only then reads the database', async () => {
    // No stand-in ORM: reaching the database is the proof that the range was accepted (the
    // days themselves are read from a real one in stats.int.test.ts).
    await expect(new DailyStatsService(noDatabase).range('2032-01-01', '2032-12-31')).rejects.toThrow(/the database was used/);
    expect(listed).toHaveBeenCalledTimes(1);
    expect(listed.mock.results[0].value).toHaveLength(MAX_DAYS);
  });
});
