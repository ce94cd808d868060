import type * as ClientSqs from '@aws-sdk/client-sqs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { SETTING_ENV_NAMES, signFluentPayload } from '../../../lambdas/core';
import type { ReceiverHandler } from '../../../lambdas/receiver/create-receiver-handler';
import { RuntimeEnv } from '../../../lambdas/contract/environment';
import { fluentEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';
import { captureOutput } from '../../support/captured-output';
import { gatewayEvent } from '../../support/gateway-event';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks';

describe('Function: handler', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const savedEnv = { ...process.env };
  type SqsStub = AwsStub<ClientSqs.ServiceInputTypes, ClientSqs.ServiceOutputTypes, ClientSqs.SQSClientResolvedConfig>;

  /** Loads handler.ts afresh under `env`, with the SQS client of that fresh module graph mocked. */
  const loadHandler = (
    env: Record<string, string>,
  ): { handler: ReceiverHandler; sqs: SqsStub; sqsModule: typeof ClientSqs } => {
    process.env = { ...savedEnv, AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true', ...env };
    let loaded: { handler: ReceiverHandler; sqs: SqsStub; sqsModule: typeof ClientSqs } | undefined;
    // A fresh module graph per load: handler.ts reads its environment once, at import. `require` is how jest isolates.
    /* eslint-disable @typescript-eslint/no-require-imports */
    jest.isolateModules(() => {
      const sqsModule = require('@aws-sdk/client-sqs') as typeof ClientSqs;
      const sqs = mockClient(sqsModule.SQSClient);
      sqs.on(sqsModule.SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { handler } = require('../../../lambdas/receiver/handler') as { handler: ReceiverHandler };
      loaded = { handler, sqs, sqsModule };
    });
    /* eslint-enable @typescript-eslint/no-require-imports */
    return loaded as { handler: ReceiverHandler; sqs: SqsStub; sqsModule: typeof ClientSqs };
  };

  afterEach(() => {
    process.env = { ...savedEnv };
  });

  it('reads the keys, allow-list and queue URL the stack sets, and queues a signed webhook', async () => {
    // Prepare
    const { handler, sqs, sqsModule } = loadHandler({
      [SETTING_ENV_NAMES.publicKeys]: fluent.publicKeyBase64,
      [SETTING_ENV_NAMES.accountIds]: 'ACME',
      [RuntimeEnv.QUEUE_URL]: QUEUE_URL,
    });
    const body = fluentEventBody();
    const output = captureOutput();

    // Act
    const result = await handler(gatewayEvent({ body, headers: signFluentPayload(body, fluent.privateKey) })).finally(
      output.restore,
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sqs.commandCalls(sqsModule.SendMessageCommand)[0].args[0].input.QueueUrl).toBe(QUEUE_URL);
    sqs.restore();
  });

  it.each([
    ['the queue URL', { [SETTING_ENV_NAMES.accountIds]: 'ACME' }, /QUEUE_URL/],
    ['the account allow-list', { [RuntimeEnv.QUEUE_URL]: QUEUE_URL }, /FLUENT_ACCOUNT_IDS/],
  ])('fails the cold start with a message naming the setting when %s is missing', (_case, env, message) => {
    // Act & Assess
    expect(() => loadHandler({ [SETTING_ENV_NAMES.publicKeys]: fluent.publicKeyBase64, ...env })).toThrow(message);
  });

  it('answers 503 (so Fluent retries) when SQS accepts connections but never answers, after a bounded number of attempts', async () => {
    // Prepare: an SQS endpoint on 127.0.0.1 that reads each request and never responds.
    const stalled: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    let requests = 0;
    stalled.on('request', () => (requests += 1));
    const endpoint = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
    process.env = {
      ...savedEnv,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SQS: endpoint,
      [SETTING_ENV_NAMES.publicKeys]: fluent.publicKeyBase64,
      [SETTING_ENV_NAMES.accountIds]: 'ACME',
      [RuntimeEnv.QUEUE_URL]: `${endpoint}/000000000000/fluent-webhooks`,
    };
    let handler: ReceiverHandler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../../lambdas/receiver/handler') as { handler: ReceiverHandler }).handler;
    });
    const body = fluentEventBody();
    const output = captureOutput();

    // Act: without the client's request timeout this call would never return, and the test would time out.
    const result = await (handler as ReceiverHandler)(
      gatewayEvent({ body, headers: signFluentPayload(body, fluent.privateKey) }),
    ).finally(output.restore);
    stalled.closeAllConnections();
    await new Promise((resolve) => stalled.close(resolve));

    // Assess
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'queue-unavailable' });
    expect(requests).toBe(3);
  }, 20_000);
});
