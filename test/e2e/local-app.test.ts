import { randomUUID } from 'node:crypto';
import { signFluentPayload } from '../../lambdas/core';
import { SYNTH_TIMEOUT_MS, synthesizedApp, SynthesizedApp } from '../support/cdk-synth';
import { largeEventBody } from '../support/archived-entries';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { APP_TEST_TIMEOUT_MS, AppRunnerProcess, startAppRunnerProcess } from './app-runner-process';
import type { LogLine } from './local-runner-process';

const PROCESSED = 'webhook processed';
const DUPLICATE = 'duplicate webhook skipped';
const REJECTED = 'Webhook rejected';
const about = (eventId: string, message: string) => (line: LogLine) =>
  line.eventId === eventId && line.message === message;

// Each case starts or waits on a runner whose two bundles share the machine's cores with the other suites.
jest.setTimeout(APP_TEST_TIMEOUT_MS);

describe('Program: fluent-webhook local --app on the synthesized default template (verify-first)', () => {
  const temp = useTempDir('fluent-webhook-app-');
  let app: SynthesizedApp;
  let running: AppRunnerProcess;

  beforeAll(async () => {
    app = synthesizedApp();
    running = await startAppRunnerProcess(app, app.dir, temp.path('data'));
  }, 2 * SYNTH_TIMEOUT_MS);
  afterAll(() => running?.runner.stop());

  it('runs the template: its bundles, handler, timeout and memory, and the door it defines', async () => {
    // Act
    const ready = await running.waitForLine((line) => line.message === 'local receiver ready');

    // Assess
    expect(ready).toMatchObject({
      stack: app.stackName,
      ingress: 'verify-first',
      methods: ['POST /{path secret}/fluent/{route+}'],
    });
    expect(Object.values(ready.functions as object)).toEqual(
      expect.arrayContaining([
        { handler: 'index.handler', timeoutSeconds: 10, memorySizeMb: 512 },
        { handler: 'index.handler', timeoutSeconds: 30, memorySizeMb: 512 },
      ]),
    );
    expect(JSON.stringify(running.runner.lines())).not.toContain(app.pathSecret);
  });

  it('answers 200 to a genuine webhook, the consumer bundle processes it once, and skips its second delivery through the IAM guard', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act: the second delivery meets the first's claim, which the consumer checks against the history (a Query).
    const response = await running.postSigned('orders', fluentEventBody({ id: eventId }));
    const processed = await running.waitForLine(about(eventId, PROCESSED));
    await running.postSigned('orders', fluentEventBody({ id: eventId }));
    const duplicate = await running.waitForLine(about(eventId, DUPLICATE));

    // Assess
    expect(response).toEqual({ status: 200, body: { status: 'accepted', requestId: expect.any(String) } });
    expect(processed).toMatchObject({ route: 'orders', component: 'consumer' });
    expect(duplicate).toMatchObject({ firstHandledAt: expect.any(String), component: 'consumer' });
    expect(running.count(about(eventId, PROCESSED))).toBe(1);
    expect(running.count((line) => line.message === 'AWS call denied by the template policies')).toBe(0);
  });

  it("keeps a body too large for its history item in the template's bucket, through the IAM guard", async () => {
    // Prepare
    const eventId = randomUUID();

    // Act: the consumer bundle loads its S3 client from its own file and puts the body through the guard.
    const response = await running.postSigned('orders', largeEventBody(eventId));
    const processed = await running.waitForLine(about(eventId, PROCESSED));

    // Assess
    expect(response.status).toBe(200);
    expect(processed).toMatchObject({ component: 'consumer' });
    expect(running.count((line) => line.eventId === eventId && line.reason !== undefined)).toBe(0);
    expect(running.count((line) => line.message === 'AWS call denied by the template policies')).toBe(0);
  });

  it('answers 401 to a forged webhook', async () => {
    // Prepare
    const eventId = randomUUID();
    const signed = signFluentPayload(fluentEventBody({ id: eventId, entityStatus: 'SHIPPED' }), app.privateKeyPem);

    // Act
    const response = await running.post('orders', fluentEventBody({ id: eventId, entityStatus: 'CANCELLED' }), signed);

    // Assess
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'no-matching-key' });
  });

  it('answers 403 to a genuine webhook for another Fluent account', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const response = await running.postSigned('orders', fluentEventBody({ id: eventId, accountId: 'SOMEONE_ELSE' }));
    const rejected = await running.waitForLine(about(eventId, REJECTED));

    // Assess
    expect(response.status).toBe(403);
    expect(rejected).toMatchObject({ reason: 'account-not-allowed' });
  });

  it("answers a wrong path with the template's own gateway response, 404 not-found", async () => {
    // Act
    const response = await fetch(`${new URL(running.webhookBaseUrl).origin}/not-the-secret/fluent/orders`, {
      method: 'POST',
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'not-found',
      message: 'No such endpoint.',
      requestId: expect.any(String),
    });
  });
});
