'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
exports.BODY_ENCODING_BASE64 = exports.QueuedWebhookAttribute = void 0;
exports.isSqsSafeText = isSqsSafeText;
exports.isSqsSafeJsonText = isSqsSafeJsonText;
exports.toQueuedWebhookMessage = toQueuedWebhookMessage;
exports.fromQueuedWebhookMessage = fromQueuedWebhookMessage;
const constants_1 = require('../core/constants');
const headers_1 = require('../core/headers');
/**
 * Names of the SQS message attributes the receiver writes and the consumer reads (SQS allows 10).
 * The body of the message is the raw webhook body, byte for byte.
 */
exports.QueuedWebhookAttribute = {
  FLUENT_SIGNATURE: 'FluentSignature',
  FLEX_SIGNATURE: 'FlexSignature',
  ROUTE: 'Route',
  RECEIVED_AT: 'ReceivedAt',
  REQUEST_ID: 'RequestId',
  /** Present with the value `base64` when the body held characters SQS cannot carry (see below). */
  BODY_ENCODING: 'BodyEncoding',
};
exports.BODY_ENCODING_BASE64 = 'base64';
/**
 * SQS accepts only XML 1.0 characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
 * JSON allows others (U+FFFE, U+FFFF, control characters), so such a body is carried base64-encoded.
 */
// eslint-disable-next-line no-control-regex
const NOT_SQS_SAFE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
function isSqsSafeText(text) {
  return !NOT_SQS_SAFE.test(text);
}
/**
 * {@link isSqsSafeText} for text that strict UTF-8 decoding produced and `JSON.parse` accepted, without a Unicode
 * regex over every character: JSON admits no raw control character but tab, LF and CR, and strict UTF-8 yields no
 * lone surrogate, so of the characters SQS refuses only U+FFFE and U+FFFF can be left (two native scans, which end
 * at once on text with no character above U+00FF). For any other text the answer is meaningless: use isSqsSafeText.
 */
function isSqsSafeJsonText(text) {
  return !text.includes('\uFFFE') && !text.includes('\uFFFF');
}
/** Builds the queue message for a verified webhook. `bodyText` is the body decoded as UTF-8 (already checked valid). */
function toQueuedWebhookMessage(webhook) {
  const attributes = {
    [exports.QueuedWebhookAttribute.ROUTE]: webhook.route,
    [exports.QueuedWebhookAttribute.RECEIVED_AT]: webhook.receivedAt,
    [exports.QueuedWebhookAttribute.REQUEST_ID]: webhook.requestId,
  };
  const sha512 = (0, headers_1.lookupHeader)(
    constants_1.FLUENT_SIGNATURE_HEADER,
    webhook.multiValueHeaders,
    webhook.headers,
  );
  const md5 = (0, headers_1.lookupHeader)(
    constants_1.FLEX_SIGNATURE_HEADER,
    webhook.multiValueHeaders,
    webhook.headers,
  );
  // Values are kept comma-joined exactly as the verifier splits them, so the consumer decides the same way. A value
  // SQS cannot carry (a control character, say) can never be a valid signature, and keeping it would cost the
  // attribute, and with it the genuine signature sent alongside: such values are left out.
  if (sha512.present)
    attributes[exports.QueuedWebhookAttribute.FLUENT_SIGNATURE] = sha512.values.filter(isSqsSafeText).join(',');
  if (md5.present)
    attributes[exports.QueuedWebhookAttribute.FLEX_SIGNATURE] = md5.values.filter(isSqsSafeText).join(',');
  if (webhook.bodyTextIsJson === true ? isSqsSafeJsonText(webhook.bodyText) : isSqsSafeText(webhook.bodyText)) {
    return { body: webhook.bodyText, attributes };
  }
  attributes[exports.QueuedWebhookAttribute.BODY_ENCODING] = exports.BODY_ENCODING_BASE64;
  return { body: webhook.rawBody.toString('base64'), attributes };
}
/** Reads a queue message back into the webhook the receiver accepted. Never throws. */
function fromQueuedWebhookMessage(message) {
  const { attributes } = message;
  const rawBody =
    attributes[exports.QueuedWebhookAttribute.BODY_ENCODING] === exports.BODY_ENCODING_BASE64
      ? Buffer.from(message.body, 'base64')
      : Buffer.from(message.body, 'utf8');
  return {
    rawBody,
    headers: {
      [constants_1.FLUENT_SIGNATURE_HEADER]: attributes[exports.QueuedWebhookAttribute.FLUENT_SIGNATURE],
      [constants_1.FLEX_SIGNATURE_HEADER]: attributes[exports.QueuedWebhookAttribute.FLEX_SIGNATURE],
    },
    route: attributes[exports.QueuedWebhookAttribute.ROUTE] ?? '',
    receivedAt: attributes[exports.QueuedWebhookAttribute.RECEIVED_AT] ?? '',
    requestId: attributes[exports.QueuedWebhookAttribute.REQUEST_ID] ?? '',
  };
}
//# sourceMappingURL=queue-message.js.map
