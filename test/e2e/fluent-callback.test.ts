import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { startStandInFixture, TEST_FLUENT_ACCOUNT, TEST_FLUENT_CLIENT } from '../support/fluent-api-fixtures';
import { LogLine, REPO_ROOT, RunnerProcess, startRunnerProcess } from './local-runner-process';

const RECEIVED_EVENT = 'fluent stand-in received event';

describe('Program: npm start calls Fluent back through the local Fluent stand-in', () => {
  const temp = useTempDir('fluent-callback-e2e-');
  let runner: RunnerProcess;
  let controlUrl: string;
  let privateKeyPem: string;
  const returnOrder = (eventId: string, returnRef: string) =>
    fluentEventBody({ id: eventId, name: 'ReturnOrderCreated', entityType: 'RETURN_ORDER', entityRef: returnRef });
  const signedPost = (target: RunnerProcess, body: Buffer, key = privateKeyPem) =>
    fetch(`${target.webhookBaseUrl}returns`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, key) },
      body,
    });

  beforeAll(async () => {
    runner = await startRunnerProcess({
      LOCAL_DATA_DIR: temp.path('data'),
      VISIBILITY_TIMEOUT_SECONDS: '1',
      LOCAL_HANDLERS_MODULE: join(REPO_ROOT, 'handlers', 'examples', 'return-order.ts'),
      // The first call after the login is answered 503: the handler's call is retried and still lands once.
      FLUENT_STAND_IN_FAULTS: 'unavailable:1',
    });
    const ready = runner.lines().find((line) => line.message === 'local receiver ready');
    controlUrl = String(ready?.fluentStandInControlUrl);
    privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
  });
  afterAll(async () => {
    await runner?.stop();
  });

  it('runs the return-order example: a signed webhook, delivered twice, posts ReturnApproved back exactly once', async () => {
    // Prepare
    const eventId = randomUUID();
    const returnRef = `RET-${eventId.slice(0, 8)}`;
    const body = fluentEventBody({
      id: eventId,
      name: 'ReturnOrderCreated',
      entityType: 'RETURN_ORDER',
      entityRef: returnRef,
    });
    const post = () =>
      fetch(`${runner.webhookBaseUrl}returns`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
        body,
      });

    // Act: Fluent retries a delivery now and then; both copies are accepted
    const statuses = [(await post()).status, (await post()).status];
    await runner.waitForLine((line) => line.eventId === eventId && line.message === 'webhook processed');
    await runner.waitForLine((line) => line.eventId === eventId && line.message === 'duplicate webhook skipped');

    // Assess
    expect(statuses).toEqual([200, 200]);
    const received = (await (await fetch(`${controlUrl}/received`)).json()) as {
      events: Array<{ event: Record<string, unknown> }>;
    };
    const approvals = received.events.filter((recorded) => recorded.event.entityRef === returnRef);
    expect(approvals).toHaveLength(1);
    expect(approvals[0]?.event).toMatchObject({
      name: 'ReturnApproved',
      entityType: 'RETURN_ORDER',
      attributes: { sourceEventId: eventId },
    });
    const seen = (line: LogLine) => line.message === RECEIVED_EVENT && line.entityRef === returnRef;
    expect(runner.lines().filter(seen)).toHaveLength(1);
    expect(runner.lines().some((line) => line.message === 'fluent api call' && line.status === '503')).toBe(true);
  });

  it('calls FLUENT_API_URL instead of the stand-in when it is set, with the FLUENT_* credentials', async () => {
    // Prepare: a "sandbox" this test runs, and a second runner pointed at it
    const sandbox = await startStandInFixture();
    let pointed: RunnerProcess | undefined;
    try {
      pointed = await startRunnerProcess({
        LOCAL_DATA_DIR: temp.path('data-sandbox'),
        LOCAL_HANDLERS_MODULE: join(REPO_ROOT, 'handlers', 'examples', 'return-order.ts'),
        FLUENT_API_URL: sandbox.standIn.url,
        FLUENT_API_ACCOUNT: TEST_FLUENT_ACCOUNT,
        FLUENT_CLIENT_ID: TEST_FLUENT_CLIENT.clientId,
        FLUENT_CLIENT_SECRET: TEST_FLUENT_CLIENT.clientSecret,
        FLUENT_USERNAME: TEST_FLUENT_CLIENT.username,
        FLUENT_PASSWORD: TEST_FLUENT_CLIENT.password,
      });
      const key = readFileSync(temp.path('data-sandbox', 'keys', 'private-key.pem'), 'utf8');
      const eventId = randomUUID();

      // Act
      const response = await signedPost(pointed, returnOrder(eventId, 'RET-SANDBOX'), key);
      await pointed.waitForLine((line) => line.eventId === eventId && line.message === 'webhook processed');

      // Assess
      expect(response.status).toBe(200);
      expect(sandbox.standIn.received().events.map((recorded) => recorded.event.entityRef)).toEqual(['RET-SANDBOX']);
      const ready = pointed.lines().find((line) => line.message === 'local receiver ready');
      expect(ready).toMatchObject({ fluentApiUrl: sandbox.standIn.url });
      expect(ready?.fluentStandInControlUrl).toBeUndefined();
      const output = JSON.stringify(pointed.lines());
      for (const secret of [TEST_FLUENT_CLIENT.clientSecret, TEST_FLUENT_CLIENT.password]) {
        expect(output).not.toContain(secret);
      }
    } finally {
      await pointed?.stop();
      await sandbox.standIn.stop();
    }
  });
});
