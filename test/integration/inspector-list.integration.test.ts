import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FluentSignatureVerifier } from '../../lambdas/core';
import { HistoryKey, HistoryQuery, HistoryRecord, HistoryStore, oldestFirst } from '../../lambdas/contract/history';
import { RecordFailureReason } from '../../lambdas/contract/observability';
import { Provenance } from '../../lambdas/contract/provenance';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { DynamoDbEmulator, startDynamoDbEmulator } from '../../tools/local/dynamodb-emulator';
import { createInspectorApi, InspectorApi } from '../../tools/local/inspector/inspector-api';
import { ACCEPTED, DoorVerdicts } from '../../tools/local/inspector/door-verdicts';
import { ChangeFeed } from '../../tools/local/inspector/change-feed';
import { keyOf } from '../../tools/local/inspector/history-window';
import type { FluentCallLog } from '../../tools/local/inspector/fluent-calls';
import type { LogTap } from '../../tools/local/inspector/log-tap';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { fluentEventBody } from '../support/factories';

const TABLE = 'history';
const NOW = Date.parse('2026-12-06T12:00:00.000Z');
/** The page's rows per answer (LIST_LIMIT in inspector-api.ts). */
const PAGE_ROWS = 200;

/** The history store, counting what a listing asks of it; `paused` holds a read's answer (already read) back. */
class CountingStore implements HistoryStore {
  public queries = 0;
  public readKeys = 0;
  public readKeyTexts: string[] = [];
  public paused?: { readonly reached: () => void; readonly resume: Promise<void> };
  public constructor(private readonly store: DynamoDbHistoryStore) {}
  public write = (entry: Parameters<HistoryStore['write']>[0]) => this.store.write(entry);
  public archived = (key: HistoryKey) => this.store.archived(key);
  public archivedMany = (keys: readonly HistoryKey[]) => this.store.archivedMany(keys);
  public entries = (range: Pick<HistoryQuery, 'from' | 'to'>) => this.store.entries(range);
  public entriesOf = (eventIds: readonly string[]) => this.store.entriesOf(eventIds);
  public completionsOf = (eventId: string) => this.store.completionsOf(eventId);
  public query = (query: HistoryQuery) => {
    this.queries += 1;
    return this.store.query(query);
  };
  public records = async (keys: readonly HistoryKey[]) => {
    this.readKeys += keys.length;
    this.readKeyTexts.push(...keys.map(keyOf));
    const read = await this.store.records(keys);
    if (this.paused !== undefined) {
      this.paused.reached();
      await this.paused.resume;
    }
    return read;
  };
}

function record(n: number, overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  const receivedAt = new Date(NOW - 3_600_000 + n * 1000).toISOString();
  return {
    eventId: `e-${n}`,
    messageId: `m-${n}`,
    name: n % 2 === 0 ? 'OrderStatusChange' : 'FulfilmentUpdate',
    accountId: 'ACME',
    entityRef: `HD_${n % 7}`,
    rootEntityRef: `HD_${n % 7}`,
    route: 'orders',
    receivedAt,
    requestId: `r-${n}`,
    outcome: 'processed',
    attempts: 1,
    durationMs: 2,
    provenance: Provenance.WEBHOOK,
    decidedAt: new Date(Date.parse(receivedAt) + 50).toISOString(),
    ...overrides,
  };
}

