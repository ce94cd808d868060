import { FluentWebhookError, RejectionReasonName } from '../core';
import { RecordFailureReasonName } from '../contract/observability';

/** What the consumer decided for one record; each decision is one log line and one metric. */
export type RecordOutcome =
  | { readonly kind: 'processed' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'ignored' }
  /** staleStatusGuard: its status comes before the last one processed for its entity; deleted unhandled. */
  | { readonly kind: 'stale' }
  /** queue-first: failed the signature or the allow-list; deleted. `reason` is the verifier's or allow-list's. */
  | { readonly kind: 'forged'; readonly reason: string }
  | {
      readonly kind: 'failed';
      readonly reason: RecordFailureReasonName;
      /** Set when reason is verification-failed. */
      readonly verificationReason?: RejectionReasonName;
    };

/** Thrown for a record the consumer failed on purpose; Powertools Batch reports it in batchItemFailures. */
export class RecordFailedError extends FluentWebhookError {
  public readonly reason: RecordFailureReasonName;

  public constructor(reason: RecordFailureReasonName, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RecordFailedError';
    this.reason = reason;
  }
}

/** Wraps what a user's handler threw, so it is never mistaken for an idempotency error. */
export class HandlerFailedError extends FluentWebhookError {
  public constructor(cause: unknown) {
    super(`The handler threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'HandlerFailedError';
  }
}

/** The user's handler had not settled when its share of the invocation's time ran out. */
export class HandlerTimedOutError extends FluentWebhookError {
  public constructor(public readonly afterMs: number) {
    super(
      `The handler did not finish within the ${afterMs} ms left to it before the consumer timeout; it is failed so ` +
        'the rest of the batch can be answered, and its event is retried.',
    );
    this.name = 'HandlerTimedOutError';
  }
}

/** The history could not be read when the consumer asked it whether a claimed event had completed. */
export class HistoryReadFailedError extends FluentWebhookError {
  public constructor(cause: unknown) {
    super(`The history could not be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'HistoryReadFailedError';
  }
}
