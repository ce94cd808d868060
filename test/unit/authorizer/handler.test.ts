import type * as ClientSqs from '@aws-sdk/client-sqs';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { SETTING_ENV_NAMES, signFluentPayload } from '../../../lambdas/core';
import type { ReceiverHandler } from '../../../lambdas/authorizer/create-receiver-handler';
import { RuntimeEnv } from '../../../lambdas/shared/runtime-env';
import { fluentEventBody } from '../../helpers/factories';
import { testKeyPair } from '../../helpers/test-keys';
import { captureOutput } from '../../helpers/captured-output';
import { gatewayEvent } from '../../helpers/gateway-event';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks';

describe('Function: handler', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const savedEnv = { ...process.env };
  type SqsStub = AwsStub<ClientSqs.ServiceInputTypes, ClientSqs.ServiceOutputTypes, ClientSqs.SQSClientResolvedConfig>;

  /** Loads handler.ts afresh under `env`, with the SQS client of that fresh module graph mocked. */
  const loadHandler = (env: Record<string, string>): { handler: ReceiverHandler; sqs: SqsStub; sqsModule: typeof ClientSqs } => {
    process.env = { ...savedEnv, AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true', ...env };
    let loaded: { handler: ReceiverHandler; sqs: SqsStub; sqsModule: typeof ClientSqs } | undefined;
    // A fresh module graph per load: handler.ts reads its environment once, at import. `require` is how jest isolates.
    /* eslint-disable @typescript-eslint/no-require-imports */
    jest.isolateModules(() => {
      const sqsModule = require('@aws-sdk/client-sqs') as typeof ClientSqs;
      const sqs = mockClient(sqsModule.SQSClient);
      sqs.on(sqsModule.SendMessageCommand).resolves({ MessageId: 'm-1' });
      const { handler } = require('../../../lambdas/authorizer/handler') as { handler: ReceiverHandler };
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
    const result = await handler(gatewayEvent({ body, headers: signFluentPayload(body, fluent.privateKey) })).finally(output.restore);

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
});
