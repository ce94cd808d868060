import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { LogLine, RunnerProcess, startRunnerProcess } from './local-runner-process';

const PROCESSED = 'webhook processed';
const RAN = 'test handler ran';

/** A handlers module that logs which version of it ran; `pauseMs` keeps events queued behind the one in hand. */
const handlersSource = (version: string, pauseMs: number): string => `
import { setTimeout as sleep } from 'node:timers/promises';
import type { FluentEventHandlers } from '${require.resolve('../../lambdas/consumer/handler-types').replace(/\.ts$/, '')}';

export const handlers: FluentEventHandlers = {
  default: async (_event, { logger }) => {
    await sleep(${pauseMs});
    logger.info('${RAN}', { version: '${version}' });
  },
};
`;

describe('Program: npm start (bin/npm-start.cjs: fluent-webhook local --watch from the sources)', () => {
  const temp = useTempDir('fluent-webhook-watch-');
  let runner: RunnerProcess;
  let privateKeyPem: string;
  let handlersPath: string;

  beforeAll(async () => {
    handlersPath = temp.path('handlers.ts');
    writeFileSync(handlersPath, handlersSource('v1', 300));
    // The first start after a source change bundles the CLI first (on a fresh clone, in CI).
    runner = await startRunnerProcess({ LOCAL_DATA_DIR: temp.path('data'), BATCH_SIZE: '1' }, 50_000, {
      npmStart: true,
      args: ['--handlers', handlersPath],
    });
    privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
  }, 60_000);
  afterAll(() => runner?.stop());

  const send = async (): Promise<string> => {
    const id = randomUUID();
    const body = fluentEventBody({ id });
    const response = await fetch(`${runner.webhookBaseUrl}orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
      body,
    });
    expect(response.status).toBe(200);
    return id;
  };
  const linesAbout = (id: string, message: string): LogLine[] =>
    runner.lines().filter((line) => line.eventId === id && line.message === message);
  const reloads = (message: string): number => runner.lines().filter((line) => line.message === message).length;

  it('watches by default, and names the handlers module in the ready line', () => {
    const ready = runner.lines().find((line) => line.message === 'local receiver ready');
    expect(ready).toMatchObject({ handlersModule: handlersPath, watch: true });
  });

  it('runs the changed handlers from the next batch on, and every event queued meanwhile exactly once', async () => {
    // Prepare: events queue up behind a slow v1
    const first = await send();
    await runner.waitForLine((line) => line.eventId === first && line.message === RAN);
    const queued = [await send(), await send(), await send(), await send()];

    // Act: the file changes while they wait; one more event after the reload
    writeFileSync(handlersPath, handlersSource('v2', 0));
    await runner.waitForLine((line) => line.message === 'handlers reloaded', 15_000);
    const after = await send();
    const all = [first, ...queued, after];
    await waitUntil(() => all.every((id) => linesAbout(id, PROCESSED).length > 0), 20_000, 'every event processed');

    // Assess
    for (const id of all) {
      expect(linesAbout(id, PROCESSED)).toHaveLength(1);
      expect(linesAbout(id, RAN)).toHaveLength(1);
    }
    expect(linesAbout(first, RAN)[0]).toMatchObject({ version: 'v1' });
    expect(linesAbout(after, RAN)[0]).toMatchObject({ version: 'v2' });
    // At most the batch in hand at the reload finished with v1; the rest of the queue ran v2.
    expect(queued.filter((id) => linesAbout(id, RAN)[0]?.version === 'v2').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps the previous handlers running when a change does not build, and says why', async () => {
    // Act
    const failedBefore = reloads('handlers not reloaded; the previous ones keep running');
    writeFileSync(handlersPath, 'export const handlers = {');
    await waitUntil(
      () => reloads('handlers not reloaded; the previous ones keep running') > failedBefore,
      15_000,
      'the failed reload is reported',
    );
    const id = await send();
    await runner.waitForLine((line) => line.eventId === id && line.message === PROCESSED);

    // Assess
    const failure = [...runner.lines()].reverse().find((line) => String(line.message).startsWith('handlers not'));
    expect(failure).toMatchObject({ level: 'ERROR', handlersModule: handlersPath });
    expect(String(failure?.reason)).toMatch(/could not be bundled/);
    expect(linesAbout(id, RAN)[0]).toMatchObject({ version: 'v2' });
  });
});
