import { DeleteMessageBatchCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createLambdaContext } from '../../../tools/local/lambda-context';
import { SqsBatchHandler, startSqsPoller } from '../../../tools/local/sqs-poller';

const QUEUE_URL = 'http://127.0.0.1:1/000000000000/q';

function messages(count: number, from = 1): Message[] {
  return Array.from({ length: count }, (_, index) => ({
    MessageId: `m${from + index}`,
    ReceiptHandle: `r${from + index}`,
    Body: '{}',
  }));
}

function toRecord(message: Message): SQSRecord {
  return { messageId: message.MessageId, receiptHandle: message.ReceiptHandle, body: message.Body } as SQSRecord;
}

/**
 * Runs the poller over the `received` answers until the handler has been invoked `invocations` times (or a
 * second has passed), then stops it; returns what the handler got and what the poller asked SQS.
 */
async function pollBatches(
  received: Message[][],
  handler: SqsBatchHandler,
  {
    batchSize = 10,
    invocations = received.length,
    handlerTimeoutSeconds = undefined as number | undefined,
    concurrentBatches = undefined as number | undefined,
  } = {},
) {
  const sqs = mockClient(SQSClient);
  const receive = sqs.on(ReceiveMessageCommand);
  for (const batch of received) receive.resolvesOnce({ Messages: batch });
  // Afterwards: empty long polls (kept short so the loop yields).
  receive.callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 5)));
  sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });

  const events: SQSEvent[] = [];
  let seen: () => void = () => undefined;
  const allSeen = new Promise<void>((resolve) => (seen = resolve));
  const poller = startSqsPoller({
    sqsClient: new SQSClient({ region: 'us-east-1' }),
    queueUrl: QUEUE_URL,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    region: 'us-east-1',
    batchSize,
    handler: async (event, context) => {
      events.push(event);
      if (events.length === invocations) seen();
      return handler(event, context);
    },
    createContext: () =>
      createLambdaContext({
        functionName: 'c',
        timeoutSeconds: 30,
        memorySizeMb: 128,
        region: 'us-east-1',
        accountId: '000000000000',
      }),
    toRecord,
    logger: new Logger({ logLevel: 'SILENT' }),
    ...(handlerTimeoutSeconds === undefined ? {} : { handlerTimeoutSeconds }),
    ...(concurrentBatches === undefined ? {} : { concurrentBatches }),
  });
  // Bounded: if the handler is not invoked as often as expected, fail here instead of asserting on a partial run.
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    allSeen.then(() => 'seen' as const),
    new Promise<'timed-out'>((resolve) => (timer = setTimeout(() => resolve('timed-out'), 5000))),
  ]);
  clearTimeout(timer);
  await poller.stop();
  if (outcome === 'timed-out')
    throw new Error(`The poller invoked the handler ${events.length} times, not ${invocations}, within 5 s.`);
  const deleted = sqs
    .commandCalls(DeleteMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries?.map((entry) => entry.ReceiptHandle) ?? []);
  const receives = sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input);
  sqs.restore();
  return { events, deleted, receives };
}

