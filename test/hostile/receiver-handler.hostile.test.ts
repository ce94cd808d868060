import assert from 'node:assert/strict';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc, { Arbitrary } from 'fast-check';
import { createReceiverHandler, ReceiverHandler } from '../../lambdas/receiver/create-receiver-handler';
import {
  FLUENT_SIGNATURE_HEADER,
  lookupHeader,
  MAX_SQS_MESSAGE_BYTES,
  parseReceiverSettings,
  signFluentPayload,
} from '../../lambdas/core';
import { decodeQueueMessage, QueuedWebhookAttribute } from '../../lambdas/contract/queue-message';
import { toRecordAttributes } from '../../tools/local/sqs-event-records';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { testKeyPair } from '../support/test-keys';
import { fluentEvent, fluentEventBody } from '../support/factories';
import { gatewayEvent, PATH_SECRET } from '../support/gateway-event';
import {
  brokenBodies,
  buildCase,
  CaseParts,
  eventBodies,
  headerEntries,
  HostileCase,
  otherHeaders,
  routes,
  SERVED_ACCOUNT,
  SigningKeys,
  transports,
} from './hostile-requests';
import { SqsStandIn } from './sqs-stand-in';
import { captureOutput, CapturedOutput } from '../support/captured-output';

/** What the verifying handler may answer to input it must refuse, and the one answer for what it queued. */
const REFUSALS = [400, 401, 403, 413] as const;
const ANSWERS: readonly number[] = [200, ...REFUSALS];
/** Generated requests per property; together at least 10,000 per run (asserted at the end). */
const RUNS = { arbitrary: 4000, signatureGames: 4000, brokenBodies: 2000, sizeLimit: 12 } as const;
const MIN_CASES = 10_000;

