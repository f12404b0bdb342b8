import { createHash, randomBytes } from 'node:crypto';
import type { CardDetails, ChargeRequest, PaymentProvider, ProviderResult, RefundRequest } from './provider';

/**
 * The test cards of the simulated provider (documented in the API contract):
 *
 * | number             | charge                                                    |
 * |--------------------|-----------------------------------------------------------|
 * | 4242424242424242   | succeeds                                                  |
 * | 4000000000000002   | declined: "card declined"                                 |
 * | 4000000000000119   | fails transiently on a payment's first attempt, then succeeds |
 * | any other (Luhn-valid) | declined: "unsupported test card"                     |
 */
export const TEST_CARDS = {
  SUCCEEDS: '4242424242424242',
  DECLINED: '4000000000000002',
  TRANSIENT_ONCE: '4000000000000119',
} as const;

type Behaviour = 'ok' | 'decline' | 'transient' | 'unsupported';

const BEHAVIOURS: Record<string, Behaviour> = {
  [TEST_CARDS.SUCCEEDS]: 'ok',
  [TEST_CARDS.DECLINED]: 'decline',
  [TEST_CARDS.TRANSIENT_ONCE]: 'transient',
};

/** One call the provider received: what tests inspect ("refunded exactly once"). */
export interface SimulatedCall {
  op: 'charge' | 'refund';
  idempotencyKey: string;
  outcome: ProviderResult['outcome'];
}

/** Entries kept per map before the oldest are forgotten: a dev process must not grow without bound. */
const MEMORY = 10_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V) {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value as K);
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

/**
 * A provider without a network, behaving like a real one where Atrium can tell: card
 * references instead of cards, idempotency keys (a repeated key replays its result), and
 * a "transient" card whose first attempt fails. Its memory (idempotency keys, attempts) is
 * per process, as a real provider's would be per account: with several replicas, the
 * transient card may need one more attempt when the retry lands on another instance.
 */
export class SimulatedProvider implements PaymentProvider {
  readonly name = 'simulated';
  private readonly results = new Map<string, ProviderResult>();
  private readonly transientSeen = new Set<string>();
  private readonly log: SimulatedCall[] = [];

  /** The reference names the card's test behaviour and last four digits: nothing sensitive. */
  async saveCard(card: CardDetails): Promise<string> {
    const behaviour = BEHAVIOURS[card.number] ?? 'unsupported';
    return `simcard_${behaviour}_${card.number.slice(-4)}_${randomBytes(8).toString('hex')}`;
  }

  async charge(request: ChargeRequest): Promise<ProviderResult> {
    const replay = this.results.get(`charge:${request.idempotencyKey}`);
    if (replay) return this.note('charge', request.idempotencyKey, replay);
    const behaviour = /^simcard_(ok|decline|transient|unsupported)_/.exec(request.card)?.[1] as Behaviour | undefined;
    let result: ProviderResult;
    if (!behaviour) result = { outcome: 'declined', reason: 'unknown card reference' };
    else if (behaviour === 'decline') result = { outcome: 'declined', reason: 'card declined' };
    else if (behaviour === 'unsupported') result = { outcome: 'declined', reason: 'unsupported test card' };
    else if (behaviour === 'transient' && !this.transientSeen.has(request.idempotencyKey)) {
      this.transientSeen.add(request.idempotencyKey);
      if (this.transientSeen.size > MEMORY) this.transientSeen.delete(this.transientSeen.values().next().value as string);
      // Not remembered: the next attempt with the same key goes through.
      return this.note('charge', request.idempotencyKey, { outcome: 'transient', reason: 'issuer unavailable' });
    } else result = { outcome: 'succeeded', providerRef: `simch_${digest(request.idempotencyKey)}` };
    remember(this.results, `charge:${request.idempotencyKey}`, result);
    return this.note('charge', request.idempotencyKey, result);
  }

  async refund(request: RefundRequest): Promise<ProviderResult> {
    const key = `refund:${request.idempotencyKey}`;
    let result = this.results.get(key);
    if (!result) {
      result = request.providerRef.startsWith('simch_')
        ? { outcome: 'succeeded', providerRef: `simre_${digest(request.idempotencyKey)}` }
        : { outcome: 'declined', reason: 'unknown charge' };
      remember(this.results, key, result);
    }
    return this.note('refund', request.idempotencyKey, result);
  }

  /** The most recent calls (up to 1,000), oldest first. */
  calls(): readonly SimulatedCall[] {
    return this.log;
  }

  private note(op: SimulatedCall['op'], idempotencyKey: string, result: ProviderResult): ProviderResult {
    this.log.push({ op, idempotencyKey, outcome: result.outcome });
    if (this.log.length > 1_000) this.log.shift();
    return result;
  }
}
