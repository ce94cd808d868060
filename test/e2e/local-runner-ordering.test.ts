import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fluentEventBody } from '../support/factories';
import { judgeOrdering, readHandlerRuns } from '../support/handler-runs';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { RECORD_FILE_ENV } from './fixtures/recording-handlers';
import { postSignedWebhook, RunnerProcess, startRunnerProcess } from './local-runner-process';

const ORDERS = 6;
const EVENTS_PER_ORDER = 6;

describe('Program: npm start with ORDERING=per-entity, end to end over HTTP', () => {
  const temp = useTempDir('fluent-webhook-ordering-');
  let runner: RunnerProcess;
  let privateKeyPem: string;
  const recordFile = (): string => temp.path('handler-runs.jsonl');

  beforeAll(async () => {
    runner = await startRunnerProcess({
      LOCAL_DATA_DIR: temp.path('data'),
      ORDERING: 'per-entity',
      LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'recording-handlers.ts'),
      [RECORD_FILE_ENV]: recordFile(),
      STALE_STATUS_GUARD: JSON.stringify({ FULFILMENT: ['CREATED', 'PICKED', 'SHIPPED', 'DELIVERED'] }),
    });
    privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
  });
  afterAll(async () => {
    await runner?.stop();
  });

  const postSigned = (body: Buffer): Promise<number> => postSignedWebhook(runner, body, privateKeyPem);

  it('runs each order’s events one after another in the order sent, each once, different orders at the same time', async () => {
    // Prepare: six orders, each with six events (seq 1..6) whose root entity is the order.
    const orders = Array.from({ length: ORDERS }, (_, index) => `HD_ORDERED_${index + 1}`);

    // Act: the orders concurrently, each order's events one after another (each accepted before the next is sent).
    const statuses = await Promise.all(
      orders.map(async (order) => {
        const answered: number[] = [];
        for (let seq = 1; seq <= EVENTS_PER_ORDER; seq += 1) {
          const body = fluentEventBody({
            id: randomUUID(),
            entityRef: order,
            rootEntityRef: order,
            attributes: { seq },
          });
          answered.push(await postSigned(body));
        }
        return answered;
      }),
    );
    await waitUntil(
      () => readHandlerRuns(recordFile()).length >= ORDERS * EVENTS_PER_ORDER,
      60_000,
      'every event has been handled',
    );

    // Assess: judged by the handlers' own start and end times.
    const runs = readHandlerRuns(recordFile());
    const verdict = judgeOrdering(runs);
    expect(statuses.flat()).toEqual(Array.from({ length: ORDERS * EVENTS_PER_ORDER }, () => 200));
    expect(runs).toHaveLength(ORDERS * EVENTS_PER_ORDER);
    expect(verdict.ranTwice).toEqual([]);
    expect(verdict.startedInOrder).toEqual(Object.fromEntries(orders.map((order) => [order, [1, 2, 3, 4, 5, 6]])));
    expect(verdict.violations).toBe(0);
    expect(verdict.overlapsAcrossOrders).toBeGreaterThan(0);
  });

  it('with STALE_STATUS_GUARD, skips a status older than the last processed for its entity, and handles the rest', async () => {
    // Prepare
    const fulfilment = (id: string, entityStatus: string) =>
      fluentEventBody({ id, entityType: 'FULFILMENT', entityRef: 'F_STALE', rootEntityRef: 'HD_STALE', entityStatus });
    const ran = (id: string) => () => readHandlerRuns(recordFile()).some((run) => run.eventId === id);
    const shipped = randomUUID();
    const picked = randomUUID();
    const delivered = randomUUID();

    // Act: SHIPPED, then a late PICKED, then DELIVERED, each accepted after the previous was handled.
    await postSigned(fulfilment(shipped, 'SHIPPED'));
    await waitUntil(ran(shipped), 30_000, 'SHIPPED has been handled');
    await postSigned(fulfilment(picked, 'PICKED'));
    const skipped = await runner.waitForLine(
      (line) => line.eventId === picked && line.component === 'consumer',
      30_000,
    );
    await postSigned(fulfilment(delivered, 'DELIVERED'));
    await waitUntil(ran(delivered), 30_000, 'DELIVERED has been handled');

    // Assess
    expect(skipped).toMatchObject({
      message: 'stale webhook skipped',
      outcome: 'stale',
      entityStatus: 'PICKED',
      lastProcessedStatus: 'SHIPPED',
    });
    expect(ran(picked)()).toBe(false);
  });

  it('logs the ordering it runs with', async () => {
    const ready = await runner.waitForLine((line) => line.message === 'local receiver ready');
    expect(ready).toMatchObject({ ordering: 'per-entity', queueUrl: expect.stringMatching(/fluent-webhooks\.fifo$/) });
  });
});