describe('Function: startSqsPoller', () => {
  it('long-polls with every attribute and deletes a batch that succeeded', async () => {
    // Act
    const { events, deleted, receives } = await pollBatches([messages(3)], async () => ({ batchItemFailures: [] }));

    // Assess
    expect(events[0]?.Records.map((record) => record.messageId)).toEqual(['m1', 'm2', 'm3']);
    expect(deleted).toEqual(['r1', 'r2', 'r3']);
    expect(receives[0]).toMatchObject({
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    });
  });

  it('deletes only the records the partial batch response does not name', async () => {
    // Act
    const { deleted } = await pollBatches([messages(3)], async () => ({
      batchItemFailures: [{ itemIdentifier: 'm2' }],
    }));

    // Assess
    expect(deleted).toEqual(['r1', 'r3']);
  });

  it.each<[string, SqsBatchHandler]>([
    ['throws', async () => Promise.reject(new Error('boom'))],
    [
      'names a record not in the batch',
      async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [{ itemIdentifier: 'elsewhere' }] }),
    ],
    [
      'names a failure without an id',
      async () => ({ batchItemFailures: [{ itemIdentifier: undefined as unknown as string }] }),
    ],
  ])('deletes nothing when the handler %s, as Lambda fails the whole batch', async (_name, handler) => {
    // Act
    const { deleted } = await pollBatches([messages(2)], handler);

    // Assess
    expect(deleted).toEqual([]);
  });

  it('fails a batch whose handler has not returned within the timeout, as Lambda does, and goes on polling', async () => {
    // Prepare
    const hung = new Promise<never>(() => undefined);

    // Act
    const { events, deleted } = await pollBatches(
      [messages(2), messages(1, 3)],
      async (event) => (event.Records.length === 2 ? hung : undefined),
      {
        handlerTimeoutSeconds: 0.05,
      },
    );

    // Assess
    expect(events.map((event) => event.Records.map((record) => record.messageId))).toEqual([['m1', 'm2'], ['m3']]);
    expect(deleted).toEqual(['r3']);
  });

  it('fills a batch larger than 10 with further receives that do not wait', async () => {
    // Act
    const { events, deleted, receives } = await pollBatches([messages(10), messages(5, 11)], async () => undefined, {
      batchSize: 15,
      invocations: 1,
    });

    // Assess
    expect(events).toHaveLength(1);
    expect(events[0]?.Records).toHaveLength(15);
    expect(deleted).toHaveLength(15);
    expect(receives.slice(0, 2).map((input) => [input.MaxNumberOfMessages, input.WaitTimeSeconds])).toEqual([
      [10, 20],
      [5, 0],
    ]);
  });

  it('finishes the batch in hand before stop() resolves', async () => {
    // Prepare
    let finished = false;

    // Act
    const { deleted } = await pollBatches([messages(1)], async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished = true;
    });

    // Assess
    expect(finished).toBe(true);
    expect(deleted).toEqual(['r1']);
  });

  it('with concurrentBatches, hands that many batches to the handler at once and finishes all of them before stop() resolves', async () => {
    // Prepare
    let inHandler = 0;
    let mostAtOnce = 0;
    let finished = 0;
    let release: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => (release = resolve));

    // Act
    const { deleted } = await pollBatches(
      [messages(2, 1), messages(2, 3), messages(2, 5)],
      async () => {
        inHandler += 1;
        mostAtOnce = Math.max(mostAtOnce, inHandler);
        // No batch returns before all three are in the handler: one loop alone would wait here for ever.
        if (inHandler === 3) release();
        await allIn;
        inHandler -= 1;
        finished += 1;
      },
      { concurrentBatches: 3 },
    );

    // Assess
    expect(mostAtOnce).toBe(3);
    expect(finished).toBe(3);
    expect([...deleted].sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('with concurrentBatches, waits for the other loops to finish their batches before stop() throws the failure of one', async () => {
    // Prepare: one loop gets a message it cannot turn into a record (its loop fails), another a batch still in hand.
    const sqs = mockClient(SQSClient);
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: messages(1, 1) })
      .resolvesOnce({ Messages: messages(1, 2) })
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 5)));
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    let inHandler: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (inHandler = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const poller = startSqsPoller({
      sqsClient: new SQSClient({ region: 'us-east-1' }),
      queueUrl: QUEUE_URL,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
      region: 'us-east-1',
      batchSize: 1,
      handler: async () => {
        inHandler();
        await released;
      },
      createContext: () => ({}) as Context,
      toRecord: (message) => {
        if (message.MessageId === 'm1') throw new Error('unreadable message');
        return toRecord(message);
      },
      logger: new Logger({ logLevel: 'SILENT' }),
      concurrentBatches: 2,
    });
    await handlerStarted;

    // Act
    let settled = false;
    const stopping = poller.stop().finally(() => (settled = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const settledWithBatchInHand = settled;
    release();

    // Assess
    await expect(stopping).rejects.toThrow('unreadable message');
    expect(settledWithBatchInHand).toBe(false);
    expect(sqs.commandCalls(DeleteMessageBatchCommand).map((call) => call.args[0].input.Entries)).toEqual([
      [{ Id: '0', ReceiptHandle: 'r2' }],
    ]);
    sqs.restore();
  });
});
