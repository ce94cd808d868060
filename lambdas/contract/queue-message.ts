import { isUtf8 } from 'node:buffer';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../core/constants';
import { readSignatureHeaders, SignatureHeaders } from '../core/headers';
import { Provenance, ProvenanceName } from './provenance';

/*
 * The queue message: how a verified webhook travels from the receiver (or, later, API Gateway itself) to the
 * consumer. Messages already in a queue or a dead-letter queue must keep decoding, so this format only grows.
 *
 * Body: the raw webhook body, byte for byte, as UTF-8 text. When the bytes are not valid UTF-8 or hold a character
 * SQS cannot carry (anything outside XML 1.0: control characters other than tab, LF and CR, U+FFFE, U+FFFF, lone
 * surrogates), the body is their standard padded base64 instead, and the attribute BodyEncoding says `base64`.
 *
 * String attributes (SQS allows 10; an attribute is left out when its value would be empty):
 * - FluentSignature  the `fluent-signature` header's values, comma-joined (base64 holds no comma); left out when the
 *                    header was not sent. Values SQS cannot carry are left out: they can never be valid base64.
 * - FlexSignature    the same for `flex.signature`.
 * - EmptySignatureHeaders  the names (`fluent-signature`, `flex.signature`), comma-joined, of the signature headers
 *                    that were sent but whose values the message does not carry: sent empty, or only with values SQS
 *                    cannot carry. The verifier judges a header sent empty unlike one not sent (an empty
 *                    `fluent-signature` is never rescued by `flex.signature`), so the consumer must know. Absent when
 *                    there is none; a message without it (all messages before it existed) decodes as before.
 * - Route            the `{route+}` path part after `/<secret>/fluent/`, as API Gateway decoded it.
 * - ReceivedAt       ISO 8601 time at which the webhook was accepted; the queue-first mapping template can only
 *                    write API Gateway's epoch milliseconds, which decoding turns into ISO 8601.
 * - RequestId        the API Gateway request id of the delivery.
 * - BodyEncoding     `base64` when the body is base64 (see above); absent otherwise.
 * - Provenance       how the event came: `replay` (fluent-webhook replay) or `reconciliation`; absent for a webhook,
 *                    so every message written before this attribute existed decodes as `webhook`. A value this
 *                    version does not know decodes as absent.
 * - ReplayRun        the run id of `fluent-webhook replay --reprocess`: the consumer de-duplicates the event within
 *                    that run instead of against its first processing; absent otherwise.
 *
 * Size: SQS counts the body plus, per attribute, its name, its data type (`String`) and its value, in UTF-8 bytes,
 * against the queue's 1 MiB limit.
 */

/** Names of the SQS message attributes of a queue message (see the format above). */
export const QueuedWebhookAttribute = {
  FLUENT_SIGNATURE: 'FluentSignature',
  FLEX_SIGNATURE: 'FlexSignature',
  ROUTE: 'Route',
  RECEIVED_AT: 'ReceivedAt',
  REQUEST_ID: 'RequestId',
  /** Present with the value `base64` when the body held bytes SQS cannot carry as text. */
  BODY_ENCODING: 'BodyEncoding',
  /** `replay` or `reconciliation`; absent for a webhook Fluent delivered. */
  PROVENANCE: 'Provenance',
  /** The `replay --reprocess` run the message belongs to. */
  REPLAY_RUN: 'ReplayRun',
  /** The signature headers sent without a value the message carries (see the format above). */
  EMPTY_SIGNATURE_HEADERS: 'EmptySignatureHeaders',
} as const;

/** The two signature headers, in the order `EmptySignatureHeaders` lists them. */
const SIGNATURE_HEADER_ATTRIBUTES = [
  [FLUENT_SIGNATURE_HEADER, QueuedWebhookAttribute.FLUENT_SIGNATURE],
  [FLEX_SIGNATURE_HEADER, QueuedWebhookAttribute.FLEX_SIGNATURE],
] as const;

export const BODY_ENCODING_BASE64 = 'base64';

/** The data type of every attribute of a queue message. */
export const STRING_DATA_TYPE = 'String';

