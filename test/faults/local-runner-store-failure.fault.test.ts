import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordFailureReason } from '../../lambdas/contract/observability';
import { STORE_FAILED_MESSAGE } from '../../tools/local/dynamodb-emulator';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import {
  LogLine,
  postSignedWebhook,
  RunnerProcess,
  RunnerProgram,
  startRunnerProcess,
} from '../e2e/local-runner-process';
import { RUNS_FILE_ENV } from './fixtures/recording-handlers';

const WEBHOOKS = 3;
/**
 * The built CLI with faults in LevelDB under the DynamoDB emulator's worker thread: its writes fail while
 * `<LOCAL_DATA_DIR>.disk-full` exists; the thread dies at a write while `<LOCAL_DATA_DIR>.crash` exists.
 */
const WITH_LEVELDB_FAULTS: RunnerProgram = { cli: join(__dirname, 'fixtures', 'cli-with-leveldb-faults.cjs') };
const STORE_FAILURE_LINE = 'the local idempotency store could not write its data folder; the records are retried';
const EMULATOR_DIED_LINE = 'a local emulator stopped unexpectedly; stopping the runner';
const STOPPED_LINE = 'stopped; queued messages saved for the next start';

const decisionsFor = (lines: readonly LogLine[], id: string) =>
  lines.filter((line) => 'outcome' in line && line.eventId === id).map((line) => [line.outcome, line.reason]);
const handlerRuns = (runsFile: string) => readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).sort();

describe('Program: npm start (the local runner) when LevelDB fails under the DynamoDB emulator on its worker thread', () => {
  const temp = useTempDir('fluent-webhook-runner-store-failure-');
  const runners: RunnerProcess[] = [];
  afterAll(async () => {
    await Promise.allSettled(runners.map((runner) => runner.kill()));
  });

  const start = async (dataDir: string, program: RunnerProgram = {}) => {
    const runner = await startRunnerProcess(
      {
        LOCAL_DATA_DIR: dataDir,
        VISIBILITY_TIMEOUT_SECONDS: '1',
        // A batch the runner held when its emulator died stays hidden for the consumer's timeout and a margin after
        // the restart (as in SQS); a short timeout keeps that well inside the waits below.
        CONSUMER_TIMEOUT_SECONDS: '2',
        LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'recording-handlers.ts'),
        [RUNS_FILE_ENV]: `${dataDir}-handler-runs`,
      },
      60_000,
      program,
    );
    runners.push(runner);
    return runner;
  };

  /** POSTs one signed webhook per id; resolves with their statuses. */
  const send = (runner: RunnerProcess, dataDir: string, ids: readonly string[]) => {
    const privateKeyPem = readFileSync(join(dataDir, 'keys', 'private-key.pem'), 'utf8');
    return Promise.all(ids.map((id) => postSignedWebhook(runner, fluentEventBody({ id }), privateKeyPem)));
  };

  it('fails the records as idempotency-store-failed, says where the store failed, keeps serving, then processes each once the disk has room again', async () => {
    // Prepare
    const dataDir = temp.path('disk-full');
    const runner = await start(dataDir, WITH_LEVELDB_FAULTS);
    const ids = Array.from({ length: WEBHOOKS }, () => randomUUID());

    // Act: the disk fills up, webhooks arrive, their records fail; then room is made.
    writeFileSync(`${dataDir}.disk-full`, '');
    const statuses = await send(runner, dataDir, ids);
    const failures = await Promise.all(
      ids.map((id) => runner.waitForLine((line) => line.eventId === id && line.outcome === 'failed', 30_000)),
    );
    const reported = await runner.waitForLine((line) => line.message === STORE_FAILURE_LINE, 30_000);
    rmSync(`${dataDir}.disk-full`);
    await Promise.all(
      ids.map((id) => runner.waitForLine((line) => line.eventId === id && line.outcome === 'processed', 30_000)),
    );
    const exitCode = await runner.stop();

    // Assess
    expect(statuses).toEqual(ids.map(() => 200));
    for (const failure of failures) {
      expect(failure).toMatchObject({ reason: RecordFailureReason.IDEMPOTENCY_STORE_FAILED });
      expect(JSON.stringify(failure)).toContain(STORE_FAILED_MESSAGE);
    }
    expect(reported).toMatchObject({
      level: 'ERROR',
      dataDir,
      error: { code: 'LEVEL_IO_ERROR', message: expect.stringContaining('No space left on device') },
    });
    // Retried, not lost: each record failed while the disk was full, then was processed once, its handler run once.
    for (const id of ids) {
      const decisions = decisionsFor(runner.lines(), id);
      expect(decisions.at(-1)).toEqual(['processed', undefined]);
      expect(decisions.slice(0, -1).map(([outcome]) => outcome)).not.toContain('processed');
    }
    expect(handlerRuns(`${dataDir}-handler-runs`)).toEqual([...ids].sort());
    expect(runner.lines().filter((line) => line.message === EMULATOR_DIED_LINE)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(runner.lines().at(-1)).toMatchObject({ message: STOPPED_LINE });
    expect(Object.values(runner.lines().at(-1)?.saved as Record<string, number>)).toEqual([0, 0, 0]);
  }, 120_000);

  it('stops with one ERROR line naming the emulator and exits 1 when the thread dies; the accepted webhooks are kept and processed at the next start', async () => {
    // Prepare
    const dataDir = temp.path('crash');
    const runner = await start(dataDir, WITH_LEVELDB_FAULTS);
    const ids = Array.from({ length: WEBHOOKS }, () => randomUUID());

    // Act: the emulator's thread dies at the first record's write; the runner stops by itself (a webhook still on
    // its way then may find the gateway closed: only the accepted ones count).
    writeFileSync(`${dataDir}.crash`, '');
    const statuses = await Promise.allSettled(ids.map((id) => send(runner, dataDir, [id])));
    await runner.waitForLine((line) => line.message === STOPPED_LINE, 30_000);
    const exitCode = await runner.exited;
    rmSync(`${dataDir}.crash`);
    const accepted = ids.filter((_, index) => {
      const status = statuses[index]!;
      return status.status === 'fulfilled' && status.value[0] === 200;
    });
    const restarted = await start(dataDir);
    await Promise.all(
      accepted.map((id) =>
        restarted.waitForLine((line) => line.eventId === id && line.outcome === 'processed', 30_000),
      ),
    );
    await restarted.stop();

    // Assess
    expect(accepted.length).toBeGreaterThan(0);
    expect(exitCode).toBe(1);
    const died = runner.lines().filter((line) => line.level === 'ERROR' && line.message === EMULATOR_DIED_LINE);
    expect(died).toEqual([
      expect.objectContaining({
        emulator: 'DynamoDB (dynalite)',
        reason: expect.stringContaining('the DynamoDB emulator crashed'),
      }),
    ]);
    expect(handlerRuns(`${dataDir}-handler-runs`)).toEqual([...accepted].sort());
  }, 120_000);
});
