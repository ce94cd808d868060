import { FluentWebhookError, RejectionReasonName } from '../core';

/** Why a record failed. Stable strings: they are the `reason` dimension of the RecordFailed metric. */
export const RecordFailureReason = {
  /** The signature does not verify: injected into the queue, or the keys are misconfigured (fix, then redrive). */
  VERIFICATION_FAILED: 'verification-failed',
  ACCOUNT_NOT_ALLOWED: 'account-not-allowed',
  RETAILER_NOT_ALLOWED: 'retailer-not-allowed',
  /** Signed, but not a JSON Fluent event. */
  MALFORMED_EVENT: 'malformed-event',
  /** No handler claims the event and UNHANDLED_EVENTS is `fail`. */
  UNHANDLED_EVENT: 'unhandled-event',
  /** The user's handler threw. */
  HANDLER_FAILED: 'handler-failed',
  /** Another delivery of the same event is running now; this one is retried after the visibility timeout. */
  ALREADY_IN_PROGRESS: 'already-in-progress',
  /** The idempotency table could not be read or written. */
  IDEMPOTENCY_STORE_FAILED: 'idempotency-store-failed',
  /** A bug in the consumer itself. */
  UNEXPECTED_ERROR: 'unexpected-error',
} as const;
export type RecordFailureReasonName = (typeof RecordFailureReason)[keyof typeof RecordFailureReason];

/** What the consumer decided for one record; each decision is one log line and one metric. */
export type RecordOutcome =
  | { readonly kind: 'processed' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'ignored' }
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
