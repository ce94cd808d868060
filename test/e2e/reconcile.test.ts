import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { signFluentPayload } from '../../lambdas/core';
import type { HistoryRecord } from '../../lambdas/contract/history';
import { encodeQueueMessage, sendMessageAttributes } from '../../lambdas/contract/queue-message';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { runningRunnerEndpoints } from '../../tools/local/runner-endpoints';
import { fluentEvent } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { FakeFluentEventApi, listedEvent, startFakeFluentEventApi } from './fixtures/fake-fluent-event-api';
import { RECORDS_FILE_ENV } from './fixtures/provenance-recording-handlers';
import { runCli } from './cli-process';
import { readHandlerRecords } from './fixtures/handler-records';
import { RunnerProcess, startRunnerProcess } from './local-runner-process';

const NAME = 'OrderStatusChange';
const WAIT_MS = 60_000;
/** Each test runs the CLI two or three times against a runner on a shared, loaded machine. */
const TEST_MS = 180_000;
const FROM = '2026-12-01T00:00:00.000Z';
const TO = '2026-12-02T00:00:00.000Z';

interface ReconcileJson {
  readonly listed: number;
  readonly received: number;
  readonly gaps: ReadonlyArray<{ readonly id: string }>;
  readonly backfilled: number;
  readonly complete: boolean;
}

