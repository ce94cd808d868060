import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEvent } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { RECORDS_FILE_ENV } from './fixtures/provenance-recording-handlers';
import { runCli } from './cli-process';
import { readHandlerRecords } from './fixtures/handler-records';
import { LogLine, RunnerProcess, startRunnerProcess } from './local-runner-process';

const NAME = 'OrderStatusChange';
const WAIT_MS = 60_000;
const TEST_MS = 180_000;
const MINUTE = 60_000;

interface StandInEntry {
  readonly event: Record<string, unknown>;
  readonly webhook: 'sent' | 'lost';
  readonly generatedOn: string;
}

/**
 * The whole loop under the local runner, against its Fluent stand-in told which events Fluent produced and which
 * webhooks it "lost" (`POST /_stand-in/events`): the sent ones arrive as signed webhooks, the lost ones never; then
 * `fluent-webhook reconcile` and the runner's interval sweep (RECONCILIATION_SWEEP) each backfill exactly the lost
 * ones, once, flat, with provenance `reconciliation`, and find nothing the next time.
 */
describe("Program: reconciliation under npm start against the Fluent stand-in's seeded events", () => {
  const temp = useTempDir('fluent-webhook-reconcile-stand-in-');
  let runner: RunnerProcess;
  let control: string;
  const env = () => ({ LOCAL_DATA_DIR: temp.path('data'), [RECORDS_FILE_ENV]: temp.path('records.jsonl') });

  const records = () => readHandlerRecords(temp.path('records.jsonl'));
  const runsOf = (id: string) => records().filter((record) => record.event.id === id);

  /** `count` events of one batch, `generatedOn` a minute apart from `firstAt`; every third one lost. */
  function batch(prefix: string, count: number, firstAt: number, name = NAME): StandInEntry[] {
    return Array.from({ length: count }, (_, index) => ({
      event: fluentEvent({
        id: `${prefix}-${index + 1}`,
        name,
        entityRef: `HD_${prefix}_${index + 1}`,
        rootEntityRef: `HD_${prefix}_${index + 1}`,
      }) as unknown as Record<string, unknown>,
      webhook: index % 3 === 2 || name !== NAME ? 'lost' : 'sent',
      generatedOn: new Date(firstAt + index * MINUTE).toISOString(),
    }));
  }

  async function seed(entries: readonly StandInEntry[]): Promise<void> {
    const response = await fetch(`${control}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entries),
    });
    expect(response.status).toBe(200);
  }

  /** What the stand-in says it lost, by its own control API. */
  async function lostIds(prefix: string): Promise<string[]> {
    const answer = (await (await fetch(`${control}/events`)).json()) as {
      events: Array<{ id: string; webhook: string | null; event: { name: string } }>;
    };
    return answer.events
      .filter((entry) => entry.webhook === 'lost' && entry.id.startsWith(prefix) && entry.event.name === NAME)
      .map((entry) => entry.id);
  }

  /**
   * Sends the sent ones as Fluent would, signed with the runner's local key, and waits until each was handled and
   * its decision logged (the consumer writes the history before it logs the decision).
   */
  async function deliver(entries: readonly StandInEntry[]): Promise<void> {
    const privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
    const sent = entries.filter((entry) => entry.webhook === 'sent');
    for (const { event } of sent) {
      const body = Buffer.from(JSON.stringify(event));
      const response = await fetch(`${runner.webhookBaseUrl}orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
        body,
      });
      expect(response.status).toBe(200);
    }
    await waitUntil(
      () => sent.every(({ event }) => runsOf(String(event.id)).length === 1),
      WAIT_MS,
      'the delivered webhooks were handled',
    );
    for (const { event } of sent) {
      await runner.waitForLine((line) => line.message === 'webhook processed' && line.eventId === event.id, WAIT_MS);
    }
  }

  const cli = (...argv: string[]) => runCli(env(), argv, 90_000);

  beforeAll(async () => {
    runner = await startRunnerProcess({
      ...env(),
      LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'provenance-recording-handlers.ts'),
      // The recent sweep, every second, over the last hour and nothing left to settle.
      RECONCILIATION_SWEEP: JSON.stringify({ names: [NAME], lookbackMinutes: 60, settleMinutes: 0 }),
      RECONCILIATION_SWEEP_SECONDS: '1',
    });
    const ready = runner.lines().find((line) => line.message === 'local receiver ready') as LogLine;
    control = String(ready.fluentStandInControlUrl);
  }, 90_000);
  afterAll(async () => {
    await runner?.stop();
  });

  it(
    'reconcile names exactly the lost events with --dry-run, backfills each once, flat, as reconciliation, then finds none',
    async () => {
      // Prepare: a day ago, outside the interval sweep's hour: twelve events of the name, four lost, and two of
      // another name, lost too.
      const dayAgo = Date.now() - 24 * 60 * MINUTE;
      const entries = [...batch('cli', 12, dayAgo), ...batch('cli-other', 2, dayAgo, 'FulfilmentStatusUpdate')];
      await seed(entries);
      await deliver(entries);
      const lost = await lostIds('cli-');
      const window = [
        '--from',
        new Date(dayAgo - MINUTE).toISOString(),
        '--to',
        new Date(dayAgo + 15 * MINUTE).toISOString(),
      ];

      // Act
      const dryRun = await cli('reconcile', ...window, '--name', NAME, '--dry-run', '--json');
      const handledBefore = records().length;
      const run = await cli('reconcile', ...window, '--name', NAME);
      await waitUntil(() => lost.every((id) => runsOf(id).length === 1), WAIT_MS, 'the lost events were backfilled');
      const second = await cli('reconcile', ...window, '--name', NAME, '--json');

      // Assess
      expect(lost).toHaveLength(4);
      const report = JSON.parse(dryRun.stdout) as { listed: number; received: number; gaps: Array<{ id: string }> };
      expect(report).toMatchObject({ listed: 12, received: 8 });
      expect(report.gaps.map((gap) => gap.id)).toEqual(lost);
      expect(handledBefore).toBe(8);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('8 received, 4 gaps, 4 backfilled');
      for (const id of lost) {
        const [backfilled] = runsOf(id);
        const seeded = entries.find((entry) => entry.event.id === id)!.event;
        const { type: _listedTypeIsNotAWebhookType, ...flat } = seeded;
        expect(backfilled).toEqual({ provenance: 'reconciliation', event: flat });
      }
      expect(JSON.parse(second.stdout)).toMatchObject({ listed: 12, received: 12, gaps: [], backfilled: 0 });
      expect(records().filter((record) => record.event.name !== NAME)).toEqual([]);
      expect(records()).toHaveLength(12);
    },
    TEST_MS,
  );

  it(
    'the interval sweep backfills what the door never got within its hour, each once, and its next sweeps find nothing',
    async () => {
      // Prepare: six events of the last minutes, two lost; the sent ones arrive before Fluent's list is seeded, so
      // no sweep could count them as gaps.
      const entries = batch('sweep', 6, Date.now() - 10 * MINUTE);
      await deliver(entries);

      // Act
      await seed(entries);
      const lost = await lostIds('sweep-');
      await waitUntil(
        () => lost.every((id) => runsOf(id).length === 1),
        WAIT_MS,
        'the sweep backfilled the lost events',
      );
      const clean = await runner.waitForLine(
        (line) => line.message === 'reconciliation sweep' && line.listed === 6 && line.gapsFound === 0,
        WAIT_MS,
      );

      // Assess
      expect(lost).toHaveLength(2);
      for (const id of lost) expect(runsOf(id)).toEqual([expect.objectContaining({ provenance: 'reconciliation' })]);
      for (const { event } of entries.filter((entry) => entry.webhook === 'sent')) {
        expect(runsOf(String(event.id))).toEqual([expect.objectContaining({ provenance: 'webhook' })]);
      }
      const found = runner
        .lines()
        .filter((line) => line.message === 'reconciliation sweep' && line.listed === 6 && Number(line.gapsFound) > 0);
      expect(found[0]).toMatchObject({ sweep: 'recent', component: 'reconciler', gapsFound: 2, gapsBackfilled: 2 });
      expect(clean).toMatchObject({ outcome: 'complete', received: 6, gapsBackfilled: 0 });
    },
    TEST_MS,
  );

  it(
    'the next sweep after the door refused a request compares that minute first',
    async () => {
      // Act: an unsigned request, which the door answers 401.
      const response = await fetch(`${runner.webhookBaseUrl}orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fluentEvent({ id: 'unsigned' })),
      });
      const refusedAt = Date.now();
      const sweep = await runner.waitForLine(
        (line) =>
          line.message === 'reconciliation sweep' &&
          Number(line.doorFailureWindows) > 0 &&
          Date.parse(String(line.timestamp)) >= refusedAt,
        WAIT_MS,
      );

      // Assess
      expect(response.status).toBe(401);
      expect(sweep).toMatchObject({ outcome: 'complete', doorFailureWindows: 1, gapsFound: 0 });
    },
    TEST_MS,
  );
});
