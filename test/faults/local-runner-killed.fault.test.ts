import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { LogLine, postSignedWebhook, REPO_ROOT, RunnerProcess, startRunnerProcess } from '../e2e/local-runner-process';
import { CONSUMER_BATCH_SIZE } from '../../lambdas/contract/deployment';
import { LOCAL_DEFAULTS } from '../../tools/local/local-config';
import { waitUntil } from '../support/wait-until';
import { RUNS_FILE_ENV } from './fixtures/recording-handlers';

const WEBHOOKS = 1000;
const CONCURRENCY = 50;
/** SIGKILL once this many webhooks got their 200: the middle of the run. */
const KILL_AFTER_ACCEPTED = 400;
/**
 * The most handler runs a kill can catch between their return and their record's completion: every record of the
 * batches in hand, and the runner holds up to `consumerMaxConcurrency` batches at once (as Lambda's event source).
 */
const MOST_IN_HAND = CONSUMER_BATCH_SIZE * LOCAL_DEFAULTS.consumerMaxConcurrency;

interface Tally {
  /** Event ids whose POST got a 200. */
  readonly accepted: Set<string>;
  /** POSTs that got another status or no answer (the runner died under them). */
  unanswered: number;
}

/**
 * How often each event's handler ran, over all runs: the lines the recording handler appended and fsynced. Log lines
 * cannot count this: a SIGKILL takes the last ones still buffered with it, and a run the kill cut off between the
 * handler's return and the completion of its idempotency record leaves no line at all, yet runs again after the
 * restart.
 */
