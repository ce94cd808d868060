/**
 * How an event reached the consumer: delivered by Fluent as a webhook, put back from the archive by
 * `fluent-webhook replay`, or backfilled from Fluent's Event API by reconciliation. Every consumer decision line
 * carries it as the field `provenance`, and handlers see it as `context.provenance`.
 */
export const Provenance = {
  /** Fluent delivered it as a signed webhook. */
  WEBHOOK: 'webhook',
  /** `fluent-webhook replay` put an archived copy back, re-verified. */
  REPLAY: 'replay',
  /** `fluent-webhook reconcile` backfilled it from Fluent's Event API (unsigned, from the reconciliation queue). */
  RECONCILIATION: 'reconciliation',
} as const;
/** One of the {@link Provenance} names: what `context.provenance` holds. */
export type ProvenanceName = (typeof Provenance)[keyof typeof Provenance];
