import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HistoryRecord } from '../../lambdas/contract/history';
import type { ReconciliationSweepSettings } from '../../lambdas/contract/reconciliation-sweep';
import type { FluentEventFilter } from '../../lambdas/fluent-api';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { DynamoDbCheckpointStore } from '../../lambdas/reconcile/dynamodb-checkpoint-store';
import { runSweep, SWEEP_BUSY, SweepRun } from '../../lambdas/reconcile/sweep';
import { DynamoDbEmulator, startDynamoDbEmulator } from '../../tools/local/dynamodb-emulator';
import type { FluentStandIn } from '../../tools/local/fluent-stand-in/fluent-stand-in';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { checkpointTableDefinition } from '../../tools/local/local-sweep';
import { fluentEvent, fluentEventBody } from '../support/factories';
import { observedClient, TEST_FLUENT_CLIENT, TestClock, startStandInFixture } from '../support/fluent-api-fixtures';

const NAME = 'OrderStatusChange';
const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const MINUTE = 60_000;
const SETTINGS: ReconciliationSweepSettings = { names: [NAME], lookbackMinutes: 120, settleMinutes: 5, pageSize: 2 };

/** e1..e8, ten minutes apart from 100 to 30 minutes before NOW; e3, e6 and e8 never arrived. */
const inWindow = Array.from({ length: 8 }, (_, index) => ({
  id: `sweep-e${index + 1}`,
  generatedOn: NOW - (100 - index * 10) * MINUTE,
}));
const LOST = ['sweep-e3', 'sweep-e6', 'sweep-e8'];
const RECEIVED = inWindow.map((event) => event.id).filter((id) => !LOST.includes(id));

