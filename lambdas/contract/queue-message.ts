import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../core/constants';
import { lookupHeader, RequestHeaders } from '../core/headers';

/**
 * Names of the SQS message attributes the receiver writes and the consumer reads (SQS allows 10).
 * The body of the message is the raw webhook body, byte for byte.
 */
export const QueuedWebhookAttribute = {
  FLUENT_SIGNATURE: 'FluentSignature',
  FLEX_SIGNATURE: 'FlexSignature',
  ROUTE: 'Route',
  RECEIVED_AT: 'ReceivedAt',
  REQUEST_ID: 'RequestId',
  /** Present with the value `base64` when the body held characters SQS cannot carry (see below). */
  BODY_ENCODING: 'BodyEncoding',
} as const;

export const BODY_ENCODING_BASE64 = 'base64';

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

/**
 * SQS accepts only XML 1.0 characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
 * JSON allows others (U+FFFE, U+FFFF, control characters), so such a body is carried base64-encoded.
 */
// eslint-disable-next-line no-control-regex
const NOT_SQS_SAFE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function isSqsSafeText(text: string): boolean {
  return !NOT_SQS_SAFE.test(text);
}

/**
 * {@link isSqsSafeText} for text that strict UTF-8 decoding produced and `JSON.parse` accepted, without a Unicode
 * regex over every character: JSON admits no raw control character but tab, LF and CR, and strict UTF-8 yields no
 * lone surrogate, so of the characters SQS refuses only U+FFFE and U+FFFF can be left (two native scans, which end
 * at once on text with no character above U+00FF). For any other text the answer is meaningless: use isSqsSafeText.
 */
export function isSqsSafeJsonText(text: string): boolean {
  return !text.includes('\uFFFE') && !text.includes('\uFFFF');
}

/** Builds the queue message for a verified webhook. `bodyText` is the body decoded as UTF-8 (already checked valid). */
export function toQueuedWebhookMessage(webhook: {
  readonly rawBody: Buffer;
  readonly bodyText: string;
  /** `bodyText` came from strict UTF-8 decoding and `JSON.parse` accepted it: see {@link isSqsSafeJsonText}. */
  readonly bodyTextIsJson?: boolean;
  readonly headers: RequestHeaders | null | undefined;
  readonly multiValueHeaders?: RequestHeaders | null | undefined;
  readonly route: string;
  readonly receivedAt: string;
  readonly requestId: string;
}): QueuedWebhookMessage {
  const attributes: Record<string, string> = {
    [QueuedWebhookAttribute.ROUTE]: webhook.route,
    [QueuedWebhookAttribute.RECEIVED_AT]: webhook.receivedAt,
    [QueuedWebhookAttribute.REQUEST_ID]: webhook.requestId,
  };
  const sha512 = lookupHeader(FLUENT_SIGNATURE_HEADER, webhook.multiValueHeaders, webhook.headers);
  const md5 = lookupHeader(FLEX_SIGNATURE_HEADER, webhook.multiValueHeaders, webhook.headers);
  // Values are kept comma-joined exactly as the verifier splits them, so the consumer decides the same way. A value
  // SQS cannot carry (a control character, say) can never be a valid signature, and keeping it would cost the
  // attribute, and with it the genuine signature sent alongside: such values are left out.
  if (sha512.present)
    attributes[QueuedWebhookAttribute.FLUENT_SIGNATURE] = sha512.values.filter(isSqsSafeText).join(',');
  if (md5.present) attributes[QueuedWebhookAttribute.FLEX_SIGNATURE] = md5.values.filter(isSqsSafeText).join(',');
  if (webhook.bodyTextIsJson === true ? isSqsSafeJsonText(webhook.bodyText) : isSqsSafeText(webhook.bodyText)) {
    return { body: webhook.bodyText, attributes };
  }
  attributes[QueuedWebhookAttribute.BODY_ENCODING] = BODY_ENCODING_BASE64;
  return { body: webhook.rawBody.toString('base64'), attributes };
}

/** Reads a queue message back into the webhook the receiver accepted. Never throws. */
export function fromQueuedWebhookMessage(message: QueuedWebhookMessage): QueuedWebhook {
  const { attributes } = message;
  const rawBody =
    attributes[QueuedWebhookAttribute.BODY_ENCODING] === BODY_ENCODING_BASE64
      ? Buffer.from(message.body, 'base64')
      : Buffer.from(message.body, 'utf8');
  return {
    rawBody,
    headers: {
      [FLUENT_SIGNATURE_HEADER]: attributes[QueuedWebhookAttribute.FLUENT_SIGNATURE],
      [FLEX_SIGNATURE_HEADER]: attributes[QueuedWebhookAttribute.FLEX_SIGNATURE],
    },
    route: attributes[QueuedWebhookAttribute.ROUTE] ?? '',
    receivedAt: attributes[QueuedWebhookAttribute.RECEIVED_AT] ?? '',
    requestId: attributes[QueuedWebhookAttribute.REQUEST_ID] ?? '',
  };
}
