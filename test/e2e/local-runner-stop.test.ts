import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { HANDLER_STARTED, HANG_ENV, HANGING_ROUTE } from './fixtures/hanging-handlers';
import { LogLine, RunnerProcess, startRunnerProcess } from './local-runner-process';

const CONSUMER_TIMEOUT_SECONDS = 2;
/** Far below the runner's own 60 s stop deadline, and above the consumer timeout plus saving and stopping. */
const STOP_BOUND_MS = 10_000;
const QUEUE = 'fluent-webhooks';
const STOPPED = 'stopped; queued messages saved for the next start';

const about = (eventId: string, message: string) => (line: LogLine) =>
  line.eventId === eventId && line.message === message;

describe('Program: npm start (the local runner), stopped while a handler hangs', () => {
  const temp = useTempDir('fluent-webhook-e2e-stop-');
  const runners: RunnerProcess[] = [];
  const env = (hang: boolean): Record<string, string> => ({
    LOCAL_DATA_DIR: temp.path('data'),
    CONSUMER_TIMEOUT_SECONDS: String(CONSUMER_TIMEOUT_SECONDS),
    LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'hanging-handlers.ts'),
    ...(hang ? { [HANG_ENV]: 'true' } : {}),
  });
  const start = async (hang: boolean): Promise<RunnerProcess> => {
    const runner = await startRunnerProcess(env(hang));
    runners.push(runner);
    return runner;
  };
  afterAll(async () => {
    await Promise.allSettled(runners.map((runner) => runner.stop()));
  });

  it('gives up on the hung handler before the consumer timeout, exits 0 with the message saved, and processes it once after a restart', async () => {
    // Prepare
    const eventId = randomUUID();
    const body = fluentEventBody({ id: eventId });
    const hanging = await start(true);
    const privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
    const response = await fetch(`${hanging.webhookBaseUrl}${HANGING_ROUTE}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
      body,
    });
    await hanging.waitForLine(about(eventId, HANDLER_STARTED));

    // Act
    const exitCode = await hanging.stop(STOP_BOUND_MS);
    // The in-progress lock the hung run left expired with its context (CONSUMER_TIMEOUT_SECONDS): no wait for it.
    const restarted = await start(false);
    const processed = await restarted.waitForLine(about(eventId, 'webhook processed'));
    await restarted.stop(STOP_BOUND_MS);

    // Assess
    expect(response.status).toBe(200);
    expect(exitCode).toBe(0);
    // The consumer gives the hung handler up before the timeout, failing it alone, so the batch still answers.
    expect(hanging.lines()).toContainEqual(
      expect.objectContaining({ eventId, outcome: 'failed', reason: 'handler-timed-out' }),
    );
    expect(hanging.lines().filter((line) => String(line.message).includes('did not return within'))).toEqual([]);
    expect(hanging.lines().filter((line) => line.message === 'webhook processed')).toEqual([]);
    // The hung handler still held the event loop after the stop; the runner exited without it.
    expect(hanging.lines()).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('work still running after the stop') }),
    );
    expect(hanging.lines().find((line) => line.message === STOPPED)).toMatchObject({ saved: { [QUEUE]: 1 } });
    expect(
      restarted.lines().find((line) => line.message === 'queued messages restored from the last run'),
    ).toMatchObject({ restored: { [QUEUE]: 1 } });
    expect(processed).toMatchObject({ route: HANGING_ROUTE, outcome: 'processed' });
    // Processed once and deleted: the second stop saves an empty queue, so nothing could run it again.
    expect(restarted.lines().filter(about(eventId, 'webhook processed'))).toHaveLength(1);
    expect(restarted.lines().find((line) => line.message === STOPPED)).toMatchObject({ saved: { [QUEUE]: 0 } });
  }, 60_000);
});