describe('Function: runSweep (the scheduled sweep) against the Fluent stand-in, with DynamoDB history and checkpoints', () => {
  let emulator: DynamoDbEmulator;
  let dynamoDb: DynamoDBClient;
  let standIn: FluentStandIn;
  let history: DynamoDbHistoryStore;

  beforeAll(async () => {
    emulator = await startDynamoDbEmulator();
    dynamoDb = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'us-east-1'));
    await emulator.createHistoryTable('history');
    history = new DynamoDbHistoryStore({ client: dynamoDb, tableName: 'history', now: () => NOW });
    standIn = (await startStandInFixture()).standIn;
    const seed = (id: string, generatedOn: number, name = NAME) => ({
      event: fluentEvent({ id, name }),
      webhook: LOST.includes(id) || !id.startsWith('sweep-e') || name !== NAME ? 'lost' : 'sent',
      generatedOn: new Date(generatedOn).toISOString(),
    });
    standIn.seedEvents([
      seed('sweep-too-old', NOW - 130 * MINUTE),
      ...inWindow.map((event) => seed(event.id, event.generatedOn)),
      seed('sweep-other-name', NOW - 60 * MINUTE, 'FulfilmentStatusUpdate'),
      seed('sweep-still-settling', NOW - 2 * MINUTE),
    ]);
    for (const eventId of RECEIVED) await history.write(delivered(eventId));
  });
  afterAll(async () => {
    dynamoDb?.destroy();
    await emulator?.stop();
    await standIn?.stop();
  });

  /** A sweep run of its own: a fresh checkpoint table, a recording Fluent client, a collecting backfill. */
  async function sweepRig() {
    const table = `checkpoints-${randomUUID()}`;
    await emulator.createTable(checkpointTableDefinition(table));
    const clock = { now: NOW };
    const listings: FluentEventFilter[] = [];
    const client = observedClient(standIn.url, TEST_FLUENT_CLIENT, new TestClock(), []);
    const backfilled: string[] = [];
    const checkpoints = new DynamoDbCheckpointStore({ client: dynamoDb, tableName: table, now: () => clock.now });
    const base = (overrides: Partial<SweepRun> = {}): SweepRun => ({
      sweep: 'recent',
      settings: SETTINGS,
      fluent: {
        getEvents: (filter = {}) => {
          listings.push(filter);
          return client.getEvents(filter);
        },
      },
      history,
      backfill: async ({ id }) => void backfilled.push(id),
      checkpoints,
      holder: randomUUID(),
      deadline: NOW + 10 * MINUTE,
      now: () => new Date(clock.now),
      ...overrides,
    });
    return { clock, listings, backfilled, checkpoints, base };
  }

  it('backfills exactly the events of the recent window the history lacks, once each, and a second run starts anew', async () => {
    // Prepare
    const rig = await sweepRig();

    // Act
    const report = await runSweep(rig.base());
    const second = await runSweep(rig.base());

    // Assess
    expect(report).toMatchObject({ outcome: 'complete', resumed: false, windows: 1, listed: 8, received: 5 });
    expect(report).toMatchObject({ gapsFound: 3, gapsBackfilled: 3, failed: [] });
    expect(rig.backfilled.slice(0, 3)).toEqual(LOST);
    expect(rig.listings[0]).toMatchObject({
      name: NAME,
      from: new Date(NOW - 120 * MINUTE).toISOString(),
      to: new Date(NOW - 5 * MINUTE).toISOString(),
    });
    expect(second).toMatchObject({ outcome: 'complete', resumed: false, gapsFound: 3 });
  });

  it('resumes a run cut by its deadline at the first page it had not finished: every gap once over both runs', async () => {
    // Prepare: the clock passes the deadline once two pages are listed.
    const rig = await sweepRig();
    const cut = rig.base({
      fluent: {
        getEvents: async (filter = {}) => {
          rig.listings.push(filter);
          const answer = await observedClient(standIn.url, TEST_FLUENT_CLIENT, new TestClock(), []).getEvents(filter);
          if (rig.listings.length === 2) rig.clock.now = NOW + 11 * MINUTE;
          return answer;
        },
      },
    });

    // Act
    const first = await runSweep(cut);
    const firstListings = rig.listings.splice(0).map(({ from, start }) => ({ from, start }));
    const resumed = await runSweep(rig.base({ deadline: NOW + 60 * MINUTE }));

    // Assess: each page lists from the last event compared (which it lists again, and skips).
    const generated = (index: number) => new Date(inWindow[index]!.generatedOn).toISOString();
    expect(first).toMatchObject({ outcome: 'stopped', pages: 2, listed: 4 });
    expect(firstListings).toEqual([
      { from: new Date(NOW - 120 * MINUTE).toISOString(), start: 0 },
      { from: generated(1), start: 0 },
    ]);
    expect(resumed).toMatchObject({ outcome: 'complete', resumed: true, listed: 4 });
    expect(rig.listings[0]).toMatchObject({ start: 0, from: generated(3), count: 3 });
    expect(first.gapsFound + resumed.gapsFound).toBe(3);
    expect(rig.backfilled).toEqual(LOST);
  });

  it('resumes a checkpoint saved before the time cursor (a page offset from the window start) at that offset', async () => {
    // Prepare: a run of the previous version stopped after two pages of two (a stack updated mid-sweep).
    const rig = await sweepRig();
    const window = { from: new Date(NOW - 120 * MINUTE).toISOString(), to: new Date(NOW - 5 * MINUTE).toISOString() };
    await rig.checkpoints.claim('recent', 'previous-version', NOW + MINUTE);
    await rig.checkpoints.save('previous-version', {
      sweep: 'recent',
      plannedAt: new Date(NOW).toISOString(),
      windows: [window],
      window: 0,
      name: 0,
      start: 4,
      done: false,
      doorCheckedUntil: window.to,
    });
    await rig.checkpoints.release('recent', 'previous-version');

    // Act
    const resumed = await runSweep(rig.base());

    // Assess: the events from the fifth on, each once; then the cursor takes over.
    expect(resumed).toMatchObject({ outcome: 'complete', resumed: true, listed: 4, gapsFound: 2 });
    expect(rig.listings[0]).toMatchObject({ from: window.from, start: 4 });
    expect(rig.listings[1]).toMatchObject({ from: new Date(inWindow[5]!.generatedOn).toISOString(), start: 0 });
    expect(rig.backfilled).toEqual(['sweep-e6', 'sweep-e8']);
  });

  it('compares the minutes in which the door failed first, then the rest of the window, never an event twice', async () => {
    // Prepare: the door answered 5xx in the minute e6 was generated.
    const rig = await sweepRig();
    const failedMinute = inWindow[5]!.generatedOn;
    const checked: Array<{ from: string; to: string }> = [];

    const run = rig.base({
      doorFailures: async ({ from, to }) => {
        checked.push({ from: from.toISOString(), to: to.toISOString() });
        return checked.length === 1 ? [failedMinute] : [];
      },
    });

    // Act
    const report = await runSweep(run);
    const backfilledFirst = [...rig.backfilled];
    rig.clock.now = NOW + 15 * MINUTE;
    const next = await runSweep({ ...run, holder: randomUUID(), deadline: NOW + 30 * MINUTE });

    // Assess: the next sweep reads the door from where this one stopped, and has no failure window.
    expect(checked).toEqual([
      { from: new Date(NOW - 120 * MINUTE).toISOString(), to: new Date(NOW - 5 * MINUTE).toISOString() },
      { from: new Date(NOW - 5 * MINUTE).toISOString(), to: new Date(NOW + 10 * MINUTE).toISOString() },
    ]);
    expect(next).toMatchObject({ outcome: 'complete', windows: 1, doorFailureWindows: 0 });
    expect(report).toMatchObject({ outcome: 'complete', windows: 3, doorFailureWindows: 1, listed: 8, gapsFound: 3 });
    expect(rig.listings[0]).toMatchObject({
      from: new Date(failedMinute - 5 * MINUTE).toISOString(),
      to: new Date(failedMinute + 2 * MINUTE).toISOString(),
    });
    expect(backfilledFirst).toEqual(['sweep-e6', 'sweep-e3', 'sweep-e8']);
  });

  it('keeps reading the door from the same place while the door check fails, and compares the whole window meanwhile', async () => {
    // Prepare
    const rig = await sweepRig();
    const checked: string[] = [];
    const failing = rig.base({
      doorFailures: async ({ from }) => {
        checked.push(from.toISOString());
        throw new Error('GetMetricData: AccessDenied');
      },
    });

    // Act
    const first = await runSweep(failing);
    rig.clock.now = NOW + 15 * MINUTE;
    await runSweep({ ...failing, holder: randomUUID(), deadline: NOW + 30 * MINUTE });

    // Assess
    expect(first).toMatchObject({ outcome: 'complete', gapsFound: 3, doorCheckError: 'GetMetricData: AccessDenied' });
    expect(checked).toEqual([new Date(NOW - 120 * MINUTE).toISOString(), new Date(NOW - 120 * MINUTE).toISOString()]);
  });

  it('lets one run hold a sweep at a time: another is busy until the holder releases it or its lease runs out', async () => {
    // Prepare: a run that was killed (a Lambda timeout) holds the lease and never releases it.
    const rig = await sweepRig();
    await rig.checkpoints.claim('recent', 'killed-run', NOW + MINUTE);

    // Act
    const whileHeld = await runSweep(rig.base());
    const listedWhileHeld = rig.listings.length;
    rig.clock.now = NOW + 2 * MINUTE;
    const afterLease = await runSweep(rig.base({ deadline: NOW + 20 * MINUTE }));

    // Assess
    expect(whileHeld).toMatchObject({ outcome: 'busy', gapsFound: 0 });
    expect(listedWhileHeld).toBe(0);
    expect(afterLease).toMatchObject({ outcome: 'complete', gapsFound: 3 });
    expect(await rig.checkpoints.claim('recent', 'next', NOW + 3 * MINUTE)).not.toBe(SWEEP_BUSY);
  });
});

function delivered(eventId: string) {
  const record: HistoryRecord = {
    eventId,
    messageId: randomUUID(),
    name: NAME,
    accountId: 'ACME',
    route: '',
    receivedAt: new Date(NOW - 60 * MINUTE).toISOString(),
    requestId: 'r-1',
    outcome: 'processed',
    attempts: 1,
    provenance: 'webhook',
    decidedAt: new Date(NOW - 60 * MINUTE).toISOString(),
  };
  return { record, rawBody: fluentEventBody({ id: eventId }), signatures: {} };
}
