import { randomUUID } from 'node:crypto';
import { signFluentPayload } from '../../lambdas/core';
import { SYNTH_TIMEOUT_MS, synthesizedApp, SynthesizedApp } from '../support/cdk-synth';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { APP_TEST_TIMEOUT_MS, AppRunnerProcess, startAppRunnerProcess } from './app-runner-process';
import type { LogLine } from './local-runner-process';

const PROCESSED = 'webhook processed';
const FORGED = 'forged webhook dropped';
const MALFORMED = 'queued webhook is not a valid Fluent event';
const DENIED = 'AWS call denied by the template policies';
const about = (eventId: string, message: string) => (line: LogLine) =>
  line.eventId === eventId && line.message === message;

// Each case starts or waits on a runner whose two bundles share the machine's cores with the other suites.
jest.setTimeout(APP_TEST_TIMEOUT_MS);

describe('Program: fluent-webhook local --app on the template of cdk synth -c ingress=queue-first', () => {
  const temp = useTempDir('fluent-webhook-app-queue-first-');
  let app: SynthesizedApp;
  let running: AppRunnerProcess;

  beforeAll(async () => {
    app = synthesizedApp({ ingress: 'queue-first' });
    running = await startAppRunnerProcess(app, app.dir, temp.path('data'));
  }, 2 * SYNTH_TIMEOUT_MS);
  afterAll(() => running?.runner.stop());

  it("runs the template's door: the SQS integration with its own mapping templates, no verifying Lambda", async () => {
    // Act
    const ready = await running.waitForLine((line) => line.message === 'local receiver ready');

    // Assess
    expect(ready.ingress).toBe('queue-first');
    expect(Object.keys(ready.functions as object)).toHaveLength(1);
  });

  it('answers 200 to a genuine webhook and the consumer bundle processes it once', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const response = await running.postSigned('orders', fluentEventBody({ id: eventId }));
    const processed = await running.waitForLine(about(eventId, PROCESSED));

    // Assess
    expect(response).toEqual({ status: 200, body: { status: 'accepted', requestId: expect.any(String) } });
    expect(processed).toMatchObject({ route: 'orders', requestId: response.body.requestId });
    expect(running.count(about(eventId, PROCESSED))).toBe(1);
  });

  it.each([
    [
      'a forged webhook',
      (app: SynthesizedApp) => {
        const signed = signFluentPayload(fluentEventBody({ entityStatus: 'SHIPPED' }), app.privateKeyPem);
        return { body: fluentEventBody({ entityStatus: 'CANCELLED' }), headers: signed };
      },
      'no-matching-key',
    ],
    [
      'a genuine webhook for another Fluent account',
      (app: SynthesizedApp) => {
        const body = fluentEventBody({ accountId: 'SOMEONE_ELSE' });
        return { body, headers: signFluentPayload(body, app.privateKeyPem) };
      },
      'account-not-allowed',
    ],
  ])('answers 200 to %s at the door, and the consumer drops it unprocessed', async (_case, make, reason) => {
    // Prepare
    const { body, headers } = make(app);

    // Act
    const response = await running.post('orders', body, headers);
    const dropped = await running.waitForLine(
      (line) => line.message === FORGED && line.requestId === response.body.requestId,
    );

    // Assess
    expect(response.status).toBe(200);
    expect(dropped).toMatchObject({ reason, outcome: 'forged' });
  });

  it('fails a signed body that is not a Fluent event, and records the failure in the history through the IAM guard', async () => {
    // Prepare: genuine and for our account, but without an entityRef; only the consumer judges it (queue-first), and
    // its failure is written alone, with a conditional PutItem on the history table
    const eventId = randomUUID();
    const body = fluentEventBody({ id: eventId, entityRef: undefined });

    // Act
    const response = await running.post('orders', body, signFluentPayload(body, app.privateKeyPem));
    const failed = await running.waitForLine(about(eventId, MALFORMED));

    // Assess
    expect(response.status).toBe(200);
    expect(failed).toMatchObject({ outcome: 'failed', reason: 'malformed-event' });
    expect(failed.historyError).toBeUndefined();
    expect(running.count((line) => line.message === DENIED)).toBe(0);
  });

  it("answers a wrong path with the template's own gateway response, 404 not-found", async () => {
    // Act
    const response = await fetch(`${new URL(running.webhookBaseUrl).origin}/not-the-secret/fluent/orders`, {
      method: 'POST',
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not-found' });
  });
});
