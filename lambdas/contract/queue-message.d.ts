import { RequestHeaders } from '../core/headers';
/**
 * Names of the SQS message attributes the receiver writes and the consumer reads (SQS allows 10).
 * The body of the message is the raw webhook body, byte for byte.
 */
export declare const QueuedWebhookAttribute: {
  readonly FLUENT_SIGNATURE: 'FluentSignature';
  readonly FLEX_SIGNATURE: 'FlexSignature';
  readonly ROUTE: 'Route';
  readonly RECEIVED_AT: 'ReceivedAt';
  readonly REQUEST_ID: 'RequestId';
  /** Present with the value `base64` when the body held characters SQS cannot carry (see below). */
  readonly BODY_ENCODING: 'BodyEncoding';
};
export declare const BODY_ENCODING_BASE64 = 'base64';
/** A webhook as it travels through the queue: the message body and its string attributes. */
export interface QueuedWebhookMessage {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}
/** A webhook as the consumer sees it again after the queue. */
export interface QueuedWebhook {
  readonly rawBody: Buffer;
  /** The signature headers as received, under their canonical lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly route: string;
  /** ISO 8601 time at which the receiver accepted the request. */
  readonly receivedAt: string;
  readonly requestId: string;
}
export declare function isSqsSafeText(text: string): boolean;
/**
 * {@link isSqsSafeText} for text that strict UTF-8 decoding produced and `JSON.parse` accepted, without a Unicode
 * regex over every character: JSON admits no raw control character but tab, LF and CR, and strict UTF-8 yields no
 * lone surrogate, so of the characters SQS refuses only U+FFFE and U+FFFF can be left (two native scans, which end
 * at once on text with no character above U+00FF). For any other text the answer is meaningless: use isSqsSafeText.
 */
export declare function isSqsSafeJsonText(text: string): boolean;
/** Builds the queue message for a verified webhook. `bodyText` is the body decoded as UTF-8 (already checked valid). */
export declare function toQueuedWebhookMessage(webhook: {
  readonly rawBody: Buffer;
  readonly bodyText: string;
  /** `bodyText` came from strict UTF-8 decoding and `JSON.parse` accepted it: see {@link isSqsSafeJsonText}. */
  readonly bodyTextIsJson?: boolean;
  readonly headers: RequestHeaders | null | undefined;
  readonly multiValueHeaders?: RequestHeaders | null | undefined;
  readonly route: string;
  readonly receivedAt: string;
  readonly requestId: string;
}): QueuedWebhookMessage;
/** Reads a queue message back into the webhook the receiver accepted. Never throws. */
export declare function fromQueuedWebhookMessage(message: QueuedWebhookMessage): QueuedWebhook;
