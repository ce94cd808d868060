import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER, MAX_SQS_MESSAGE_BYTES } from '../core/constants';
import { BODY_ENCODING_BASE64, QueuedWebhookAttribute } from './queue-message';

// The mapping templates of the queue-first door: API Gateway turns the request into an SQS SendMessage call itself,
// with no Lambda. The construct deploys these strings and the local gateway renders the same strings, so the
// template that is tested is the template that is deployed. No CDK import here: the local runner loads this file.

/** The SQS Query API version every form carries. */
export const SQS_QUERY_API_VERSION = '2012-11-05';

/**
 * Room kept for the message attributes: SQS counts their names, types and values against the 1 MiB. Ours take
 * about 250 bytes plus the two signatures (172 base64 characters each for Fluent's 1024-bit key, 684 for a 4096-bit
 * one). A request whose headers take more than this is refused by SQS itself (5xx at the door), never truncated.
 */
export const ATTRIBUTE_RESERVE_BYTES = 8192;

/**
 * The longest `$input.body` the request template sends: with `binaryMediaTypes` `*\/*` and `CONVERT_TO_TEXT` it is
 * the body in base64, one byte per character, and it travels as the message body unchanged.
 */
export const MAX_QUEUED_BASE64_BODY_CHARS = MAX_SQS_MESSAGE_BYTES - ATTRIBUTE_RESERVE_BYTES;

/** The largest raw body the queue-first door accepts: base64 turns every 3 bytes into 4 characters. */
export const MAX_QUEUE_FIRST_BODY_BYTES = Math.floor(MAX_QUEUED_BASE64_BODY_CHARS / 4) * 3;

/**
 * What the request template asks of SQS for a body that cannot fit: an action SQS does not have, so SQS answers
 * its documented `InvalidAction` error (HTTP 400) and queues nothing; the error response template turns exactly
 * that error into a 413. API Gateway itself cannot refuse by size: a REST API takes any body up to 10 MB, a request
 * validator checks parameters and JSON models but not bytes, and WAF inspects at most the first 64 KB of a body.
 */
export const BODY_TOO_LARGE_ACTION = 'FluentWebhookBodyTooLarge';
/** The SQS error code the error response template looks for. */
export const SQS_INVALID_ACTION_CODE = 'InvalidAction';

/** The path parameter of `/{secret}/fluent/{route+}`. */
export const ROUTE_PATH_PARAMETER = 'route';

/** The error reasons the door answers with, the receiver's own (`ReceiverRejection`, `ReceiverFailure`). */
export const QueueFirstReason = {
  BODY_TOO_LARGE: 'body-too-large',
  QUEUE_UNAVAILABLE: 'queue-unavailable',
} as const;

export const QUEUE_FIRST_MESSAGES = {
  BODY_TOO_LARGE: `The body is too large: the queue carries at most ${MAX_SQS_MESSAGE_BYTES} bytes (1 MiB) per message, attributes included, and this door sends the body base64-encoded, so at most ${MAX_QUEUE_FIRST_BODY_BYTES} bytes of body fit.`,
  QUEUE_UNAVAILABLE: 'The webhook could not be queued and was not accepted; retry later.',
} as const;

/** The content type the request template is registered for; API Gateway also picks it for a request without one. */
export const REQUEST_TEMPLATE_CONTENT_TYPE = 'application/json';

/** One string message attribute as SQS Query form fields. `index` and `value` are VTL. */
function formAttribute(index: string, name: string, value: string): string {
  const field = `&MessageAttribute.${index}`;
  return `${field}.Name=${name}${field}.Value.DataType=String${field}.Value.StringValue=${value}`;
}

const A = QueuedWebhookAttribute;

/**
 * The integration request: an SQS Query form (`application/x-www-form-urlencoded`) for `SendMessage`, in the queue
 * message contract of `lambdas/contract/queue-message.ts`: the body is always base64 (`BodyEncoding=base64`), and
 * `ReceivedAt` is API Gateway's `$context.requestTimeEpoch` (milliseconds), which the codec reads as a time.
 *
 * One line, fields joined by `&` only: a newline would end up inside a field and SQS would refuse the form. Every
 * value goes through `$util.urlEncode`: base64 holds `+`, `/` and `=`. The signature headers are found by name in
 * any letter case; an absent or empty one adds no value attribute (SQS refuses empty values), and one sent empty
 * (nothing left once commas and spaces are removed, as the verifier reads it) is named in `EmptySignatureHeaders`,
 * so the consumer applies the receiver's rule: an empty `fluent-signature` is refused, never rescued by
 * `flex.signature`. A repeated header is one value here, the last one sent: `$input.params().header` is the
 * single-value view of the headers, as `method.request.header.<name>` is (all values are only in
 * `method.request.multivalueheader.<name>`, a parameter-mapping source that templates cannot read).
 * Directives are written `#{else}` / `#{end}` where text follows, so VTL never reads them as longer names.
 */