describe('Inspector list: rows from the history index, items read only for the rows shown', () => {
  let emulator: DynamoDbEmulator;
  let client: DynamoDBClient;
  let store: CountingStore;
  let verdicts: DoorVerdicts;
  let api: InspectorApi;
  let changes: ChangeFeed;

  beforeEach(async () => {
    changes = new ChangeFeed();
    emulator = await startDynamoDbEmulator({});
    client = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'us-east-1'));
    await emulator.createHistoryTable(TABLE);
    store = new CountingStore(new DynamoDbHistoryStore({ client, tableName: TABLE, now: () => NOW }));
    verdicts = new DoorVerdicts();
    api = createInspectorApi({
      store,
      changes,
      verdicts,
      logs: {} as LogTap,
      fluentCalls: {} as FluentCallLog,
      verifier: {} as FluentSignatureVerifier,
      deduplicationWindowSeconds: 3600,
      sqs: {} as SQSClient,
      queueUrl: '',
      deadLetterQueueUrl: '',
      deadLetterMessages: async () => [],
      webhookBaseUrl: '',
      now: () => NOW,
    });
  });
  afterEach(async () => {
    client.destroy();
    await emulator.stop();
  });

  /** Writes as the runner's consumer does: each write, once done, is told to the inspector. */
  const write = (records: readonly HistoryRecord[]) =>
    Promise.all(
      records.map(async (written) => {
        await store.write({ record: written, rawBody: fluentEventBody({ id: written.eventId }), signatures: {} });
        changes.recorded(written);
      }),
    );
  const list = async (query: Record<string, string> = {}) => (await api.list(new URLSearchParams(query))).rows;

  it('shows the newest rows (a replay at its decision time, ties at the last place in history order) and, once it knows the window, reads only them', async () => {
    // Prepare: 260 webhooks; a replay of the oldest decided after all of them; two more received at the same
    // instant as the row that takes the last place, so that the history's order (then decidedAt) decides which shows.
    const webhooks = Array.from({ length: 260 }, (_, n) => record(n));
    const replay = record(0, {
      messageId: 'm-replay',
      provenance: Provenance.REPLAY,
      decidedAt: new Date(NOW - 1000).toISOString(),
    });
    const lastPlace = webhooks[61]!;
    const tied = [1, 2].map((n) =>
      record(1000 + n, {
        receivedAt: lastPlace.receivedAt,
        decidedAt: new Date(Date.parse(lastPlace.decidedAt) - n * 10).toISOString(),
      }),
    );
    const all = [...webhooks, replay, ...tied];
    await write(all);
    const placeOf = (shown: HistoryRecord) =>
      shown.provenance === Provenance.WEBHOOK ? shown.receivedAt : shown.decidedAt;
    const expected = [...all]
      .sort(oldestFirst)
      .sort((a, b) => placeOf(b).localeCompare(placeOf(a)))
      .slice(0, PAGE_ROWS);

    // Act
    const first = await list();
    const readByFirst = store.readKeys;
    store.readKeys = 0;
    store.readKeyTexts = [];
    const second = await list();

    // Assess: the page's rows, each in full, in the order reading every record gives.
    expect(first.map((row) => row.key)).toEqual(expected.map((shown) => `${shown.eventId}/${shown.messageId}`));
    expect(first[0]).toEqual({
      key: 'e-0/m-replay',
      receivedAt: replay.decidedAt,
      name: replay.name,
      entityRef: replay.entityRef,
      route: 'orders',
      door: Provenance.REPLAY,
      outcome: 'processed',
      attempts: 1,
      durationMs: 2,
      provenance: Provenance.REPLAY,
      eventId: 'e-0',
      messageId: 'm-replay',
      requestId: 'r-0',
    });
    expect(second).toEqual(first);
    // The first listing reads the window once; later ones the rows that can show (the two tied with the last place
    // too), but not the replay, which nothing wrote again since.
    expect(readByFirst).toBe(all.length);
    expect(store.readKeys).toBeLessThanOrEqual(PAGE_ROWS + tied.length);
    expect(store.readKeyTexts).not.toContain('e-0/m-replay');
    expect(store.queries).toBe(0);
  });

  it("shows a retried delivery's new outcome and attempts, and filters on them", async () => {
    // Prepare
    const failed = record(1, { outcome: 'failed', reason: RecordFailureReason.HANDLER_FAILED, attempts: 1 });
    await write([failed, record(2)]);
    expect((await list({ outcome: 'failed' })).map((row) => row.attempts)).toEqual([1]);

    // Act: the message's retry overwrites its record.
    await write([{ ...failed, outcome: 'processed', reason: undefined, attempts: 2 }]);

    // Assess
    expect(await list({ outcome: 'failed' })).toEqual([]);
    const [row] = await list({ entityRef: failed.entityRef! });
    expect(row).toMatchObject({ key: 'e-1/m-1', outcome: 'processed', attempts: 2 });
    expect(row?.reason).toBeUndefined();
  });

  it("reads a replay's record again only once the consumer wrote it again, and places it by its new decidedAt", async () => {
    // Prepare: a replay that failed, decided before a later webhook
    const replay = record(0, {
      messageId: 'm-replay',
      provenance: Provenance.REPLAY,
      outcome: 'failed',
      reason: RecordFailureReason.HANDLER_FAILED,
      decidedAt: new Date(NOW - 60_000).toISOString(),
    });
    const webhook = record(1, { receivedAt: new Date(NOW - 30_000).toISOString() });
    await write([replay, webhook]);
    await list();
    store.readKeyTexts = [];

    // Act: listed again unchanged, then the replay's retry fails again (the same outcome: the index cannot tell)
    const unchanged = await list();
    const readUnchanged = store.readKeyTexts.splice(0);
    const retried = { ...replay, attempts: 2, decidedAt: new Date(NOW - 1000).toISOString() };
    await write([retried]);
    const after = await list();

    // Assess
    expect(readUnchanged).not.toContain('e-0/m-replay');
    expect(unchanged.map((row) => [row.key, row.attempts])).toEqual([
      ['e-1/m-1', 1],
      ['e-0/m-replay', 1],
    ]);
    expect(store.readKeyTexts.filter((key) => key === 'e-0/m-replay')).toHaveLength(1);
    expect(after.map((row) => [row.key, row.attempts, row.receivedAt])).toEqual([
      ['e-0/m-replay', 2, retried.decidedAt],
      ['e-1/m-1', 1, webhook.receivedAt],
    ]);
  });

  it('does not keep what a listing read of a replay that was written again while it read', async () => {
    // Prepare: the first listing's read of the replay is answered (the old record), then held
    const replay = record(0, { messageId: 'm-replay', provenance: Provenance.REPLAY, outcome: 'failed' });
    await write([replay]);
    let reached!: () => void;
    let resume!: () => void;
    const atRead = new Promise<void>((resolve) => (reached = resolve));
    store.paused = { reached, resume: new Promise<void>((resolve) => (resume = resolve)) };
    const reading = list();
    await atRead;
    store.paused = undefined;

    // Act: the retry is written and told while the listing holds the old record
    await write([{ ...replay, attempts: 2 }]);
    resume();
    const during = await reading;
    const next = await list();

    // Assess: the held listing shows what it read; the next one reads the replay again
    expect(during.map((row) => row.attempts)).toEqual([1]);
    expect(next.map((row) => row.attempts)).toEqual([2]);
  });

  it("lists a door's answer once: as the history's row when the request was recorded, else as queued", async () => {
    // Prepare
    await write([record(1)]);
    const answered = { receivedAt: new Date(NOW - 1000).toISOString(), status: 202, verdict: ACCEPTED };
    verdicts.add({ ...answered, requestId: 'r-1' });
    verdicts.add({ ...answered, requestId: 'r-not-yet-consumed', claimedName: 'OrderCreated' });

    // Act
    const rows = await list();

    // Assess
    expect(rows.map((row) => [row.key, row.outcome])).toEqual([
      ['request/r-not-yet-consumed', 'queued'],
      ['e-1/m-1', 'processed'],
    ]);
  });
});
