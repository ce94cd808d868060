import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { redriveCommand } from '../../../tools/cli/commands/redrive';
import { emulatorClientConfig } from '../../../tools/local/local-aws-config';
import { RunningEmulators, startEmulators } from '../../support/emulators';
import { fluentEventBody } from '../../support/factories';
import { sendQueuedWebhook } from '../../support/sqs-records';

const QUEUE = 'webhooks';
const DLQ = 'webhooks-dlq';
const FIFO_QUEUE = 'ordered.fifo';
const FIFO_DLQ = 'ordered-dlq.fifo';
/** More than one receive batch (10), so the copy loop runs more than once. */
const MESSAGE_COUNT = 13;

describe('Command: redrive, against the local SQS emulator (fauxqs)', () => {
  let emulators: RunningEmulators;
  let sqs: SQSClient;
  let queueUrl: string;
  let dlqUrl: string;

  beforeAll(async () => {
    emulators = await startEmulators({
      queues: [
        { name: DLQ },
        { name: QUEUE, deadLetterQueue: DLQ },
        { name: FIFO_DLQ },
        { name: FIFO_QUEUE, deadLetterQueue: FIFO_DLQ },
      ],
    });
    sqs = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, emulators.region));
    queueUrl = emulators.queues[QUEUE]?.queueUrl as string;
    dlqUrl = emulators.queues[DLQ]?.queueUrl as string;
  });

  afterAll(async () => {
    sqs?.destroy();
    await emulators?.close();
  });

  /** Dead-lettered webhooks as the receiver queues them: raw body, signature and route attributes. */
  async function fillDeadLetterQueue(): Promise<Map<string, Message>> {
    const sent = new Map<string, Message>();
    for (let start = 0; start < MESSAGE_COUNT; start += 10) {
      const entries = Array.from({ length: Math.min(10, MESSAGE_COUNT - start) }, (_unused, offset) => {
        const id = `event-${start + offset}`;
        return {
          Id: id,
          MessageBody: `{"id":"${id}","name":"Ünïcode ✓ 🚚","accountId":"ACME"}`,
          MessageAttributes: {
            FluentSignature: { DataType: 'String', StringValue: `sig-${id}` },
            Route: { DataType: 'String', StringValue: 'orders/created' },
          },
        };
      });
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries: entries }));
      for (const entry of entries)
        sent.set(entry.Id, { Body: entry.MessageBody, MessageAttributes: entry.MessageAttributes });
    }
    return sent;
  }

  async function drain(url: string): Promise<Message[]> {
    const received: Message[] = [];
    for (let round = 0; round < MESSAGE_COUNT; round += 1) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages === undefined || Messages.length === 0) break;
      received.push(...Messages);
    }
    return received;
  }

  /** What a FIFO queue hands out now, with each message's group. */
  async function receiveWithGroups(url: string): Promise<Message[]> {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    return Messages ?? [];
  }

  async function messageCounts(url: string): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    };
  }

  async function redrive(...argv: string[]) {
    const io = bufferedIo({});
    const code = await redriveCommand.run([...argv, '--endpoint', emulators.sqsEndpoint], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  it('copy mode moves every message back with its body and attributes unchanged, and empties the DLQ', async () => {
    // Prepare
    const sent = await fillDeadLetterQueue();

    // Act
    const result = await redrive('--mode', 'copy', '--dlq-url', dlqUrl, '--destination-url', queueUrl);

    // Assess
    expect(result).toEqual({
      code: ExitCode.OK,
      stdout: `Moved ${MESSAGE_COUNT} messages from ${dlqUrl} to ${queueUrl}.\n`,
      stderr: '',
    });
    expect(await messageCounts(dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
    const redriven = await drain(queueUrl);
    expect(redriven).toHaveLength(MESSAGE_COUNT);
    for (const message of redriven) {
      const id = /"id":"([^"]+)"/.exec(message.Body ?? '')?.[1] as string;
      const original = sent.get(id);
      expect(message.Body).toBe(original?.Body);
      expect(message.MessageAttributes).toEqual({
        FluentSignature: expect.objectContaining({ DataType: 'String', StringValue: `sig-${id}` }),
        Route: expect.objectContaining({ DataType: 'String', StringValue: 'orders/created' }),
      });
    }
  });

  it('copy mode puts a FIFO message back in its group even within the 5 minutes SQS remembers its deduplication id', async () => {
    // Prepare: the event went through the FIFO queue a moment ago, and its dead-lettered copy waits in the FIFO DLQ.
    const fifoUrl = emulators.queues[FIFO_QUEUE]?.queueUrl as string;
    const fifoDlqUrl = emulators.queues[FIFO_DLQ]?.queueUrl as string;
    const fifo = {
      MessageBody: '{"id":"event-f"}',
      MessageGroupId: 'ACME/ORDER/HD_1',
      MessageDeduplicationId: 'event-f',
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: fifoUrl, ...fifo }));
    for (const message of await drain(fifoUrl)) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: fifoUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    await sqs.send(new SendMessageCommand({ QueueUrl: fifoDlqUrl, ...fifo }));

    // Act
    const result = await redrive('--mode', 'copy', '--dlq-url', fifoDlqUrl, '--destination-url', fifoUrl);

    // Assess
    expect(result.code).toBe(ExitCode.OK);
    const Messages = await receiveWithGroups(fifoUrl);
    expect(Messages.map((message) => [message.Body, message.Attributes?.MessageGroupId])).toEqual([
      ['{"id":"event-f"}', 'ACME/ORDER/HD_1'],
    ]);
  });

  it('copy mode from a standard queue into a FIFO one (switching to per-entity) gives each webhook its order’s group', async () => {
    // Prepare: a webhook as the receiver queued it before the switch, in the standard DLQ.
    const fifoUrl = emulators.queues[FIFO_QUEUE]?.queueUrl as string;
    await sendQueuedWebhook(sqs, dlqUrl, fluentEventBody({ id: 'before-switch', rootEntityRef: 'HD_7' }));

    // Act
    const result = await redrive('--mode', 'copy', '--dlq-url', dlqUrl, '--destination-url', fifoUrl);

    // Assess
    expect(result.code).toBe(ExitCode.OK);
    const Messages = await receiveWithGroups(fifoUrl);
    expect(Messages.map((message) => message.Attributes?.MessageGroupId)).toEqual(['ACME/ORDER/HD_7']);
    for (const message of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: fifoUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  });

  it('copy mode keeps every message in the DLQ when the destination cannot be written', async () => {
    // Prepare
    await fillDeadLetterQueue();
    const missing = queueUrl.replace(/webhooks$/, 'no-such-queue');

    // Act
    const result = await redrive('--mode', 'copy', '--dlq-url', dlqUrl, '--destination-url', missing);

    // Assess
    expect(result.code).toBe(ExitCode.FAILED);
    expect(result.stdout).toBe(`Moved 0 messages from ${dlqUrl} to ${missing}.\n`);
    expect(result.stderr).toMatch(
      /SendMessage on .*no-such-queue failed: the queue does not exist in region us-east-1/,
    );
    expect(result.stderr).toContain('The remaining messages are still in the DLQ, unchanged');
    // The batch this run held was handed back at once, not after its visibility timeout.
    expect(await messageCounts(dlqUrl)).toEqual({ visible: MESSAGE_COUNT, inFlight: 0 });
    expect(await drain(dlqUrl)).toHaveLength(MESSAGE_COUNT);
  });

  it.each([
    [
      'move mode',
      ['--dlq-url'],
      /StartMessageMoveTask on arn:aws:sqs:us-east-1:000000000000:webhooks-dlq failed: this SQS endpoint does not implement StartMessageMoveTask .*Use --mode copy\./,
    ],
    [
      'copy mode without a destination',
      ['--mode', 'copy', '--dlq-url'],
      /does not implement ListDeadLetterSourceQueues.*\nOr name the queue to send to with --destination-url URL\./,
    ],
  ])('%s explains what the emulator lacks and what to use instead', async (_case, flags, message) => {
    // Act
    const result = await redrive(...flags, dlqUrl);

    // Assess
    expect(result.code).toBe(ExitCode.FAILED);
    expect(result.stderr).toMatch(message);
  });
});