function handlerRuns(runsFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  const text = existsSync(runsFile) ? readFileSync(runsFile, 'utf8') : '';
  for (const id of text.split('\n').filter(Boolean)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Accepted ids whose handler never ran, and ids whose handler ran more than once. */
function lostAndDoubled(tally: Tally, runsFile: string): { lost: number; doubled: number } {
  const runs = handlerRuns(runsFile);
  let lost = 0;
  for (const id of tally.accepted) if (!runs.has(id)) lost += 1;
  const doubled = [...runs.values()].filter((count) => count > 1).length;
  return { lost, doubled };
}

describe('Program: npm start (the local runner) under faults', () => {
  const temp = useTempDir('fluent-webhook-runner-faults-');
  const runners: RunnerProcess[] = [];
  const runsFile = (dataDir: string) => `${dataDir}-handler-runs`;
  const allRan = (tally: Tally, dataDir: string) => () => {
    const runs = handlerRuns(runsFile(dataDir));
    return [...tally.accepted].every((id) => runs.has(id));
  };
  const start = async (dataDir: string): Promise<RunnerProcess> => {
    // As deployed, the visibility timeout is 6 × the consumer's timeout: a batch the SIGKILL caught mid-handling comes
    // back only once its in-progress idempotency records have expired, instead of failing as already-in-progress
    // until it is dead-lettered (a 2 s visibility against the default 30 s lock would do that within 10 s).
    const runner = await startRunnerProcess(
      {
        LOCAL_DATA_DIR: dataDir,
        CONSUMER_TIMEOUT_SECONDS: '2',
        VISIBILITY_TIMEOUT_SECONDS: '12',
        LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'recording-handlers.ts'),
        [RUNS_FILE_ENV]: runsFile(dataDir),
      },
      60_000,
    );
    runners.push(runner);
    return runner;
  };
  afterAll(async () => {
    await Promise.allSettled(runners.map((runner) => runner.kill()));
  });

  /** POSTs `count` fresh webhooks, `concurrency` at a time, calling `onAccepted` after each 200. */
  async function sendWebhooks(
    runner: RunnerProcess,
    privateKeyPem: string,
    count: number,
    onAccepted: (accepted: number) => void = () => undefined,
  ): Promise<Tally> {
    const tally: Tally = { accepted: new Set(), unanswered: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        next += 1;
        const id = randomUUID();
        try {
          const status = await postSignedWebhook(runner, fluentEventBody({ id }), privateKeyPem);
          if (status === 200) {
            tally.accepted.add(id);
            onAccepted(tally.accepted.size);
          } else tally.unanswered += 1;
        } catch {
          tally.unanswered += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return tally;
  }

  it(`runs every accepted webhook's handler at least once after a SIGKILL in the middle of ${WEBHOOKS} at concurrency ${CONCURRENCY}, twice at most for the batches in hand`, async () => {
    // Prepare
    const dataDir = temp.path('killed');
    const first = await start(dataDir);
    const privateKeyPem = readFileSync(join(dataDir, 'keys', 'private-key.pem'), 'utf8');

    // Act: kill the whole runner while requests are in flight, then start it again on the same folder.
    let killing: Promise<void> | undefined;
    const tally = await sendWebhooks(first, privateKeyPem, WEBHOOKS, (accepted) => {
      if (accepted === KILL_AFTER_ACCEPTED) killing = first.kill();
    });
    await killing;
    const second = await start(dataDir);
    await waitUntil(allRan(tally, dataDir), 90_000, "every accepted webhook's handler has run");
    await second.stop();

    // Assess
    const { lost, doubled } = lostAndDoubled(tally, runsFile(dataDir));
    process.stdout.write(
      `SIGKILL fault: ${WEBHOOKS} sent, ${tally.accepted.size} accepted (200), ${tally.unanswered} not accepted, ${lost} lost, ${doubled} handlers run twice (counted by their side effect); restored at restart: ${JSON.stringify(second.lines().find((line) => line.message === 'queued messages restored from the last run')?.restored)}\n`,
    );
    expect(tally.accepted.size).toBeGreaterThanOrEqual(KILL_AFTER_ACCEPTED);
    expect(tally.accepted.size).toBeLessThan(WEBHOOKS);
    expect(lost).toBe(0);
    // At least once: a handler the kill caught after it returned, before its record was completed, runs again after
    // the restart. Only the batches in hand can be caught so: up to MOST_IN_HAND records.
    expect(doubled).toBeLessThanOrEqual(MOST_IN_HAND);
  }, 240_000);

  it('stops cleanly on SIGTERM while a client holds a request half-sent: exit 0, nothing accepted lost, the half-sent one dropped', async () => {
    // Prepare
    const dataDir = temp.path('slow-client');
    const first = await start(dataDir);
    const privateKeyPem = readFileSync(join(dataDir, 'keys', 'private-key.pem'), 'utf8');
    const tally = await sendWebhooks(first, privateKeyPem, 50);
    const halfSentId = randomUUID();
    const body = fluentEventBody({ id: halfSentId });
    const url = new URL(`${first.webhookBaseUrl}orders`);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const headers = Object.entries(signFluentPayload(body, privateKeyPem))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${headers}\r\n`,
    );
    socket.write(body.subarray(0, body.length / 2));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    // One more full request after it, so the gateway has read the half-sent one's headers by the time it answers.
    const after = await sendWebhooks(first, privateKeyPem, 1);
    for (const id of after.accepted) tally.accepted.add(id);

    // Act
    const exitCode = await first.stop(15_000);
    socket.destroy();
    const second = await start(dataDir);
    await waitUntil(allRan(tally, dataDir), 60_000, "every accepted webhook's handler has run");
    await second.stop();

    // Assess
    const { lost, doubled } = lostAndDoubled(tally, runsFile(dataDir));
    process.stdout.write(
      `SIGTERM with a half-sent request: ${tally.accepted.size} accepted, ${lost} lost, ${doubled} doubled, half-sent answered: ${answer.length > 0}\n`,
    );
    expect(exitCode).toBe(0);
    expect(tally.accepted.size).toBe(51);
    expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
    expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
    expect(handlerRuns(runsFile(dataDir)).has(halfSentId)).toBe(false);
    expect(first.lines()).toContainEqual(
      expect.objectContaining({ message: 'gateway dropped a request whose body did not arrive', reason: 'stopping' }),
    );
  }, 180_000);

  it('refuses a second runner on the same data folder at once, naming the folder and the pid holding it', async () => {
    // Prepare
    const dataDir = temp.path('shared');
    const first = await start(dataDir);

    // Act
    const second = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'fluent-webhook.cjs'), 'local'], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOCAL_DATA_DIR: dataDir, PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const stillServing = await fetch(`${first.webhookBaseUrl}orders`, { method: 'POST', body: '{}' });

    // Assess
    expect(second.status).toBe(1);
    const failure = second.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine)
      .find((line) => line.message === 'local receiver could not start');
    expect(JSON.stringify(failure)).toContain(
      `Another local runner (pid ${first.pid}) is using the data folder ${dataDir}`,
    );
    expect(stillServing.status).toBe(401);
  }, 120_000);
});
