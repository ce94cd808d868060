import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { idempotencyKeyFor } from '../../lambdas/consumer/run-once';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { queueDepth } from '../support/sqs-records';
import { useTempDir } from '../support/temp-dir';
import { testKeyPair } from '../support/test-keys';
import { captureOutput, CapturedOutput } from '../support/captured-output';
import type { ConsumerProcessConfig } from './consumer-process';
import {
  FaultEnvironment,
  faultSettings,
  HISTORY_TABLE,
  IDEMPOTENCY_TABLE,
  SERVED_ACCOUNT,
  SignedWebhook,
  signedWebhooks,
  startFaultEnvironment,
  startReceiverOverHttp,
  waitUntil,
} from './fault-fixtures';

const REPO_ROOT = join(__dirname, '..', '..');
const ENTRY = join(__dirname, 'consumer-process.ts');
/** One full batch, so the kill lands inside it. */
const EVENTS = 10;
/**
 * The consumer's Lambda timeout; the visibility timeout is longer, as the stack makes it (6x there). The hanging
 * handler is given up on at the timeout less the consumer's reserve, so the kill must land before that: 8 s leaves the
 * nine other handlers 7 s to finish, and the redelivery after 9 s finds the killed run's in-progress lock expired.
 */
const TIMEOUT_SECONDS = 8;
const VISIBILITY_TIMEOUT_SECONDS = 9;

interface ConsumerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<void>;
  /** The consumer's JSON log lines so far. */
  readonly lines: Array<Record<string, unknown>>;
}

async function spawnConsumer(config: ConsumerProcessConfig): Promise<ConsumerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(config)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: Array<Record<string, unknown>> = [];
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line.ready === true) resolve();
        else lines.push(line);
      } catch {
        // Not a log line.
      }
    });
    void exited.then(() =>
      reject(new Error(`The consumer process exited before it was ready. Its stderr:\n${stderr}`)),
    );
  });
  await ready;
  return { child, exited, lines };
}

/*
 * Twice: with Powertools Idempotency alone (its COMPLETED update marks a finished event), and as deployed, where the
 * history's `processed` record marks it and the restarted consumer, taking over the killed one's claims, reads the
 * history to find the nine finished.
 */
