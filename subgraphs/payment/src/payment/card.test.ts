import { validateCard, passesLuhn } from './card';

const now = new Date('2026-11-22T12:00:00Z');
const valid = { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' };

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    return ((err as { extensions: { fields: { field: string }[] } }).extensions.fields ?? []).map((f) => f.field);
  }
  throw new Error('expected a BAD_USER_INPUT error');
};

describe('card validation', () => {
  it('computes the Luhn checksum of the documented test cards', () => {
    expect(passesLuhn('4242424242424242')).toBe(true);
    expect(passesLuhn('4000000000000002')).toBe(true);
    expect(passesLuhn('4000000000000119')).toBe(true);
    expect(passesLuhn('4242424242424241')).toBe(false);
  });

  it('accepts spaces and dashes in the number and a two-digit year', () => {
    expect(validateCard({ ...valid, number: '4242-4242-4242-4242', expYear: 30 }, now)).toEqual({
      number: '4242424242424242',
      expMonth: 12,
      expYear: 2030,
      cvc: '123',
    });
  });

  it('treats a card as valid through the end of its expiry month', () => {
    expect(validateCard({ ...valid, expMonth: 11, expYear: 2026 }, now).expMonth).toBe(11);
    expect(fieldsOf(() => validateCard({ ...valid, expMonth: 10, expYear: 2026 }, now))).toEqual(['input.card.expMonth']);
    expect(fieldsOf(() => validateCard({ ...valid, expYear: 2025 }, now))).toEqual(['input.card.expYear']);
  });

  it('names every bad field at once, with BAD_USER_INPUT', () => {
    let error: any;
    try {
      validateCard({ number: '4242424242424241', expMonth: 13, expYear: 2020, cvc: '12' }, now);
    } catch (err) {
      error = err;
    }
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('input.card.number');
    expect(error.extensions.fields.map((f: { field: string }) => f.field)).toEqual([
      'input.card.number',
      'input.card.expMonth',
      'input.card.expYear',
      'input.card.cvc',
    ]);
  });

  it('rejects numbers that are not 12 to 19 digits and CVCs that are not 3 or 4 digits', () => {
    expect(fieldsOf(() => validateCard({ ...valid, number: '4242abcd42424242' }, now))).toEqual(['input.card.number']);
    expect(fieldsOf(() => validateCard({ ...valid, number: '42424' }, now))).toEqual(['input.card.number']);
    expect(fieldsOf(() => validateCard({ ...valid, cvc: '12345' }, now))).toEqual(['input.card.cvc']);
    expect(validateCard({ ...valid, cvc: '1234' }, now).cvc).toBe('1234');
  });

  it('never repeats the card number or the CVC in its message', () => {
    expect.assertions(4);
    try {
      validateCard({ number: '4242424242424241', expMonth: 1, expYear: 2020, cvc: '98' }, now);
    } catch (err) {
      const text = JSON.stringify({ message: (err as Error).message, extensions: (err as { extensions: unknown }).extensions });
      expect(text).toContain('input.card.cvc');
      expect(text).not.toContain('4242424242424241');
      expect(text).not.toContain('4241');
      expect(text).not.toContain('98');
    }
  });
});
