import {
  ChangeMessageVisibilityCommand,
  GetQueueUrlCommand,
  MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { MAX_SQS_MESSAGE_BYTES } from '../../lambdas/core';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { RunningEmulators, startEmulators } from '../support/emulators';

describe('Function: startSqsEmulator (through the emulators process)', () => {
  let emulators: RunningEmulators;
  let sqs: SQSClient;

  beforeAll(async () => {
    emulators = await startEmulators({
      queues: [{ name: 'dlq' }, { name: 'main', deadLetterQueue: 'dlq', attributes: { VisibilityTimeout: '30' } }],
    });
    sqs = new SQSClient({ ...emulatorClientConfig(emulators.sqsEndpoint, emulators.region), maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs?.destroy();
    await emulators?.close();
  });

  const queueUrl = () => emulators.queues.main?.queueUrl ?? '';
  const receiveAll = async () =>
    (
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl(), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      )
    ).Messages ?? [];
  const drain = async () => {
    for (const message of await receiveAll()) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl(),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
  };

  it('listens on 127.0.0.1 and hands out queue URLs on its own endpoint', async () => {
    // Act
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'main' }));

    // Assess
    expect(emulators.sqsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(QueueUrl).toBe(`${emulators.sqsEndpoint}/000000000000/main`);
    expect(emulators.queues.main?.queueArn).toBe(`arn:aws:sqs:${emulators.region}:000000000000:main`);
  });

  it('accepts a message of exactly 1 MiB counting its attributes, as SQS does, and refuses one byte more', async () => {
    // Prepare
    const attributes: Record<string, MessageAttributeValue> = {
      Route: { DataType: 'String', StringValue: 'orders/status' },
    };
    const attributeBytes = 'Route'.length + 'String'.length + 'orders/status'.length;
    const send = (bodyBytes: number) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl(),
          MessageBody: 'x'.repeat(bodyBytes),
          MessageAttributes: attributes,
        }),
      );

    // Act
    const largest = await send(MAX_SQS_MESSAGE_BYTES - attributeBytes);
    const tooLarge = send(MAX_SQS_MESSAGE_BYTES - attributeBytes + 1);

    // Assess
    expect(largest.MessageId).toEqual(expect.any(String));
    await expect(tooLarge).rejects.toThrow(/Message must be shorter than 1048576 bytes/);
    const [received] = await receiveAll();
    expect(received?.Body?.length).toBe(MAX_SQS_MESSAGE_BYTES - attributeBytes);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl(),
        ReceiptHandle: received?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  });

  it('carries characters beyond U+FFFF unchanged and refuses the ones SQS refuses', async () => {
    // Prepare
    await drain();
    const body = '{"note":"parcel 📦 delivered 😀"}';

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: body }));
    const refused = sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: 'not XML: \uFFFF' }));

    // Assess
    await expect(refused).rejects.toThrow(/Invalid characters/);
    const bodies = (await receiveAll()).map((message) => message.Body);
    expect(bodies).toContain(body);
  });

  it('keeps queues and messages while stopped, refuses connections meanwhile, and serves them again after a restart', async () => {
    // Prepare
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: 'kept across a restart' }));

    // Act
    await emulators.stopSqs();
    const whileStopped = sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: 'lost?' }));
    // A pooled keep-alive connection is cut (socket hang up); a new one is refused.
    await expect(whileStopped).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
    await emulators.restartSqs();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'main' }));
    await drain();
    const bodies = (await receiveAll()).map((message) => message.Body);

    // Assess
    expect(QueueUrl).toBe(queueUrl());
    expect(bodies).toContain('kept across a restart');
    expect(bodies).not.toContain('lost?');
  });

  it('does not implement StartMessageMoveTask, so local redrives copy messages instead', async () => {
    // Act
    const started = sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: emulators.queues.dlq?.queueArn,
        DestinationArn: emulators.queues.main?.queueArn,
      }),
    );

    // Assess
    await expect(started).rejects.toThrow(/Unknown action: StartMessageMoveTask/);
  });
});
