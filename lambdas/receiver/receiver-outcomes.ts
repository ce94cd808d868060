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
  RejectionReasonName | BodyProblemName | AllowListRejectionName | ReceiverRejectionName | ReceiverFailureName;

/** What the log line's `outcome` field says. */
export const ReceiverOutcome = {
  ACCEPTED: 'accepted',
  REJECTED: 'rejected',
  FAILED: 'failed',
} as const;
export type ReceiverOutcomeName = (typeof ReceiverOutcome)[keyof typeof ReceiverOutcome];
