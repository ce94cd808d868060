/**
 * How an event reached the consumer: delivered by Fluent as a webhook, put back from the archive by
 * `fluent-webhook replay`, or backfilled from Fluent's Event API by reconciliation. Every consumer decision line
 * carries it as the field `provenance`, and handlers see it as `context.provenance`.
 */
export const Provenance = { WEBHOOK: 'webhook', REPLAY: 'replay', RECONCILIATION: 'reconciliation' } as const;
export type ProvenanceName = (typeof Provenance)[keyof typeof Provenance];
