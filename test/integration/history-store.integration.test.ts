import { brotliCompressSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { FLUENT_SIGNATURE_HEADER } from '../../lambdas/core/constants';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { ArchiveAttribute, toHistoryItem } from '../../lambdas/history/history-item';
import { reconcile } from '../../lambdas/reconcile/reconcile-run';
import { DynamoDbEmulator, startDynamoDbEmulator } from '../../tools/local/dynamodb-emulator';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { historyEntryOf } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { archivedEntry as entry } from '../support/archived-entries';

const TABLE = 'history';

describe('Class: DynamoDbHistoryStore on the local DynamoDB emulator', () => {
  const tempDir = useTempDir('history-store-');
  const opened: Array<{ emulator: DynamoDbEmulator; client: DynamoDBClient }> = [];
  const now = Date.parse('2026-12-06T12:00:00.000Z');

  const open = async (path?: string) => {
    const emulator = await startDynamoDbEmulator(path === undefined ? {} : { path });
    const client = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'us-east-1'));
    opened.push({ emulator, client });
    await emulator.createHistoryTable(TABLE);
    await emulator.createHistoryTable(TABLE);
    return new DynamoDbHistoryStore({ client, tableName: TABLE, now: () => now });
  };
  /** Writes an item as given, past the store: an item of the first layout, or one whose archive is damaged. */
  const putItem = (item: Record<string, unknown>) =>
    DynamoDBDocumentClient.from(opened[opened.length - 1]!.client).send(
      new PutCommand({ TableName: TABLE, Item: item }),
    );
  const closeAll = async () => {
    for (const { emulator, client } of opened.splice(0)) {
      client.destroy();
      await emulator.stop();
    }
  };
  afterEach(closeAll);

  it('gives back the exact bytes and signature headers it archived, and the record by event id', async () => {
    // Prepare
    const store = await open();
    const written = entry({ durationMs: 1.5 }, Buffer.from('{"id":"x1","name":"N","weird":"\u0000 ✓"}'));

    // Act
    await store.write(written);
    const archived = await store.archived(written.record);
    const byId = await store.query({ eventIds: [written.record.eventId] });

    // Assess
    expect(archived?.rawBody?.equals(written.rawBody!)).toBe(true);
    // Only the header the verifier reads: with fluent-signature sent, flex.signature can never change a verdict.
    expect(archived?.signatures).toEqual({ [FLUENT_SIGNATURE_HEADER]: written.signatures[FLUENT_SIGNATURE_HEADER] });
    expect(archived?.record).toEqual(written.record);
    expect(byId).toEqual([written.record]);
  });

  it("finds an entity's events by entityRef or rootEntityRef, oldest first, and no other entity's", async () => {
    // Prepare
    const store = await open();
    const order = [
      entry({ entityRef: 'HD_A', rootEntityRef: 'HD_A', receivedAt: '2026-12-03T09:00:00.000Z' }),
      entry({ entityRef: 'F_HD_A_1', rootEntityRef: 'HD_A', receivedAt: '2026-12-01T09:00:00.000Z' }),
      entry({ entityRef: 'HD_A', rootEntityRef: undefined, receivedAt: '2026-12-02T09:00:00.000Z' }),
    ];
    const other = entry({ entityRef: 'HD_B', rootEntityRef: 'HD_B', receivedAt: '2026-12-02T09:00:00.000Z' });
    for (const written of [...order, other]) await store.write(written);

    // Act
    const ofOrder = await store.query({ entityRef: 'HD_A' });
    const ofFulfilment = await store.query({ entityRef: 'F_HD_A_1' });

    // Assess
    expect(ofOrder.map((record) => record.receivedAt)).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-02T09:00:00.000Z',
      '2026-12-03T09:00:00.000Z',
    ]);
    expect(ofFulfilment.map((record) => record.eventId)).toEqual([order[1]!.record.eventId]);
  });

  it("finds a child entity's events both under its root and filed under its own ref", async () => {
    // Prepare: one fulfilment event names its order as root, another (sent on its own) names no root
    const store = await open();
    const underOrder = entry({ entityRef: 'F_HD_C_1', rootEntityRef: 'HD_C', receivedAt: '2026-12-01T09:00:00.000Z' });
    const onItsOwn = entry({ entityRef: 'F_HD_C_1', rootEntityRef: undefined, receivedAt: '2026-12-02T09:00:00.000Z' });
    const sibling = entry({ entityRef: 'F_HD_C_2', rootEntityRef: 'HD_C', receivedAt: '2026-12-02T10:00:00.000Z' });
    for (const written of [underOrder, onItsOwn, sibling]) await store.write(written);

    // Act
    const ofFulfilment = await store.query({ entityRef: 'F_HD_C_1' });

    // Assess
    expect(ofFulfilment.map((record) => record.eventId)).toEqual([underOrder.record.eventId, onItsOwn.record.eventId]);
  });

  it('lists a time range by name, account and outcome', async () => {
    // Prepare
    const store = await open();
    const inRange = entry({ name: 'A', entityRef: 'E1', rootEntityRef: 'E1', receivedAt: '2026-12-04T10:00:00.000Z' });
    const otherName = entry({ name: 'B', entityRef: 'E2', receivedAt: '2026-12-04T11:00:00.000Z' });
    const otherAccount = entry({
      name: 'A',
      accountId: 'OTHER',
      entityRef: 'E3',
      receivedAt: '2026-12-04T12:00:00.000Z',
    });
    const failed = entry({
      name: 'A',
      entityRef: 'E4',
      outcome: 'failed',
      reason: 'handler-failed',
      receivedAt: '2026-12-05T10:00:00.000Z',
    });
    const tooEarly = entry({ name: 'A', entityRef: 'E5', receivedAt: '2026-12-02T10:00:00.000Z' });
    for (const written of [inRange, otherName, otherAccount, failed, tooEarly]) await store.write(written);
    const range = { from: '2026-12-03T00:00:00.000Z', to: '2026-12-06T00:00:00.000Z' };

    // Act
    const named = await store.query({ ...range, names: ['A'], accountId: 'ACME' });
    const failures = await store.query({ ...range, outcome: 'failed' });

    // Assess
    expect(named.map((record) => record.eventId)).toEqual([inRange.record.eventId, failed.record.eventId]);
    expect(failures).toEqual([failed.record]);
    // The same range from the index alone (what the inspector lists from), then read by key.
    const entries = await store.entries(range);
    const inRangeRecords = [inRange, otherName, otherAccount, failed].map((written) => written.record);
    expect(entries).toEqual(inRangeRecords.map(historyEntryOf));
    expect(await store.records([...entries].reverse())).toEqual(expect.arrayContaining(inRangeRecords));
  });

  it('keeps every delivery of an event apart, and a retry of one delivery overwrites its record', async () => {
    // Prepare
    const store = await open();
    const first = entry({ outcome: 'failed', reason: 'handler-failed' });
    const retried = {
      ...first,
      record: { ...first.record, outcome: 'processed' as const, reason: undefined, attempts: 2 },
    };
    const replayed = entry({
      eventId: first.record.eventId,
      provenance: 'replay',
      decidedAt: '2026-12-02T00:00:00.000Z',
    });

    // Act
    await store.write(first);
    await store.write(retried);
    await store.write(replayed);
    const records = await store.query({ eventIds: [first.record.eventId] });

    // Assess
    expect(records.map(({ outcome, attempts, provenance }) => ({ outcome, attempts, provenance }))).toEqual([
      { outcome: 'processed', attempts: 2, provenance: 'webhook' },
      { outcome: 'processed', attempts: 1, provenance: 'replay' },
    ]);
  });

  it.each([
    ['processed', 'failed'],
    ['duplicate', 'failed'],
    ['processed', 'stale'],
  ] as const)(
    "never replaces a delivery's %s record with a later %s one: the completion stands and the write says so",
    async (completion, later) => {
      // Prepare: the message completed, its process died before deleting it, and its redelivery did not complete
      const store = await open();
      const completed = entry({ outcome: completion, firstHandledAt: '2026-12-01T10:00:01.000Z' });
      const redelivery = {
        ...completed,
        record: { ...completed.record, outcome: later, reason: 'idempotency-store-failed' as const, attempts: 2 },
      };

      // Act
      const first = await store.write(completed);
      const second = await store.write(redelivery);

      // Assess
      expect([first, second]).toEqual(['written', 'completion-kept']);
      expect(await store.records([completed.record])).toEqual([completed.record]);
      expect(await store.completionsOf(completed.record.eventId)).toHaveLength(1);
    },
  );

  it('writes a failure over a failure or a stale record, and a completion over a failure', async () => {
    // Prepare
    const store = await open();
    const failed = entry({ outcome: 'failed', reason: 'handler-failed' });
    const outcome = (record: Partial<typeof failed.record>) => ({ ...failed, record: { ...failed.record, ...record } });
    const steps = [
      outcome({ outcome: 'stale', reason: undefined }),
      outcome({ outcome: 'failed', reason: 'unexpected-error', attempts: 2 }),
      outcome({ outcome: 'failed', reason: 'handler-failed', attempts: 3 }),
      outcome({ outcome: 'processed', reason: undefined, attempts: 4 }),
    ];

    // Act
    const results = [];
    for (const step of steps) results.push([await store.write(step), (await store.records([failed.record]))[0]]);

    // Assess
    expect(results).toEqual(steps.map((step) => ['written', step.record]));
  });

  it('fails a failure whose conditional write DynamoDB refuses for another reason (no such table)', async () => {
    // Prepare
    await open();
    const store = new DynamoDbHistoryStore({ client: opened[0]!.client, tableName: 'no-such-table' });

    // Act
    const writing = store.write(entry({ outcome: 'failed', reason: 'handler-failed' }));

    // Assess
    await expect(writing).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("lists an event's deliveries by id from keys and top-level fields, of either layout, oldest first", async () => {
    // Prepare: two deliveries of one event, an event of the first layout (every field top-level, body alone)
    const store = await open();
    const first = entry({ receivedAt: '2026-12-02T09:00:00.000Z', outcome: 'failed', reason: 'handler-failed' });
    const replayed = entry({ eventId: first.record.eventId, receivedAt: '2026-12-01T09:00:00.000Z' });
    const old = entry({ entityRef: 'HD_OLD', rootEntityRef: 'HD_OLD' });
    await store.write(first);
    await store.write(replayed);
    await putItem({
      ...old.record,
      expiresAt: 1_800_000_000,
      dayShard: '2026-12-01#1',
      entityTime: `HD_OLD#${old.record.receivedAt}#${old.record.eventId}`,
      [ArchiveAttribute.LEGACY_BODY]: brotliCompressSync(old.rawBody!),
    });

    // Act
    const entries = await store.entriesOf([
      first.record.eventId,
      'never-received',
      old.record.eventId,
      first.record.eventId,
    ]);

    // Assess
    expect(entries).toEqual([replayed.record, old.record, first.record].map(historyEntryOf));
  });

  it("reads an event's completions (processed and duplicate, with replay run and decision time) of either layout, and no failure", async () => {
    // Prepare: one event's deliveries: processed, failed, a duplicate within a replay run, and one of the first layout
    const store = await open();
    const processed = entry({ outcome: 'processed', decidedAt: '2026-12-01T10:00:02.500Z' });
    const eventId = processed.record.eventId;
    const failed = entry({ eventId, outcome: 'failed', reason: 'handler-failed' });
    const inRun = entry({ eventId, outcome: 'duplicate', replayRun: 'run-1', provenance: 'replay' });
    const old = entry({ eventId, outcome: 'processed', decidedAt: '2026-11-30T08:00:00.000Z' });
    const other = entry({ outcome: 'processed' });
    for (const written of [processed, failed, inRun, other]) await store.write(written);
    await putItem({
      ...old.record,
      expiresAt: 1_800_000_000,
      dayShard: '2026-12-01#1',
      entityTime: `HD_1#${old.record.receivedAt}#${eventId}`,
      [ArchiveAttribute.LEGACY_BODY]: brotliCompressSync(old.rawBody!),
    });

    // Act
    const completions = await store.completionsOf(eventId);

    // Assess
    const completionOf = ({ record }: typeof processed) => ({
      messageId: record.messageId,
      outcome: record.outcome,
      decidedAt: record.decidedAt,
      ...(record.replayRun === undefined ? {} : { replayRun: record.replayRun }),
    });
    const byMessage = (a: { messageId: string }, b: { messageId: string }) => a.messageId.localeCompare(b.messageId);
    expect(completions.sort(byMessage)).toEqual([processed, inRun, old].map(completionOf).sort(byMessage));
    expect(await store.completionsOf('never-received')).toEqual([]);
  });

  it('tells reconciliation an event was received without unpacking its archive, even one that no longer unpacks', async () => {
    // Prepare: a received event whose item's archive is damaged, and one that never arrived
    const store = await open();
    const damaged = entry();
    await putItem({ ...toHistoryItem(damaged, 1_800_000_000), [ArchiveAttribute.ARCHIVE]: Buffer.from('not brotli') });
    const listed = [damaged.record.eventId, 'lost-1'].map((id) => ({ id, name: 'OrderStatusChange' }));
    const fluent = {
      getEvents: async () => ({ start: 0, count: listed.length, hasMore: false, results: listed }),
    };

    // Act
    const report = await reconcile({
      fluent,
      history: store,
      query: { names: ['OrderStatusChange'], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' },
      bounds: { pageSize: 100, maxPages: 1, deadline: Number.MAX_SAFE_INTEGER },
    });

    // Assess: only the lost event is a gap; reading the damaged record itself still fails, as it should
    expect(report).toMatchObject({ listed: 2, received: 1, gaps: 1 });
    expect(report.gapEvents.map((gap) => gap.id)).toEqual(['lost-1']);
    await expect(store.query({ eventIds: [damaged.record.eventId] })).rejects.toThrow();
  });

  it('reads archived copies by key in batches, in the order asked, undefined where there is no record', async () => {
    // Prepare: more deliveries than one BatchGetItem takes (100).
    const store = await open();
    const written = Array.from({ length: 130 }, (_, index) =>
      entry({ eventId: `batch-${index}` }, Buffer.from(`{"id":"batch-${index}"}`)),
    );
    for (const one of written) await store.write(one);
    const missing = { eventId: 'batch-gone', messageId: 'm-gone' };
    const keys = [written[129]!.record, missing, ...written.slice(0, 129).map((one) => one.record), written[0]!.record];

    // Act
    const archived = await store.archivedMany(keys);

    // Assess
    expect(archived).toHaveLength(keys.length);
    expect(archived[1]).toBeUndefined();
    const expected = [written[129]!, undefined, ...written.slice(0, 129), written[0]!];
    archived.forEach((copy, index) => {
      expect(copy?.record).toEqual(expected[index]?.record);
      expect(copy?.rawBody?.toString()).toEqual(expected[index]?.rawBody?.toString());
      expect(copy?.signatures).toEqual(
        expected[index] === undefined
          ? undefined
          : { [FLUENT_SIGNATURE_HEADER]: expected[index]!.signatures[FLUENT_SIGNATURE_HEADER] },
      );
    });
  });

  it('keeps the history across a restart of the emulator on the same folder', async () => {
    // Prepare
    const path = tempDir.path('leveldb');
    const written = entry();
    await (await open(path)).write(written);
    await closeAll();

    // Act
    const records = await (await open(path)).query({ eventIds: [written.record.eventId] });

    // Assess
    expect(records).toEqual([written.record]);
  });
});
