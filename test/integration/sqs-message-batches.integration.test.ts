import { Message, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { chunked } from '../../lambdas/core/chunked';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { SQS_MAX_MESSAGES_PER_CALL } from '../../lambdas/contract/deployment';
import { BatchRefusal, changeVisibilityInBatches, deleteInBatches } from '../../tools/local/sqs-message-batches';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { queueDepth } from '../support/sqs-records';
import { waitUntil } from '../support/wait-until';

/** More than two batch calls' worth, so that the last call is a short one. */
const MESSAGES = 23;
/** Hidden long enough that no message comes back by itself while a test runs. */
const HIDDEN_SECONDS = 300;

describe('Functions: changeVisibilityInBatches and deleteInBatches on the SQS emulator', () => {
  let emulators: RunningEmulators;
  let sqs: SQSClient;
  /** The entries of each batch call made, by command. */
  const calls: Array<{ command: string; entries: number }> = [];

  beforeAll(async () => {
    emulators = await startEmulators({
      queues: [{ name: 'released' }, { name: 'deleted' }, { name: 'refused' }, { name: 'to-delete' }],
    });
    sqs = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, emulators.region));
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const { Entries } = args.input as { Entries?: unknown[] };
        if (context.commandName?.endsWith('BatchCommand') === true && !context.commandName.startsWith('Send')) {
          calls.push({ command: context.commandName, entries: Entries?.length ?? 0 });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
  });
  beforeEach(() => {
    calls.length = 0;
  });
  afterAll(async () => {
    sqs?.destroy();
    await emulators?.close();
  });

  const urlOf = (queue: string) => emulators.queues[queue]!.queueUrl;

  /** Sends `count` messages to `queue` and receives them all, hidden for HIDDEN_SECONDS. */
  async function receivedMessages(queue: string, count = MESSAGES): Promise<Message[]> {
    const bodies = Array.from({ length: count }, (_, index) => `message ${index}`);
    for (const chunk of chunked(bodies, SQS_MAX_MESSAGES_PER_CALL)) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: urlOf(queue),
          Entries: chunk.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
    }
    const received: Message[] = [];
    await waitUntil(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: urlOf(queue),
            MaxNumberOfMessages: SQS_MAX_MESSAGES_PER_CALL,
            VisibilityTimeout: HIDDEN_SECONDS,
          }),
        );
        received.push(...Messages);
        return received.length === count;
      },
      10_000,
      `all ${count} messages of ${queue} are received`,
    );
    return received;
  }

  it('makes received messages visible again at once, in calls of at most 10 entries', async () => {
    // Prepare
    const messages = await receivedMessages('released');
    expect(await queueDepth(sqs, urlOf('released'))).toEqual({ visible: 0, inFlight: MESSAGES });

    // Act
    const refusals = await changeVisibilityInBatches(sqs, urlOf('released'), messages, 0);

    // Assess
    expect(refusals).toEqual([]);
    expect(calls).toEqual([10, 10, 3].map((entries) => ({ command: 'ChangeMessageVisibilityBatchCommand', entries })));
    await waitUntil(
      async () => (await queueDepth(sqs, urlOf('released'))).visible === MESSAGES,
      10_000,
      'every message is visible again',
    );
    expect(await queueDepth(sqs, urlOf('released'))).toEqual({ visible: MESSAGES, inFlight: 0 });
  });

  it('deletes received messages, in calls of at most 10 entries', async () => {
    const messages = await receivedMessages('deleted');

    const refusals = await deleteInBatches(sqs, urlOf('deleted'), messages);

    expect(refusals).toEqual([]);
    expect(calls).toEqual([10, 10, 3].map((entries) => ({ command: 'DeleteMessageBatchCommand', entries })));
    expect(await queueDepth(sqs, urlOf('deleted'))).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers the entries SQS refused and still changes the others, in that call and the next', async () => {
    // Prepare: the fourth message's receipt handle is not one SQS handed out.
    const messages = await receivedMessages('refused', 12);
    const withStale = messages.map((message, index) =>
      index === 3 ? { ...message, ReceiptHandle: 'not-a-receipt-handle' } : message,
    );

    // Act
    const refusals = await changeVisibilityInBatches(sqs, urlOf('refused'), withStale, 0);

    // Assess
    expect(refusals).toEqual([
      { failed: [expect.objectContaining({ Id: '3', Code: 'ReceiptHandleIsInvalid', SenderFault: true })] },
    ]);
    expect(calls.map((call) => call.entries)).toEqual([10, 2]);
    await waitUntil(
      async () => (await queueDepth(sqs, urlOf('refused'))).visible === 11,
      10_000,
      'the 11 other messages are visible again',
    );
    expect(await queueDepth(sqs, urlOf('refused'))).toEqual({ visible: 11, inFlight: 1 });
  });

  it.each([
    [
      'changeVisibilityInBatches',
      (messages: Message[], url: string) => changeVisibilityInBatches(sqs, url, messages, 0),
    ],
    ['deleteInBatches', (messages: Message[], url: string) => deleteInBatches(sqs, url, messages)],
  ])('%s answers the error of each call that failed, goes on, and does not throw', async (_name, act) => {
    // Prepare: messages of a queue, sent to a queue that does not exist.
    const messages = await receivedMessages('to-delete', 12);
    const missingQueueUrl = urlOf('to-delete').replace(/to-delete$/, 'no-such-queue');

    // Act
    const refusals: BatchRefusal[] = await act(messages, missingQueueUrl);

    // Assess: one refusal per call, each the error SQS answered.
    expect(refusals).toHaveLength(2);
    for (const refusal of refusals) {
      expect(refusal).toEqual({ error: expect.any(Error) });
      expect('error' in refusal && refusal.error.name).toMatch(/QueueDoesNotExist|NonExistentQueue/);
    }
    expect(calls.map((call) => call.entries)).toEqual([10, 2]);
    await deleteInBatches(sqs, urlOf('to-delete'), messages);
  });

  it('makes no call for no messages', async () => {
    expect(await changeVisibilityInBatches(sqs, urlOf('released'), [], 0)).toEqual([]);
    expect(await deleteInBatches(sqs, urlOf('released'), [])).toEqual([]);
    expect(calls).toEqual([]);
  });
});
