/**
 * The boundary between Atrium and whoever moves the money. Atrium hands card details to
 * the provider once (`saveCard`) and from then on only holds the provider's reference to
 * the card, the last four digits and the references of charges and refunds: no full card
 * number or CVC is ever stored, queued or logged, and a retried charge needs no card.
 */
export interface PaymentProvider {
  readonly name: string;
  /**
   * Gives the card to the provider and returns its reference to it (what real providers
   * call a payment method). Throws only when the provider cannot be reached.
   */
  saveCard(card: CardDetails): Promise<string>;
  /**
   * Charges a saved card. The same `idempotencyKey` charges at most once: a retry after a
   * transient failure, or after a crash, can never charge twice.
   */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refunds a charge in full; idempotent by `idempotencyKey` like `charge`. */
  refund(request: RefundRequest): Promise<RefundResult>;
}

export interface CardDetails {
  /** Digits only. */
  number: string;
  expMonth: number;
  /** Four digits. */
  expYear: number;
  cvc: string;
}

export interface ChargeRequest {
  /** Minor units. */
  amount: number;
  currency: string;
  /** The reference `saveCard` returned. */
  card: string;
  idempotencyKey: string;
}

export interface RefundRequest {
  /** The reference of the charge to refund. */
  providerRef: string;
  amount: number;
  idempotencyKey: string;
}

/**
 * What a provider call came to: done (with the provider's reference), refused for good
 * (`declined`: retrying cannot help), or failed in a way worth retrying (`transient`).
 */
export type ProviderResult =
  | { outcome: 'succeeded'; providerRef: string }
  | { outcome: 'declined'; reason: string }
  | { outcome: 'transient'; reason: string };
export type ChargeResult = ProviderResult;
export type RefundResult = ProviderResult;

/** A provider call that threw (network error, bug) counts as transient: the job retries it. */
export async function callSafely(call: () => Promise<ProviderResult>): Promise<ProviderResult> {
  try {
    return await call();
  } catch (err) {
    // Only the message: an error object may carry the request it failed on.
    return { outcome: 'transient', reason: `provider error: ${err instanceof Error ? err.message : String(err)}` };
  }
}
