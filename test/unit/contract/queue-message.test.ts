import fc from 'fast-check';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  FluentSignatureVerifier,
  readSignatureHeaders,
  SignatureHeaders,
  signFluentPayload,
} from '../../../lambdas/core';
import {
  BODY_ENCODING_BASE64,
  decodeQueueMessage,
  encodeQueueMessage,
  isSqsSafeText,
  QueuedWebhook,
  QueuedWebhookAttribute,
  QueueMessage,
  QueueRecord,
  receivedAtMillis,
  sendMessageAttributes,
} from '../../../lambdas/contract/queue-message';
import { toRecordAttributes } from '../../../tools/local/sqs-event-records';
import { fluentEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';

const META = { route: 'fluent/orders', receivedAt: '2026-11-29T01:00:00.000Z', requestId: 'req-1' };

/** The record Lambda hands the consumer for a message sent with SendMessage. */
function recordOf(message: QueueMessage): QueueRecord {
  return { body: message.body, messageAttributes: toRecordAttributes(sendMessageAttributes(message)) };
}

function encoded(webhook: QueuedWebhook): QueueMessage {
  const result = encodeQueueMessage(webhook);
  if (!result.ok) throw new Error(`refused: ${result.field}`);
  return result.message;
}

function webhookOf(rawBody: Buffer, headers: Record<string, string | string[]> = {}): QueuedWebhook {
  return { rawBody, signatures: readSignatureHeaders(headers), ...META };
}

/** What the codec can carry of a signature record: its SQS-safe values, and every header that was sent. */
function carriable(signatures: SignatureHeaders): SignatureHeaders {
  const kept: Record<string, readonly string[]> = {};
  // A header that was sent stays sent, whether or not any of its values can travel.
  for (const [name, values] of Object.entries(signatures) as Array<[string, readonly string[]]>) {
    kept[name] = values.filter(isSqsSafeText);
  }
  return kept;
}

/** Header values as a sender could write them: base64-like, odd characters, commas, spaces, empty. */
const headerValue = fc.oneof(
  fc.base64String({ minLength: 4, maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', ' ', ',', 'a, b', 'AAAA,AAAA', '\u0000', '\uffff', '\ud800'),
);
const rawHeaders = fc.dictionary(
  fc.constantFrom('fluent-signature', 'Fluent-Signature', 'FLEX.SIGNATURE', 'flex.signature', 'x-other'),
  fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
  { maxKeys: 4 },
);
/** Metadata SQS can carry, empty included (an empty value travels as a missing attribute). */
const carriableText = fc.string({ unit: 'binary', maxLength: 30 }).filter(isSqsSafeText);

describe('Function: encodeQueueMessage / decodeQueueMessage', () => {
  const keys = testKeyPair(1024, 'queue');
  const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });

  it('carries an ordinary body as its text, with the signatures and metadata as attributes', () => {
    // Prepare
    const body = fluentEventBody();
    const signed = signFluentPayload(body, keys.privateKey);

    // Act
    const message = encoded(
      webhookOf(body, {
        'Fluent-Signature': signed[FLUENT_SIGNATURE_HEADER],
        'flex.signature': signed[FLEX_SIGNATURE_HEADER],
      }),
    );

    // Assess
    const attributes = {
      [QueuedWebhookAttribute.ROUTE]: META.route,
      [QueuedWebhookAttribute.RECEIVED_AT]: META.receivedAt,
      [QueuedWebhookAttribute.REQUEST_ID]: META.requestId,
      [QueuedWebhookAttribute.FLUENT_SIGNATURE]: signed[FLUENT_SIGNATURE_HEADER],
      [QueuedWebhookAttribute.FLEX_SIGNATURE]: signed[FLEX_SIGNATURE_HEADER],
    };
    expect(message).toEqual({
      body: body.toString('utf8'),
      attributes,
      bytes:
        body.length +
        Object.entries(attributes).reduce(
          (sum, [name, value]) => sum + name.length + 'String'.length + value.length,
          0,
        ),
      base64: false,
    });
    expect(Object.keys(message.attributes).length).toBeLessThanOrEqual(10);
  });

  it('reads back what it encoded, for any body bytes, signature values and carriable metadata', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        rawHeaders,
        carriableText,
        carriableText,
        carriableText,
        (bytes, headers, route, receivedAt, requestId) => {
          const webhook = {
            rawBody: Buffer.from(bytes),
            signatures: readSignatureHeaders(headers),
            route,
            receivedAt,
            requestId,
          };
          const exact = { ...webhook, signatures: carriable(webhook.signatures) };
          expect(decodeQueueMessage(recordOf(encoded(webhook)))).toEqual(exact);
          expect(decodeQueueMessage(recordOf(encoded(exact)))).toEqual(exact);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('sends only attributes SQS accepts (non-empty, XML characters), at most 10, and counts its size as SQS does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), rawHeaders, carriableText, (bytes, headers, route) => {
        const message = encoded({ ...webhookOf(Buffer.from(bytes), headers), route });
        const attributes = Object.entries(message.attributes);
        expect(attributes.length).toBeLessThanOrEqual(10);
        for (const [, value] of attributes) expect(value.length > 0 && isSqsSafeText(value)).toBe(true);
        expect(isSqsSafeText(message.body)).toBe(true);
        const attributeBytes = attributes.reduce(
          (sum, [name, value]) => sum + Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value),
          0,
        );
        expect(message.bytes).toBe(Buffer.byteLength(message.body) + attributeBytes);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses metadata SQS cannot carry, naming the field, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.record({
          route: fc.string({ unit: 'binary', maxLength: 8 }),
          receivedAt: fc.oneof(fc.constant(META.receivedAt), fc.string({ unit: 'binary', maxLength: 8 })),
          requestId: fc.oneof(fc.constant(META.requestId), fc.string({ unit: 'binary', maxLength: 8 })),
        }),
        (metadata) => {
          const result = encodeQueueMessage({ rawBody: Buffer.from('{}'), signatures: {}, ...metadata });
          const firstUncarriable = (['route', 'receivedAt', 'requestId'] as const).find(
            (field) => !isSqsSafeText(metadata[field]),
          );
          expect(result.ok ? undefined : result.field).toBe(firstUncarriable);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('lets the consumer accept whatever the receiver accepted, with the same header and key', () => {
    const body = fluentEventBody();
    const signed = signFluentPayload(body, keys.privateKey);
    const stranger = signFluentPayload(body, testKeyPair(1024, 'stranger').privateKey);
    const signatureValue = fc.oneof(headerValue, fc.constantFrom(...Object.values(signed), ...Object.values(stranger)));
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('fluent-signature', 'Fluent-Signature', 'flex.signature', 'FLEX.Signature'),
          fc.oneof(signatureValue, fc.array(signatureValue, { maxLength: 3 })),
          { maxKeys: 3 },
        ),
        (headers) => {
          const received = verifier.verify(body, headers);
          const queued = decodeQueueMessage(recordOf(encoded(webhookOf(body, headers))));
          const consumed = verifier.verifySignatures(queued.rawBody, queued.signatures);
          if (received.ok) expect(consumed).toEqual(received);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['U+FFFF', Buffer.from('{"a":"\uffff"}', 'utf8')],
    ['U+FFFE', Buffer.from('{"a":"\ufffe"}', 'utf8')],
    ['a control character', Buffer.from('{"a":"\u0001"}', 'utf8')],
    ['NUL', Buffer.from('{"a":"\u0000"}', 'utf8')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('base64-encodes a body holding %s, which SQS cannot carry as text, and restores its bytes', (_case, body) => {
    // Act
    const message = encoded(webhookOf(body));
    const webhook = decodeQueueMessage(recordOf(message));

    // Assess
    expect(message.attributes[QueuedWebhookAttribute.BODY_ENCODING]).toBe(BODY_ENCODING_BASE64);
    expect(message.base64).toBe(true);
    expect(message.body).toBe(body.toString('base64'));
    expect(webhook.rawBody.equals(body)).toBe(true);
  });

  it('carries any valid UTF-8 body as text exactly when SQS can carry that text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const message = encoded(webhookOf(Buffer.from(text, 'utf8')));
        expect(message.base64).toBe(!isSqsSafeText(text));
        expect(message.attributes[QueuedWebhookAttribute.BODY_ENCODING] === undefined).toBe(isSqsSafeText(text));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every value of a repeated signature header, from multiValueHeaders and headers, so the consumer decides alike', () => {
    // Prepare
    const body = fluentEventBody();
    const good = signFluentPayload(body, keys.privateKey)[FLUENT_SIGNATURE_HEADER];
    const signatures = readSignatureHeaders({ 'Fluent-Signature': ['AAAA', good] }, { 'fluent-signature': good });

    // Act
    const message = encoded({ rawBody: body, signatures, ...META });
    const webhook = decodeQueueMessage(recordOf(message));

    // Assess
    expect(message.attributes[QueuedWebhookAttribute.FLUENT_SIGNATURE]).toBe(`AAAA,${good}`);
    expect(verifier.verifySignatures(webhook.rawBody, webhook.signatures)).toMatchObject({ ok: true });
  });

  it('leaves out a signature header that was not sent, and reads it back as absent', () => {
    // Act
    const message = encoded(webhookOf(Buffer.from('{}'), { 'fluent-signature': 'x' }));

    // Assess
    expect(Object.keys(message.attributes)).not.toContain(QueuedWebhookAttribute.FLEX_SIGNATURE);
    expect(Object.keys(message.attributes)).not.toContain(QueuedWebhookAttribute.EMPTY_SIGNATURE_HEADERS);
    expect(decodeQueueMessage(recordOf(message)).signatures).toEqual({ [FLUENT_SIGNATURE_HEADER]: ['x'] });
  });

  it('names a signature header sent empty, and reads it back as sent without values, so MD5 cannot rescue it', () => {
    // Prepare: what the review sent, an empty SHA-512 header beside a valid MD5 one.
    const body = fluentEventBody();
    const signed = signFluentPayload(body, keys.privateKey);
    const headers = { 'fluent-signature': '', 'flex.signature': signed[FLEX_SIGNATURE_HEADER] };

    // Act
    const message = encoded(webhookOf(body, headers));
    const webhook = decodeQueueMessage(recordOf(message));

    // Assess
    expect(message.attributes[QueuedWebhookAttribute.EMPTY_SIGNATURE_HEADERS]).toBe(FLUENT_SIGNATURE_HEADER);
    expect(webhook.signatures[FLUENT_SIGNATURE_HEADER]).toEqual([]);
    expect(verifier.verifySignatures(webhook.rawBody, webhook.signatures)).toEqual(verifier.verify(body, headers));
    expect(verifier.verify(body, headers)).toMatchObject({ ok: false });
  });

  it.each([
    ['no attributes', { body: 'x' }],
    ['attributes without string values', { body: 'x', messageAttributes: { Route: {}, RequestId: undefined } }],
  ])('reads a record with %s as empty metadata instead of throwing', (_case, record) => {
    // Act
    const webhook = decodeQueueMessage(record);

    // Assess
    expect(webhook).toEqual({ rawBody: Buffer.from('x'), signatures: {}, route: '', receivedAt: '', requestId: '' });
  });

  it('reads a message written before the codec (attribute names and base64 rule unchanged)', () => {
    // Prepare: the attributes as the receiver has always written them.
    const body = Buffer.from('{"id":"e-1","odd":"\uffff"}', 'utf8');
    const record = {
      body: body.toString('base64'),
      messageAttributes: toRecordAttributes({
        FluentSignature: { DataType: 'String', StringValue: 'AAAA,BBBB' },
        Route: { DataType: 'String', StringValue: 'orders/status' },
        ReceivedAt: { DataType: 'String', StringValue: META.receivedAt },
        RequestId: { DataType: 'String', StringValue: 'req-9' },
        BodyEncoding: { DataType: 'String', StringValue: 'base64' },
      }),
    };

    // Act
    const webhook = decodeQueueMessage(record);

    // Assess
    expect(webhook).toEqual({
      rawBody: body,
      signatures: { [FLUENT_SIGNATURE_HEADER]: ['AAAA', 'BBBB'] },
      route: 'orders/status',
      receivedAt: META.receivedAt,
      requestId: 'req-9',
    });
  });

  it.each([
    ['the epoch milliseconds the queue-first mapping template writes', '1796133758123', '2026-12-01T14:02:38.123Z'],
    ['the ISO 8601 time the verifying Lambda writes', '2026-12-01T14:02:38.123Z', '2026-12-01T14:02:38.123Z'],
  ])('reads ReceivedAt as ISO 8601, and as the same time in milliseconds, from %s', (_case, written, read) => {
    // Act
    const webhook = decodeQueueMessage({
      body: 'x',
      messageAttributes: { [QueuedWebhookAttribute.RECEIVED_AT]: { stringValue: written } },
    });

    // Assess
    expect(webhook.receivedAt).toBe(read);
    expect(receivedAtMillis(written)).toBe(Date.parse(read));
  });

  it.each([undefined, '', 'yesterday'])('reads an unreadable ReceivedAt (%s) as no time at all', (written) => {
    // Assess
    expect(receivedAtMillis(written)).toBeNaN();
  });
});

describe('Queue message: provenance and replay run', () => {
  const body = Buffer.from('{"id":"e-1"}');

  it('carries a replay and its run id, and decodes them back', () => {
    // Act
    const message = encoded({ ...webhookOf(body), provenance: 'replay', replayRun: 'run-7' });
    const webhook = decodeQueueMessage(recordOf(message));

    // Assess
    expect(message.attributes).toMatchObject({
      [QueuedWebhookAttribute.PROVENANCE]: 'replay',
      [QueuedWebhookAttribute.REPLAY_RUN]: 'run-7',
    });
    expect(webhook).toMatchObject({ provenance: 'replay', replayRun: 'run-7' });
  });

  it('writes no attribute for a webhook, so messages look as before, and reads an old message as a webhook', () => {
    // Act
    const message = encoded({ ...webhookOf(body), provenance: 'webhook' });
    const webhook = decodeQueueMessage(recordOf(message));

    // Assess
    expect(Object.keys(message.attributes)).not.toContain(QueuedWebhookAttribute.PROVENANCE);
    expect(webhook.provenance).toBeUndefined();
    expect(webhook.replayRun).toBeUndefined();
  });

  it('reads a provenance it does not know as none', () => {
    // Act
    const webhook = decodeQueueMessage({
      body: 'x',
      messageAttributes: { [QueuedWebhookAttribute.PROVENANCE]: { stringValue: 'something-new' } },
    });

    // Assess
    expect(webhook.provenance).toBeUndefined();
  });

  it('refuses a replay run id SQS cannot carry', () => {
    // Act
    const result = encodeQueueMessage({ ...webhookOf(body), provenance: 'replay', replayRun: 'run\u0000' });

    // Assess
    expect(result).toEqual({ ok: false, field: 'replayRun' });
  });
});

describe('Function: isSqsSafeText', () => {
  it.each([
    ['tab, LF, CR and printable ASCII', true, '\t\n\r a~'],
    ['BMP text up to U+FFFD', true, 'é東\ufffd'],
    ['astral characters', true, '🚚\u{10ffff}'],
    ['U+FFFE', false, '\ufffe'],
    ['U+FFFF', false, '\uffff'],
    ['a C0 control character', false, '\u001f'],
    ['a lone surrogate', false, '\ud800'],
  ])('%s → safe: %s', (_case, safe, text) => {
    // Act
    const result = isSqsSafeText(text);

    // Assess
    expect(result).toBe(safe);
  });
});
