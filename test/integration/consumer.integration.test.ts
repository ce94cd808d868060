import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { FluentEvent, MAX_SQS_MESSAGE_BYTES, signFluentPayload } from '../../lambdas/core';
import { ConsumerHandler, createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import type { FluentEventHandler, FluentEventHandlers } from '../../lambdas/consumer/handler-types';
import { DecisionMessage } from '../../lambdas/consumer/process-record';
import { idempotencyKeyFor } from '../../lambdas/consumer/run-once';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { createLambdaContext } from '../../tools/local/lambda-context';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { fluentEvent, fluentEventBody } from '../support/factories';
import {
  invokeAndAcknowledge,
  queueDepth,
  queuedMessage,
  QueueRef,
  receiveMessages,
  sendQueuedWebhook,
} from '../support/sqs-records';
import { captureOutput, CapturedOutput, decisionLines } from '../support/captured-output';
import { consumerSettings, fluentKey, lambdaContext, strangerKey } from '../unit/consumer/consumer-fixtures';
import { RecordFailureReason } from '../../lambdas/contract/observability';

const TABLE = 'fluent-webhook-idempotency';
const MAX_RECEIVE_COUNT = 2;
/** Each scenario has its own queue and DLQ; a 1 s visibility timeout makes retries quick. */
const SCENARIOS = ['failing', 'hanging', 'duplicates', 'concurrent', 'lost-ack', 'large'] as const;
type Scenario = (typeof SCENARIOS)[number];

describe('Integration: consumer with SQS (fauxqs) and DynamoDB (dynalite) on 127.0.0.1', () => {
  const fluent = fluentKey();
  const stranger = strangerKey();
  let emulators: RunningEmulators;
  let sqs: SQSClient;
  let dynamoDb: DynamoDBClient;
  let output: CapturedOutput;

  beforeAll(async () => {
    emulators = await startEmulators({
      queues: SCENARIOS.flatMap((name) => [
        { name: `${name}-dlq` },
        {
          name,
          deadLetterQueue: `${name}-dlq`,
          maxReceiveCount: MAX_RECEIVE_COUNT,
          attributes: { VisibilityTimeout: '1' },
        },
      ]),
      idempotencyTables: [TABLE],
    });
    // One attempt per call: a stopped emulator should fail a call at once, not after the SDK's retries.
    sqs = new SQSClient({ ...emulatorClientConfig(emulators.sqsEndpoint, emulators.region), maxAttempts: 1 });
    dynamoDb = new DynamoDBClient(emulatorClientConfig(emulators.dynamoDbEndpoint, emulators.region));
  });
  afterAll(async () => {
    sqs?.destroy();
    dynamoDb?.destroy();
    await emulators?.close();
  });
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  const queue = (scenario: Scenario): QueueRef => emulators.queues[scenario] as QueueRef;
  const deadLetterQueue = (scenario: Scenario): QueueRef => emulators.queues[`${scenario}-dlq`] as QueueRef;
  /** The real consumer handler with the real DynamoDB persistence layer. */
  const consumer = (handlers: FluentEventHandlers): ConsumerHandler =>
    createConsumerHandler({
      settings: consumerSettings(),
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: TABLE, awsSdkV3Client: dynamoDb }),
      handlers,
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
    });
  /** A handler that counts its runs per event id. */
  const counting = () => {
    const runs = new Map<string, number>();
    const handler: FluentEventHandler = async (event) => {
      runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
    };
    return { runs, handler };
  };
  const signedBody = (overrides: Partial<FluentEvent> = {}) => {
    const rawBody = fluentEventBody({ id: randomUUID(), ...overrides });
    return {
      rawBody,
      id: (JSON.parse(rawBody.toString()) as FluentEvent).id,
      headers: signFluentPayload(rawBody, fluent.privateKey),
    };
  };
  /** Polls and invokes like the event source until the queue is empty (bounded), returning each batch's failures. */
  const drain = async (
    scenario: Scenario,
    handler: ConsumerHandler,
    until: () => Promise<boolean> = async () => false,
    invocationContext: () => Context = lambdaContext,
  ) => {
    const failures: string[][] = [];
    for (let poll = 0; poll < 10; poll += 1) {
      if (await until()) break;
      const depth = await queueDepth(sqs, queue(scenario).queueUrl);
      if (depth.visible + depth.inFlight === 0) break;
      const messages = await receiveMessages(sqs, queue(scenario), 1);
      if (messages.length > 0)
        failures.push(await invokeAndAcknowledge(sqs, queue(scenario), messages, handler, invocationContext()));
    }
    return failures;
  };
  const linesFor = (eventId: string) => decisionLines(output).filter((line) => line.eventId === eventId);

  describe('Scenario: a batch with a throwing handler, a forged message and a good event', () => {
    const { runs, handler: countingHandler } = counting();
    const attempts = new Map<string, number>();
    const handlers: FluentEventHandlers = {
      routes: {
        'always-fails': async (event) => {
          attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
          throw new Error('the downstream system is down');
        },
      },
      default: countingHandler,
    };
    const good = () => signedBody();
    let goodEvent: ReturnType<typeof good>;
    let throwing: ReturnType<typeof good>;
    let forged: { rawBody: Buffer; id: string };
    let firstBatchFailures: string[];
    let messageIds: Record<'good' | 'throwing' | 'forged', string>;

    beforeAll(async () => {
      output = captureOutput();
      try {
        goodEvent = good();
        throwing = signedBody();
        const forgedBody = fluentEventBody({ id: randomUUID() });
        forged = { rawBody: forgedBody, id: (JSON.parse(forgedBody.toString()) as FluentEvent).id };
        messageIds = {
          good: await sendQueuedWebhook(sqs, queue('failing').queueUrl, goodEvent.rawBody, {
            headers: goodEvent.headers,
          }),
          throwing: await sendQueuedWebhook(sqs, queue('failing').queueUrl, throwing.rawBody, {
            headers: throwing.headers,
            route: 'always-fails',
          }),
          // Valid body, signed with a key Fluent never had, put straight on the queue (as anyone with queue access could).
          forged: await sendQueuedWebhook(sqs, queue('failing').queueUrl, forgedBody, {
            headers: signFluentPayload(forgedBody, stranger.privateKey),
          }),
        };
        const failures = await drain(
          'failing',
          consumer(handlers),
          async () => (await queueDepth(sqs, deadLetterQueue('failing').queueUrl)).visible === 2,
        );
        firstBatchFailures = failures[0] ?? [];
      } finally {
        output.restore();
      }
    });

    it('processes the good event on the first delivery, though the rest of its batch failed', () => {
      // Assess
      expect(runs.get(goodEvent.id)).toBe(1);
      expect(firstBatchFailures.sort()).toEqual([messageIds.throwing, messageIds.forged].sort());
    });

    it('tries the throwing handler maxReceiveCount times, then the record is in the DLQ', async () => {
      // Act
      const dead = await receiveMessages(sqs, deadLetterQueue('failing'), 0);

      // Assess
      expect(attempts.get(throwing.id)).toBe(MAX_RECEIVE_COUNT);
      expect(dead.map((message) => message.MessageId).sort()).toEqual([messageIds.throwing, messageIds.forged].sort());
      const deadThrowing = dead.find((message) => message.MessageId === messageIds.throwing);
      // Body and signature survive unchanged, so the message can be redriven once the handler is fixed.
      expect(deadThrowing?.Body).toBe(throwing.rawBody.toString());
      expect(deadThrowing?.MessageAttributes?.FluentSignature?.StringValue).toBe(throwing.headers['fluent-signature']);
    });

    it('never hands the forged message to a handler', async () => {
      // Assess
      expect(runs.has(forged.id)).toBe(false);
      expect(attempts.has(forged.id)).toBe(false);
      expect(await queueDepth(sqs, queue('failing').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    });
  });

  describe('Scenario: a batch of three where one handler hangs past the consumer timeout', () => {
    /** A 2 s Lambda timeout, as the fault tests use: each handler gets what is left less the reserve. */
    const shortInvocation = () =>
      createLambdaContext({
        functionName: 'consumer',
        timeoutSeconds: 2,
        memorySizeMb: 256,
        region: 'us-east-1',
        accountId: '000000000000',
      });
    const { runs, handler: countingHandler } = counting();
    const hangs = new Map<string, number>();
    const handlers: FluentEventHandlers = {
      routes: {
        // Like a call to a server that never answers: it never settles, whatever the time.
        hangs: async (event) => {
          hangs.set(event.id, (hangs.get(event.id) ?? 0) + 1);
          await new Promise<never>(() => undefined);
        },
      },
      default: countingHandler,
    };
    let finishers: Array<ReturnType<typeof signedBody>>;
    let hung: ReturnType<typeof signedBody>;
    let hungMessageId: string;
    let batches: string[][];
    let firstBatchSize: number;
    let decisions: Array<Record<string, unknown>>;
    const decisionsFor = (eventId: string) => decisions.filter((line) => line.eventId === eventId);

    beforeAll(async () => {
      output = captureOutput();
      try {
        finishers = [signedBody(), signedBody()];
        hung = signedBody();
        for (const finisher of finishers) {
          await sendQueuedWebhook(sqs, queue('hanging').queueUrl, finisher.rawBody, { headers: finisher.headers });
        }
        hungMessageId = await sendQueuedWebhook(sqs, queue('hanging').queueUrl, hung.rawBody, {
          headers: hung.headers,
          route: 'hangs',
        });
        // The three in one batch, as the event source would hand them over.
        const firstBatch = await receiveMessages(sqs, queue('hanging'), 1);
        firstBatchSize = firstBatch.length;
        batches = [
          await invokeAndAcknowledge(sqs, queue('hanging'), firstBatch, consumer(handlers), shortInvocation()),
        ];
        batches.push(
          ...(await drain(
            'hanging',
            consumer(handlers),
            async () => (await queueDepth(sqs, deadLetterQueue('hanging').queueUrl)).visible === 1,
            shortInvocation,
          )),
        );
        decisions = decisionLines(output);
      } finally {
        output.restore();
      }
    });

    it('answers the batch in time, naming only the hung record as failed', () => {
      // Assess
      expect(firstBatchSize).toBe(3);
      expect(batches[0]).toEqual([hungMessageId]);
      expect(decisionsFor(hung.id)[0]).toMatchObject({
        outcome: 'failed',
        reason: RecordFailureReason.HANDLER_TIMED_OUT,
        message: DecisionMessage.FAILED[RecordFailureReason.HANDLER_TIMED_OUT],
      });
    });

    it('processes the two finished siblings once and never delivers them again', () => {
      // Assess
      expect(finishers.map((finisher) => runs.get(finisher.id))).toEqual([1, 1]);
      for (const finisher of finishers) {
        expect(decisionsFor(finisher.id).map((line) => line.outcome)).toEqual(['processed']);
      }
    });

    it('retries only the hung record, maxReceiveCount times, then dead-letters it alone', async () => {
      // Act
      const dead = await receiveMessages(sqs, deadLetterQueue('hanging'), 0);

      // Assess
      expect(hangs.get(hung.id)).toBe(MAX_RECEIVE_COUNT);
      expect(batches.flat()).toEqual(Array.from({ length: MAX_RECEIVE_COUNT }, () => hungMessageId));
      expect(dead.map((message) => message.MessageId)).toEqual([hungMessageId]);
      expect(await queueDepth(sqs, queue('hanging').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    });
  });

  it('processes an event Fluent sent three times exactly once, and remembers its id in DynamoDB', async () => {
    // Prepare
    const { runs, handler } = counting();
    const event = signedBody();
    for (let copy = 0; copy < 3; copy += 1) {
      await sendQueuedWebhook(sqs, queue('duplicates').queueUrl, event.rawBody, { headers: event.headers });
    }

    // Act
    await drain('duplicates', consumer({ default: handler }));

    // Assess
    expect(runs.get(event.id)).toBe(1);
    expect(await queueDepth(sqs, queue('duplicates').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    const outcomes = linesFor(event.id).map((line) => line.outcome);
    expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(2);
    const key = idempotencyKeyFor(event.id);
    const { Item } = await dynamoDb.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: key } }, ConsistentRead: true }),
    );
    expect(Item?.status?.S).toBe('COMPLETED');
    expect(Number(Item?.expiration?.N)).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000) + consumerSettings().idempotencyExpirySeconds - 60,
    );
  });

  it('runs the handler once when two consumers get the same event at the same time', async () => {
    // Prepare
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const handler = consumer({
      default: async () => {
        runs += 1;
        await gate;
      },
    });
    const event = signedBody();
    for (let copy = 0; copy < 2; copy += 1) {
      await sendQueuedWebhook(sqs, queue('concurrent').queueUrl, event.rawBody, { headers: event.headers });
    }
    const messages = await receiveMessages(sqs, queue('concurrent'), 1);

    // Act: two invocations, as two Lambda instances would get them; the first holds its lock until the second is done.
    const invocations = messages.map((message) =>
      invokeAndAcknowledge(sqs, queue('concurrent'), [message], handler, lambdaContext()),
    );
    const quickest = await Promise.race(invocations);
    release();
    const failures = await Promise.all(invocations);
    await drain('concurrent', handler);

    // Assess
    expect(messages).toHaveLength(2);
    expect(quickest).toHaveLength(1);
    expect(failures.flat()).toHaveLength(1);
    expect(runs).toBe(1);
    expect(linesFor(event.id).map((line) => line.reason ?? line.outcome)).toEqual([
      RecordFailureReason.ALREADY_IN_PROGRESS,
      'processed',
      'duplicate',
    ]);
    expect(await queueDepth(sqs, queue('concurrent').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('turns an acknowledgement lost to an SQS outage into a duplicate, not a second run', async () => {
    // Prepare
    const { runs, handler } = counting();
    const consume = consumer({ default: handler });
    const event = signedBody();
    await sendQueuedWebhook(sqs, queue('lost-ack').queueUrl, event.rawBody, { headers: event.headers });
    const messages = await receiveMessages(sqs, queue('lost-ack'), 1);

    // Act: the batch succeeds, but SQS is down when the event source deletes it.
    await emulators.stopSqs();
    const acknowledged = invokeAndAcknowledge(sqs, queue('lost-ack'), messages, consume, lambdaContext());
    await expect(acknowledged).rejects.toThrow();
    await emulators.restartSqs();
    await drain('lost-ack', consume);

    // Assess
    expect(runs.get(event.id)).toBe(1);
    expect(linesFor(event.id).map((line) => line.message)).toEqual([
      DecisionMessage.PROCESSED,
      DecisionMessage.DUPLICATE,
    ]);
    expect(await queueDepth(sqs, queue('lost-ack').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('verifies and processes a webhook of the SQS maximum, 1 MiB with its attributes', async () => {
    // Prepare
    const { runs, handler } = counting();
    const id = randomUUID();
    const withPadding = (padding: string) => Buffer.from(JSON.stringify(fluentEvent({ id, attributes: { padding } })));
    const sizeOf = (rawBody: Buffer) =>
      queuedMessage(rawBody, { headers: signFluentPayload(rawBody, fluent.privateKey) }).bytes;
    const rawBody = withPadding('x'.repeat(MAX_SQS_MESSAGE_BYTES - sizeOf(withPadding(''))));
    await sendQueuedWebhook(sqs, queue('large').queueUrl, rawBody, {
      headers: signFluentPayload(rawBody, fluent.privateKey),
    });

    // Act
    await drain('large', consumer({ default: handler }));

    // Assess
    expect(sizeOf(rawBody)).toBe(MAX_SQS_MESSAGE_BYTES);
    expect(runs.get(id)).toBe(1);
  });
});
