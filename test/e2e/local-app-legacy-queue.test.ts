import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { signFluentPayload } from '../../lambdas/core';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { SQS_DIR } from '../../tools/local/local-runner';
import { APP_DATA_SUBDIR } from '../../tools/local/app/app-runner';
import {
  generatedQueueName,
  legacyGeneratedQueueName,
  QUEUE_NAME_MAX_LENGTH,
} from '../../tools/local/app/template-resources';
import { changedCopy, SYNTH_TIMEOUT_MS, synthesizedApp, SynthesizedApp } from '../support/cdk-synth';
import { startEmulators } from '../support/emulators';
import { fluentEventBody } from '../support/factories';
import { sendQueuedWebhook } from '../support/sqs-records';
import { useTempDir } from '../support/temp-dir';
import { APP_TEST_TIMEOUT_MS, AppRunnerProcess, startAppRunnerProcess } from './app-runner-process';

jest.setTimeout(APP_TEST_TIMEOUT_MS);

describe('Program: fluent-webhook local --app on a data folder of a version that did not cut long queue names', () => {
  const temp = useTempDir('fluent-webhook-app-legacy-');
  let app: SynthesizedApp;
  let running: AppRunnerProcess | undefined;

  beforeAll(() => {
    app = synthesizedApp();
  }, 2 * SYNTH_TIMEOUT_MS);
  afterAll(() => running?.runner.stop());

  it('keeps receiving the messages queued under the long name the queue had then', async () => {
    // Prepare: the webhook queue's logical id made long enough that <stack>-<logical id> exceeds SQS's 80 characters.
    let longId = '';
    const assemblyDir = changedCopy(app, temp.path('cdk.out'), (template) => {
      const [queueId] = Object.entries(template.Resources).find(
        ([, resource]) => resource.Type === 'AWS::SQS::Queue' && resource.Properties.RedrivePolicy !== undefined,
      )!;
      longId = `${queueId}${'Long'.repeat(20)}`;
      const renamed = JSON.parse(JSON.stringify(template.Resources).replaceAll(`"${queueId}"`, `"${longId}"`));
      template.Resources = renamed as typeof template.Resources;
    });
    const legacyName = legacyGeneratedQueueName(app.stackName, longId, false);
    expect(legacyName.length).toBeGreaterThan(QUEUE_NAME_MAX_LENGTH);
    expect(generatedQueueName(app.stackName, longId, false)).not.toBe(legacyName);
    const dataDir = temp.path('data');
    const eventId = randomUUID();
    // The earlier version's queue, with a webhook in it, in the data folder the runner restores.
    const emulators = await startEmulators({
      sqsDataDir: join(dataDir, APP_DATA_SUBDIR, app.stackName, SQS_DIR),
      queues: [{ name: legacyName }],
    });
    const client = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, emulators.region));
    try {
      const rawBody = fluentEventBody({ id: eventId });
      await sendQueuedWebhook(client, emulators.queues[legacyName]!.queueUrl, rawBody, {
        headers: signFluentPayload(rawBody, app.privateKeyPem),
        route: 'orders',
      });
    } finally {
      client.destroy();
      await emulators.close();
    }

    // Act
    running = await startAppRunnerProcess(app, assemblyDir, dataDir);
    const processed = await running.waitForLine(
      (line) => line.eventId === eventId && line.message === 'webhook processed',
    );

    // Assess: processed through the template's IAM guard, which grants the queue under the name kept.
    expect(processed).toMatchObject({ component: 'consumer' });
    expect(running.count((line) => line.message === 'AWS call denied by the template policies')).toBe(0);
    expect(running.count((line) => line.queueName === legacyName)).toBe(1);
  });
});
