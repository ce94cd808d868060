import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  MAX_SQS_MESSAGE_BYTES,
  parseReceiverSettings,
  pathSecretFingerprint,
  RawReceiverSettings,
  signFluentPayload,
} from '../../../lambdas/core';
import { decodeQueueMessage } from '../../../lambdas/contract/queue-message';
import { toRecordAttributes } from '../../../tools/local/sqs-event-records';
import { createReceiverHandler } from '../../../lambdas/receiver/create-receiver-handler';
import { createLogger, createMetrics } from '../../../lambdas/shared/observability';
import { fluentEvent, fluentEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';
import { captureOutput, CapturedOutput, decisionLines, emittedMetrics } from '../../support/captured-output';
import { gatewayEvent, PATH_SECRET } from '../../support/gateway-event';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks';
const RECEIVED_AT = new Date('2026-11-29T10:00:00.000Z');
/** The fields a Fluent event needs besides id and accountId, for hand-written bodies. */
const EVENT_FIELDS = '"name":"N","retailerId":"1","entityId":"2","entityRef":"R","entityType":"ORDER"';

describe('Function: createReceiverHandler', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const stranger = testKeyPair(1024, 'stranger');
  const sqs = mockClient(SQSClient);
  let output: CapturedOutput;

  const receiver = (
    overrides: RawReceiverSettings = {},
    now: () => Date = () => RECEIVED_AT,
    ordering: 'unordered' | 'per-entity' = 'unordered',
  ) =>
    createReceiverHandler({
      ordering,
      settings: parseReceiverSettings({ publicKeys: fluent.publicKeyBase64, accountIds: 'ACME', ...overrides }),
      sqsClient: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: QUEUE_URL,
      logger: createLogger('receiver'),
      metrics: createMetrics('receiver'),
      now,
    });
  const signed = (body: Buffer | string, key = fluent) => signFluentPayload(body, key.privateKey);
  const sentInputs = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
  const responseBody = (result: { body: string }) => JSON.parse(result.body) as Record<string, unknown>;

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
    output = captureOutput();
  });
  afterEach(() => output.restore());

  describe('accepting', () => {
    it('queues the raw body with both signatures, the route, the receive time and the request id, then answers 200', async () => {
      // Prepare
      const body = fluentEventBody();
      const headers = signed(body);

      // Act
      const result = await receiver()(gatewayEvent({ body, headers, route: 'orders/shipped', requestId: 'req-42' }));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(responseBody(result)).toEqual({ status: 'accepted', requestId: 'req-42' });
      expect(sentInputs()).toEqual([
        {
          QueueUrl: QUEUE_URL,
          MessageBody: body.toString('utf8'),
          MessageAttributes: {
            FluentSignature: { DataType: 'String', StringValue: headers[FLUENT_SIGNATURE_HEADER] },
            FlexSignature: { DataType: 'String', StringValue: headers[FLEX_SIGNATURE_HEADER] },
            Route: { DataType: 'String', StringValue: 'orders/shipped' },
            ReceivedAt: { DataType: 'String', StringValue: RECEIVED_AT.toISOString() },
            RequestId: { DataType: 'String', StringValue: 'req-42' },
          },
        },
      ]);
    });

    it('with per-entity ordering, sends to the FIFO queue with the root entity as group and the event id as deduplication id', async () => {
      // Prepare
      const body = fluentEventBody({
        id: 'event-7',
        entityType: 'FULFILMENT',
        entityRef: 'F_1',
        rootEntityRef: 'HD_9',
      });

      // Act
      const result = await receiver({}, undefined, 'per-entity')(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(sentInputs()).toEqual([
        expect.objectContaining({ MessageGroupId: 'ACME/ORDER/HD_9', MessageDeduplicationId: 'event-7' }),
      ]);
      expect(decisionLines(output)).toEqual([
        expect.objectContaining({ message: 'Webhook accepted', eventId: 'event-7', messageGroupId: 'ACME/ORDER/HD_9' }),
      ]);
    });

    it('without ordering, sends no group or deduplication id (a standard queue refuses them)', async () => {
      // Prepare
      const body = fluentEventBody();

      // Act
      await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(sentInputs()[0]).not.toHaveProperty('MessageGroupId');
      expect(sentInputs()[0]).not.toHaveProperty('MessageDeduplicationId');
    });

    it.each([
      [
        'escapes, multi-byte characters and odd spacing',
        `{ "id":"e-1", "accountId":"ACME", ${EVENT_FIELDS}, "note":"caf\\u00e9 é 😀 \\"q\\"",\n\t"n": 1.50 }`,
      ],
      [
        'line separators and escaped lone surrogates',
        `{"id":"e-1","accountId":"ACME",${EVENT_FIELDS},"s":"a\u2028b \\ud800 \\u0000"}`,
      ],
    ])('keeps a body with %s byte for byte', async (_case, text) => {
      // Prepare
      const body = Buffer.from(text, 'utf8');

      // Act
      const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(200);
      const [input] = sentInputs();
      expect(Buffer.from(input.MessageBody ?? '', 'utf8').equals(body)).toBe(true);
      expect(input.MessageAttributes?.BodyEncoding).toBeUndefined();
    });

    it('carries a body with characters SQS cannot take (U+FFFF) base64-encoded, and the consumer gets the exact bytes back', async () => {
      // Prepare
      const body = Buffer.from(`{"id":"e-2","accountId":"ACME",${EVENT_FIELDS},"odd":"\uFFFF\uFFFE"}`, 'utf8');

      // Act
      const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(200);
      const [input] = sentInputs();
      expect(input.MessageBody).toBe(body.toString('base64'));
      expect(input.MessageAttributes?.BodyEncoding).toEqual({ DataType: 'String', StringValue: 'base64' });
      const queued = decodeQueueMessage({
        body: input.MessageBody,
        messageAttributes: toRecordAttributes(input.MessageAttributes),
      });
      expect(queued.rawBody.equals(body)).toBe(true);
    });

    it('accepts a body that API Gateway passed as text (isBase64Encoded false)', async () => {
      // Prepare
      const body = fluentEventBody();

      // Act
      const result = await receiver()(gatewayEvent({ body, base64: false, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(sentInputs()[0].MessageBody).toBe(body.toString('utf8'));
    });

    it.each(['fluent-signature', 'Fluent-Signature', 'FLUENT-SIGNATURE'])(
      'finds the signature header spelt %s',
      async (name) => {
        // Prepare
        const body = fluentEventBody();
        const signature = signed(body)[FLUENT_SIGNATURE_HEADER];

        // Act
        const result = await receiver()(gatewayEvent({ body, headers: { [name]: signature } }));

        // Assess
        expect(result.statusCode).toBe(200);
        expect(sentInputs()[0].MessageAttributes?.FluentSignature?.StringValue).toBe(signature);
        expect(sentInputs()[0].MessageAttributes?.FlexSignature).toBeUndefined();
      },
    );

    it('reads every value of a repeated header from multiValueHeaders and queues them all, so the consumer decides alike', async () => {
      // Prepare
      const body = fluentEventBody();
      const good = signed(body)[FLUENT_SIGNATURE_HEADER];
      const bad = signed(body, stranger)[FLUENT_SIGNATURE_HEADER];
      // API Gateway puts only the last value in `headers`; here that is the bad one.
      const event = gatewayEvent({
        body,
        headers: { 'Fluent-Signature': bad },
        multiValueHeaders: { 'Fluent-Signature': [good, bad] },
      });

      // Act
      const result = await receiver()(event);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(sentInputs()[0].MessageAttributes?.FluentSignature?.StringValue).toBe(`${good},${bad}`);
    });

    it('sends no empty attribute value, which SQS would refuse, but names the header sent empty', async () => {
      // Prepare
      const body = fluentEventBody();
      const headers = { [FLUENT_SIGNATURE_HEADER]: signed(body)[FLUENT_SIGNATURE_HEADER], [FLEX_SIGNATURE_HEADER]: '' };

      // Act
      const result = await receiver()(gatewayEvent({ body, headers }));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(Object.keys(sentInputs()[0].MessageAttributes ?? {}).sort()).toEqual([
        'EmptySignatureHeaders',
        'FluentSignature',
        'ReceivedAt',
        'RequestId',
        'Route',
      ]);
      expect(sentInputs()[0].MessageAttributes?.EmptySignatureHeaders?.StringValue).toBe(FLEX_SIGNATURE_HEADER);
    });

    it('accepts an event of an allowed retailer', async () => {
      // Prepare
      const body = fluentEventBody({ retailerId: '7' });

      // Act
      const result = await receiver({ retailerIds: '7,8' })(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(200);
    });
  });

  describe('refusing', () => {
    const validBody = fluentEventBody();

    it.each([
      ['without an id', { id: undefined }, 'id'],
      ['with a blank id', { id: '  ' }, 'id'],
      ['without a name', { name: undefined }, 'name'],
      ['with an entityType that is a number', { entityType: 5 }, 'entityType'],
      ['with a null entityStatus', { entityStatus: null }, 'entityStatus'],
    ])(
      'answers 400 invalid-event for a signed event %s, as the consumer would refuse it, and queues nothing',
      async (_case, overrides, field) => {
        // Prepare
        const body = fluentEventBody(overrides as Record<string, unknown>);

        // Act
        const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

        // Assess
        expect(result.statusCode).toBe(400);
        expect(responseBody(result)).toEqual({
          error: 'invalid-event',
          message: `The body is not a Fluent event: missing or invalid ${field}.`,
          requestId: 'req-0001',
        });
        expect(sentInputs()).toEqual([]);
      },
    );

    it.each([
      ['no signature header', {}, 'missing-signature'],
      ['a signature that is not base64', { [FLUENT_SIGNATURE_HEADER]: 'not base64!' }, 'malformed-signature'],
      [
        'a signature of the wrong length',
        { [FLUENT_SIGNATURE_HEADER]: Buffer.alloc(64).toString('base64') },
        'signature-length-mismatch',
      ],
      [
        'a signature by another key',
        signFluentPayload(validBody, testKeyPair(1024, 'stranger').privateKey),
        'no-matching-key',
      ],
    ])('answers 401 for %s and queues nothing', async (_case, headers, reason) => {
      // Act
      const result = await receiver()(gatewayEvent({ body: validBody, headers }));

      // Assess
      expect(result.statusCode).toBe(401);
      expect(responseBody(result)).toEqual({ error: reason, message: expect.any(String), requestId: 'req-0001' });
      expect(sentInputs()).toEqual([]);
    });

    it('answers 401 for an MD5-only request under the require-sha512 policy', async () => {
      // Prepare
      const headers = { [FLEX_SIGNATURE_HEADER]: signed(validBody)[FLEX_SIGNATURE_HEADER] };

      // Act
      const result = await receiver({ signaturePolicy: 'require-sha512' })(gatewayEvent({ body: validBody, headers }));

      // Assess
      expect(result.statusCode).toBe(401);
      expect(responseBody(result).error).toBe('md5-refused-by-policy');
    });

    it('answers 401 for a body changed after signing', async () => {
      // Prepare
      const headers = signed(validBody);
      const tampered = Buffer.from(validBody.toString('utf8').replace('ACME', 'ACMF'));

      // Act
      const result = await receiver()(gatewayEvent({ body: tampered, headers }));

      // Assess
      expect(result.statusCode).toBe(401);
      expect(sentInputs()).toEqual([]);
    });

    it.each([
      ['not valid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid-utf8'],
      ['not JSON', Buffer.from('id=1&accountId=ACME'), 'invalid-json'],
      ['a JSON array', Buffer.from('[{"accountId":"ACME"}]'), 'not-an-object'],
      ['JSON null', Buffer.from('null'), 'not-an-object'],
      ['empty', Buffer.alloc(0), 'invalid-json'],
    ])('answers 400 for a validly signed body that is %s', async (_case, body, reason) => {
      // Act
      const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(responseBody(result).error).toBe(reason);
      expect(sentInputs()).toEqual([]);
    });

    it.each([
      ['a control character', 'orders\u0000x'],
      ['a non-character', 'orders\uFFFF'],
    ])('answers 400 for a route holding %s, which no SQS attribute can carry', async (_case, route) => {
      // Act
      const result = await receiver()(gatewayEvent({ body: validBody, headers: signed(validBody), route }));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(responseBody(result).error).toBe('invalid-route');
      expect(sentInputs()).toEqual([]);
    });

    it.each([
      ['another account', { accountId: 'OTHER' }, {}, 'account-not-allowed'],
      ['no account', { accountId: undefined }, {}, 'account-not-allowed'],
      ['a retailer not on the list', { retailerId: '9' }, { retailerIds: '1,2' }, 'retailer-not-allowed'],
    ])('answers 403 for a validly signed event of %s', async (_case, overrides, settings, reason) => {
      // Prepare
      const body = fluentEventBody(overrides);

      // Act
      const result = await receiver(settings)(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(403);
      expect(responseBody(result).error).toBe(reason);
      expect(sentInputs()).toEqual([]);
    });

    it('answers 413 for a body over 1 MiB before looking at the signature', async () => {
      // Prepare
      const body = Buffer.alloc(MAX_SQS_MESSAGE_BYTES + 1, 0x20);

      // Act
      const result = await receiver()(gatewayEvent({ body, headers: {} }));

      // Assess
      expect(result.statusCode).toBe(413);
      expect(responseBody(result)).toEqual({
        error: 'body-too-large',
        message: `The body is ${MAX_SQS_MESSAGE_BYTES + 1} bytes; the queue carries at most 1048576 bytes (1 MiB) per message, attributes included.`,
        requestId: 'req-0001',
      });
      expect(sentInputs()).toEqual([]);
    });

    it('answers 413 for a signed body under 1 MiB whose message attributes take it over', async () => {
      // Prepare
      const padding = MAX_SQS_MESSAGE_BYTES - Buffer.byteLength(JSON.stringify(fluentEvent({ pad: '' })));
      const body = fluentEventBody({ pad: 'x'.repeat(padding) });

      // Act
      const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(body.length).toBe(MAX_SQS_MESSAGE_BYTES);
      expect(result.statusCode).toBe(413);
      expect(responseBody(result).message).toMatch(
        /^The queue message would be \d+ bytes; the queue carries at most 1048576 bytes/,
      );
      expect(sentInputs()).toEqual([]);
    });

    it('answers 413 when the base64 form a body needs would pass 1 MiB, and says why', async () => {
      // Prepare
      const body = fluentEventBody({ pad: '\uFFFF'.repeat(300_000) });

      // Act
      const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(body.length).toBeLessThan(MAX_SQS_MESSAGE_BYTES);
      expect(result.statusCode).toBe(413);
      expect(responseBody(result).message).toMatch(
        /with the body base64-encoded \(it holds characters SQS cannot carry as text\)/,
      );
    });

    it('sends a queue message of exactly 1 MiB', async () => {
      // Prepare: find the padding that makes body plus attributes exactly the limit.
      const probe = fluentEventBody({ pad: '' });
      const headers = signed(probe);
      const attributeBytes =
        ['FluentSignature', 'FlexSignature', 'Route', 'ReceivedAt', 'RequestId']
          .map((name) => name.length + 'String'.length)
          .reduce((sum, bytes) => sum + bytes, 0) +
        headers[FLUENT_SIGNATURE_HEADER].length * 2 +
        'orders'.length +
        RECEIVED_AT.toISOString().length +
        'req-0001'.length;
      const body = fluentEventBody({ pad: 'x'.repeat(MAX_SQS_MESSAGE_BYTES - attributeBytes - probe.length) });

      // Act
      const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(sentInputs()[0].MessageBody?.length).toBe(MAX_SQS_MESSAGE_BYTES - attributeBytes);
    });
  });

  describe('failing', () => {
    it('answers 503 when SendMessage fails, so Fluent retries', async () => {
      // Prepare
      sqs
        .on(SendMessageCommand)
        .rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
      const body = fluentEventBody();

      // Act
      const result = await receiver()(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(503);
      expect(responseBody(result)).toEqual({
        error: 'queue-unavailable',
        message: 'The webhook could not be queued and was not accepted; retry later.',
        requestId: 'req-0001',
      });
      expect(decisionLines(output)).toEqual([
        expect.objectContaining({
          outcome: 'failed',
          reason: 'queue-unavailable',
          status: 503,
          error: { name: 'ServiceUnavailable', message: 'Service unavailable' },
        }),
      ]);
      expect(emittedMetrics(output).map((metric) => metric.name)).toContain('EnqueueFailed');
    });

    it('answers 500 for an unexpected exception instead of throwing', async () => {
      // Prepare
      const body = fluentEventBody();
      const brokenClock = () => {
        throw new TypeError('clock unavailable');
      };

      // Act
      const result = await receiver({}, brokenClock)(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(result.statusCode).toBe(500);
      expect(responseBody(result).error).toBe('internal-error');
      expect(sentInputs()).toEqual([]);
      expect(emittedMetrics(output).map((metric) => metric.name)).toContain('ReceiverError');
    });

    it('answers 500 for an event that is not an API Gateway event at all', async () => {
      // Act
      const result = await receiver()(null as never);

      // Assess
      expect(result.statusCode).toBe(500);
    });
  });

  describe('observability', () => {
    it('counts a webhook accepted on flex.signature alone, and not one with fluent-signature', async () => {
      // Prepare
      const body = fluentEventBody();
      const md5Only = { [FLEX_SIGNATURE_HEADER]: signed(body)[FLEX_SIGNATURE_HEADER] };
      const handler = receiver();

      // Act
      await handler(gatewayEvent({ body, headers: md5Only }));
      await handler(gatewayEvent({ body, headers: signed(body) }));

      // Assess
      expect(emittedMetrics(output).filter((metric) => metric.name === 'WebhookAcceptedOnMd5Only')).toEqual([
        expect.objectContaining({ value: 1 }),
      ]);
      expect(emittedMetrics(output).filter((metric) => metric.name === 'WebhookAccepted')).toHaveLength(2);
    });

    it('cuts a huge event id and route to a few hundred characters with a marker in the log line', async () => {
      // Prepare
      const id = 'x'.repeat(600_000);
      const route = `r/${'y'.repeat(5000)}`;
      const body = fluentEventBody({ id, accountId: 'OTHER' });

      // Act
      await receiver()(gatewayEvent({ body, headers: signed(body), route }));

      // Assess
      const [line] = decisionLines(output);
      expect(line).toMatchObject({ reason: 'account-not-allowed' });
      expect(String(line?.eventId)).toMatch(/^x{300}…\[cut: 600000 characters\]$/);
      expect(String(line?.route)).toMatch(/^r\/y{298}…\[cut: 5002 characters\]$/);
      expect(output.text().length).toBeLessThan(5000);
    });

    it('writes one decision line per request, with request id, route, event id, outcome and reason', async () => {
      // Prepare
      const body = fluentEventBody({ accountId: 'OTHER' });
      const handler = receiver();

      // Act
      await handler(gatewayEvent({ body, headers: signed(body), requestId: 'req-a' }));
      await handler(gatewayEvent({ body: fluentEventBody(), headers: signed(fluentEventBody()), requestId: 'req-b' }));

      // Assess
      expect(decisionLines(output)).toEqual([
        expect.objectContaining({
          level: 'WARN',
          requestId: 'req-a',
          route: 'orders',
          eventId: fluentEvent().id,
          outcome: 'rejected',
          reason: 'account-not-allowed',
          status: 403,
          bodyBytes: body.length,
        }),
        expect.objectContaining({
          level: 'INFO',
          requestId: 'req-b',
          eventId: fluentEvent().id,
          outcome: 'accepted',
          status: 200,
          messageId: 'message-1',
          keyFingerprint: fluent.parsed.fingerprint,
          signatureHeader: FLUENT_SIGNATURE_HEADER,
          pathSecretFingerprint: pathSecretFingerprint(PATH_SECRET),
        }),
      ]);
    });

    it('names the path secret each request came in under by its fingerprint, never by the secret', async () => {
      // Prepare
      const newSecret = 'newPathSecret-do-not-log-0123456789abcdefXYZ';
      const body = fluentEventBody();
      const handler = receiver();

      // Act
      await handler(gatewayEvent({ body, headers: signed(body), pathSecret: PATH_SECRET }));
      await handler(gatewayEvent({ body, headers: signed(body), pathSecret: newSecret }));
      await handler(gatewayEvent({ body, headers: {}, pathSecret: newSecret }));

      // Assess
      expect(decisionLines(output).map((line) => [line.outcome, line.pathSecretFingerprint])).toEqual([
        ['accepted', pathSecretFingerprint(PATH_SECRET)],
        ['accepted', pathSecretFingerprint(newSecret)],
        ['rejected', pathSecretFingerprint(newSecret)],
      ]);
      expect(pathSecretFingerprint(PATH_SECRET)).not.toBe(pathSecretFingerprint(newSecret));
      expect(output.text()).not.toContain(newSecret);
      expect(output.text()).not.toContain(PATH_SECRET);
    });

    it.each([
      ['no resource (a direct invocation)', undefined],
      ['a resource without a literal first segment', '/{proxy+}'],
      ['the root resource', '/'],
    ])('leaves the fingerprint out for %s', async (_case, resource) => {
      // Prepare
      const body = fluentEventBody();
      const event = { ...gatewayEvent({ body, headers: signed(body) }), resource } as ReturnType<typeof gatewayEvent>;

      // Act
      await receiver()(event);

      // Assess
      expect(decisionLines(output)).toEqual([expect.objectContaining({ outcome: 'accepted' })]);
      expect(decisionLines(output)[0]).not.toHaveProperty('pathSecretFingerprint');
    });

    it('never logs or answers with the body, a signature or the path secret', async () => {
      // Prepare
      const marker = 'BODY-MARKER-7f3a';
      const accepted = fluentEventBody({ attributes: { note: marker } });
      const refused = fluentEventBody({ accountId: 'OTHER', attributes: { note: marker } });
      const signatures = [...Object.values(signed(accepted)), ...Object.values(signed(refused))];
      sqs.on(SendMessageCommand).resolvesOnce({ MessageId: 'm' }).rejects(new Error('down'));
      const handler = receiver();

      // Act
      const results = [
        await handler(gatewayEvent({ body: accepted, headers: signed(accepted) })),
        await handler(gatewayEvent({ body: refused, headers: signed(refused) })),
        await handler(
          gatewayEvent({ body: Buffer.from(`not json ${marker}`), headers: signed(Buffer.from(`not json ${marker}`)) }),
        ),
        await handler(gatewayEvent({ body: accepted, headers: signed(accepted) })),
        await handler(gatewayEvent({ body: accepted, headers: { [FLUENT_SIGNATURE_HEADER]: 'x' } })),
      ];

      // Assess
      expect(results.map((result) => result.statusCode)).toEqual([200, 403, 400, 503, 401]);
      const written = output.text() + results.map((result) => result.body).join('\n');
      expect(decisionLines(output)).toHaveLength(5);
      for (const secret of [marker, PATH_SECRET, accepted.toString('base64').slice(0, 40), ...signatures]) {
        expect(written).not.toContain(secret);
      }
    });

    it('counts accepted and rejected requests, rejections by reason, signature rejections and body size', async () => {
      // Prepare
      const body = fluentEventBody();
      const handler = receiver();

      // Act
      await handler(gatewayEvent({ body, headers: signed(body) }));
      await handler(gatewayEvent({ body, headers: {} }));

      // Assess
      const metrics = emittedMetrics(output);
      const base = { service: 'fluent-webhook-receiver', component: 'receiver' };
      expect(metrics).toEqual(
        expect.arrayContaining([
          { name: 'WebhookAccepted', value: 1, dimensions: base },
          { name: 'BodyBytes', value: body.length, dimensions: base },
          { name: 'WebhookRejected', value: 1, dimensions: base },
          { name: 'SignatureRejected', value: 1, dimensions: base },
          { name: 'WebhookRejected', value: 1, dimensions: { ...base, reason: 'missing-signature' } },
        ]),
      );
    });
  });
});
