import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { FIXED_FILE_ENV, THROWING_ROUTE } from './fixtures/throwing-handlers';
import { LogLine, REPO_ROOT, RunnerProcess, startRunnerProcess } from './local-runner-process';

const MAX_RECEIVE_COUNT = 2;
const CLI = join(REPO_ROOT, 'bin', 'fluent-webhook.cjs');

const about = (eventId: string, message: string) => (line: LogLine) =>
  line.eventId === eventId && line.message === message;
const PROCESSED = 'webhook processed';
const DUPLICATE = 'duplicate webhook skipped';
const REJECTED = 'Webhook rejected';
const DEAD_LETTERED = 'message in the dead-letter queue';

describe('Program: npm start (the local runner), end to end over HTTP', () => {
  const temp = useTempDir('fluent-webhook-e2e-');
  const runners: RunnerProcess[] = [];
  let runner: RunnerProcess;
  let privateKeyPem: string;
  const env = (): Record<string, string> => ({
    LOCAL_DATA_DIR: temp.path('data'),
    VISIBILITY_TIMEOUT_SECONDS: '1',
    MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
    LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'throwing-handlers.ts'),
    [FIXED_FILE_ENV]: temp.path('handler-fixed'),
  });

  beforeAll(async () => {
    runner = await startRunnerProcess(env());
    runners.push(runner);
    privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
  });
  afterAll(async () => {
    await Promise.allSettled(runners.map((started) => started.stop()));
  });

  async function post(url: string, body: Buffer, headers: Record<string, string>) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const postSigned = (route: string, body: Buffer) =>
    post(`${runner.webhookBaseUrl}${route}`, body, signFluentPayload(body, privateKeyPem));
  const count = (predicate: (line: LogLine) => boolean) => runner.lines().filter(predicate).length;

  it('answers 200 to a validly signed event and processes it exactly once', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const response = await postSigned('orders', fluentEventBody({ id: eventId }));
    const processed = await runner.waitForLine(about(eventId, PROCESSED));

    // Assess
    expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: 'accepted' }) });
    expect(processed).toMatchObject({ eventName: 'OrderStatusChange', route: 'orders', component: 'consumer' });
    expect(count(about(eventId, PROCESSED))).toBe(1);
  });

  it('processes an event Fluent delivers three times once, and skips the other two deliveries', async () => {
    // Prepare
    const eventId = randomUUID();
    const body = fluentEventBody({ id: eventId });

    // Act
    const responses = await Promise.all([1, 2, 3].map(() => postSigned('orders', body)));
    // Each delivery ends in one of these two lines; concurrent ones are retried until they do.
    await runner.waitForLine(() => count(about(eventId, PROCESSED)) + count(about(eventId, DUPLICATE)) === 3);

    // Assess
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(count(about(eventId, PROCESSED))).toBe(1);
    expect(count(about(eventId, DUPLICATE))).toBe(2);
  });

  it('answers 401 to a tampered event and never queues it', async () => {
    // Prepare
    const eventId = randomUUID();
    const signed = signFluentPayload(fluentEventBody({ id: eventId, entityStatus: 'SHIPPED' }), privateKeyPem);
    const tampered = fluentEventBody({ id: eventId, entityStatus: 'CANCELLED' });

    // Act
    const response = await post(`${runner.webhookBaseUrl}orders`, tampered, signed);
    const rejected = await runner.waitForLine(
      (line) => line.message === REJECTED && line.status === 401 && line.requestId === response.body.requestId,
    );

    // Assess
    expect(response.status).toBe(401);
    expect(rejected).toMatchObject({ reason: 'no-matching-key', outcome: 'rejected' });
    expect(rejected.messageId).toBeUndefined();
  });

  it('answers 403 to a validly signed event for another account and never queues it', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const response = await postSigned('orders', fluentEventBody({ id: eventId, accountId: 'SOMEONE_ELSE' }));
    const rejected = await runner.waitForLine(about(eventId, REJECTED));

    // Assess
    expect(response.status).toBe(403);
    expect(rejected).toMatchObject({ status: 403, reason: 'account-not-allowed' });
    expect(rejected.messageId).toBeUndefined();
  });

  it.each([
    ['another path', 'POST', (base: string) => `${new URL(base).origin}/not-the-secret/fluent/orders`],
    ['a GET on the webhook URL', 'GET', (base: string) => `${base}orders`],
  ])(
    "answers 404 not-found to %s without invoking the receiver, as the stack's API does",
    async (_name, method, url) => {
      // Act
      const response = await fetch(url(runner.webhookBaseUrl), {
        method,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      const body = (await response.json()) as { requestId: string };
      const refused = await runner.waitForLine(
        (line) => line.message === 'gateway refused request' && line.requestId === body.requestId,
      );

      // Assess
      expect(response.status).toBe(404);
      expect(body).toMatchObject({ error: 'not-found', message: 'No such endpoint.' });
      expect(refused).toMatchObject({ status: 404, reason: 'MISSING_AUTHENTICATION_TOKEN', component: 'local' });
      expect(runner.lines().filter((line) => line.requestId === body.requestId)).toHaveLength(1);
    },
  );

  it("carries a signed body just under the queue's 1 MiB through to the handler, and answers 413 above it", async () => {
    // Prepare
    const bodyOfSize = (bytes: number, id: string): Buffer => {
      const empty = fluentEventBody({ id, attributes: { padding: '' } });
      return fluentEventBody({ id, attributes: { padding: 'x'.repeat(bytes - empty.length) } });
    };
    const largeId = randomUUID();
    const large = bodyOfSize(1_040_000, largeId);
    const tooLarge = bodyOfSize(1024 * 1024 + 1, randomUUID());

    // Act
    const accepted = await postSigned('orders', large);
    const processed = await runner.waitForLine(about(largeId, PROCESSED));
    const refused = await postSigned('orders', tooLarge);

    // Assess
    expect(large).toHaveLength(1_040_000);
    expect(accepted.status).toBe(200);
    expect(processed).toMatchObject({ outcome: 'processed' });
    expect(tooLarge).toHaveLength(1024 * 1024 + 1);
    expect(refused.status).toBe(413);
    expect(refused.body.message).toContain('1 MiB');
  });

  it('moves an event whose handler throws to the dead-letter queue after maxReceiveCount attempts', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const response = await postSigned(THROWING_ROUTE, fluentEventBody({ id: eventId }));
    const deadLettered = await runner.waitForLine(about(eventId, DEAD_LETTERED));

    // Assess
    expect(response.status).toBe(200);
    expect(deadLettered).toMatchObject({ route: THROWING_ROUTE, queue: 'fluent-webhooks-dlq' });
    expect(count(about(eventId, 'webhook handler failed'))).toBe(MAX_RECEIVE_COUNT);
    expect(count(about(eventId, PROCESSED))).toBe(0);
  });

  it('fluent-webhook send signs a sample and gets it processed; it exits 1 when the answer is not 2xx', async () => {
    // Prepare
    const keyPath = temp.path('data', 'keys', 'private-key.pem');
    const sample = JSON.parse(readFileSync(join(REPO_ROOT, 'samples', 'fulfilment-update.json'), 'utf8')) as {
      id: string;
    };
    const wrongUrl = `${new URL(runner.webhookBaseUrl).origin}/wrong/fluent/orders`;

    // Act
    const sent = await runCli(
      'send',
      '--url',
      `${runner.webhookBaseUrl}fulfilments`,
      '--sample',
      'fulfilment-update',
      '--private-key',
      keyPath,
    );
    const processed = await runner.waitForLine(about(sample.id, PROCESSED));
    const refused = await runCli('send', '--url', wrongUrl, '--sample', 'fulfilment-update', '--private-key', keyPath);

    // Assess
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^\[1\/1\] 200 OK \{"status":"accepted"/);
    expect(processed).toMatchObject({ route: 'fulfilments', eventName: 'FulfilmentStatusUpdate' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('[1/1] 404 Not Found {"error":"not-found"');
  });

  it('stops cleanly on SIGTERM and carries on from the data folder: dead letters kept, processed events remembered', async () => {
    // Prepare
    const deadLetteredIds = runner
      .lines()
      .filter((line) => line.message === DEAD_LETTERED)
      .map((line) => line.eventId);
    const processedId = runner.lines().find((line) => line.message === PROCESSED)?.eventId as string;
    const firstPath = new URL(runner.webhookBaseUrl).pathname;

    // Act
    const exitCode = await runner.stop();
    const stopped = runner.lines().find((line) => line.message === 'stopped; queued messages saved for the next start');
    runner = await startRunnerProcess(env());
    runners.push(runner);
    const restoredDeadLetter = await runner.waitForLine((line) => line.message === DEAD_LETTERED);
    const again = await postSigned('orders', fluentEventBody({ id: processedId }));
    const duplicate = await runner.waitForLine(about(processedId, DUPLICATE));

    // Assess
    expect(exitCode).toBe(0);
    expect(stopped).toMatchObject({ saved: { 'fluent-webhooks': 0, 'fluent-webhooks-dlq': deadLetteredIds.length } });
    expect(new URL(runner.webhookBaseUrl).pathname).toBe(firstPath);
    expect(deadLetteredIds).toContain(restoredDeadLetter.eventId);
    expect(again.status).toBe(200);
    expect(duplicate).toMatchObject({ outcome: 'duplicate' });
  });

  it('redrives the dead-lettered events with the command it prints, once the handler is fixed', async () => {
    // Prepare
    const deadLetteredId = runner.lines().find((line) => line.message === DEAD_LETTERED)?.eventId as string;
    const printed = runner
      .lines()
      .find((line) => line.message === 'move dead-lettered messages back to the queue with');
    const [npx, program, ...argv] = String(printed?.command).split(' ');
    writeFileSync(temp.path('handler-fixed'), 'the fix');

    // Act
    const redrive = await runCli(...argv);
    const processed = await runner.waitForLine(about(deadLetteredId, PROCESSED));

    // Assess
    expect([npx, program, argv[0]]).toEqual(['npx', 'fluent-webhook', 'redrive']);
    expect(redrive.code).toBe(0);
    expect(processed).toMatchObject({ route: THROWING_ROUTE });
    expect(await runner.stop()).toBe(0);
  });

  it('keeps everything it wrote under its data folder to its owner: files 0600, folders 0700', () => {
    // Act: the two runs above wrote every store (keys, path secret, queues, idempotency records).
    const entries = walk(temp.path('data'));

    // Assess
    const names = entries.map((entry) => entry.path);
    for (const store of ['path-secret', 'keys/private-key.pem', 'sqs/', 'dynamodb/'])
      expect(names.some((name) => name.startsWith(store))).toBe(true);
    expect(entries.filter((entry) => entry.mode !== (entry.folder ? 0o700 : 0o600))).toEqual([]);
  });

  /** Every file and folder under `root` (itself included, as ''), with its permission bits. */
  function walk(root: string, path = ''): Array<{ path: string; folder: boolean; mode: number }> {
    const stats = lstatSync(join(root, path));
    const entry = { path, folder: stats.isDirectory(), mode: stats.mode & 0o777 };
    if (!entry.folder) return [entry];
    return [
      entry,
      ...readdirSync(join(root, path)).flatMap((name) => walk(root, path === '' ? name : `${path}/${name}`)),
    ];
  }

  /** Runs the real CLI executable; asynchronously, so this process keeps reading the runner's log lines meanwhile. */
  function runCli(...argv: string[]): Promise<{ code: number | null; stdout: string }> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [CLI, ...argv], { cwd: temp.path(), timeout: 20_000 }, (error, stdout) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        if (code === null) reject(error ?? new Error('fluent-webhook did not exit'));
        else resolve({ code, stdout });
      });
    });
  }
});
