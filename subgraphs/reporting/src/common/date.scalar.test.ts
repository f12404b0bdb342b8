import { Kind } from 'graphql';
import { daysBetween, isDay, nextDay, previousDay, utcDay } from './dates';
import { DateScalar } from './date.scalar';

describe('the Date scalar', () => {
  it('accepts calendar days and refuses anything else', () => {
    expect(DateScalar.name).toBe('Date');
    expect(DateScalar.parseValue('2026-02-28')).toBe('2026-02-28');
    expect(DateScalar.parseLiteral({ kind: Kind.STRING, value: '2024-02-29' })).toBe('2024-02-29');
    for (const bad of ['2026-02-30', '2026-13-01', '26-01-01', '2026-01-01T00:00:00Z', 20260101]) {
      expect(() => DateScalar.parseValue(bad)).toThrow();
    }
  });
});

describe('UTC day arithmetic', () => {
  it('puts an instant on its UTC day whatever the offset it is written with', () => {
    expect(utcDay('2026-11-22T23:30:00-02:00')).toBe('2026-11-23');
    expect(utcDay(new Date('2026-11-22T00:00:00Z'))).toBe('2026-11-22');
  });

  it('walks days across months, years and leap days', () => {
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(previousDay('2026-03-01')).toBe('2026-02-28');
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(daysBetween('2026-01-02', '2026-01-01')).toEqual([]);
  });

  it('tells real days from look-alikes', () => {
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-1-1')).toBe(false);
    expect(isDay(undefined)).toBe(false);
  });
});