/** A verified webhook: what the receiver encodes and what the consumer decodes again. */
export interface QueuedWebhook {
  /** The exact bytes Fluent signed. */
  readonly rawBody: Buffer;
  /** The signature headers as `readSignatureHeaders` read them from the request. */
  readonly signatures: SignatureHeaders;
  /** The `{route+}` part of the path, as received. */
  readonly route: string;
  /** ISO 8601 time at which the receiver accepted the request. */
  readonly receivedAt: string;
  /** The API Gateway request id of the delivery. */
  readonly requestId: string;
  /** How the event came, when it was not a webhook Fluent delivered (absent means `webhook`). */
  readonly provenance?: ProvenanceName;
  /** The `replay --reprocess` run id, when the event is to be handled once more within that run. */
  readonly replayRun?: string;
}

/**
 * The `replay --reprocess` run a queued webhook is handled within: its `replayRun`, counted only on a replay. The
 * consumer keys its de-duplication by it and records it in the history, whose records of that run then mark the run's
 * completion: both must read it the same way.
 */
export function reprocessRunOf(webhook: Pick<QueuedWebhook, 'provenance' | 'replayRun'>): string | undefined {
  return webhook.provenance === Provenance.REPLAY ? webhook.replayRun : undefined;
}

/** A queue message ready to send. */
export interface QueueMessage {
  readonly body: string;
  /** String attributes by name, every value non-empty and carriable by SQS. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Its size as SQS counts it against the queue's maximum message size. */
  readonly bytes: number;
  /** The body is base64 (it held bytes SQS cannot carry as text), and so a third larger than the webhook. */
  readonly base64: boolean;
}

/** Why a webhook cannot be encoded: a metadata field holds a character SQS cannot carry, and it must travel exactly. */
export interface QueueMessageRefusal {
  readonly field: 'route' | 'receivedAt' | 'requestId' | 'replayRun';
}

export type EncodedQueueMessage =
  { readonly ok: true; readonly message: QueueMessage } | ({ readonly ok: false } & QueueMessageRefusal);

/** An SQS record as Lambda's event source delivers it, or as much of one as decoding reads. */
export interface QueueRecord {
  readonly body?: string | undefined;
  readonly messageAttributes?: Readonly<Record<string, { readonly stringValue?: string | undefined } | undefined>>;
}

/**
 * SQS accepts only XML 1.0 characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
 * JSON allows others (U+FFFE, U+FFFF, control characters), so such a body is carried base64-encoded.
 */
// eslint-disable-next-line no-control-regex
const NOT_SQS_SAFE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Whether SQS accepts `text` as a message body or attribute value. */
export function isSqsSafeText(text: string): boolean {
  return !NOT_SQS_SAFE.test(text);
}

/** Builds the queue message for a verified webhook. Never throws. */
export function encodeQueueMessage(webhook: QueuedWebhook): EncodedQueueMessage {
  const metadata = [
    ['route', QueuedWebhookAttribute.ROUTE, webhook.route],
    ['receivedAt', QueuedWebhookAttribute.RECEIVED_AT, webhook.receivedAt],
    ['requestId', QueuedWebhookAttribute.REQUEST_ID, webhook.requestId],
    ['replayRun', QueuedWebhookAttribute.REPLAY_RUN, webhook.replayRun ?? ''],
  ] as const;
  const attributes: Record<string, string> = {};
  for (const [field, name, value] of metadata) {
    if (!isSqsSafeText(value)) return { ok: false, field };
    if (value !== '') attributes[name] = value;
  }
  if (webhook.provenance !== undefined && webhook.provenance !== Provenance.WEBHOOK) {
    attributes[QueuedWebhookAttribute.PROVENANCE] = webhook.provenance;
  }
  const sentEmpty: string[] = [];
  for (const [header, name] of SIGNATURE_HEADER_ATTRIBUTES) {
    const values = webhook.signatures[header];
    if (values === undefined) continue;
    // A value SQS cannot carry would cost the attribute, and with it the genuine signature sent alongside.
    const value = values.filter(isSqsSafeText).join(',');
    if (value !== '') attributes[name] = value;
    else sentEmpty.push(header);
  }
  if (sentEmpty.length > 0) attributes[QueuedWebhookAttribute.EMPTY_SIGNATURE_HEADERS] = sentEmpty.join(',');
  const text = isUtf8(webhook.rawBody) ? webhook.rawBody.toString('utf8') : undefined;
  const base64 = text === undefined || !isSqsSafeText(text);
  const body = base64 ? webhook.rawBody.toString('base64') : text;
  if (base64) attributes[QueuedWebhookAttribute.BODY_ENCODING] = BODY_ENCODING_BASE64;
  return { ok: true, message: { body, attributes, bytes: sqsMessageBytes(body, attributes), base64 } };
}

