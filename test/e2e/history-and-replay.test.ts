import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryRecord } from '../../lambdas/contract/history';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { archivedOfItem, historyKey } from '../../lambdas/history/history-item';
import { emulatorClientConfig, emulatorS3ClientConfig } from '../../tools/local/local-aws-config';
import { openLocalHistory } from '../../tools/local/local-history';
import { runningRunnerEndpoints } from '../../tools/local/runner-endpoints';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { BODY_HASHES_FILE_ENV, RUNS_FILE_ENV } from './fixtures/counting-handlers';
import { runCli } from './cli-process';
import { postSignedWebhook, REPO_ROOT, RunnerProcess, startRunnerProcess } from './local-runner-process';

/** An order's event of 560 KB of random text, which brotli cannot pack under a history item's limit. */
function largeOrderEvent(id: string, ref: string): Buffer {
  return fluentEventBody({
    id,
    entityRef: ref,
    rootEntityRef: ref,
    entityType: 'ORDER',
    attributes: { blob: randomBytes(420_000).toString('base64') },
  });
}

const ORDERS = ['HD_A', 'HD_B', 'HD_C'];
const WAIT_MS = 60_000;

describe('Program: history and replay under npm start, end to end', () => {
  const temp = useTempDir('fluent-webhook-history-e2e-');
  let runner: RunnerProcess;
  let privateKeyPem: string;
  const eventIds: Record<string, string[]> = {};
  const env = () => ({
    LOCAL_DATA_DIR: temp.path('data'),
    [RUNS_FILE_ENV]: temp.path('runs.txt'),
    [BODY_HASHES_FILE_ENV]: temp.path('body-hashes.txt'),
  });
  /** `<event id> <provenance> <SHA-256 of the bytes the handler was given>` of each run so far. */
  const bodyHashes = (): string[] =>
    existsSync(temp.path('body-hashes.txt'))
      ? readFileSync(temp.path('body-hashes.txt'), 'utf8').split('\n').filter(Boolean)
      : [];

  /** The handler runs so far, as the handler wrote them: `<event id> <provenance>`. */
  const runs = (): string[] =>
    existsSync(temp.path('runs.txt')) ? readFileSync(temp.path('runs.txt'), 'utf8').split('\n').filter(Boolean) : [];

  const cli = (...argv: string[]) => runCli(env(), argv, 30_000);
  const history = async (...argv: string[]): Promise<HistoryRecord[]> => {
    const { code, stdout, stderr } = await cli('history', '--json', ...argv);
    if (code !== 0) throw new Error(`history exited ${code}: ${stderr}`);
    return JSON.parse(stdout) as HistoryRecord[];
  };
  /** Read straight from the running runner's emulator: waiting through the CLI would cost a process per poll. */
  const replayOutcomes = async (ref: string): Promise<HistoryRecord[]> => {
    const endpoints = runningRunnerEndpoints(temp.path('data'));
    if (endpoints === undefined) throw new Error('the runner wrote no endpoints file');
    const client = new DynamoDBClient(emulatorClientConfig(endpoints.dynamoDbEndpoint, endpoints.region));
    try {
      const store = new DynamoDbHistoryStore({ client, tableName: endpoints.historyTableName });
      return (await store.query({ entityRef: ref })).filter((record) => record.provenance === 'replay');
    } finally {
      client.destroy();
    }
  };

  beforeAll(async () => {
    runner = await startRunnerProcess({
      ...env(),
      LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'counting-handlers.ts'),
    });
    privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
    // Nine events for three orders, each order's three in turn.
    for (const ref of ORDERS) {
      eventIds[ref] = [];
      for (let index = 1; index <= 3; index += 1) {
        const id = `${ref}-event-${index}`;
        eventIds[ref]!.push(id);
        const body = fluentEventBody({ id, entityRef: ref, rootEntityRef: ref, entityType: 'ORDER' });
        expect(await postSignedWebhook(runner, body, privateKeyPem)).toBe(200);
      }
    }
    await waitUntil(() => runs().length === 9, WAIT_MS, 'the nine events were handled');
  }, 90_000);
  afterAll(async () => {
    await runner?.stop();
  });

  const TEST_MS = 180_000;

  it(
    "lists exactly an order's three events with history --entity-ref --json",
    async () => {
      // Act
      const records = await history('--entity-ref', 'HD_A');

      // Assess
      expect(
        records.map(({ eventId, entityRef, outcome, provenance, attempts }) => ({
          eventId,
          entityRef,
          outcome,
          provenance,
          attempts,
        })),
      ).toEqual(
        eventIds.HD_A!.map((eventId) => ({
          eventId,
          entityRef: 'HD_A',
          outcome: 'processed',
          provenance: 'webhook',
          attempts: 1,
        })),
      );
      expect(
        records.every((record) => typeof record.receivedAt === 'string' && record.name === 'OrderStatusChange'),
      ).toBe(true);
    },
    TEST_MS,
  );

  it(
    'runs no handler for replay --dry-run, none again for a plain replay, and each once more with --reprocess',
    async () => {
      // Act: a dry run, then a plain replay, whose three deliveries the consumer records as duplicates.
      const dryRun = await cli('replay', '--entity-ref', 'HD_A', '--dry-run');
      const plain = await cli('replay', '--entity-ref', 'HD_A');
      await waitUntil(
        async () => (await replayOutcomes('HD_A')).length === 3,
        WAIT_MS,
        'the plain replay was consumed',
      );
      const afterPlain = runs().length;
      const reprocess = await cli('replay', '--entity-ref', 'HD_A', '--reprocess');
      await waitUntil(
        async () => (await replayOutcomes('HD_A')).length === 6,
        WAIT_MS,
        'the reprocessing was consumed',
      );

      // Assess
      expect(dryRun.code).toBe(0);
      expect(dryRun.stdout.trim().split('\n')).toEqual(eventIds.HD_A!.map((id) => `would replay ${id}`));
      expect(plain.code).toBe(0);
      expect((await replayOutcomes('HD_A')).filter((record) => record.outcome === 'duplicate')).toHaveLength(3);
      expect(afterPlain).toBe(9);
      expect(reprocess.code).toBe(0);
      expect(reprocess.stderr).toMatch(/Replay run replay-\S+/);
      expect(runs().slice(9).sort()).toEqual(eventIds.HD_A!.map((id) => `${id} replay`).sort());
    },
    TEST_MS,
  );

  it(
    'refuses a tampered archived copy by id, and replays the rest as if nothing happened',
    async () => {
      // Prepare: change one archived body in place, keeping its signatures.
      const endpoints = runningRunnerEndpoints(temp.path('data'));
      if (endpoints === undefined) throw new Error('the runner wrote no endpoints file');
      const client = new DynamoDBClient(emulatorClientConfig(endpoints.dynamoDbEndpoint, endpoints.region));
      const store = new DynamoDbHistoryStore({ client, tableName: endpoints.historyTableName });
      const [target] = await store.query({ eventIds: [eventIds.HD_B![1]!] });
      const archived = await store.archived(target!);
      const tampered = Buffer.from(archived!.rawBody!.toString('utf8').replace('"HD_B"', '"HD_X"'));
      await store.write({ ...archived!, rawBody: tampered });
      client.destroy();
      const before = runs().length;

      // Act
      const result = await cli('replay', '--entity-ref', 'HD_B', '--reprocess');
      await waitUntil(
        async () => (await replayOutcomes('HD_B')).length === 2,
        WAIT_MS,
        'the two genuine copies were consumed',
      );

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Refused ${eventIds.HD_B![1]}: the archived copy does not verify`);
      expect(result.stdout.trim().split('\n').sort()).toEqual(
        [eventIds.HD_B![0], eventIds.HD_B![2]].map((id) => `replayed ${id}`).sort(),
      );
      expect(runs().slice(before).sort()).toEqual(
        [eventIds.HD_B![0], eventIds.HD_B![2]].map((id) => `${id} replay`).sort(),
      );
      expect((await history('--entity-ref', 'HD_C')).map((record) => record.outcome)).toEqual([
        'processed',
        'processed',
        'processed',
      ]);
    },
    TEST_MS,
  );

  it(
    'keeps a body too large for its item in the S3 emulator: listed, shown by the inspector, reprocessed with the exact bytes, and a tampered copy refused',
    async () => {
      // Prepare: a 560 KB event of random text, which brotli cannot pack under the item's limit.
      const id = 'HD_L-large-1';
      const body = largeOrderEvent(id, 'HD_L');
      const sha256 = createHash('sha256').update(body).digest('hex');
      expect(await postSignedWebhook(runner, body, privateKeyPem)).toBe(200);
      await waitUntil(() => bodyHashes().includes(`${id} webhook ${sha256}`), WAIT_MS, 'the large event was handled');

      // Act
      const listed = await history('--entity-ref', 'HD_L');
      const reprocess = await cli('replay', '--entity-ref', 'HD_L', '--reprocess');
      await waitUntil(
        () => bodyHashes().includes(`${id} replay ${sha256}`),
        WAIT_MS,
        'the large event was reprocessed',
      );
      // The inspector's download of the archived body follows the pointer too.
      const ready = await runner.waitForLine((line) => line.message === 'local receiver ready');
      const inspected = await fetch(
        new URL(
          `api/event/body?${new URLSearchParams({ eventId: id, messageId: listed[0]!.messageId })}`,
          String(ready.inspectorUrl),
        ),
      );
      const inspectedBody = Buffer.from(await inspected.arrayBuffer());
      // Then change the object in the bucket (the item and its signature stay as they were) and replay again.
      const endpoints = runningRunnerEndpoints(temp.path('data'))!;
      const dynamoDb = new DynamoDBClient(emulatorClientConfig(endpoints.dynamoDbEndpoint, endpoints.region));
      const s3 = new S3Client(emulatorS3ClientConfig(endpoints.sqsEndpoint, endpoints.region));
      const { Item } = await DynamoDBDocumentClient.from(dynamoDb).send(
        new GetCommand({ TableName: endpoints.historyTableName, Key: historyKey(listed[0]!) }),
      );
      const pointer = archivedOfItem(Item!).bodyObject!;
      const [bucket, ...key] = pointer.slice('s3://'.length).split('/');
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key.join('/'),
          Body: Buffer.from(body.toString('utf8').replace('"HD_L"', '"HD_X"')),
        }),
      );
      dynamoDb.destroy();
      s3.destroy();
      const tampered = await cli('replay', '--entity-ref', 'HD_L', '--reprocess');

      // Assess
      expect(listed.map(({ eventId, outcome }) => ({ eventId, outcome }))).toEqual([
        { eventId: id, outcome: 'processed' },
      ]);
      expect(bucket).toBe(endpoints.historyBucketName);
      expect(reprocess.code).toBe(0);
      expect(reprocess.stdout.trim()).toBe(`replayed ${id}`);
      expect(inspected.status).toBe(200);
      expect(inspectedBody.equals(body)).toBe(true);
      expect(tampered.code).toBe(1);
      expect(tampered.stderr).toContain(`Refused ${id}: the archived copy does not verify`);
      expect(bodyHashes().filter((line) => line.startsWith(`${id} `))).toHaveLength(2);
    },
    TEST_MS,
  );

  it(
    "reads the history of a stopped runner from its data folder, large bodies too, leaving the runner's queues exactly as they were, and no runner can start on the folder meanwhile",
    async () => {
      // Prepare: a large body (kept in fauxqs's S3), and a message in flight in a queue of the same fauxqs whose
      // visibility timeout has passed once the runner is stopped: fauxqs started on the folder would make it visible
      // again, in the file the runner restores its queues from.
      const id = 'HD_S-large-1';
      const body = largeOrderEvent(id, 'HD_S');
      expect(await postSignedWebhook(runner, body, privateKeyPem)).toBe(200);
      await waitUntil(() => runs().includes(`${id} webhook`), WAIT_MS, 'the large event was handled');
      const endpoints = runningRunnerEndpoints(temp.path('data'))!;
      const sqs = new SQSClient(emulatorClientConfig(endpoints.sqsEndpoint, endpoints.region));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'hd-in-flight' }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight when the runner stopped' }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }));
      sqs.destroy();
      await runner.stop();
      const before = storedQueues(temp.path('data'));
      const inFlight = before.messages.find((row) => row.receipt_handle === received.Messages?.[0]?.ReceiptHandle);
      await waitUntil(
        () => Date.now() > Number(inFlight?.visibility_deadline),
        WAIT_MS,
        "the in-flight message's visibility timeout has passed",
      );

      // Act
      const records = await history('--entity-ref', 'HD_C');
      const dryRun = await cli('replay', '--entity-ref', 'HD_S', '--dry-run');
      const reading = await openLocalHistory(temp.path('data'), {});
      const secondRunner = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'fluent-webhook.cjs'), 'local'], {
        cwd: REPO_ROOT,
        env: { ...process.env, LOCAL_DATA_DIR: temp.path('data'), PORT: '0' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const [listed] = await reading.store.query({ entityRef: 'HD_S' });
      const archived = await reading.store.archived(listed!);
      await reading.close();
      const after = storedQueues(temp.path('data'));

      // Assess
      expect(records.map((record) => record.eventId)).toEqual(eventIds.HD_C);
      expect({ code: dryRun.code, stdout: dryRun.stdout.trim() }).toEqual({ code: 0, stdout: `would replay ${id}` });
      expect(archived?.rawBody?.equals(body)).toBe(true);
      expect(secondRunner.status).toBe(1);
      expect(secondRunner.stdout).toContain(
        `Another local runner (pid ${process.pid}) is using the data folder ${temp.path('data')}`,
      );
      expect(inFlight).toBeDefined();
      expect(after).toEqual(before);
    },
    TEST_MS,
  );
});

/** Every queue and message row of the runner's fauxqs store, read without changing it. */
function storedQueues(dataDir: string): { queues: unknown[]; messages: Array<Record<string, unknown>> } {
  const db = new DatabaseSync(join(dataDir, 'sqs', 'fauxqs.db'), { readOnly: true });
  try {
    return {
      queues: db.prepare('SELECT * FROM sqs_queues ORDER BY name').all(),
      messages: db.prepare('SELECT * FROM sqs_messages ORDER BY message_id').all(),
    };
  } finally {
    db.close();
  }
}
