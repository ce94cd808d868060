import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { SQSRecord } from 'aws-lambda';
import type { DeduplicationKey } from '../../lambdas/core';
import { ConsumerHandler, createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import { dynamoDbEventClaims } from '../../lambdas/consumer/dynamodb-event-claims';
import { dynamoDbEntityStatusStore } from '../../lambdas/consumer/entity-status-store';
import type { FluentEventHandlers } from '../../lambdas/consumer/handler-types';
import { DecisionMessage } from '../../lambdas/consumer/process-record';
import { IDEMPOTENCY_KEY_PREFIX, idempotencyKeyFor, RunKey } from '../../lambdas/consumer/run-once';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../lambdas/contract/deployment';
import { RecordFailureReason } from '../../lambdas/contract/observability';
import { Provenance } from '../../lambdas/contract/provenance';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import type { HistoryStore } from '../../lambdas/contract/history';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { DynamoDbEmulator, startDynamoDbEmulator } from '../../tools/local/dynamodb-emulator';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { captureOutput, CapturedOutput, decisionLines } from '../support/captured-output';
import { signedEventRecord } from '../support/sqs-records';
import { archivedEntry } from '../support/archived-entries';
import { consumerSettings, failedIds, fluentKey, lambdaContext } from '../unit/consumer/consumer-fixtures';

const CLAIMS = 'idempotency';
const HISTORY = 'history';
const WINDOW_SECONDS = consumerSettings().idempotencyExpirySeconds;

/*
 * The consumer with a history marks an event's completion with the history's `processed` record instead of
 * Powertools' COMPLETED update. Each branch of its claim, on dynalite through the real SDK; handler runs are counted
 * by their side effect. Records left by a delivery that died (an in-progress claim past its time) are written with
 * Powertools' own persistence layer, as a consumer of either kind leaves them.
 */
describe('Integration: claims marked complete by the history (dynalite)', () => {
  const fluent = fluentKey();
  let emulator: DynamoDbEmulator;
  let client: DynamoDBClient;
  let output: CapturedOutput;
  /** Handler runs per event id: the side effect counted. */
  let runs: Map<string, number>;

  beforeAll(async () => {
    emulator = await startDynamoDbEmulator();
    await emulator.createIdempotencyTable(CLAIMS);
    await emulator.createHistoryTable(HISTORY);
    client = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'us-east-1'));
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });
  beforeEach(() => {
    runs = new Map();
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const powertools = () =>
    new DynamoDBPersistenceLayer({
      tableName: CLAIMS,
      keyAttr: IDEMPOTENCY_PARTITION_KEY,
      expiryAttr: IDEMPOTENCY_TTL_ATTRIBUTE,
      awsSdkV3Client: client,
    });
  const history = (tableName = HISTORY) => new DynamoDbHistoryStore({ client, tableName });
  const counting: FluentEventHandlers = {
    default: async (event) => {
      runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
    },
  };
  /** The consumer as deployed: history, and claims in the idempotency table. */
  const marked = (
    handlers: FluentEventHandlers = counting,
    tables: {
      claims?: string;
      history?: string | Pick<HistoryStore, 'write' | 'completionsOf'>;
      /** With staleStatusGuard (orders: CREATED, SHIPPED), its statuses in this table. */
      statuses?: string;
    } = {},
  ): ConsumerHandler =>
    createConsumerHandler({
      settings: consumerSettings(),
      persistenceStore: powertools(),
      history: typeof tables.history === 'object' ? tables.history : history(tables.history),
      claims: dynamoDbEventClaims(client, tables.claims ?? CLAIMS),
      ...(tables.statuses === undefined
        ? {}
        : {
            staleStatusGuard: {
              order: { ORDER: ['CREATED', 'SHIPPED'] },
              store: dynamoDbEntityStatusStore(client, tables.statuses),
            },
          }),
      handlers,
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
    });
  /** The consumer without a history: Powertools Idempotency alone (and its COMPLETED update). */
  const powertoolsOnly = (): ConsumerHandler =>
    createConsumerHandler({
      settings: consumerSettings(),
      persistenceStore: powertools(),
      handlers: counting,
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
    });
  const deliver = (consumer: ConsumerHandler, ...records: SQSRecord[]) =>
    consumer({ Records: records }, lambdaContext());
  /** A fresh delivery (its own message id) of event `id`, a webhook or a `replay --reprocess` run's copy. */
  const delivery = (id: string, replayRun?: string) =>
    signedEventRecord(
      fluent.privateKey,
      { id },
      replayRun === undefined ? {} : { provenance: Provenance.REPLAY, replayRun },
    ).record;
  const lineOf = (messageId: string) => {
    const lines = decisionLines(output).filter((line) => line.messageId === messageId);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };
  const claimItem = async (key: RunKey) =>
    (
      await client.send(
        new GetItemCommand({
          TableName: CLAIMS,
          Key: { [IDEMPOTENCY_PARTITION_KEY]: { S: idempotencyKeyFor(key) } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  /** What a delivery that died in its handler leaves: Powertools' in-progress record, its time up `agoMs` ago. */
  const diedInProgress = async (key: RunKey, agoMs = 1000) => {
    const layer = powertools();
    layer.configure({
      config: new IdempotencyConfig({ expiresAfterSeconds: WINDOW_SECONDS }),
      keyPrefix: IDEMPOTENCY_KEY_PREFIX,
    });
    await layer.saveInProgress(key, -agoMs);
  };
  /** A claim whose delivery is still running: in progress for a minute more. */
  const stillInProgress = async (key: RunKey) => {
    const layer = powertools();
    layer.configure({
      config: new IdempotencyConfig({ expiresAfterSeconds: WINDOW_SECONDS }),
      keyPrefix: IDEMPOTENCY_KEY_PREFIX,
    });
    await layer.saveInProgress(key, 60_000);
  };
  /** The claim's in-progress time as if its delivery had died: what a crash after the history write leaves. */
  const timeRunsOut = (key: RunKey) =>
    client.send(
      new UpdateItemCommand({
        TableName: CLAIMS,
        Key: { [IDEMPOTENCY_PARTITION_KEY]: { S: idempotencyKeyFor(key) } },
        UpdateExpression: 'SET in_progress_expiration = :past',
        ExpressionAttributeValues: { ':past': { N: String(Date.now() - 1000) } },
      }),
    );

  it('runs a fresh event once, writes no COMPLETED update, and finds a later delivery a duplicate by its history record', async () => {
    // Prepare
    const id = randomUUID();
    const consumer = marked();
    const first = delivery(id);

    // Act
    const firstResponse = await deliver(consumer, first);
    const afterFirst = await claimItem(id);
    const again = delivery(id);
    const againResponse = await deliver(consumer, again);

    // Assess
    expect(failedIds(firstResponse)).toEqual([]);
    expect(failedIds(againResponse)).toEqual([]);
    expect(runs.get(id)).toBe(1);
    expect(afterFirst?.status?.S).toBe('INPROGRESS');
    expect(afterFirst?.data).toBeUndefined();
    expect(lineOf(first.messageId)).toMatchObject({ message: DecisionMessage.PROCESSED, outcome: 'processed' });
    const [processed] = await history().query({ eventIds: [id], outcome: 'processed' });
    expect(lineOf(again.messageId)).toMatchObject({
      message: DecisionMessage.DUPLICATE,
      outcome: 'duplicate',
      firstHandledAt: processed?.decidedAt,
    });
  });

  it('fails a delivery as already in progress while a live claim has no completion, and runs it once the claim ends', async () => {
    // Prepare: the first delivery's handler holds until released
    const id = randomUUID();
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const consumer = marked({
      default: async (event) => {
        started();
        await new Promise<void>((resolve) => (release = resolve));
        runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
      },
    });
    const first = delivery(id);
    const concurrent = delivery(id);

    // Act
    const running = deliver(consumer, first);
    await handlerStarted;
    const concurrentResponse = await deliver(consumer, concurrent);
    release();
    const firstResponse = await running;

    // Assess
    expect(failedIds(concurrentResponse)).toEqual([concurrent.messageId]);
    expect(lineOf(concurrent.messageId)).toMatchObject({ reason: RecordFailureReason.ALREADY_IN_PROGRESS });
    expect(failedIds(firstResponse)).toEqual([]);
    expect(runs.get(id)).toBe(1);
  });

  it("keeps a message's processed record when a second copy of it, in progress meanwhile, fails after it (no run later)", async () => {
    // Prepare: copy A's handler holds until copy B has read the history; B's answer arrives after A has finished
    const id = randomUUID();
    const store = history();
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const holding: FluentEventHandlers = {
      default: async (event) => {
        if (!runs.has(event.id)) {
          started();
          await new Promise<void>((resolve) => (release = resolve));
        }
        runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
      },
    };
    let firstCopyDone: Promise<unknown> = Promise.resolve();
    const lateAnswers = {
      write: (entry: Parameters<DynamoDbHistoryStore['write']>[0]) => store.write(entry),
      completionsOf: async (eventId: string) => {
        const answer = await store.completionsOf(eventId);
        release();
        await firstCopyDone;
        return answer;
      },
    };
    const copyB = marked(holding, { history: lateAnswers });
    // One SQS message handed out twice (a standard queue's duplicate): the copies share its message id.
    const message = delivery(id);

    // Act: A runs; B meets A's live claim, finds no completion yet and fails after A's processed record is written;
    // later A's claim time is up and the message comes back (A deleted it with an older receipt handle)
    const copyA = deliver(marked(holding), message);
    firstCopyDone = copyA;
    await handlerStarted;
    const copyBResponse = await deliver(copyB, message);
    const copyAResponse = await copyA;
    await timeRunsOut(id);
    const later = await deliver(marked(holding), message);

    // Assess
    expect(failedIds(copyAResponse)).toEqual([]);
    expect(failedIds(copyBResponse)).toEqual([message.messageId]);
    expect(failedIds(later)).toEqual([]);
    expect(runs.get(id)).toBe(1);
    const [record] = await store.records([{ eventId: id, messageId: message.messageId }]);
    expect(record?.outcome).toBe('duplicate');
  });

  it('finds a duplicate when a claim whose time ran out has its completion in the history (died after the history write)', async () => {
    // Prepare
    const id = randomUUID();
    const consumer = marked();
    await deliver(consumer, delivery(id));
    await timeRunsOut(id);
    const redelivered = delivery(id);

    // Act
    const response = await deliver(consumer, redelivered);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(runs.get(id)).toBe(1);
    expect(lineOf(redelivered.messageId)).toMatchObject({ outcome: 'duplicate' });
    // The claim taken over stays: a later delivery must still read the history before running anything.
    expect((await claimItem(id))?.status?.S).toBe('INPROGRESS');
  });

  it('takes over a claim whose time ran out without a completion (died in its handler) and runs the handler once', async () => {
    // Prepare
    const id = randomUUID();
    const consumer = marked();
    await diedInProgress(id);
    const redelivered = delivery(id);
    const afterwards = delivery(id);

    // Act
    const response = await deliver(consumer, redelivered);
    const afterwardsResponse = await deliver(consumer, afterwards);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(failedIds(afterwardsResponse)).toEqual([]);
    expect(runs.get(id)).toBe(1);
    expect(lineOf(redelivered.messageId)).toMatchObject({ outcome: 'processed' });
    expect(lineOf(afterwards.messageId)).toMatchObject({ outcome: 'duplicate' });
  });

  it('finds a duplicate by a completion made before the claim in the way (a take-over that found it so, then died)', async () => {
    // Prepare: processed a minute ago; since then a delivery took the claim over, found it complete, and died before
    // its own history write, leaving a claim of its own whose time is up
    const id = randomUUID();
    const aMinuteAgo = new Date(Date.now() - 60_000).toISOString();
    await history().write(archivedEntry({ eventId: id, outcome: 'processed', decidedAt: aMinuteAgo }));
    await diedInProgress(id);
    const redelivered = delivery(id);

    // Act
    const response = await deliver(marked(), redelivered);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(lineOf(redelivered.messageId)).toMatchObject({ outcome: 'duplicate', firstHandledAt: aMinuteAgo });
    expect(runs.has(id)).toBe(false);
  });

  it('runs an event again in a later window: a completion older than the de-duplication window does not count', async () => {
    // Prepare: processed 20 days ago (its window over and forgotten), claimed again since, and that delivery died
    const id = randomUUID();
    const twentyDaysAgo = new Date(Date.now() - 20 * 86_400_000).toISOString();
    await history().write(archivedEntry({ eventId: id, outcome: 'processed', decidedAt: twentyDaysAgo }));
    await diedInProgress(id);
    const redelivered = delivery(id);

    // Act
    const response = await deliver(marked(), redelivered);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(lineOf(redelivered.messageId)).toMatchObject({ outcome: 'processed' });
    expect(runs.get(id)).toBe(1);
  });

  it('counts the window from when the handler finished, not from a later duplicate of it', async () => {
    // Prepare: processed 3 days ago (the window is 2), a duplicate of it 1 day ago, then a delivery that died
    const id = randomUUID();
    const handledAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const oneDayAgo = new Date(Date.now() - 86_400_000).toISOString();
    await history().write(archivedEntry({ eventId: id, outcome: 'processed', decidedAt: handledAt }));
    await history().write(
      archivedEntry({ eventId: id, outcome: 'duplicate', decidedAt: oneDayAgo, firstHandledAt: handledAt }),
    );
    await diedInProgress(id);
    const redelivered = delivery(id);

    // Act
    const response = await deliver(marked(), redelivered);

    // Assess
    expect(WINDOW_SECONDS).toBeLessThan(3 * 86_400);
    expect(failedIds(response)).toEqual([]);
    expect(lineOf(redelivered.messageId)).toMatchObject({ outcome: 'processed' });
    expect(runs.get(id)).toBe(1);
  });

  it("reports when the handler ran from a duplicate's record, and writes it on its own duplicate record", async () => {
    // Prepare: the message that ran the handler came back and its duplicate record replaced its processed one
    const id = randomUUID();
    const handledAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const oneHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await history().write(
      archivedEntry({ eventId: id, outcome: 'duplicate', decidedAt: oneHourAgo, firstHandledAt: handledAt }),
    );
    await diedInProgress(id);
    const redelivered = delivery(id);

    // Act
    const response = await deliver(marked(), redelivered);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(lineOf(redelivered.messageId)).toMatchObject({ outcome: 'duplicate', firstHandledAt: handledAt });
    expect(runs.has(id)).toBe(false);
    const [record] = await history().records([{ eventId: id, messageId: redelivered.messageId }]);
    expect(record).toMatchObject({ outcome: 'duplicate', firstHandledAt: handledAt });
  });

  it('finds the duplicates of an id sent as a number by its own records, at the same time and after a crash', async () => {
    // Prepare: event 77 (a JSON number) processed
    const id = 1_000_000 + Math.floor(Math.random() * 1e9);
    const numeric = () => signedEventRecord(fluent.privateKey, { id: id as unknown as string }).record;
    const first = numeric();
    expect(failedIds(await deliver(marked(), first))).toEqual([]);
    const second = numeric();
    const afterCrash = numeric();

    // Act: a second delivery meets the first's live claim; then that claim's time is up and another delivery comes
    const secondResponse = await deliver(marked(), second);
    await timeRunsOut({ number: String(id) });
    const afterCrashResponse = await deliver(marked(), afterCrash);

    // Assess
    expect(failedIds(secondResponse)).toEqual([]);
    expect(failedIds(afterCrashResponse)).toEqual([]);
    expect(lineOf(second.messageId)).toMatchObject({ outcome: 'duplicate' });
    expect(lineOf(afterCrash.messageId)).toMatchObject({ outcome: 'duplicate' });
    expect(runs.get(String(id))).toBe(1);
  });

  it('tells an id sent as a number from the same id sent as text: one is not the duplicate of the other', async () => {
    // Prepare: event 77 (a JSON number) processed; event "77" (text) claimed by a delivery that died in its handler
    const id = String(1_000_000 + Math.floor(Math.random() * 1e9));
    const byMessage = new Map<string, number>();
    const typed: FluentEventHandlers = {
      default: async (_event, context) => {
        byMessage.set(context.messageId, (byMessage.get(context.messageId) ?? 0) + 1);
      },
    };
    const numeric = signedEventRecord(fluent.privateKey, { id: Number(id) as unknown as string }).record;
    expect(failedIds(await deliver(marked(typed), numeric))).toEqual([]);
    await diedInProgress(id);
    const text = delivery(id);

    // Act
    const response = await deliver(marked(typed), text);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(lineOf(text.messageId)).toMatchObject({ outcome: 'processed' });
    expect(Object.fromEntries(byMessage)).toEqual({ [numeric.messageId]: 1, [text.messageId]: 1 });
    const records = await history().records([
      { eventId: id, messageId: numeric.messageId },
      { eventId: id, messageId: text.messageId },
    ]);
    const numericIdOf = new Map(records.map((record) => [record.messageId, record.numericId]));
    expect([numericIdOf.get(numeric.messageId), numericIdOf.get(text.messageId)]).toEqual([true, undefined]);
  });

  it('fails a delivery as already in progress while a live claim of the same event (Powertools or ours) runs', async () => {
    // Prepare
    const id = randomUUID();
    await stillInProgress(id);
    const redelivered = delivery(id);

    // Act
    const response = await deliver(marked(), redelivered);

    // Assess
    expect(failedIds(response)).toEqual([redelivered.messageId]);
    expect(lineOf(redelivered.messageId)).toMatchObject({ reason: RecordFailureReason.ALREADY_IN_PROGRESS });
    expect(runs.has(id)).toBe(false);
  });

  it("counts a COMPLETED record (Powertools', before this consumer or without a history) as done, with its time", async () => {
    // Prepare
    const id = randomUUID();
    const handledByPowertools = delivery(id);
    await deliver(powertoolsOnly(), handledByPowertools);
    const completed = await claimItem(id);
    const redelivered = delivery(id);

    // Act
    const response = await deliver(marked(), redelivered);

    // Assess
    expect(completed?.status?.S).toBe('COMPLETED');
    expect(failedIds(response)).toEqual([]);
    expect(runs.get(id)).toBe(1);
    expect(lineOf(redelivered.messageId)).toMatchObject({
      outcome: 'duplicate',
      firstHandledAt: completed?.data?.M?.handledAt?.S,
    });
  });

  it('keys a replay --reprocess run apart: its claim counts only its own completions, the plain key only plain ones', async () => {
    // Prepare: event A handled as a webhook; event B only within replay run R1
    const [a, b] = [randomUUID(), randomUUID()];
    const consumer = marked();
    await deliver(consumer, delivery(a));
    await deliver(consumer, delivery(b, 'r1'));
    const runKeyOf = (id: DeduplicationKey, replayRun: string): RunKey => ({ replayRun, event: id });
    // Claims whose deliveries died: A within run R2 (A's plain completion is not R2's), B plain (R1's is not plain's),
    // and B's R1 claim after its completion.
    await diedInProgress(runKeyOf(a, 'r2'));
    await diedInProgress(b);
    await timeRunsOut(runKeyOf(b, 'r1'));
    // Powertools keys a run key as the consumer does: the claim it wrote is the one the consumer meets.
    expect((await claimItem(runKeyOf(a, 'r2')))?.status?.S).toBe('INPROGRESS');
    const [aInR2, bPlain, bInR1] = [delivery(a, 'r2'), delivery(b), delivery(b, 'r1')];

    // Act
    const responses = [await deliver(consumer, aInR2), await deliver(consumer, bPlain), await deliver(consumer, bInR1)];

    // Assess
    expect(responses.flatMap(failedIds)).toEqual([]);
    expect(lineOf(aInR2.messageId)).toMatchObject({ outcome: 'processed', provenance: 'replay' });
    expect(lineOf(bPlain.messageId)).toMatchObject({ outcome: 'processed', provenance: 'webhook' });
    expect(lineOf(bInR1.messageId)).toMatchObject({ outcome: 'duplicate', provenance: 'replay' });
    expect([runs.get(a), runs.get(b)]).toEqual([2, 2]);
  });

  it('reads a replay run only on a replay: a webhook carrying one is keyed and recorded as the plain event', async () => {
    // Prepare: a replay run id on a message not marked as a replay (no tool sends one; the attribute is not signed)
    const id = randomUUID();
    const consumer = marked();
    const withRun = signedEventRecord(fluent.privateKey, { id }, { replayRun: 'r1' }).record;
    await deliver(consumer, withRun);
    await timeRunsOut(id);
    const plain = delivery(id);

    // Act
    const response = await deliver(consumer, plain);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(lineOf(plain.messageId)).toMatchObject({ outcome: 'duplicate' });
    expect(runs.get(id)).toBe(1);
    expect((await history().query({ eventIds: [id] })).map((record) => record.replayRun)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('releases the claim when the handler fails, so the retry runs at once', async () => {
    // Prepare
    const id = randomUUID();
    let attempts = 0;
    const consumer = marked({
      default: async (event) => {
        attempts += 1;
        if (attempts === 1) throw new Error('the downstream system is down');
        runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
      },
    });
    const first = delivery(id);
    const retry = delivery(id);

    // Act
    const firstResponse = await deliver(consumer, first);
    const released = await claimItem(id);
    const retryResponse = await deliver(consumer, retry);

    // Assess
    expect(failedIds(firstResponse)).toEqual([first.messageId]);
    expect(lineOf(first.messageId)).toMatchObject({ reason: RecordFailureReason.HANDLER_FAILED });
    expect(released).toBeUndefined();
    expect(failedIds(retryResponse)).toEqual([]);
    expect(lineOf(retry.messageId)).toMatchObject({ outcome: 'processed' });
    expect(runs.get(id)).toBe(1);
  });

  it('marks completion in the claim (COMPLETED) for an event the history cannot key, and finds its redelivery a duplicate', async () => {
    // Prepare: an id longer than the history's keys take (no history record is written for it)
    const id = `long-${'x'.repeat(600)}`;
    const consumer = marked();

    // Act
    const firstResponse = await deliver(consumer, delivery(id));
    const completed = await claimItem(id);
    const again = delivery(id);
    const againResponse = await deliver(consumer, again);

    // Assess
    expect([...failedIds(firstResponse), ...failedIds(againResponse)]).toEqual([]);
    expect(completed?.status?.S).toBe('COMPLETED');
    expect(lineOf(again.messageId)).toMatchObject({ outcome: 'duplicate' });
    expect(runs.get(id)).toBe(1);
  });

  it('fails as idempotency-store-failed when the claim cannot be written, and runs nothing', async () => {
    // Prepare
    const id = randomUUID();
    const record = delivery(id);

    // Act
    const response = await deliver(marked(counting, { claims: 'no-such-table' }), record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(lineOf(record.messageId)).toMatchObject({ reason: RecordFailureReason.IDEMPOTENCY_STORE_FAILED });
    expect(runs.has(id)).toBe(false);
  });

  it("skips a processed message's redelivery as a duplicate when its claim cannot be written, so its processed record stays a completion", async () => {
    // Prepare: processed, then its process dies before deleting the message, which comes back while the idempotency
    // table fails
    const id = randomUUID();
    const first = delivery(id);
    await deliver(marked(), first);
    output.clear();

    // Act
    const redelivered = await deliver(marked(counting, { claims: 'no-such-table' }), first);
    await timeRunsOut(id);
    const later = delivery(id);
    const laterResponse = await deliver(marked(), later);

    // Assess
    expect(failedIds(redelivered)).toEqual([]);
    expect(lineOf(first.messageId)).toMatchObject({ outcome: 'duplicate' });
    expect(failedIds(laterResponse)).toEqual([]);
    expect(lineOf(later.messageId)).toMatchObject({ outcome: 'duplicate' });
    expect(runs.get(id)).toBe(1);
  });

  it.each([
    [
      'its claim cannot be written nor the history read',
      { claims: 'no-such-table' },
      RecordFailureReason.IDEMPOTENCY_STORE_FAILED,
    ],
    [
      'its status cannot be read (staleStatusGuard)',
      { statuses: 'no-such-table' },
      RecordFailureReason.IDEMPOTENCY_STORE_FAILED,
    ],
  ] as const)(
    "keeps a processed message's record a completion when its redelivery fails because %s, so a later delivery is a duplicate",
    async (_case, failing, reason) => {
      // Prepare: processed, then its process dies before deleting the message, which comes back while DynamoDB fails
      // it before its claim is decided (the history can still be written)
      const id = randomUUID();
      const first = delivery(id);
      await deliver(marked(), first);
      const store = history();
      const unreadable = {
        write: (entry: Parameters<DynamoDbHistoryStore['write']>[0]) => store.write(entry),
        completionsOf: () => Promise.reject(new Error('the history cannot be read')),
      };
      output.clear();

      // Act: the redelivery fails; once the first delivery's claim time is up, another delivery of the event comes
      const redelivered = await deliver(marked(counting, { ...failing, history: unreadable }), first);
      await timeRunsOut(id);
      const later = delivery(id);
      const laterResponse = await deliver(marked(), later);

      // Assess
      expect(failedIds(redelivered)).toEqual([first.messageId]);
      expect(lineOf(first.messageId)).toMatchObject({ outcome: 'failed', reason, completionKept: true });
      expect(lineOf(first.messageId).historyError).toBeUndefined();
      expect(failedIds(laterResponse)).toEqual([]);
      expect(lineOf(later.messageId)).toMatchObject({ outcome: 'duplicate' });
      expect(runs.get(id)).toBe(1);
      const [record] = await store.records([{ eventId: id, messageId: first.messageId }]);
      expect(record?.outcome).toBe('processed');
    },
  );

  it('fails as history-store-failed when a claim in the way cannot be checked against the history, and keeps the claim', async () => {
    // Prepare
    const id = randomUUID();
    await diedInProgress(id);
    const record = delivery(id);

    // Act
    const response = await deliver(marked(counting, { history: 'no-such-table' }), record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(lineOf(record.messageId)).toMatchObject({ reason: RecordFailureReason.HISTORY_STORE_FAILED });
    expect(runs.has(id)).toBe(false);
    expect((await claimItem(id))?.status?.S).toBe('INPROGRESS');
  });

  it('writes claims Powertools reads as its own in-progress records (the path without a history, and a deploy)', async () => {
    // Prepare: a claim of ours still in progress, then one whose time ran out
    const id = randomUUID();
    await deliver(marked(), delivery(id));
    const during = delivery(id);
    const duringResponse = await deliver(powertoolsOnly(), during);
    await timeRunsOut(id);

    // Act: Powertools alone cannot see the history's completion: it takes the claim over
    const after = delivery(id);
    const afterResponse = await deliver(powertoolsOnly(), after);

    // Assess
    expect(failedIds(duringResponse)).toEqual([during.messageId]);
    expect(lineOf(during.messageId)).toMatchObject({ reason: RecordFailureReason.ALREADY_IN_PROGRESS });
    expect(failedIds(afterResponse)).toEqual([]);
    expect(runs.get(id)).toBe(2);
  });
});
