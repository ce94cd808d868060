import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { FluentSignatureVerifier, SignaturePolicy } from '../../lambdas/core';
import type { ArchivedWebhook } from '../../lambdas/contract/history';
import { decodeQueueMessage } from '../../lambdas/contract/queue-message';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { bufferedIo } from '../../tools/cli/cli-io';
import { planReplay } from '../../tools/cli/replay/replay-plan';
import { ReplayResult, ReplayRunOptions, runReplay } from '../../tools/cli/replay/replay-run';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { toSqsEventRecord } from '../../tools/local/sqs-event-records';
import { archivedEntry } from '../support/archived-entries';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { fluentEventBody } from '../support/factories';
import { testKeyPair } from '../support/test-keys';

const TABLE = 'history';
const STANDARD = 'replays';
const FIFO = 'replays.fifo';
/** A queue that takes only small messages, so SQS itself refuses one entry of a batch and takes the others. */
const SMALL = 'small-replays';
const SMALL_MESSAGE_BYTES = 4096;

/**
 * runReplay against the emulators `npm start` runs (dynalite, fauxqs) through the real AWS SDK: what each
 * BatchGetItem and SendMessageBatch carried is seen by middleware on the clients, the queued messages are received
 * back, and the clock is the injected one (no real waits).
 */
