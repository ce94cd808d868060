import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { HistoryCompletion, HistoryStore } from '../contract/history';
import { ClaimAnswer, claimable, ClaimRecord, EventClaims, windowOver } from './event-claims';
import { HistoryReadFailedError } from './record-outcome';
import { idempotencyKeyFor, reprocessOf, RunKey, RunOnce, RunOnceResult } from './run-once';

/**
 * Claims tried in one call when the record in the way is gone, or free, by the time it is read: Powertools' bound
 * (one try and two retries on an inconsistent state).
 */
const CLAIM_ATTEMPTS = 3;

/**
 * A {@link RunOnce} for a consumer with a history, for one invocation. Powertools Idempotency writes three things
 * per event: the in-progress claim, then the COMPLETED update once the handler succeeded, and our history its
 * `processed` record just after, which says the same thing. Here the history's record is the mark of completion and
 * the update is not written: one write unit less per processed event (docs/cost-and-limits.md#the-history).
 *
 * The claim is Powertools' in-progress record, written with Powertools' condition, so both kinds of consumer read each
 * other's records. Only when a claim meets an earlier one does the history decide (one strongly consistent read):
 * - a completion of this run key within the de-duplication window (a `processed` or `duplicate` record): a duplicate;
 * - else, the earlier claim still in its time: already in progress (retried later);
 * - else (its delivery died, or its history write failed): taken over, and the handler runs: at least once, as before.
 * A COMPLETED record (Powertools', before this consumer or without a history) is a duplicate without a read. A claim
 * the table fails to write is a duplicate too when the history shows a completion, else `idempotency-store-failed`.
 *
 * `recordedAs` names the event's partition in the history when this delivery's outcome will be written there; a
 * delivery the history cannot key (an id longer than its keys take) marks its completion in the claim instead.
 */
export function createHistoryMarkedRunOnce(
  claims: EventClaims,
  history: Pick<HistoryStore, 'completionsOf'>,
  expiresAfterSeconds: number,
  lambdaContext: Context,
): RunOnce {
  return async (runKey, work, recordedAs) => {
    const id = idempotencyKeyFor(runKey);
    const completion = (): Promise<RunOnceResult | undefined> =>
      recordedAs === undefined
        ? Promise.resolve(undefined)
        : completionWithin(expiresAfterSeconds, runKey, history, recordedAs.eventId);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const now = Date.now();
      const expiresAt = Math.round(now / 1000 + expiresAfterSeconds);
      let answer: ClaimAnswer;
      try {
        answer = await claims.claim({
          id,
          expiresAt,
          inProgressUntil: now + lambdaContext.getRemainingTimeInMillis(),
          now,
        });
      } catch (error) {
        // The history can still say the event is complete: a duplicate needs no claim. A message comes back after its
        // process died before deleting it: found complete, it is deleted now rather than failed and retried (its
        // failure would not replace its processed record, which the history keeps, but nothing would be gained).
        const completed = await completion().catch(() => undefined);
        if (completed !== undefined) return completed;
        throw new IdempotencyPersistenceLayerError('Failed to save in progress record to idempotency store', {
          cause: error,
        });
      }
      if (answer.taken) {
        // A record whose window is over is forgotten, as Powertools forgets it. One in progress past its time may be
        // of a delivery that completed the event and died before its message was deleted: the history says.
        const replaced = answer.replaced;
        const completed = replaced === undefined || windowOver(replaced, now) ? undefined : await completion();
        return completed ?? run(claims, id, work, recordedAs === undefined ? expiresAfterSeconds : undefined);
      }
      const holder = answer.holder;
      // Gone (released after a failed handler) or freed (its time ran out) since the claim was refused: claim again.
      if (holder === undefined || claimable(holder, Date.now())) continue;
      if (holder.status === IdempotencyRecordStatus.COMPLETED) {
        return { duplicate: true, handledAt: holder.handledAt ?? completedAt(holder, expiresAfterSeconds) };
      }
      const completed = await completion();
      if (completed !== undefined) return completed;
      throw new IdempotencyAlreadyInProgressError(
        `There is already an execution in progress with idempotency key: ${id}`,
      );
    }
    throw new IdempotencyInconsistentStateError(`The record of idempotency key ${id} changed under each claim.`);
  };
}

/**
 * Runs the work under the claim. On failure the claim is deleted, so that a retry runs at once (as Powertools does).
 * With `markCompletedFor` (the delivery has no history record to mark it) the claim is overwritten with Powertools'
 * COMPLETED record for that window.
 */
async function run(
  claims: EventClaims,
  id: string,
  work: () => Promise<void>,
  markCompletedFor: number | undefined,
): Promise<RunOnceResult> {
  try {
    await work();
  } catch (error) {
    await persisting('delete record from', () => claims.release(id));
    throw error;
  }
  const handledAt = new Date().toISOString();
  if (markCompletedFor !== undefined) {
    const expiresAt = Math.round(Date.now() / 1000 + markCompletedFor);
    await persisting('update success record to', () => claims.complete(id, expiresAt, handledAt));
  }
  return { duplicate: false, handledAt };
}

/**
 * The first completion of this run key in the history within the de-duplication window before now, as a duplicate's
 * result. Within the window from when the handler finished (a duplicate's record carries that time), as a COMPLETED
 * record would last: a completion from an earlier window does not end this one's claims, and a duplicate late in the
 * window does not extend it. Not "since the claim in the way was made": a delivery that took over a claim and found the event
 * complete leaves a claim of its own, made after the completion, and a retry meeting that claim (its own history
 * write having failed) must still find the completion.
 */
async function completionWithin(
  expiresAfterSeconds: number,
  runKey: RunKey,
  history: Pick<HistoryStore, 'completionsOf'>,
  eventId: string,
): Promise<RunOnceResult | undefined> {
  let completions: HistoryCompletion[];
  try {
    completions = await history.completionsOf(eventId);
  } catch (error) {
    throw new HistoryReadFailedError(error);
  }
  const windowStart = Date.now() - expiresAfterSeconds * 1000;
  const reprocess = reprocessOf(runKey);
  // This run key's records: of its replay run (or of none), and of an id sent as a number or as text, as the key is.
  const numericId = typeof (reprocess?.event ?? runKey) === 'object';
  const ours = (completion: HistoryCompletion) =>
    completion.replayRun === reprocess?.replayRun && (completion.numericId === true) === numericId;
  // When the handler finished, by each record: the processed one's decision, or what a duplicate found (a duplicate
  // written before duplicates carried it: its own decision, the nearest known).
  const handledAt = completions
    .filter(ours)
    .map((completion) => completion.firstHandledAt ?? completion.decidedAt)
    .filter((at) => Date.parse(at) >= windowStart)
    .sort();
  return handledAt[0] === undefined ? undefined : { duplicate: true, handledAt: handledAt[0] };
}

/** When a COMPLETED record without its data was completed: Powertools dates its expiry from the completion. */
function completedAt(record: ClaimRecord, expiresAfterSeconds: number): string {
  return new Date((record.expiresAt - expiresAfterSeconds) * 1000).toISOString();
}

/** Runs a call to the idempotency table, its failure wrapped as Powertools wraps it (`idempotency-store-failed`). */
async function persisting<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new IdempotencyPersistenceLayerError(`Failed to ${what} idempotency store`, { cause: error });
  }
}