describe.each([
  ['Powertools alone', false],
  ['the history marking completion', true],
])(
  'Fault: the consumer is killed (SIGKILL) in the middle of a batch, then started again (%s)',
  (_marking, withHistory) => {
    const fluent = testKeyPair(1024, 'fluent');
    const temp = useTempDir('fluent-webhook-kill-');
    let env: FaultEnvironment;
    let output: CapturedOutput;
    let webhooks: SignedWebhook[];
    let hung: SignedWebhook;
    let depthAtKill: { visible: number; inFlight: number };
    let restarted: ConsumerProcess | undefined;
    const consumers: ConsumerProcess[] = [];

    const runs = (): string[] =>
      existsSync(temp.path('runs')) ? readFileSync(temp.path('runs'), 'utf8').split('\n').filter(Boolean) : [];
    const count = (mark: string, id: string) => runs().filter((line) => line === `${mark} ${id}`).length;
    const idempotencyStatus = async (id: string): Promise<string | undefined> => {
      const key = idempotencyKeyFor(id);
      const { Item } = await env.dynamoDb.send(
        new GetItemCommand({ TableName: IDEMPOTENCY_TABLE, Key: { id: { S: key } }, ConsistentRead: true }),
      );
      return Item?.status?.S;
    };
    /** Whether the event's completion is recorded where this consumer marks it. */
    const completed = async (id: string): Promise<boolean> =>
      withHistory
        ? (await new DynamoDbHistoryStore({ client: env.dynamoDb, tableName: HISTORY_TABLE }).completionsOf(id))
            .length > 0
        : (await idempotencyStatus(id)) === 'COMPLETED';

    beforeAll(async () => {
      output = captureOutput();
      env = await startFaultEnvironment({
        webhooks: { maxReceiveCount: 5, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS },
      });
      const { emulators } = env;
      const queue = env.queue('webhooks');
      const receiver = await startReceiverOverHttp(faultSettings(fluent), env.sqs, queue.queueUrl);
      webhooks = signedWebhooks(fluent, EVENTS);
      hung = webhooks[EVENTS / 2] as SignedWebhook;
      const statuses = await Promise.all(webhooks.map((webhook) => receiver.post(webhook)));
      await receiver.close();
      if (statuses.some((status) => status !== 200))
        throw new Error(`Not every webhook was accepted: ${statuses.join(', ')}`);
      const config: ConsumerProcessConfig = {
        sqsEndpoint: emulators.sqsEndpoint,
        dynamoDbEndpoint: emulators.dynamoDbEndpoint,
        region: emulators.region,
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        publicKey: fluent.publicKeyBase64,
        accountId: SERVED_ACCOUNT,
        runsFile: temp.path('runs'),
        timeoutSeconds: TIMEOUT_SECONDS,
        withHistory,
      };

      // Act: the first consumer takes the whole batch; one handler hangs while the other nine finish and are recorded.
      const first = await spawnConsumer({ ...config, hangOn: hung.id });
      consumers.push(first);
      const others = webhooks.filter((webhook) => webhook !== hung);
      await waitUntil(
        async () =>
          count('started', hung.id) === 1 &&
          others.every((webhook) => count('finished', webhook.id) === 1) &&
          (await Promise.all(others.map((webhook) => completed(webhook.id)))).every(Boolean),
        20_000,
        'the first consumer has finished nine handlers and hangs in the tenth',
      );
      depthAtKill = await queueDepth(env.sqs, queue.queueUrl);
      first.child.kill('SIGKILL');
      await first.exited;
      // The second consumer gets the batch again once the visibility timeout has passed.
      restarted = await spawnConsumer(config);
      consumers.push(restarted);
      await waitUntil(
        async () => count('finished', hung.id) === 1 && (await env.isEmpty(queue)),
        30_000,
        'the restarted consumer has finished the batch and the queue is empty',
      );
    }, 90_000);

    afterAll(async () => {
      for (const consumer of consumers) {
        consumer.child.kill('SIGKILL');
        await consumer.exited;
      }
      await env?.close();
      output?.restore();
    });

    it('was killed with the whole batch still on the queue, unacknowledged', () => {
      // Assess
      expect(depthAtKill).toEqual({ visible: 0, inFlight: EVENTS });
    });

    it('finishes every event exactly once across the two consumers', () => {
      // Assess
      expect(webhooks.map((webhook) => count('finished', webhook.id))).toEqual(webhooks.map(() => 1));
    });

    it('runs no finished handler again: only the handler the kill interrupted starts a second time', () => {
      // Assess
      expect(webhooks.filter((webhook) => count('started', webhook.id) !== 1).map((webhook) => webhook.id)).toEqual([
        hung.id,
      ]);
      expect(count('started', hung.id)).toBe(2);
    });

    it('has the restarted consumer skip the nine finished events as duplicates and process the interrupted one', () => {
      // Assess
      const decisions = (restarted?.lines ?? []).filter((line) => 'outcome' in line);
      expect(
        decisions
          .filter((line) => line.outcome === 'duplicate')
          .map((line) => line.eventId)
          .sort(),
      ).toEqual(
        webhooks
          .filter((webhook) => webhook !== hung)
          .map((webhook) => webhook.id)
          .sort(),
      );
      expect(decisions.filter((line) => line.outcome === 'processed').map((line) => line.eventId)).toEqual([hung.id]);
    });

    it('leaves nothing in the dead-letter queue', async () => {
      // Assess
      expect(await queueDepth(env.sqs, env.deadLetterQueue('webhooks').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    });
  },
);
