import { IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';

/*
 * Claims on events in the idempotency table, for the consumer that marks an event's completion with its history record
 * (lambdas/consumer/history-marked-run-once.ts) instead of Powertools' COMPLETED update. A claim is Powertools
 * Idempotency's in-progress record, written the way Powertools writes it, so that records of either kind mean the same
 * to both: a consumer without a history (Powertools alone) and one with it read each other's records.
 */

/** An idempotency record as a claim found it. */
export interface ClaimRecord {
  /** Powertools' `status`: `INPROGRESS` (claimed) or `COMPLETED` (written by Powertools when the handler succeeded). */
  readonly status: string;
  /** Epoch seconds at which the record stops de-duplicating: the claim's time plus the de-duplication window. */
  readonly expiresAt: number;
  /** Epoch milliseconds after which an `INPROGRESS` record may be taken over (its invocation's end). */
  readonly inProgressUntil?: number;
  /** What Powertools stored with a `COMPLETED` record: when the handler finished (ISO 8601). */
  readonly handledAt?: string;
}

/** A claim to write: Powertools' in-progress record. */
export interface NewClaim {
  /** The idempotency key (`idempotencyKeyFor`). */
  readonly id: string;
  /** Epoch seconds (the table's TTL attribute). */
  readonly expiresAt: number;
  /** Epoch milliseconds. */
  readonly inProgressUntil: number;
  /** Epoch milliseconds the condition compares with. */
  readonly now: number;
}

export type ClaimAnswer =
  /** Written. `replaced`: the record it overwrote, one the condition let go (expired, or in progress past its time). */
  | { readonly taken: true; readonly replaced?: ClaimRecord }
  /** Refused: `holder` is the record in the way, undefined when it was gone by the time it was read. */
  | { readonly taken: false; readonly holder?: ClaimRecord };

export interface EventClaims {
  /**
   * Writes the claim unless the key has a record that still holds: not expired, and either completed or in progress
   * before its time is up (Powertools' condition).
   */
  claim(claim: NewClaim): Promise<ClaimAnswer>;
  /** Deletes the key's record, so that a retry of an event whose handler failed runs at once (as Powertools does). */
  release(id: string): Promise<void>;
  /**
   * Overwrites the key's record with Powertools' COMPLETED record, until `expiresAt` (epoch seconds): for an event
   * whose completion the history cannot mark (it has no history record).
   */
  complete(id: string, expiresAt: number, handledAt: string): Promise<void>;
}

/** Whether a record no longer de-duplicates at `now` (epoch ms): its window is over, as Powertools' condition says. */
export function windowOver(record: ClaimRecord, now: number): boolean {
  return record.expiresAt < now / 1000;
}

/** Whether the condition would let a claim replace `record` at `now` (epoch ms). */
export function claimable(record: ClaimRecord, now: number): boolean {
  return (
    windowOver(record, now) ||
    (record.status === IdempotencyRecordStatus.INPROGRESS &&
      record.inProgressUntil !== undefined &&
      record.inProgressUntil < now)
  );
}
