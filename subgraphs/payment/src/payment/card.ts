import { AppError, ErrorCode } from '@atrium/kit';
import type { CardDetails } from '../provider';

/** The card fields as a client sends them (`input.card`). */
export interface CardFields {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/** The Luhn checksum every card number carries. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Checks card fields before anything else happens, naming every bad field
 * (`input.card.number`, …). Spaces and dashes in the number are allowed; a two-digit
 * year means 20xx; a card is valid through the last day of its expiry month (UTC).
 * Messages never repeat the number or the CVC.
 */
export function validateCard(card: CardFields, now = new Date(), prefix = 'input.card'): CardDetails {
  const problems: { field: string; message: string }[] = [];
  const number = card.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number)) problems.push({ field: `${prefix}.number`, message: 'must be 12 to 19 digits' });
  else if (!passesLuhn(number)) problems.push({ field: `${prefix}.number`, message: 'is not a valid card number' });

  const expYear = card.expYear >= 0 && card.expYear < 100 ? 2000 + card.expYear : card.expYear;
  const thisYear = now.getUTCFullYear();
  const thisMonth = now.getUTCMonth() + 1;
  const monthOk = Number.isInteger(card.expMonth) && card.expMonth >= 1 && card.expMonth <= 12;
  if (!monthOk) problems.push({ field: `${prefix}.expMonth`, message: 'must be 1 to 12' });
  if (!Number.isInteger(expYear) || expYear < thisYear) problems.push({ field: `${prefix}.expYear`, message: 'card has expired' });
  else if (expYear > thisYear + 20) problems.push({ field: `${prefix}.expYear`, message: 'is too far in the future' });
  else if (monthOk && expYear === thisYear && card.expMonth < thisMonth) {
    problems.push({ field: `${prefix}.expMonth`, message: 'card has expired' });
  }

  if (!/^\d{3,4}$/.test(card.cvc)) problems.push({ field: `${prefix}.cvc`, message: 'must be 3 or 4 digits' });

  if (problems.length) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
      field: problems[0].field,
      fields: problems,
    });
  }
  return { number, expMonth: card.expMonth, expYear, cvc: card.cvc };
}
