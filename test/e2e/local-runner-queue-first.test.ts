import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core';
import { MAX_QUEUE_FIRST_BODY_BYTES } from '../../lambdas/contract/sqs-integration-templates';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { FIXED_FILE_ENV, THROWING_ROUTE } from './fixtures/throwing-handlers';
import { LogLine, RunnerProcess, startRunnerProcess } from './local-runner-process';

const MAX_RECEIVE_COUNT = 2;
const PROCESSED = 'webhook processed';
const DUPLICATE = 'duplicate webhook skipped';
const FORGED = 'forged webhook dropped';
const DEAD_LETTERED = 'message in the dead-letter queue';

const about = (eventId: string, message: string) => (line: LogLine) =>
  line.eventId === eventId && line.message === message;

describe('Program: INGRESS=queue-first npm start, end to end over HTTP', () => {
  const temp = useTempDir('fluent-webhook-e2e-queue-first-');
  let runner: RunnerProcess;
  let privateKeyPem: string;

  beforeAll(async () => {
    runner = await startRunnerProcess({
      INGRESS: 'queue-first',
      LOCAL_DATA_DIR: temp.path('data'),
      VISIBILITY_TIMEOUT_SECONDS: '1',
      MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
      LOCAL_HANDLERS_MODULE: join(__dirname, 'fixtures', 'throwing-handlers.ts'),
      [FIXED_FILE_ENV]: temp.path('handler-fixed'),
    });
    privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
  });
  afterAll(() => runner?.stop());

  async function post(route: string, body: Buffer, headers: Record<string, string>) {
    const response = await fetch(`${runner.webhookBaseUrl}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const postSigned = (route: string, body: Buffer) => post(route, body, signFluentPayload(body, privateKeyPem));
  const count = (predicate: (line: LogLine) => boolean) => runner.lines().filter(predicate).length;
  const droppedFor = (requestId: unknown) => (line: LogLine) => line.message === FORGED && line.requestId === requestId;

  it('says which door it runs and has no verifying Lambda at it', async () => {
    // Act
    const ready = await runner.waitForLine((line) => line.message === 'local receiver ready');

    // Assess
    expect(ready.ingress).toBe('queue-first');
    expect(runner.lines().some((line) => line.component === 'receiver')).toBe(false);
  });

  it('answers 200 to a validly signed event and processes it exactly once', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const response = await postSigned('orders', fluentEventBody({ id: eventId }));
    const processed = await runner.waitForLine(about(eventId, PROCESSED));

    // Assess
    expect(response).toEqual({ status: 200, body: { status: 'accepted', requestId: expect.any(String) } });
    expect(processed).toMatchObject({ route: 'orders', requestId: response.body.requestId, component: 'consumer' });
    expect(count(about(eventId, PROCESSED))).toBe(1);
  });

  it('processes an event Fluent delivers three times once, and skips the other two deliveries', async () => {
    // Prepare
    const eventId = randomUUID();
    const body = fluentEventBody({ id: eventId });

    // Act
    const responses = await Promise.all([1, 2, 3].map(() => postSigned('orders', body)));
    await runner.waitForLine(() => count(about(eventId, PROCESSED)) + count(about(eventId, DUPLICATE)) === 3);

    // Assess
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(count(about(eventId, PROCESSED))).toBe(1);
  });

  it.each([
    [
      'a tampered event',
      () => {
        const eventId = randomUUID();
        const signed = signFluentPayload(fluentEventBody({ id: eventId, entityStatus: 'SHIPPED' }), privateKeyPem);
        return { eventId, body: fluentEventBody({ id: eventId, entityStatus: 'CANCELLED' }), headers: signed };
      },
      'no-matching-key',
    ],
    [
      'an unsigned event',
      () => {
        const eventId = randomUUID();
        return { eventId, body: fluentEventBody({ id: eventId }), headers: {} };
      },
      'missing-signature',
    ],
    [
      "a validly signed event for another account (Fluent's key signs every customer in the region)",
      () => {
        const eventId = randomUUID();
        const body = fluentEventBody({ id: eventId, accountId: 'SOMEONE_ELSE' });
        return { eventId, body, headers: signFluentPayload(body, privateKeyPem) };
      },
      'account-not-allowed',
    ],
  ])('answers 200 to %s at the door, and the consumer drops it once, unprocessed', async (_case, make, reason) => {
    // Prepare
    const { eventId, body, headers } = make();

    // Act
    const response = await post('orders', body, headers);
    const dropped = await runner.waitForLine(droppedFor(response.body.requestId));

    // Assess
    expect(response.status).toBe(200);
    expect(dropped).toMatchObject({ reason, outcome: 'forged', level: 'WARN' });
    expect(count(droppedFor(response.body.requestId))).toBe(1);
    expect(count((line) => line.eventId === eventId && line.message === PROCESSED)).toBe(0);
    expect(count((line) => line.requestId === response.body.requestId && line.message === DEAD_LETTERED)).toBe(0);
  });

  it('carries a signed body of the largest size that fits through to the handler, and answers 413 above it', async () => {
    // Prepare
    const bodyOfSize = (bytes: number, id: string): Buffer => {
      const empty = fluentEventBody({ id, attributes: { padding: '' } });
      return fluentEventBody({ id, attributes: { padding: 'x'.repeat(bytes - empty.length) } });
    };
    const largeId = randomUUID();
    const large = bodyOfSize(MAX_QUEUE_FIRST_BODY_BYTES, largeId);

    // Act
    const accepted = await postSigned('orders', large);
    const processed = await runner.waitForLine(about(largeId, PROCESSED));
    const refused = await postSigned('orders', bodyOfSize(MAX_QUEUE_FIRST_BODY_BYTES + 1, randomUUID()));

    // Assess
    expect(accepted.status).toBe(200);
    expect(processed).toMatchObject({ outcome: 'processed' });
    expect(refused).toEqual({
      status: 413,
      body: { error: 'body-too-large', message: expect.stringContaining('1 MiB'), requestId: expect.any(String) },
    });
  });

  it('moves an event whose handler throws to the dead-letter queue after maxReceiveCount attempts', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const response = await postSigned(THROWING_ROUTE, fluentEventBody({ id: eventId }));
    const deadLettered = await runner.waitForLine(about(eventId, DEAD_LETTERED));

    // Assess
    expect(response.status).toBe(200);
    expect(deadLettered).toMatchObject({ route: THROWING_ROUTE });
    expect(count(about(eventId, 'webhook handler failed'))).toBe(MAX_RECEIVE_COUNT);
  });
});