export const SQS_SEND_MESSAGE_REQUEST_TEMPLATE = [
  '#set($body = $input.body)',
  "#set($sha512 = '')",
  "#set($md5 = '')",
  '#set($sha512Sent = false)',
  '#set($md5Sent = false)',
  '#foreach($name in $input.params().header.keySet())',
  '#set($lower = $name.toLowerCase())',
  `#if($lower == '${FLUENT_SIGNATURE_HEADER}')#set($sha512 = $input.params().header.get($name))#set($sha512Sent = true)`,
  `#elseif($lower == '${FLEX_SIGNATURE_HEADER}')#set($md5 = $input.params().header.get($name))#set($md5Sent = true)#{end}`,
  '#{end}',
  // The sent headers with nothing left once commas and spaces are gone, in the codec's order.
  "#set($empty = '')",
  `#if($sha512Sent && $sha512.replaceAll(',', '').trim() == '')#set($empty = '${FLUENT_SIGNATURE_HEADER}')#{end}`,
  `#if($md5Sent && $md5.replaceAll(',', '').trim() == '')`,
  `#if($empty == '')#set($empty = '${FLEX_SIGNATURE_HEADER}')#{else}#set($empty = "$empty,${FLEX_SIGNATURE_HEADER}")#{end}`,
  '#{end}',
  `#if($body.length() > ${MAX_QUEUED_BASE64_BODY_CHARS})`,
  `Action=${BODY_TOO_LARGE_ACTION}&Version=${SQS_QUERY_API_VERSION}`,
  '#{else}',
  `Action=SendMessage&Version=${SQS_QUERY_API_VERSION}&MessageBody=$util.urlEncode($body)`,
  formAttribute('1', A.BODY_ENCODING, BODY_ENCODING_BASE64),
  formAttribute('2', A.ROUTE, `$util.urlEncode($input.params().path.get('${ROUTE_PATH_PARAMETER}'))`),
  formAttribute('3', A.REQUEST_ID, '$util.urlEncode($context.requestId)'),
  formAttribute('4', A.RECEIVED_AT, '$context.requestTimeEpoch'),
  '#set($next = 5)',
  `#if($sha512 != '')${formAttribute('5', A.FLUENT_SIGNATURE, '$util.urlEncode($sha512)')}#set($next = 6)#{end}`,
  `#if($md5 != '')${formAttribute('${next}', A.FLEX_SIGNATURE, '$util.urlEncode($md5)')}#set($next = $next + 1)#{end}`,
  `#if($empty != '')${formAttribute('${next}', A.EMPTY_SIGNATURE_HEADERS, '$util.urlEncode($empty)')}#{end}`,
  '#{end}',
].join('');

/** The 200 answer, in the receiver's shape (`acceptedResponse`). Only for a 2xx from SQS. */
export const ACCEPTED_RESPONSE_TEMPLATE = '{"status":"accepted","requestId":"$context.requestId"}';

/**
 * Every other SQS answer: 503 so Fluent retries, in the receiver's error shape; the body-too-large refusal becomes
 * 413. The SQS error body is never echoed: it can name the queue.
 */
export const ERROR_RESPONSE_TEMPLATE = [
  `#if($input.body.indexOf('${SQS_INVALID_ACTION_CODE}') >= 0)`,
  '#set($context.responseOverride.status = 413)',
  `{"error":"${QueueFirstReason.BODY_TOO_LARGE}","message":"${QUEUE_FIRST_MESSAGES.BODY_TOO_LARGE}","requestId":"$context.requestId"}`,
  '#{else}',
  `{"error":"${QueueFirstReason.QUEUE_UNAVAILABLE}","message":"${QUEUE_FIRST_MESSAGES.QUEUE_UNAVAILABLE}","requestId":"$context.requestId"}`,
  '#{end}',
].join('');

/** Integration responses: a 2xx from SQS answers 200; the default (no pattern) catches the rest as 503. */
export const SUCCESS_SELECTION_PATTERN = '2\\d{2}';
export const ERROR_STATUS_CODE = 503;
export const BODY_TOO_LARGE_STATUS_CODE = 413;