/** Reads an SQS record back into the webhook the receiver encoded. Never throws: what is missing reads as empty. */
export function decodeQueueMessage(record: QueueRecord): QueuedWebhook {
  const attribute = (name: string): string | undefined => {
    const value = record.messageAttributes?.[name]?.stringValue;
    return typeof value === 'string' ? value : undefined;
  };
  const body = typeof record.body === 'string' ? record.body : '';
  const provenance = knownProvenance(attribute(QueuedWebhookAttribute.PROVENANCE));
  const replayRun = attribute(QueuedWebhookAttribute.REPLAY_RUN);
  return {
    rawBody:
      attribute(QueuedWebhookAttribute.BODY_ENCODING) === BODY_ENCODING_BASE64
        ? Buffer.from(body, 'base64')
        : Buffer.from(body, 'utf8'),
    signatures: decodeSignatures(attribute),
    route: attribute(QueuedWebhookAttribute.ROUTE) ?? '',
    receivedAt: isoReceivedAt(attribute(QueuedWebhookAttribute.RECEIVED_AT) ?? ''),
    requestId: attribute(QueuedWebhookAttribute.REQUEST_ID) ?? '',
    ...(provenance === undefined ? {} : { provenance }),
    ...(replayRun === undefined || replayRun === '' ? {} : { replayRun }),
  };
}

const PROVENANCE_NAMES: ReadonlySet<string> = new Set(Object.values(Provenance));

function knownProvenance(value: string | undefined): ProvenanceName | undefined {
  return value !== undefined && PROVENANCE_NAMES.has(value) ? (value as ProvenanceName) : undefined;
}

/** The signature headers of a message: each one's values, or sent without any (`[]`), or not sent (absent). */
function decodeSignatures(attribute: (name: string) => string | undefined): SignatureHeaders {
  const sentEmpty = (attribute(QueuedWebhookAttribute.EMPTY_SIGNATURE_HEADERS) ?? '').split(',');
  const headers: Record<string, string | readonly string[] | undefined> = {};
  for (const [header, name] of SIGNATURE_HEADER_ATTRIBUTES) {
    headers[header] = attribute(name) ?? (sentEmpty.includes(header) ? [] : undefined);
  }
  return readSignatureHeaders(headers);
}

/** The attributes of a queue message as SendMessage takes them. */
export function sendMessageAttributes(
  message: Pick<QueueMessage, 'attributes'>,
): Record<string, { DataType: string; StringValue: string }> {
  return Object.fromEntries(
    Object.entries(message.attributes).map(([name, value]) => [
      name,
      { DataType: STRING_DATA_TYPE, StringValue: value },
    ]),
  );
}

function sqsMessageBytes(body: string, attributes: Readonly<Record<string, string>>): number {
  return Object.entries(attributes).reduce(
    (bytes, [name, value]) => bytes + Buffer.byteLength(name) + STRING_DATA_TYPE.length + Buffer.byteLength(value),
    Buffer.byteLength(body),
  );
}

/** Milliseconds since 1970, as the queue-first mapping template writes `ReceivedAt` (`$context.requestTimeEpoch`). */
const EPOCH_MILLISECONDS = /^\d{1,15}$/;

/** `ReceivedAt` as ISO 8601 whichever door wrote it; anything else is passed on as it is. */
function isoReceivedAt(value: string): string {
  return EPOCH_MILLISECONDS.test(value) ? new Date(Number(value)).toISOString() : value;
}

/**
 * When the webhook was accepted, in milliseconds since 1970, from a `ReceivedAt` attribute written by either door
 * (ISO 8601 by the receiver, epoch milliseconds by the queue-first template); NaN when it is missing or unreadable.
 */
export function receivedAtMillis(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  return EPOCH_MILLISECONDS.test(value) ? Number(value) : Date.parse(value);
}
