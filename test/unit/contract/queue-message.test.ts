import fc from 'fast-check';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  FluentSignatureVerifier,
  parseJsonObject,
  signFluentPayload,
} from '../../../lambdas/core';
import {
  BODY_ENCODING_BASE64,
  fromQueuedWebhookMessage,
  isSqsSafeJsonText,
  isSqsSafeText,
  QueuedWebhookAttribute,
  toQueuedWebhookMessage,
} from '../../../lambdas/contract/queue-message';
import { fluentEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';

const META = { route: 'fluent/orders', receivedAt: '2026-11-29T01:00:00.000Z', requestId: 'req-1' };

function queue(
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined> = {},
  multiValueHeaders?: Record<string, string[]>,
) {
  return toQueuedWebhookMessage({ rawBody, bodyText: rawBody.toString('utf8'), headers, multiValueHeaders, ...META });
}

describe('Function: toQueuedWebhookMessage / fromQueuedWebhookMessage', () => {
  const keys = testKeyPair(1024, 'queue');

  it('carries an ordinary body as its text, with the signatures and metadata as attributes', () => {
    // Prepare
    const body = fluentEventBody();
    const signed = signFluentPayload(body, keys.privateKey);

    // Act
    const message = queue(body, {
      'Fluent-Signature': signed[FLUENT_SIGNATURE_HEADER],
      'flex.signature': signed[FLEX_SIGNATURE_HEADER],
    });

    // Assess
    expect(message).toEqual({
      body: body.toString('utf8'),
      attributes: {
        [QueuedWebhookAttribute.ROUTE]: META.route,
        [QueuedWebhookAttribute.RECEIVED_AT]: META.receivedAt,
        [QueuedWebhookAttribute.REQUEST_ID]: META.requestId,
        [QueuedWebhookAttribute.FLUENT_SIGNATURE]: signed[FLUENT_SIGNATURE_HEADER],
        [QueuedWebhookAttribute.FLEX_SIGNATURE]: signed[FLEX_SIGNATURE_HEADER],
      },
    });
    expect(Object.keys(message.attributes).length).toBeLessThanOrEqual(10);
  });

  it('reads back the same bytes, headers and metadata, which verify as before', () => {
    // Prepare
    const body = fluentEventBody({ name: 'Zoë 🚚 \\u00e9' });
    const signed = signFluentPayload(body, keys.privateKey);

    // Act
    const webhook = fromQueuedWebhookMessage(queue(body, signed));

    // Assess
    expect(webhook).toEqual({ rawBody: body, headers: signed, ...META });
    expect(
      new FluentSignatureVerifier({ publicKeys: [keys.parsed] }).verify(webhook.rawBody, webhook.headers),
    ).toMatchObject({ ok: true });
  });

  it.each([
    ['U+FFFF', '{"a":"\uffff"}'],
    ['U+FFFE', '{"a":"\ufffe"}'],
    ['a control character', '{"a":"\u0001"}'],
    ['NUL', '{"a":"\u0000"}'],
  ])('base64-encodes a body holding %s, which SQS cannot carry, and restores its bytes', (_case, text) => {
    // Prepare
    const body = Buffer.from(text, 'utf8');

    // Act
    const message = queue(body);
    const webhook = fromQueuedWebhookMessage(message);

    // Assess
    expect(message.attributes[QueuedWebhookAttribute.BODY_ENCODING]).toBe(BODY_ENCODING_BASE64);
    expect(message.body).toBe(body.toString('base64'));
    expect(webhook.rawBody.equals(body)).toBe(true);
  });

  it('restores any valid UTF-8 body byte for byte', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const body = Buffer.from(text, 'utf8');
        const message = queue(body);
        expect(message.attributes[QueuedWebhookAttribute.BODY_ENCODING] === undefined).toBe(isSqsSafeText(text));
        expect(fromQueuedWebhookMessage(message).rawBody.equals(body)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every value of a repeated signature header, from multiValueHeaders and headers, so the consumer decides alike', () => {
    // Prepare
    const body = fluentEventBody();
    const good = signFluentPayload(body, keys.privateKey)[FLUENT_SIGNATURE_HEADER];

    // Act
    const message = queue(body, { 'fluent-signature': good }, { 'Fluent-Signature': ['AAAA', good] });
    const webhook = fromQueuedWebhookMessage(message);

    // Assess
    expect(message.attributes[QueuedWebhookAttribute.FLUENT_SIGNATURE]).toBe(`AAAA,${good}`);
    expect(
      new FluentSignatureVerifier({ publicKeys: [keys.parsed] }).verify(webhook.rawBody, webhook.headers),
    ).toMatchObject({ ok: true });
  });

  it('leaves out a signature header that was not sent, and reads it back as absent', () => {
    // Act
    const webhook = fromQueuedWebhookMessage(queue(Buffer.from('{}'), { 'fluent-signature': 'x' }));

    // Assess
    expect(webhook.headers).toEqual({ [FLUENT_SIGNATURE_HEADER]: 'x', [FLEX_SIGNATURE_HEADER]: undefined });
  });

  it('reads a message without metadata attributes as empty strings instead of throwing', () => {
    // Act
    const webhook = fromQueuedWebhookMessage({ body: 'x', attributes: {} });

    // Assess
    expect(webhook).toEqual({
      rawBody: Buffer.from('x'),
      headers: { [FLUENT_SIGNATURE_HEADER]: undefined, [FLEX_SIGNATURE_HEADER]: undefined },
      route: '',
      receivedAt: '',
      requestId: '',
    });
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

describe('Function: isSqsSafeJsonText', () => {
  /** Characters at the edges of what SQS takes, and of what JSON and strict UTF-8 admit raw. */
  const edgeUnit = fc.constantFrom(
    'a',
    '"',
    '\\',
    'é',
    '東',
    '🚚',
    '\t',
    '\n',
    '\r',
    '\u0001',
    '\u001f',
    '\u007f',
    '\ud800',
    '\udfff',
    '\ufffd',
    '\ufffe',
    '\uffff',
    '\u{10ffff}',
  );
  /** The text the receiver hands over: decoded by the strict UTF-8 decoder and parsed, or undefined when it was refused. */
  const receivedJsonText = (text: string): string | undefined => {
    const parsed = parseJsonObject(Buffer.from(text, 'utf8'));
    return parsed.ok ? parsed.text : undefined;
  };

  it('agrees with isSqsSafeText on every JSON text the receiver accepts, written by JSON.stringify or by hand', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .tuple(fc.jsonValue({ stringUnit: edgeUnit }), fc.constantFrom(undefined, ' ', '\t', '\r\n'))
            .map(([value, space]) => JSON.stringify({ value }, null, space)),
          // Raw, unescaped: JSON.parse refuses the control characters among them, which is what the rule relies on.
          fc.string({ unit: edgeUnit, maxLength: 40 }).map((raw) => `{"value":"${raw}"}`),
        ),
        (text) => {
          const received = receivedJsonText(text);
          if (received === undefined) return;
          expect(isSqsSafeJsonText(received)).toBe(isSqsSafeText(received));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['plain JSON', true, '{"a":"b"}'],
    ['escaped control characters and surrogates', true, '{"a":"\\u0001\\ud800\\uffff"}'],
    ['whitespace between tokens', true, '\t{\r\n "a" : 1 }\n'],
    ['astral characters', true, '{"a":"🚚\u{10ffff}"}'],
    ['a raw U+FFFE', false, '{"a":"\ufffe"}'],
    ['a raw U+FFFF', false, '{"a":"\uffff"}'],
  ])('%s → safe: %s', (_case, safe, text) => {
    // Prepare
    const received = receivedJsonText(text);

    // Act
    const result = isSqsSafeJsonText(received ?? '');

    // Assess
    expect(received).toBeDefined();
    expect(result).toBe(safe);
    expect(isSqsSafeText(text)).toBe(safe);
  });

  it('lets toQueuedWebhookMessage build the same message for a JSON body as the general rule does', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: edgeUnit }), (value) => {
        const rawBody = Buffer.from(JSON.stringify({ value }), 'utf8');
        const bodyText = receivedJsonText(rawBody.toString('utf8')) as string;
        const general = toQueuedWebhookMessage({ rawBody, bodyText, headers: {}, ...META });
        expect(toQueuedWebhookMessage({ rawBody, bodyText, bodyTextIsJson: true, headers: {}, ...META })).toEqual(
          general,
        );
      }),
      { numRuns: 300 },
    );
  });
});