describe('Program: reconcile against a fake Fluent Event API under npm start, end to end', () => {
  const temp = useTempDir('fluent-webhook-reconcile-e2e-');
  let runner: RunnerProcess;
  let fluent: FakeFluentEventApi;
  // Twelve events Fluent produced under one name: the first eight delivered as signed webhooks, four never.
  const webhooks = Array.from({ length: 12 }, (_, index) =>
    fluentEvent({
      id: `reconcile-event-${String(index + 1).padStart(2, '0')}`,
      name: NAME,
      entityId: String(500 + index),
      entityRef: `HD_${500 + index}`,
      rootEntityId: String(500 + index),
      rootEntityRef: `HD_${500 + index}`,
    }),
  ) as unknown as Array<Record<string, string>>;
  const delivered = webhooks.slice(0, 8);
  const lost = webhooks.slice(8);
  // Events of another name in the same window: never compared, never backfilled.
  const others = [1, 2].map((index) =>
    fluentEvent({ id: `other-event-${index}`, name: 'FulfilmentStatusUpdate' }),
  ) as unknown as Array<Record<string, string>>;
  const env = () => ({
    LOCAL_DATA_DIR: temp.path('data'),
    [RECORDS_FILE_ENV]: temp.path('records.jsonl'),
  });

  /** What the handler did so far, as it wrote it. */
  const records = () => readHandlerRecords(temp.path('records.jsonl'));

  const cli = (...argv: string[]) =>
    runCli(
      {
        ...env(),
        FLUENT_API_URL: fluent.url,
        FLUENT_API_ACCOUNT: 'ACME',
        FLUENT_CLIENT_ID: 'reconcile-test',
        FLUENT_CLIENT_SECRET: 'reconcile-test-secret',
      },
      argv,
      90_000,
    );
  const reconcile = (...flags: string[]) => cli('reconcile', '--from', FROM, '--to', TO, '--name', NAME, ...flags);
  const history = async (...argv: string[]): Promise<HistoryRecord[]> => {
    const { code, stdout, stderr } = await cli('history', '--json', ...argv);
    if (code !== 0) throw new Error(`history exited ${code}: ${stderr}`);
    return JSON.parse(stdout) as HistoryRecord[];
  };

  beforeAll(async () => {
    const generatedOn = (index: number) => new Date(Date.parse(FROM) + (index + 1) * 60_000).toISOString();
    fluent = await startFakeFluentEventApi(
      [...webhooks, ...others].map((webhook, index) => listedEvent(webhook, generatedOn(index))),
      { pageSize: 5, rateLimitFirst: true },
    );
    runner = await startRunnerProcess({
      ...env(),
      LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'provenance-recording-handlers.ts'),
    });
    const privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
    for (const webhook of [...delivered, ...others]) {
      const body = Buffer.from(JSON.stringify(webhook));
      const response = await fetch(`${runner.webhookBaseUrl}orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
        body,
      });
      expect(response.status).toBe(200);
    }
    await waitUntil(() => records().length === 10, WAIT_MS, 'the delivered webhooks were handled');
  }, 90_000);
  afterAll(async () => {
    await runner?.stop();
    await fluent?.close();
  });

  it(
    'names exactly the four lost events with --dry-run --json, through a 429 and pages of five, and runs nothing',
    async () => {
      // Act
      const result = await reconcile('--dry-run', '--json');

      // Assess
      const report = JSON.parse(result.stdout) as ReconcileJson;
      expect(report).toMatchObject({ listed: 12, received: 8, backfilled: 0, complete: true });
      expect(report.gaps.map((gap) => gap.id)).toEqual(lost.map((event) => event.id));
      expect(fluent.listings.filter((query) => query.name !== NAME)).toEqual([]);
      // After the first page (asked twice: the 429), each goes on from the last event's generatedOn, not an offset,
      // in as many calls as offsets took (the fake's pages hold 5 whatever the count asks, so 4 are new).
      expect(fluent.listings.map((query) => query.start)).toEqual(['0', '0', '0', '0']);
      const froms = fluent.listings.map((query) => Date.parse(query.from!));
      expect(froms[1]).toBe(froms[0]);
      expect(froms[2]).toBeGreaterThan(froms[1]!);
      expect(froms[3]).toBeGreaterThan(froms[2]!);
      expect(records()).toHaveLength(10);
    },
    TEST_MS,
  );

  it(
    'hands each lost event to the handler once, flat, with provenance reconciliation; a second run finds no gap',
    async () => {
      // Act
      const first = await reconcile();
      await waitUntil(() => records().length === 14, WAIT_MS, 'the four backfilled events were handled');
      const second = await reconcile('--json');

      // Assess
      expect(first.code).toBe(0);
      expect(first.stdout.trim().split('\n')).toEqual(lost.map((event) => expect.stringContaining(`gap ${event.id}`)));
      expect(first.stderr).toContain('12 events listed by Fluent');
      expect(first.stderr).toContain('8 received, 4 gaps, 4 backfilled');
      const backfilled = records().slice(10);
      expect(backfilled.map((record) => record.provenance)).toEqual(lost.map(() => 'reconciliation'));
      expect(backfilled.map((record) => record.event.id).sort()).toEqual(lost.map((event) => event.id));
      for (const record of backfilled) {
        const webhook = lost.find((event) => event.id === record.event.id)!;
        const { type: _listedTypeIsNotCarried, entitySubtype: _absentFromListings, ...expected } = webhook;
        expect(record.event).toEqual({ ...expected, attributes: { trackingNumber: `TRK-${webhook.id}` } });
      }
      const report = JSON.parse(second.stdout) as ReconcileJson;
      expect(report).toMatchObject({ listed: 12, received: 12, gaps: [], backfilled: 0, complete: true });
      expect(second.code).toBe(0);
      const decisions = await history('--name', NAME);
      expect(
        decisions
          .filter((record) => record.provenance === 'reconciliation')
          .map((r) => r.eventId)
          .sort(),
      ).toEqual(lost.map((event) => event.id));
      expect(records().filter((record) => record.event.name !== NAME)).toHaveLength(2);
      expect(records()).toHaveLength(14);
    },
    TEST_MS,
  );

  it(
    'refuses an unsigned event marked reconciliation that arrives on the main queue',
    async () => {
      // Prepare
      const endpoints = runningRunnerEndpoints(temp.path('data'));
      if (endpoints === undefined) throw new Error('the runner wrote no endpoints file');
      const sqs = new SQSClient(emulatorClientConfig(endpoints.sqsEndpoint, endpoints.region));
      const forged = fluentEvent({ id: 'forged-reconciliation', name: NAME });
      const encoded = encodeQueueMessage({
        rawBody: Buffer.from(JSON.stringify(forged)),
        signatures: {},
        route: 'orders',
        receivedAt: new Date().toISOString(),
        requestId: 'not-the-reconciler',
        provenance: 'reconciliation',
      });
      if (!encoded.ok) throw new Error('could not encode');

      // Act
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: endpoints.queueUrl,
          MessageBody: encoded.message.body,
          MessageAttributes: sendMessageAttributes(encoded.message),
        }),
      );
      const refusal = await runner.waitForLine(
        (line) => line.requestId === 'not-the-reconciler' && line.verificationReason === 'reconciliation-origin',
        WAIT_MS,
      );
      sqs.destroy();

      // Assess
      expect(refusal).toMatchObject({ provenance: 'reconciliation', reason: 'verification-failed' });
      expect(records().some((record) => record.event.id === 'forged-reconciliation')).toBe(false);
    },
    TEST_MS,
  );
});
