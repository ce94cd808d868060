import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { inspectQueueMessages } from '../../tools/local/inspect-queue';
import { createLambdaContext } from '../../tools/local/lambda-context';
import { toSqsEventRecord } from '../../tools/local/sqs-event-records';
import { SqsPoller, startSqsPoller } from '../../tools/local/sqs-poller';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { waitUntil } from '../support/wait-until';

/** The local runner's retry delay in tests: the queues' visibility timeout, VISIBILITY_TIMEOUT_SECONDS=1. */
const RETRY_DELAY_SECONDS = 1;
const LOOPS = 3;

describe('Function: startSqsPoller on the SQS emulator, several batches at once, a retry delay shorter than a batch may take', () => {
  let emulators: RunningEmulators;
  let sqs: SQSClient;
  /** When each ReceiveMessage call the poller made started and ended. */
  const receives: Array<{ startedAt: number; endedAt: number }> = [];
  let poller: SqsPoller | undefined;

  beforeAll(async () => {
    const attributes = { VisibilityTimeout: String(RETRY_DELAY_SECONDS) };
    emulators = await startEmulators({
      queues: [
        { name: 'held', attributes },
        { name: 'retried', attributes },
      ],
    });
    sqs = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, emulators.region));
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const startedAt = Date.now();
        const result = await next(args);
        if (context.commandName === 'ReceiveMessageCommand') receives.push({ startedAt, endedAt: Date.now() });
        return result;
      },
      { step: 'initialize' },
    );
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });
  afterAll(async () => {
    sqs?.destroy();
    await emulators?.close();
  });

  /** Polls `queue` as the local runner does (a 20 s consumer timeout); the handler gets each record's message id. */
  function poll(queue: string, handler: (messageId: string) => Promise<SQSBatchResponse | void>): SqsPoller {
    const { queueUrl, queueArn } = emulators.queues[queue]!;
    return startSqsPoller({
      sqsClient: sqs,
      queueUrl,
      queueArn,
      region: emulators.region,
      batchSize: 1,
      handler: (event: SQSEvent) => handler(event.Records[0]!.messageId),
      createContext: () =>
        createLambdaContext({
          functionName: 'consumer',
          timeoutSeconds: 20,
          memorySizeMb: 128,
          region: emulators.region,
          accountId: '000000000000',
        }),
      toRecord: toSqsEventRecord,
      logger: new Logger({ logLevel: 'SILENT' }),
      waitTimeSeconds: 1,
      concurrentBatches: LOOPS,
      handlerTimeoutSeconds: 20,
      retryDelaySeconds: RETRY_DELAY_SECONDS,
    });
  }
  const send = async (queue: string) =>
    (await sqs.send(new SendMessageCommand({ QueueUrl: emulators.queues[queue]!.queueUrl, MessageBody: '{}' })))
      .MessageId!;
  const queueIsEmpty = (queue: string) => async () =>
    (await inspectQueueMessages(emulators.sqsEndpoint, queue)).length === 0;

  it('hands a record in hand to no other loop while its handler runs past the retry delay', async () => {
    // Prepare
    const handed: string[] = [];
    const messageId = await send('held');

    // Act: the first delivery holds its record until the other loops have each received after the retry delay
    // (when the queue's visibility timeout alone would have shown the record again), or until it was handed out again.
    poller = poll('held', async (id) => {
      handed.push(id);
      if (handed.length > 1) return;
      const visibleAgainAt = Date.now() + RETRY_DELAY_SECONDS * 1000;
      await waitUntil(
        () => handed.length > 1 || receives.filter((call) => call.startedAt > visibleAgainAt).length >= LOOPS - 1,
        30_000,
        'the other loops have received after the retry delay',
      );
    });
    await waitUntil(() => handed.length > 0, 30_000, 'the record is handed to the handler');
    await waitUntil(queueIsEmpty('held'), 30_000, 'the record is deleted');

    // Assess
    expect(handed).toEqual([messageId]);
  }, 60_000);

  it('hands a failed record over again after the retry delay, not once a batch could no longer be in hand', async () => {
    // Prepare
    const handed: string[] = [];
    const messageId = await send('retried');

    // Act: it fails once. Its batch was received hidden for the 20 s timeout and a margin; waiting that long fails.
    poller = poll('retried', async (id) => {
      handed.push(id);
      return handed.length === 1 ? { batchItemFailures: [{ itemIdentifier: id }] } : undefined;
    });
    await waitUntil(() => handed.length === 2, 15_000, 'the failed record is handed over again');
    await waitUntil(queueIsEmpty('retried'), 30_000, 'the record is deleted');

    // Assess
    expect(handed).toEqual([messageId, messageId]);
  }, 60_000);
});
