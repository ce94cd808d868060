import type { AllowListRejectionName } from '../core/allow-list';
import type { BodyProblemName } from '../core/parse-json';
import type { RejectionReasonName } from '../core/verification-result';

/** Reasons the receiver itself adds to the verifier's, body parser's and allow-list's. Stable strings: metrics use them. */
export const ReceiverRejection = {
  /** The SQS message (body plus attributes, base64 when needed) would exceed 1 MiB. */
  BODY_TOO_LARGE: 'body-too-large',
  /** The `{route+}` part holds characters an SQS attribute cannot carry. */
  INVALID_ROUTE: 'invalid-route',
} as const;
export type ReceiverRejectionName = (typeof ReceiverRejection)[keyof typeof ReceiverRejection];

/** Why a well-formed, signed webhook could still not be queued. Both answer 5xx so Fluent retries. */
export const ReceiverFailure = {
  QUEUE_UNAVAILABLE: 'queue-unavailable',
  INTERNAL_ERROR: 'internal-error',
} as const;
export type ReceiverFailureName = (typeof ReceiverFailure)[keyof typeof ReceiverFailure];

/** Every reason a request can be turned away for, each with exactly one status code. */
export type ReceiverReasonName =
  | RejectionReasonName
  | BodyProblemName
  | AllowListRejectionName
  | ReceiverRejectionName
  | ReceiverFailureName;

/** What the log line's `outcome` field says. */
export const ReceiverOutcome = {
  ACCEPTED: 'accepted',
  REJECTED: 'rejected',
  FAILED: 'failed',
} as const;
export type ReceiverOutcomeName = (typeof ReceiverOutcome)[keyof typeof ReceiverOutcome];

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
} as const;

/** Dimension that splits {@link ReceiverMetric.REJECTED} by reason (values: {@link ReceiverReasonName}). */
export { REASON_DIMENSION } from '../shared/observability';
