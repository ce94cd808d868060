import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { RunningEmulators, startEmulators } from '../support/emulators';

/**
 * What per-entity ordering relies on from the SQS emulator (fauxqs) that `ORDERING=per-entity npm start` runs, as
 * SQS documents it for FIFO queues: a message group hands out nothing while one of its messages is in flight, a
 * message that comes back comes back first, and a repeated deduplication id is accepted but not queued again.
 */
describe('Function: startSqsEmulator with a FIFO queue (through the emulators process)', () => {
  let emulators: RunningEmulators;
  let sqs: SQSClient;
  let sequence = 0;

  beforeAll(async () => {
    emulators = await startEmulators({ queues: [{ name: 'ordered.fifo', attributes: { VisibilityTimeout: '30' } }] });
    sqs = new SQSClient({ ...emulatorClientConfig(emulators.sqsEndpoint, emulators.region), maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs?.destroy();
    await emulators?.close();
  });

  const queueUrl = () => emulators.queues['ordered.fifo']?.queueUrl ?? '';
  const send = async (group: string, body: string, deduplicationId = `d-${(sequence += 1)}`) =>
    (
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl(),
          MessageBody: body,
          MessageGroupId: group,
          MessageDeduplicationId: deduplicationId,
        }),
      )
    ).MessageId;
  const receive = async (): Promise<Message[]> =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl(),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      )
    ).Messages ?? [];
  const remove = (message: Message) =>
    sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl(), ReceiptHandle: message.ReceiptHandle }));
  const handBack = (message: Message) =>
    sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl(),
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  const bodies = (messages: readonly Message[]) => messages.map((message) => message.Body);

  it('hands out no more of a group while one of its messages is in flight, and the other groups meanwhile', async () => {
    // Prepare
    for (const body of ['a1', 'a2', 'a3']) await send('A', body);
    await send('B', 'b1');

    // Act / Assess: one receive holds a1 and b1; a2 waits until a1 is deleted, a3 until a2 is.
    const first = await receive();
    expect(bodies(first).sort()).toEqual(['a1', 'b1']);
    expect(first.map((message) => message.Attributes?.MessageGroupId).sort()).toEqual(['A', 'B']);
    expect(await receive()).toEqual([]);
    for (const message of first) await remove(message);
    const second = await receive();
    expect(bodies(second)).toEqual(['a2']);
    expect(await receive()).toEqual([]);
    await remove(second[0] as Message);
    const third = await receive();
    expect(bodies(third)).toEqual(['a3']);
    await remove(third[0] as Message);
  });

  it('gives a message that comes back (a failed one) again before the later ones of its group', async () => {
    // Prepare
    await send('C', 'c1');
    await send('C', 'c2');
    const [c1] = await receive();

    // Act
    await handBack(c1 as Message);
    const again = await receive();

    // Assess
    expect(bodies(again)).toEqual(['c1']);
    await remove(again[0] as Message);
    const next = await receive();
    expect(bodies(next)).toEqual(['c2']);
    await remove(next[0] as Message);
  });

  it('accepts a repeated deduplication id with the first message’s id and queues it once', async () => {
    // Act
    const first = await send('D', 'd1', 'event-1');
    const repeat = await send('D', 'd1 again', 'event-1');
    const received = await receive();

    // Assess
    expect(repeat).toBe(first);
    expect(bodies(received)).toEqual(['d1']);
    await remove(received[0] as Message);
    expect(await receive()).toEqual([]);
  });
});
