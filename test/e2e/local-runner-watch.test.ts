import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { LogLine, RunnerProcess, startRunnerProcess } from './local-runner-process';

const PROCESSED = 'webhook processed';
const RAN = 'test handler ran';
const STARTED = 'test handler started';

/**
 * A handlers module that logs which version of it started and ran. With a `gate` file, each run waits until that file
 * exists, so the test decides which events are still in hand when the module changes (no race with the rebuild).
 */
const handlersSource = (version: string, gate?: string): string => `
import { existsSync } from 'node:fs';
import { waitUntil } from '${require.resolve('../support/wait-until').replace(/\.ts$/, '')}';
import type { FluentEventHandlers } from '${require.resolve('../../lambdas/consumer/handler-types').replace(/\.ts$/, '')}';

export const handlers: FluentEventHandlers = {
  default: async (_event, { logger }) => {
    logger.info('${STARTED}', { version: '${version}' });
    ${gate ? `await waitUntil(() => existsSync(${JSON.stringify(gate)}), 30_000, 'the test opens the gate');` : ''}
    logger.info('${RAN}', { version: '${version}' });
  },
};
`;

describe('Program: npm start (bin/npm-start.cjs: fluent-webhook local --watch from the sources)', () => {
  const temp = useTempDir('fluent-webhook-watch-');
  let runner: RunnerProcess;
  let privateKeyPem: string;
  let handlersPath: string;
  let gatePath: string;

  beforeAll(async () => {
    handlersPath = temp.path('handlers.ts');
    gatePath = temp.path('v1-may-finish');
    writeFileSync(handlersPath, handlersSource('v1', gatePath));
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
    // Prepare: events queue up behind a v1 run that waits for the gate
    const first = await send();
    await runner.waitForLine((line) => line.eventId === first && line.message === STARTED);
    const queued = [await send(), await send(), await send(), await send()];

    // Act: the file changes while they wait, then v1 may finish; one more event after the reload
    writeFileSync(handlersPath, handlersSource('v2'));
    await runner.waitForLine((line) => line.message === 'handlers reloaded', 15_000);
    writeFileSync(gatePath, '');
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
    // An event ran v1 exactly when its batch was in hand before the reload; every later one ran v2.
    const lines = runner.lines();
    const reloadedAt = lines.findIndex((line) => line.message === 'handlers reloaded');
    for (const id of queued) {
      const startedAt = lines.findIndex((line) => line.eventId === id && line.message === STARTED);
      expect([id, linesAbout(id, RAN)[0]?.version]).toEqual([id, startedAt < reloadedAt ? 'v1' : 'v2']);
    }
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