describe('Function: runReplay in batches, on dynalite and fauxqs', () => {
  let emulators: RunningEmulators;
  let dynamoDb: DynamoDBClient;
  let sqs: SQSClient;
  let store: DynamoDbHistoryStore;
  /** DynamoDB commands by name, and each SendMessageBatch with the (fake) time it went at. */
  let dynamoDbCalls: string[] = [];
  let sends: Array<{ at: number; input: SendMessageBatchCommandInput }> = [];
  let otherSqsCalls: string[] = [];
  let clock = 0;
  /** Called once a SendMessageBatch has been answered (a Ctrl-C while a batch is in flight). */
  let afterSend: (() => void) | undefined;
  const verifier = new FluentSignatureVerifier({
    publicKeys: [testKeyPair().parsed],
    policy: SignaturePolicy.PREFER_SHA512,
  });

  beforeAll(async () => {
    emulators = await startEmulators({
      historyTables: [TABLE],
      queues: [
        { name: STANDARD },
        { name: FIFO, attributes: { FifoQueue: 'true' } },
        { name: SMALL, attributes: { MaximumMessageSize: String(SMALL_MESSAGE_BYTES) } },
      ],
    });
    dynamoDb = new DynamoDBClient(emulatorClientConfig(emulators.dynamoDbEndpoint, emulators.region));
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        dynamoDbCalls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    sqs = new SQSClient({ ...emulatorClientConfig(emulators.sqsEndpoint, emulators.region), maxAttempts: 1 });
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') {
          otherSqsCalls.push(String(context.commandName));
          return next(args);
        }
        sends.push({ at: clock, input: args.input as SendMessageBatchCommandInput });
        const result = await next(args);
        afterSend?.();
        return result;
      },
      { step: 'initialize' },
    );
    store = new DynamoDbHistoryStore({ client: dynamoDb, tableName: TABLE });
  });
  beforeEach(async () => {
    for (const name of [STANDARD, FIFO, SMALL]) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: emulators.queues[name]!.queueUrl }));
    }
    dynamoDbCalls = [];
    sends = [];
    otherSqsCalls = [];
    clock = 0;
    afterSend = undefined;
  });
  afterAll(async () => {
    sqs?.destroy();
    dynamoDb?.destroy();
    await emulators?.close();
  });

  /** Archives `count` webhooks of the orders named (in turn), each received a second after the one before. */
  async function archive(count: number, orders: readonly string[] = ['HD_1'], run = 'r'): Promise<ArchivedWebhook[]> {
    const written: ArchivedWebhook[] = [];
    for (let index = 0; index < count; index += 1) {
      const order = orders[index % orders.length]!;
      const eventId = `${run}-${order}-${index}`;
      const body = fluentEventBody({ id: eventId, entityRef: order, rootEntityRef: order });
      const entry = archivedEntry(
        {
          eventId,
          entityRef: order,
          rootEntityRef: order,
          receivedAt: new Date(Date.UTC(2026, 11, 1, 10, 0, index)).toISOString(),
        },
        body,
      );
      await store.write(entry);
      written.push(entry);
    }
    dynamoDbCalls = [];
    return written;
  }

  function replay(
    written: readonly ArchivedWebhook[],
    queue: string,
    options: Partial<ReplayRunOptions> = {},
  ): Promise<ReplayResult> {
    const { candidates } = planReplay(
      written.map((entry) => entry.record),
      { replayRun: 'run-1', windowSeconds: 86_400, now: Date.parse('2026-12-01T11:00:00.000Z') },
    );
    return runReplay({
      store,
      verifier,
      queue: { sqs, url: emulators.queues[queue]!.queueUrl },
      candidates,
      rate: 3000,
      replayRun: 'run-1',
      startedAt: 1,
      io: bufferedIo(),
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      ...options,
    });
  }

  /** Every message on the queue, in the order SQS hands them out (a FIFO group's in its order). */
  async function drain(queue: string): Promise<Message[]> {
    const url = emulators.queues[queue]!.queueUrl;
    const messages: Message[] = [];
    for (let empty = 0; empty < 2;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      if (Messages.length === 0) {
        empty += 1;
        continue;
      }
      messages.push(...Messages);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    return messages;
  }

  /** The webhook a received message carries, decoded as the consumer decodes the record Lambda hands it. */
  const decoded = (message: Message) =>
    decodeQueueMessage(toSqsEventRecord(message, emulators.queues[STANDARD]!.queueArn, emulators.region));
  const eventIdOf = (message: Message): string =>
    (JSON.parse(decoded(message).rawBody.toString()) as { id: string }).id;
  const idsOf = (written: readonly ArchivedWebhook[]) => written.map((entry) => entry.record.eventId);

  it('reads 10 archived copies per BatchGetItem and sends 10 events per SendMessageBatch, each decoding as a replay', async () => {
    // Prepare
    const written = await archive(25);

    // Act
    const result = await replay(written, STANDARD);
    const sqsCallsOtherThanBatches = otherSqsCalls.splice(0);
    const queued = await drain(STANDARD);

    // Assess
    expect(result).toEqual({ replayed: idsOf(written), refused: [], failed: [], interrupted: false });
    expect(dynamoDbCalls).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand', 'BatchGetItemCommand']);
    expect(sqsCallsOtherThanBatches).toEqual([]);
    expect(sends.map((send) => send.input.Entries?.length)).toEqual([10, 10, 5]);
    expect(sends.flatMap((send) => send.input.Entries!.map((entry) => entry.Id))).toEqual(
      [...Array(10).keys(), ...Array(10).keys(), ...Array(5).keys()].map(String),
    );
    expect(queued.map(eventIdOf).sort()).toEqual(idsOf(written).sort());
    const webhooks = queued.map(decoded);
    expect(webhooks.every((webhook) => webhook.provenance === 'replay' && webhook.replayRun === 'run-1')).toBe(true);
    expect(webhooks.map((webhook) => verifier.verifySignatures(webhook.rawBody, webhook.signatures).ok)).not.toContain(
      false,
    );
  });

  it('refuses, by id, a tampered copy and a delivery without one within a batch, and sends the rest of it', async () => {
    // Prepare
    const written = await archive(10, ['HD_1'], 'mixed');
    const tampered = written[3]!;
    await store.write({ ...tampered, rawBody: Buffer.from(tampered.rawBody!.toString().replace('HD_1', 'HD_X')) });
    // The eighth names a delivery the history does not hold (expired, or erased).
    written[7] = archivedEntry({ ...written[7]!.record, eventId: 'mixed-HD_1-7-gone' });

    // Act
    const result = await replay(written, STANDARD);
    const queued = await drain(STANDARD);

    // Assess
    const others = idsOf(written).filter((_, index) => index !== 3 && index !== 7);
    expect(result.replayed).toEqual(others);
    expect(result.refused).toEqual([
      { eventId: tampered.record.eventId, why: expect.stringMatching(/^the archived copy does not verify: /) },
      {
        eventId: written[7]!.record.eventId,
        why: expect.stringMatching(/^its history record is gone or not yet readable/),
      },
    ]);
    expect(result.failed).toEqual([]);
    expect(sends).toHaveLength(1);
    expect(queued.map(eventIdOf).sort()).toEqual([...others].sort());
  });

  it('reports an entry SQS refuses as failed by id, and queues the other entries of its batch', async () => {
    // Prepare: the fifth event is larger than the queue takes.
    const written = await archive(8, ['HD_1'], 'small');
    const body = fluentEventBody({
      id: written[4]!.record.eventId,
      attributes: { blob: 'x'.repeat(SMALL_MESSAGE_BYTES) },
    });
    const large = archivedEntry({ ...written[4]!.record }, body);
    await store.write(large);
    written[4] = large;

    // Act
    const result = await replay(written, SMALL);
    const queued = await drain(SMALL);

    // Assess
    const others = idsOf(written).filter((_, index) => index !== 4);
    expect(result.failed).toEqual([
      {
        eventId: large.record.eventId,
        why: expect.stringMatching(/^SendMessage failed: InvalidParameterValue: .*shorter than/),
      },
    ]);
    expect(result.replayed).toEqual(others);
    expect(sends).toHaveLength(1);
    expect(queued.map(eventIdOf).sort()).toEqual([...others].sort());
  });

  it("keeps each order's events in order on a FIFO queue, within a batch and across batches", async () => {
    // Prepare: three orders' events interleaved, 23 in all (batches of 10, 10 and 3).
    const written = await archive(23, ['HD_A', 'HD_B', 'HD_C'], 'fifo');

    // Act
    const result = await replay(written, FIFO);
    const queued = await drain(FIFO);

    // Assess
    expect(result.replayed).toEqual(idsOf(written));
    expect(sends.map((send) => send.input.Entries?.length)).toEqual([10, 10, 3]);
    for (const order of ['HD_A', 'HD_B', 'HD_C']) {
      const ofOrder = (ids: readonly string[]) => ids.filter((id) => id.includes(`-${order}-`));
      expect(ofOrder(queued.map(eventIdOf))).toEqual(ofOrder(idsOf(written)));
      expect(
        new Set(
          queued
            .filter((message) => eventIdOf(message).includes(`-${order}-`))
            .map((m) => m.Attributes?.MessageGroupId),
        ),
      ).toEqual(new Set([`ACME/ORDER/${order}`]));
    }
    expect(
      new Set(sends.flatMap((send) => send.input.Entries!.map((entry) => entry.MessageDeduplicationId))).size,
    ).toBe(23);
  });

  it('stops between two batches on Ctrl-C: the batch in flight is sent whole, nothing after it', async () => {
    // Prepare
    const written = await archive(30, ['HD_1'], 'stop');
    let interrupt: (() => void) | undefined;
    afterSend = () => interrupt?.();

    // Act: Ctrl-C arrives while the first batch is in flight.
    const result = await replay(written, STANDARD, {
      io: {
        ...bufferedIo(),
        onInterrupt: (stop) => {
          interrupt = stop;
          return () => {
            interrupt = undefined;
          };
        },
      },
    });
    const queued = await drain(STANDARD);

    // Assess
    expect(result).toEqual({ replayed: idsOf(written).slice(0, 10), refused: [], failed: [], interrupted: true });
    expect(sends).toHaveLength(1);
    expect(queued.map(eventIdOf).sort()).toEqual(idsOf(written).slice(0, 10).sort());
    expect(interrupt).toBeUndefined();
  });

  it('sends no event before its turn at --rate: batches of a second’s events at a low rate, the average at the rate', async () => {
    // Prepare
    const written = await archive(10, ['HD_1'], 'paced');
    const progress: string[] = [];

    // Act
    const slow = await replay(written, STANDARD, {
      rate: 4,
      io: { ...bufferedIo(), progress: (line) => progress.push(line) },
    });
    const slowSends = sends.splice(0);
    const fast = await replay(written, STANDARD, { rate: 3000 });

    // Assess: at 4/s, batches of 4 going when their last event is due (0.75 s, 1.75 s, 2.25 s).
    expect(slow.replayed).toHaveLength(10);
    expect(slowSends.map((send) => [send.at, send.input.Entries?.length])).toEqual([
      [750, 4],
      [1750, 4],
      [2250, 2],
    ]);
    expect(progress).toEqual([
      'replayed 4/10, 5.3/s, about 2 s left',
      'replayed 8/10, 4.6/s, about 1 s left',
      'replayed 10/10, 4.4/s, about 0 s left',
    ]);
    expect(fast.replayed).toHaveLength(10);
    expect(sends.map((send) => send.at - 2250)).toEqual([3]);
    await drain(STANDARD);
  });
});
