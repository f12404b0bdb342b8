import { AppError } from '@atrium/kit';
import type { BookingRules } from '../config';
import { checkRange, priceFor } from './rules';

const rules: BookingRules = {
  holdTtlMs: 900_000,
  minMinutes: 15,
  maxMinutes: 14 * 24 * 60,
  maxAdvanceMs: 365 * 86_400_000,
  availabilityMaxMs: 31 * 86_400_000,
};
const now = new Date('2030-01-01T09:00:30Z');
const at = (iso: string) => new Date(iso);

/** The field a BAD_USER_INPUT error names, or the error itself when it is something else. */
function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError && err.extensions.code === 'BAD_USER_INPUT') return err.extensions.field;
    throw err;
  }
  return 'no error';
}

describe('checkRange', () => {
  it('accepts a future range on whole minutes and returns its length in minutes', () => {
    expect(checkRange(at('2030-01-01T10:00:00Z'), at('2030-01-01T11:30:00Z'), now, rules)).toBe(90);
  });

  it('names input.startsAt or input.endsAt for a range off whole minutes', () => {
    expect(fieldOf(() => checkRange(at('2030-01-01T10:00:01Z'), at('2030-01-01T11:00:00Z'), now, rules))).toBe('input.startsAt');
    expect(fieldOf(() => checkRange(at('2030-01-01T10:00:00Z'), at('2030-01-01T11:00:00.500Z'), now, rules))).toBe('input.endsAt');
  });

  it('names input.endsAt when the range is empty or reversed', () => {
    expect(fieldOf(() => checkRange(at('2030-01-01T10:00:00Z'), at('2030-01-01T10:00:00Z'), now, rules))).toBe('input.endsAt');
    expect(fieldOf(() => checkRange(at('2030-01-01T11:00:00Z'), at('2030-01-01T10:00:00Z'), now, rules))).toBe('input.endsAt');
  });

  it('names input.startsAt when the booking starts now or in the past, or too far ahead', () => {
    expect(fieldOf(() => checkRange(at('2030-01-01T09:00:00Z'), at('2030-01-01T10:00:00Z'), now, rules))).toBe('input.startsAt');
    expect(fieldOf(() => checkRange(at('2031-01-02T10:00:00Z'), at('2031-01-02T11:00:00Z'), now, rules))).toBe('input.startsAt');
  });

  it('enforces the shortest and longest durations on input.endsAt, bounds included', () => {
    expect(fieldOf(() => checkRange(at('2030-01-01T10:00:00Z'), at('2030-01-01T10:14:00Z'), now, rules))).toBe('input.endsAt');
    expect(checkRange(at('2030-01-01T10:00:00Z'), at('2030-01-01T10:15:00Z'), now, rules)).toBe(15);
    expect(checkRange(at('2030-01-01T10:00:00Z'), at('2030-01-15T10:00:00Z'), now, rules)).toBe(14 * 24 * 60);
    expect(fieldOf(() => checkRange(at('2030-01-01T10:00:00Z'), at('2030-01-15T10:01:00Z'), now, rules))).toBe('input.endsAt');
  });
});

describe('priceFor', () => {
  it('prorates the hourly rate per minute', () => {
    expect(priceFor(1200, 60)).toBe(1200);
    expect(priceFor(1200, 90)).toBe(1800);
    expect(priceFor(1200, 15)).toBe(300);
  });

  it('rounds to the nearest minor unit, halves up', () => {
    expect(priceFor(1000, 20)).toBe(333); // 333.33…
    expect(priceFor(1000, 40)).toBe(667); // 666.66…
    expect(priceFor(1, 30)).toBe(1); // 0.5
    expect(priceFor(1, 29)).toBe(0); // 0.48…
  });

  it('refuses a price that does not fit a GraphQL Int', () => {
    expect(fieldOf(() => priceFor(2_000_000_000, 14 * 24 * 60))).toBe('input.endsAt');
  });
});