describe('Function: createReceiverHandler (hostile input)', () => {
  // 1024-bit keys, as Fluent uses: each generated genuine signature costs a fraction of a millisecond.
  const keys: SigningKeys = { fluent: testKeyPair(1024, 'fluent'), stranger: testKeyPair(1024, 'stranger') };
  const trustedKey = createPublicKey(keys.fluent.publicKeyPem);
  const queue = new SqsStandIn();
  const tally = { cases: 0, accepted: 0, mustAccept: 0, byStatus: new Map<number, number>() };
  let handler: ReceiverHandler;
  let output: CapturedOutput;

  beforeAll(() => {
    output = captureOutput();
    handler = createReceiverHandler({
      settings: parseReceiverSettings({ publicKeys: keys.fluent.publicKeyBase64, accountIds: SERVED_ACCOUNT }),
      sqsClient: queue.asClient(),
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks',
      logger: createLogger('receiver'),
      metrics: createMetrics('receiver'),
    });
  });
  afterAll(() => output.restore());

  /** True when some signature in the queued message is genuine (trusted key, exact bytes); SHA-512 only once the request sent fluent-signature. */
  const carriesGenuineSignature = (
    rawBody: Buffer,
    attributes: Readonly<Record<string, string>>,
    sentFluentSignature: boolean,
  ): boolean => {
    const genuine = (attribute: string, algorithm: 'sha512' | 'md5') =>
      (attributes[attribute] ?? '')
        .split(',')
        .some((value) => cryptoVerify(algorithm, rawBody, trustedKey, Buffer.from(value, 'base64')));
    if (genuine(QueuedWebhookAttribute.FLUENT_SIGNATURE, 'sha512')) return true;
    return !sentFluentSignature && genuine(QueuedWebhookAttribute.FLEX_SIGNATURE, 'md5');
  };

  /**
   * Runs one request and checks everything that must hold for any input. Checks use node:assert, not expect:
   * jest builds an error object on every expect call, which would dominate ten thousand cases.
   */
  const judge = async (hostile: HostileCase): Promise<number> => {
    // Prepare
    const sentBefore = queue.sent.length;
    output.clear();
    const { event } = hostile;

    // Act
    let result: APIGatewayProxyResult | undefined;
    try {
      result = await handler(event);
    } catch (error) {
      assert.fail(`the handler threw: ${String(error)}`);
    }

    // Assess
    const status = result?.statusCode ?? 0;
    tally.cases += 1;
    tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
    assert.ok(ANSWERS.includes(status), `status ${status} is not one of ${ANSWERS.join(', ')}: ${result?.body}`);
    assert.doesNotThrow(() => JSON.parse(result?.body ?? ''), 'the answer is not JSON');
    const sent = queue.sent.slice(sentBefore);
    assert.equal(sent.length, status === 200 ? 1 : 0, `status ${status} with ${sent.length} messages queued`);
    if (hostile.mustAccept) {
      tally.mustAccept += 1;
      assert.equal(status, 200, `a genuinely signed event for the served account was refused: ${result?.body}`);
    }
    if (status === 200) {
      tally.accepted += 1;
      const input = sent[0];
      const attributes = Object.fromEntries(
        Object.entries(input?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? '']),
      );
      const queued = decodeQueueMessage({
        body: input?.MessageBody,
        messageAttributes: toRecordAttributes(input?.MessageAttributes),
      });
      // Exactly the bytes API Gateway delivered, and a genuine signature over them: nothing else is ever queued.
      const delivered = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
      assert.ok(queued.rawBody.equals(delivered), 'the queued body differs from the bytes delivered');
      const sentFluentSignature = lookupHeader(FLUENT_SIGNATURE_HEADER, event.multiValueHeaders, event.headers).present;
      assert.ok(
        carriesGenuineSignature(queued.rawBody, attributes, sentFluentSignature),
        'queued without a genuine signature over its bytes',
      );
    }
    // Logs never carry the path secret, a signature or the body.
    const logged = output.text();
    assert.ok(!logged.includes(PATH_SECRET), 'the path secret was logged');
    for (const value of hostile.signatureValues) {
      if (value.trim().length >= 24) assert.ok(!logged.includes(value.trim()), 'a signature was logged');
    }
    if (hostile.body.length >= 64) assert.ok(!logged.includes(hostile.body.toString('utf8')), 'the body was logged');
    return status;
  };

  const check = (parts: Arbitrary<CaseParts>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(parts, async (generated) => {
        await judge(buildCase(generated, keys));
      }),
      { numRuns },
    );

  it('answers arbitrary requests with a documented 4xx or 200, and queues only what a trusted key signed', async () => {
    await check(
      fc
        .record({
          body: fc.oneof(
            eventBodies,
            brokenBodies.map((body) => ({ body, served: false })),
          ),
          entries: fc.array(headerEntries, { maxLength: 4 }),
          otherHeaders,
          transport: transports,
          route: routes,
        })
        .map(({ body, ...rest }) => ({ ...rest, body: body.body, bodyIsServedEvent: body.served })),
      RUNS.arbitrary,
    );
  });

  it('accepts events only under a genuine signature, whatever is done to the signature headers', async () => {
    await check(
      fc
        .record({
          event: eventBodies,
          entries: fc.array(headerEntries, { minLength: 1, maxLength: 4 }),
          otherHeaders,
          transport: fc.oneof(
            { weight: 4, arbitrary: fc.constant({ kind: 'base64' as const }) },
            { weight: 1, arbitrary: transports },
          ),
          route: fc.constantFrom('orders', 'orders/status'),
        })
        .map(({ event, ...rest }) => ({ ...rest, body: event.body, bodyIsServedEvent: event.served })),
      RUNS.signatureGames,
    );
  });

  it('refuses genuinely signed bodies that are not a JSON object in valid UTF-8 with 400, never a 5xx', async () => {
    await check(
      fc
        .record({
          body: brokenBodies,
          extraEntries: fc.array(headerEntries, { maxLength: 2 }),
          otherHeaders,
          transport: transports,
          route: routes,
        })
        .map(({ body, extraEntries, ...rest }) => ({
          ...rest,
          body,
          bodyIsServedEvent: false,
          entries: [
            {
              name: FLUENT_SIGNATURE_HEADER,
              values: [{ kind: 'valid' as const, algorithm: 'sha512' as const, key: 'fluent' as const }],
              form: 'single' as const,
              maps: 'both' as const,
            },
            ...extraEntries,
          ],
        })),
      RUNS.brokenBodies,
    );
  });

  it('answers 413 or queues a message SQS takes, for genuinely signed bodies around the 1 MiB limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -4096, max: 4096 }),
        fc.constantFrom('x', '\uffff', 'é'),
        fc.boolean(),
        async (offset, filler, base64) => {
          // An allowed event padded to MAX + offset bytes, with a filler that SQS can carry as text or not at all.
          const head = Buffer.byteLength(
            JSON.stringify(fluentEvent({ id: 'big', accountId: SERVED_ACCOUNT, pad: '' })),
          );
          const fillerBytes = Buffer.byteLength(filler);
          const padding = filler.repeat(Math.max(0, Math.floor((MAX_SQS_MESSAGE_BYTES + offset - head) / fillerBytes)));
          const body = Buffer.from(JSON.stringify(fluentEvent({ id: 'big', accountId: SERVED_ACCOUNT, pad: padding })));
          const event = gatewayEvent({
            body: base64 ? body : body.toString('utf8'),
            base64,
            headers: signFluentPayload(body, keys.fluent.privateKey),
          });
          const status = await judge({ event, mustAccept: false, signatureValues: [], body });
          expect([200, 413]).toContain(status);
          if (body.length > MAX_SQS_MESSAGE_BYTES) expect(status).toBe(413);
          // Attributes take well under 1 KiB; a body SQS can carry as text and that leaves room for them fits.
          if (filler !== '\uffff' && body.length < MAX_SQS_MESSAGE_BYTES - 1024) expect(status).toBe(200);
        },
      ),
      { numRuns: RUNS.sizeLimit },
    );
  });

  it.each([
    ['a control character', '\u0000'],
    ['a non-character', '\uffff'],
    ['a lone surrogate', '\ud800'],
  ])(
    'keeps the genuine signature in the queue when a repeated signature header holds %s (found by this suite)',
    async (_case, junk) => {
      // Prepare
      const body = fluentEventBody({ id: 'e-1', accountId: SERVED_ACCOUNT });
      const genuine = signFluentPayload(body, keys.fluent.privateKey)[FLUENT_SIGNATURE_HEADER];
      const event = gatewayEvent({ body, headers: { [FLUENT_SIGNATURE_HEADER]: `${genuine},${junk}` } });

      // Act
      const status = await judge({ event, mustAccept: true, signatureValues: [genuine], body });

      // Assess
      expect(status).toBe(200);
      expect(
        queue.sent[queue.sent.length - 1]?.MessageAttributes?.[QueuedWebhookAttribute.FLUENT_SIGNATURE]?.StringValue,
      ).toBe(genuine);
    },
  );

  it(`ran at least ${MIN_CASES} generated requests, with genuine ones among them accepted`, () => {
    // Assess
    expect(tally.cases).toBeGreaterThanOrEqual(MIN_CASES);
    expect(tally.mustAccept).toBeGreaterThanOrEqual(300);
    expect(tally.accepted).toBeGreaterThanOrEqual(tally.mustAccept);
    expect([...tally.byStatus.keys()].every((status) => status < 500)).toBe(true);
  });
});
