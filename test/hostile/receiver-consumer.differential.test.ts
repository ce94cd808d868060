import assert from 'node:assert/strict';
import type { MessageAttributeValue, SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { parseReceiverSettings, readSignatureHeaders, signFluentPayload } from '../../lambdas/core';
import {
  encodeQueueMessage,
  QueuedWebhookAttribute,
  sendMessageAttributes,
} from '../../lambdas/contract/queue-message';
import { createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import { createReceiverHandler } from '../../lambdas/receiver/create-receiver-handler';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { createLambdaContext } from '../../tools/local/lambda-context';
import { toSqsEventRecord } from '../../tools/local/sqs-event-records';
import { fluentEventBody } from '../support/factories';
import { gatewayEvent } from '../support/gateway-event';
import { testKeyPair } from '../support/test-keys';
import { InMemoryPersistenceLayer } from '../unit/consumer/in-memory-persistence-layer';
import {
  brokenBodies,
  buildCase,
  eventBodies,
  headerEntries,
  otherHeaders,
  routes,
  SERVED_ACCOUNT,
  SigningKeys,
  transports,
} from './hostile-requests';
import { SqsStandIn } from './sqs-stand-in';
import { captureOutput, CapturedOutput } from '../support/captured-output';

/** Generated requests: the receiver judges each, the consumer judges what it would queue. */
const RUNS = 2000;
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:fluent-webhooks';

/** What the consumer must decide for a message built from a request the receiver answered with this reason. */
const CONSUMER_REASON_FOR: Readonly<Record<string, string>> = {
  'missing-signature': 'verification-failed',
  'malformed-signature': 'verification-failed',
  'signature-length-mismatch': 'verification-failed',
  'no-matching-key': 'verification-failed',
  'md5-refused-by-policy': 'verification-failed',
  'account-not-allowed': 'account-not-allowed',
  'retailer-not-allowed': 'retailer-not-allowed',
  'invalid-utf8': 'malformed-event',
  'invalid-json': 'malformed-event',
  'not-an-object': 'malformed-event',
  'invalid-event': 'malformed-event',
};

describe('Differential: the real consumer on exactly what the real receiver queued', () => {
  const keys: SigningKeys = { fluent: testKeyPair(1024, 'fluent'), stranger: testKeyPair(1024, 'stranger') };
  const settings = parseReceiverSettings({ publicKeys: keys.fluent.publicKeyBase64, accountIds: SERVED_ACCOUNT });
  const queue = new SqsStandIn();
  const receiver = createReceiverHandler({
    settings,
    sqsClient: queue.asClient(),
    queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks',
    logger: createLogger('receiver'),
    metrics: createMetrics('receiver'),
  });
  const handled: string[] = [];
  const consumer = createConsumerHandler({
    settings,
    persistenceStore: new InMemoryPersistenceLayer(),
    handlers: {
      default: async (event) => {
        handled.push(event.id);
      },
    },
    logger: createLogger('consumer'),
    metrics: createMetrics('consumer'),
  });
  const context = createLambdaContext({
    functionName: 'consumer',
    timeoutSeconds: 30,
    memorySizeMb: 512,
    region: 'eu-west-1',
    accountId: '123456789012',
  });
  let output: CapturedOutput;
  let messageNumber = 0;
  const tally = { cases: 0, accepted: 0, refusedThenJudged: 0 };

  beforeAll(() => {
    output = captureOutput();
  });
  afterAll(() => output.restore());

  const record = (input: Pick<SendMessageCommandInput, 'MessageBody' | 'MessageAttributes'>): SQSRecord => {
    messageNumber += 1;
    return toSqsEventRecord(
      {
        MessageId: `m-${messageNumber}`,
        ReceiptHandle: `r-${messageNumber}`,
        Body: input.MessageBody,
        MessageAttributes: input.MessageAttributes as Record<string, MessageAttributeValue>,
      },
      QUEUE_ARN,
      'eu-west-1',
    );
  };

  /** Delivers one record and returns the consumer's decision line (outcome and reason) and the handled ids. */
  const consume = async (sqsRecord: SQSRecord): Promise<{ outcome: unknown; reason: unknown; handled: string[] }> => {
    output.clear();
    handled.length = 0;
    await consumer({ Records: [sqsRecord] }, context);
    const decision = output
      .text()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"outcome"'))
      .map((line) => JSON.parse(line) as { outcome?: unknown; reason?: unknown })
      .at(-1);
    return { outcome: decision?.outcome, reason: decision?.reason, handled: [...handled] };
  };

  /** The message the receiver would have queued for `event`, had it accepted it (undefined: it cannot be encoded). */
  const wouldQueue = (event: APIGatewayProxyEvent): SendMessageCommandInput | undefined => {
    const encoded = encodeQueueMessage({
      rawBody: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
      signatures: readSignatureHeaders(event.multiValueHeaders, event.headers),
      route: event.pathParameters?.route ?? '',
      receivedAt: new Date().toISOString(),
      requestId: 'differential',
    });
    if (!encoded.ok) return undefined;
    return {
      MessageBody: encoded.message.body,
      MessageAttributes: sendMessageAttributes(encoded.message),
    } as SendMessageCommandInput;
  };

  it(`never disagrees with the receiver over ${RUNS} generated requests, and never processes a forgery`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({
            body: fc.oneof(
              { weight: 3, arbitrary: eventBodies },
              { weight: 1, arbitrary: brokenBodies.map((body) => ({ body, served: false })) },
            ),
            entries: fc.array(headerEntries, { maxLength: 3 }),
            otherHeaders,
            transport: transports,
            route: routes,
          })
          .map(({ body, ...rest }) => ({ ...rest, body: body.body, bodyIsServedEvent: body.served })),
        async (parts) => {
          const { event } = buildCase(parts, keys);
          const sentBefore = queue.sent.length;
          const answer = await receiver(event);
          tally.cases += 1;
          if (answer.statusCode === 200) {
            tally.accepted += 1;
            const verdict = await consume(record(queue.sent[sentBefore] as SendMessageCommandInput));
            assert.ok(
              verdict.outcome === 'processed' || verdict.outcome === 'duplicate',
              `the receiver accepted, the consumer decided ${String(verdict.outcome)} (${String(verdict.reason)})`,
            );
            return;
          }
          const reason = (JSON.parse(answer.body) as { error: string }).error;
          const expected = CONSUMER_REASON_FOR[reason];
          const forged = wouldQueue(event);
          if (expected === undefined || forged === undefined) return;
          // What the receiver refused, put on the queue anyway (as a principal with SendMessage could): refused alike.
          tally.refusedThenJudged += 1;
          const verdict = await consume(record(forged));
          assert.deepEqual(
            verdict.handled,
            [],
            `the consumer ran a handler for a request the receiver refused (${reason})`,
          );
          assert.equal(verdict.outcome, 'failed');
          assert.equal(verdict.reason, expected, `receiver ${reason}, consumer ${String(verdict.reason)}`);
        },
      ),
      { numRuns: RUNS },
    );
    expect(tally.cases).toBe(RUNS);
    // About one in twenty generated requests is a genuine served event that gets through.
    expect(tally.accepted).toBeGreaterThan(RUNS / 40);
    expect(tally.refusedThenJudged).toBeGreaterThan(RUNS / 10);
  });

  describe('attributes an attacker with queue access chooses', () => {
    const body = fluentEventBody({ id: 'attr-1', accountId: SERVED_ACCOUNT });
    const genuine = signFluentPayload(body, keys.fluent.privateKey);
    const queued = (): SendMessageCommandInput => {
      const input = wouldQueue(gatewayEvent({ body, headers: genuine, route: 'orders' }));
      if (input === undefined) throw new Error('the genuine webhook could not be encoded');
      return input;
    };
    const withAttributes = (
      change: (attributes: Record<string, { DataType: string; StringValue: string }>) => void,
    ): SQSRecord => {
      const input = queued();
      const attributes = { ...(input.MessageAttributes as Record<string, { DataType: string; StringValue: string }>) };
      change(attributes);
      return record({ MessageBody: input.MessageBody, MessageAttributes: attributes });
    };

    it.each([
      [
        'a route of its choosing',
        (a: Record<string, { DataType: string; StringValue: string }>) => {
          a[QueuedWebhookAttribute.ROUTE] = { DataType: 'String', StringValue: `../${'x'.repeat(5000)}` };
        },
      ],
      [
        'a receive time of its choosing',
        (a: Record<string, { DataType: string; StringValue: string }>) => {
          a[QueuedWebhookAttribute.RECEIVED_AT] = { DataType: 'String', StringValue: '1970-01-01T00:00:00.000Z' };
        },
      ],
    ])(
      'processes a genuine event once whatever %s says, without trusting it for anything else',
      async (_case, change) => {
        // Act
        const verdict = await consume(withAttributes(change));

        // Assess
        expect(['processed', 'duplicate']).toContain(verdict.outcome);
      },
    );

    it('refuses a body whose encoding attribute was flipped: the bytes no longer match the signature', async () => {
      // Act
      const verdict = await consume(
        withAttributes((a) => {
          a[QueuedWebhookAttribute.BODY_ENCODING] = { DataType: 'String', StringValue: 'base64' };
        }),
      );

      // Assess
      expect(verdict).toEqual({ outcome: 'failed', reason: 'verification-failed', handled: [] });
    });

    it('decides on flex.signature alone when fluent-signature was dropped, and refuses it under require-sha512', async () => {
      // Prepare
      const strict = createConsumerHandler({
        settings: parseReceiverSettings({
          publicKeys: keys.fluent.publicKeyBase64,
          accountIds: SERVED_ACCOUNT,
          signaturePolicy: 'require-sha512',
        }),
        persistenceStore: new InMemoryPersistenceLayer(),
        handlers: { default: async () => undefined },
        logger: createLogger('consumer'),
        metrics: createMetrics('consumer'),
      });
      const dropped = withAttributes((a) => {
        delete a[QueuedWebhookAttribute.FLUENT_SIGNATURE];
      });
      const forgedFlex = withAttributes((a) => {
        delete a[QueuedWebhookAttribute.FLUENT_SIGNATURE];
        a[QueuedWebhookAttribute.FLEX_SIGNATURE] = {
          DataType: 'String',
          StringValue: signFluentPayload(body, keys.stranger.privateKey)['flex.signature'],
        };
      });

      // Act
      const lenient = await consume(dropped);
      const forged = await consume(forgedFlex);
      const strictResponse = await strict({ Records: [dropped] }, context);

      // Assess
      expect(['processed', 'duplicate']).toContain(lenient.outcome);
      expect(forged).toEqual({ outcome: 'failed', reason: 'verification-failed', handled: [] });
      expect(strictResponse.batchItemFailures).toEqual([{ itemIdentifier: dropped.messageId }]);
    });
  });
});
