import { writeFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { decodeQueueMessage } from '../../../lambdas/contract/queue-message';
import { FluentSignatureVerifier } from '../../../lambdas/core';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { PLACEHOLDER_PATH_SECRET } from '../../../tools/cli/commands/event';
import { runCli } from '../../../tools/cli/run-cli';
import { useTempDir } from '../../support/temp-dir';
import { testKeyPair } from '../../support/test-keys';

describe('Command: event', () => {
  const temp = useTempDir();
  const keys = testKeyPair(1024, 'cli-event');
  const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });
  const body = Buffer.from('{"id":"e-1","name":"Ünïcødé","accountId":"ACME"}\n', 'utf8');
  const secret = 'eventCommandSecret_0123456789abcdefghij';
  let keyPath: string;
  let bodyPath: string;

  beforeAll(() => {
    keyPath = temp.path('private-key.pem');
    bodyPath = temp.path('body.json');
    writeFileSync(keyPath, keys.privateKeyPem);
    writeFileSync(bodyPath, body);
  });

  const run = async (args: string[], env: Record<string, string> = {}) => {
    const io = bufferedIo(env);
    const code = await runCli(['event', '--private-key', keyPath, ...args], io);
    return { code, io };
  };

  it('writes the REST API proxy event API Gateway builds: base64 exact bytes, both signatures, route, stage', async () => {
    // Act
    const { code, io } = await run(['--body-file', bodyPath, '--route', 'orders/status'], {
      WEBHOOK_PATH_SECRET: `${secret},anOlderSecret_0123456789abcdefghijklm`,
    });

    // Assess
    expect(code).toBe(ExitCode.OK);
    const event = JSON.parse(io.stdout()) as APIGatewayProxyEvent;
    expect(event).toMatchObject({
      httpMethod: 'POST',
      isBase64Encoded: true,
      resource: `/${secret}/fluent/{route+}`,
      path: `/${secret}/fluent/orders/status`,
      pathParameters: { route: 'orders/status' },
      requestContext: { stage: 'webhooks', httpMethod: 'POST', path: `/webhooks/${secret}/fluent/orders/status` },
    });
    expect(Buffer.from(event.body!, 'base64').equals(body)).toBe(true);
    expect(event.multiValueHeaders['fluent-signature']).toHaveLength(1);
    expect(event.multiValueHeaders['flex.signature']).toHaveLength(1);
    expect(verifier.verify(body, event.headers)).toMatchObject({ ok: true, header: 'fluent-signature' });
  });

  it('writes the SQS event of the queued message, which the codec reads back to the same webhook', async () => {
    // Act
    const { code, io } = await run(['--sample', 'order-status-change', '--format', 'sqs', '--route', 'orders']);

    // Assess
    expect(code).toBe(ExitCode.OK);
    const event = JSON.parse(io.stdout()) as SQSEvent;
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0]!;
    expect(record).toMatchObject({ eventSource: 'aws:sqs', attributes: { ApproximateReceiveCount: '1' } });
    const webhook = decodeQueueMessage(record);
    expect(webhook.route).toBe('orders');
    expect(webhook.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(verifier.verify(webhook.rawBody, webhook.signatures)).toMatchObject({ ok: true });
  });

  it('uses a placeholder path secret when WEBHOOK_PATH_SECRET is not set', async () => {
    // Act
    const { io } = await run(['--sample', 'order-status-change']);

    // Assess
    expect((JSON.parse(io.stdout()) as APIGatewayProxyEvent).resource).toBe(
      `/${PLACEHOLDER_PATH_SECRET}/fluent/{route+}`,
    );
  });

  it.each([
    [['--body-file', 'x', '--sample', 'order-status-change'], /exactly one of --body-file FILE and --sample NAME/],
    [['--sample', 'order-status-change', '--format', 'xml'], /--format xml: use apigateway or sqs/],
    [['--sample', 'order-status-change', '--route', 'a//b'], /--route a\/\/b: give one or more non-empty/],
    [['--sample', 'no-such-sample'], /no such sample; choose one of/],
  ])('refuses %j with exit 2 and a message saying what to fix', async (args, message) => {
    // Act
    const { code, io } = await run(args);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toMatch(message);
  });
});
