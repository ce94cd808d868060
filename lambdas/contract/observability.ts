// Names that the Lambdas, the constructs (alarms, dashboard) and the local runner share. Keep them stable:
// dashboards, alarms and users' queries depend on them.

/** Service name on every log line and metric. */
export const SERVICE_NAME = 'fluent-webhook-receiver';
/** CloudWatch namespace of every metric the receiver emits; alarms and the dashboard use it too. */
export const METRICS_NAMESPACE = 'FluentWebhookReceiver';

/** The parts of the system, as the `component` key of their log lines and the dimension of their metrics. */
export const Component = {
  RECEIVER: 'receiver',
  CONSUMER: 'consumer',
  LOCAL: 'local',
  /** The reconciliation sweep (deployed: its Lambda; locally: the runner's interval sweep). */
  RECONCILER: 'reconciler',
  /** The local Fluent API stand-in that `npm start` runs. */
  FLUENT_STAND_IN: 'fluent-stand-in',
} as const;
export type ComponentName = (typeof Component)[keyof typeof Component];

/** Dimension naming the part of the system that emitted a metric (`receiver`, `consumer`). */
export const COMPONENT_DIMENSION = 'component';
/** Dimension that splits rejections and failures by reason (receiver and consumer alike). */
export const REASON_DIMENSION = 'reason';
/** Dimension naming the environment (from `ENVIRONMENT_NAME`), when the stack sets one. */
export const ENVIRONMENT_DIMENSION = 'environment';

/**
 * Metric names the receiver emits (namespace `FluentWebhookReceiver`, dimensions `service` and `component`).
 * Alarms and the dashboard use these names; keep them stable.
 */
export const ReceiverMetric = {
  /** Queued and answered 200. */
  ACCEPTED: 'WebhookAccepted',
  /** Refused with a 4xx. Emitted twice: once in total, once with the {@link REASON_DIMENSION} dimension. */
  REJECTED: 'WebhookRejected',
  /** Refused with 401 (any signature reason): the metric a "surge of forged requests" alarm watches. */
  SIGNATURE_REJECTED: 'SignatureRejected',
  /** SendMessage failed; answered 503. */
  ENQUEUE_FAILED: 'EnqueueFailed',
  /** An unexpected exception; answered 500. */
  INTERNAL_ERROR: 'ReceiverError',
  /** Size of every request body in bytes (after base64 decoding). */
  BODY_BYTES: 'BodyBytes',
  /**
   * Accepted on `flex.signature` (MD5withRSA) alone, without `fluent-signature`: where Fluent sends both, a proxy
   * stripped a header in transit. Watched by the monitoring's alarm before moving to `require-sha512`.
   */
  MD5_ONLY_ACCEPTED: 'WebhookAcceptedOnMd5Only',
} as const;

/** Dimension that splits {@link ReceiverMetric.REJECTED} by reason (values: {@link ReceiverReasonName}). */

/** Metric names the consumer emits (namespace FluentWebhookReceiver, dimensions service and component=consumer). */
export const ConsumerMetric = {
  EVENT_PROCESSED: 'EventProcessed',
  DUPLICATE_EVENT: 'DuplicateEvent',
  /** Events no handler claims, whether ignored or failed by the UNHANDLED_EVENTS policy. */
  UNHANDLED_EVENT: 'UnhandledEvent',
  /** Dimension `reason`: the verifier's rejection reason (no-matching-key, missing-signature, ...). */
  VERIFICATION_FAILED: 'VerificationFailed',
  /** Dimension `reason`: a RecordFailureReason. Every failed record counts here once. */
  RECORD_FAILED: 'RecordFailed',
  /**
   * queue-first only: a message that fails the signature or the allow-list is a forgery and is deleted, not retried.
   * Emitted twice: once in total (what the surge alarm watches), once with the `reason` dimension (the verifier's
   * or the allow-list's reason).
   */
  FORGED_MESSAGE_DROPPED: 'ForgedMessageDropped',
  /**
   * staleStatusGuard: an event whose `entityStatus` comes before the last status processed for its entity, skipped
   * (deleted, its handler not run) with one 'stale webhook skipped' warning.
   */
  STALE_EVENT_SKIPPED: 'StaleEventSkipped',
} as const;

/**
 * Metric names of the reconciliation sweep (namespace FluentWebhookReceiver, component=reconciler), one data point
 * of each per sweep invocation. The "gaps keep appearing" alarm watches GapsFound.
 */
export const ReconciliationMetric = {
  /** Events Fluent lists that the history has no delivery of: webhooks that never arrived. */
  GAPS_FOUND: 'GapsFound',
  /** Of those, the ones queued for the handlers (the rest are retried by the next sweep). */
  GAPS_BACKFILLED: 'GapsBackfilled',
} as const;

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
  /**
   * The user's handler had not finished when the invocation's time (less a reserve) ran out: failed so that the
   * batch can still answer, and its finished siblings are not retried with it.
   */
  HANDLER_TIMED_OUT: 'handler-timed-out',
  /** Another delivery of the same event is running now; this one is retried after the visibility timeout. */
  ALREADY_IN_PROGRESS: 'already-in-progress',
  /** The idempotency table could not be read or written. */
  IDEMPOTENCY_STORE_FAILED: 'idempotency-store-failed',
  /** The history table could not be written: retried, so that no handled event is missing from the ledger. */
  HISTORY_STORE_FAILED: 'history-store-failed',
  /** A bug in the consumer itself. */
  UNEXPECTED_ERROR: 'unexpected-error',
} as const;
export type RecordFailureReasonName = (typeof RecordFailureReason)[keyof typeof RecordFailureReason];

/**
 * Metric names of the outbound Fluent API client (namespace FluentWebhookReceiver, component=consumer). One
 * count per HTTP attempt, per retry, and per failed call; failures are emitted twice, in total and with the
 * {@link FLUENT_STATUS_DIMENSION} dimension.
 */
export const FluentApiMetric = {
  CALL: 'FluentApiCall',
  RETRY: 'FluentApiRetry',
  /** A call that ended in an error (after its retries): the metric the "Fluent calls failing" alarm watches. */
  CALL_FAILED: 'FluentApiCallFailed',
} as const;

/** Dimension splitting {@link FluentApiMetric.CALL_FAILED}: the HTTP status, or `network` / `timeout`. */
export const FLUENT_STATUS_DIMENSION = 'status';
