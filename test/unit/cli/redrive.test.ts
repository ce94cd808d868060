import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  ResourceNotFoundException,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
  CancelMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode, UsageError } from '../../../tools/cli/command';
import { redriveCommand } from '../../../tools/cli/commands/redrive';

const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:fluent-webhooks-production-dlq';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks-production-dlq';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks-production';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:fluent-webhooks-production';

const sqs = mockClient(SQSClient);

function serviceError(name: string, message = `${name} happened`): SQSServiceException {
  return new SQSServiceException({ name, $fault: 'client', $metadata: {}, message });
}

async function redrive(...argv: string[]) {
  const io = bufferedIo({});
  const code = await redriveCommand.run(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('Command: redrive', () => {
  beforeEach(() => {
    sqs.reset();
  });

  describe('move mode (message move task)', () => {
    it('refuses a DLQ that keeps messages longer than the de-duplication window, unless --force', async () => {
      // Prepare
      sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: DLQ_URL });
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { MessageRetentionPeriod: '1209600' } });
      sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-1' });

      // Act
      const refused = await redrive('--dlq-arn', DLQ_ARN, '--dedup-window-seconds', '604800');
      const forced = await redrive('--dlq-arn', DLQ_ARN, '--dedup-window-seconds', '604800', '--force');
      const fits = await redrive('--dlq-arn', DLQ_ARN);

      // Assess
      expect(refused.code).toBe(ExitCode.FAILED);
      expect(refused.stderr).toMatch(/keeps messages for 1209600 s, longer than .* \(604800 s\).*Use --mode copy/);
      expect([forced.code, fits.code]).toEqual([ExitCode.OK, ExitCode.OK]);
      expect(sqs).toHaveReceivedCommandTimes(StartMessageMoveTaskCommand, 2);
    });

    it('starts a move task from the DLQ back to its source queue', async () => {
      // Prepare
      sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-1' });

      // Act
      const result = await redrive('--dlq-arn', DLQ_ARN);

      // Assess
      expect(result.code).toBe(ExitCode.OK);
      expect(sqs).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, { SourceArn: DLQ_ARN });
      expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
        SourceArn: DLQ_ARN,
        DestinationArn: undefined,
        MaxNumberOfMessagesPerSecond: undefined,
      });
      expect(result.stdout).toBe(
        `Started moving the messages in ${DLQ_ARN} to the queue they came from (task handle handle-1).\n`,
      );
      expect(result.stderr).toContain(`fluent-webhook redrive --dlq-arn ${DLQ_ARN} --status`);
    });

    it('reads the ARN of a DLQ given by URL, and passes destination and rate', async () => {
      // Prepare
      sqs.on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL }).resolves({ Attributes: { QueueArn: DLQ_ARN } });
      sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-2' });

      // Act
      const result = await redrive('--dlq-url', DLQ_URL, '--destination-arn', QUEUE_ARN, '--max-per-second', '50');

      // Assess
      expect(result.code).toBe(ExitCode.OK);
      expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
        QueueUrl: DLQ_URL,
        AttributeNames: ['QueueArn'],
      });
      expect(sqs).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, {
        SourceArn: DLQ_ARN,
        DestinationArn: QUEUE_ARN,
        MaxNumberOfMessagesPerSecond: 50,
      });
      expect(result.stdout).toContain(`to ${QUEUE_ARN} (task handle handle-2)`);
    });

    it.each([
      [
        'access denied',
        serviceError('AccessDenied', 'User is not authorized'),
        /access denied \(User is not authorized\)\. The caller needs sqs:StartMessageMoveTask, sqs:ReceiveMessage, sqs:DeleteMessage/,
      ],
      [
        'a queue that does not exist',
        new ResourceNotFoundException({ message: 'not found', $metadata: {} }),
        /the queue does not exist in region eu-west-1\. Check the ARN or URL/,
      ],
      [
        'a queue that is no DLQ, or a running task',
        new UnsupportedOperation({ message: 'Source queue must be configured as a Dead Letter Queue.', $metadata: {} }),
        /: Source queue must be configured as a Dead Letter Queue\. The source must be the dead-letter queue of another SQS queue.*see --status/,
      ],
      [
        'a second task on the same DLQ',
        serviceError(
          'InvalidParameterValue',
          'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
        ),
        /: There is already a task running\. Only one active task is allowed for a source queue arn at a given time\. The source must be/,
      ],
      [
        'an endpoint without move tasks',
        serviceError('InvalidAction', 'Unknown action: StartMessageMoveTask'),
        /does not implement StartMessageMoveTask.*Use --mode copy/,
      ],
      [
        'missing credentials',
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
        /no AWS credentials found\. Set AWS_PROFILE/,
      ],
      ['expired credentials', serviceError('ExpiredToken'), /credentials were refused \(ExpiredToken\)/],
      ['throttling', serviceError('RequestThrottled'), /SQS throttled the request/],
      [
        'anything else',
        serviceError('InternalError', 'boom'),
        /StartMessageMoveTask on .* failed: InternalError: boom$/m,
      ],
    ])('explains %s and exits 1', async (_case, error, message) => {
      // Prepare
      sqs.on(StartMessageMoveTaskCommand).rejects(error);

      // Act
      const result = await redrive('--dlq-arn', DLQ_ARN);

      // Assess
      expect(result.code).toBe(ExitCode.FAILED);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain(`StartMessageMoveTask on ${DLQ_ARN} failed`);
    });

    it('explains an unreachable endpoint', async () => {
      // Prepare
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      sqs.on(StartMessageMoveTaskCommand).rejects(refused);

      // Act
      const result = await redrive('--dlq-arn', DLQ_ARN, '--endpoint', 'http://127.0.0.1:1');

      // Assess
      expect(result.code).toBe(ExitCode.FAILED);
      expect(result.stderr).toMatch(/cannot reach the SQS endpoint \(ECONNREFUSED\)/);
    });

    it('explains a DLQ URL whose ARN cannot be read', async () => {
      // Prepare
      sqs.on(GetQueueAttributesCommand).rejects(serviceError('QueueDoesNotExist'));

      // Act
      const result = await redrive('--dlq-url', DLQ_URL);

      // Assess
      expect(result.code).toBe(ExitCode.FAILED);
      expect(result.stderr).toMatch(/GetQueueAttributes on .*dlq failed: the queue does not exist in region eu-west-1/);
      expect(sqs).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
    });
  });

  describe('--status and --cancel', () => {
    it('lists the recent move tasks, one line each', async () => {
      // Prepare
      sqs.on(ListMessageMoveTasksCommand).resolves({
        Results: [
          {
            TaskHandle: 'handle-3',
            Status: 'RUNNING',
            ApproximateNumberOfMessagesMoved: 4,
            ApproximateNumberOfMessagesToMove: 10,
            StartedTimestamp: Date.UTC(2026, 10, 1, 12, 0, 0),
          },
          {
            Status: 'FAILED',
            ApproximateNumberOfMessagesMoved: 0,
            DestinationArn: QUEUE_ARN,
            FailureReason: 'AccessDenied',
          },
        ],
      });

      // Act
      const result = await redrive('--dlq-arn', DLQ_ARN, '--status');

      // Assess
      expect(result.code).toBe(ExitCode.OK);
      expect(sqs).toHaveReceivedCommandWith(ListMessageMoveTasksCommand, { SourceArn: DLQ_ARN, MaxResults: 10 });
      expect(result.stdout).toBe(
        [
          'RUNNING  moved 4 of 10  to the original source queues  started 2026-11-01T12:00:00.000Z  handle handle-3',
          `FAILED  moved 0  to ${QUEUE_ARN}  failed: AccessDenied`,
          '',
        ].join('\n'),
      );
    });

    it('says so when there are no tasks', async () => {
      // Prepare
      sqs.on(ListMessageMoveTasksCommand).resolves({});

      // Act
      const result = await redrive('--dlq-arn', DLQ_ARN, '--status');

      // Assess
      expect(result.stdout).toBe(`No move tasks for ${DLQ_ARN}.\n`);
    });

    it('cancels a task by its handle', async () => {
      // Prepare
      sqs.on(CancelMessageMoveTaskCommand).resolves({ ApproximateNumberOfMessagesMoved: 7 });

      // Act
      const result = await redrive('--cancel', 'handle-4', '--region', 'eu-west-1');

      // Assess
      expect(result.code).toBe(ExitCode.OK);
      expect(sqs).toHaveReceivedCommandWith(CancelMessageMoveTaskCommand, { TaskHandle: 'handle-4' });
      expect(result.stdout).toBe('Cancelled move task handle-4 after about 7 messages; those stay moved.\n');
    });
  });

  describe('copy mode (receive, send, then delete)', () => {
    const dlqMessage = (id: string) => ({
      MessageId: id,
      ReceiptHandle: `receipt-${id}`,
      Body: `{"id":"${id}"}`,
      MessageAttributes: {
        Route: { DataType: 'String', StringValue: 'orders', StringListValues: [], BinaryListValues: [] },
      },
    });

    it.each([
      ['by default', [], ['m-new'], 2],
      ['with --force', ['--force'], ['m-new', 'm-old', 'm-old-queue-first'], 0],
    ])(
      "leaves messages first received before the de-duplication window (either door's ReceivedAt) in the DLQ %s",
      async (_case, flags, sent, left) => {
        // Prepare
        const receivedAt = (daysAgo: number) => ({
          DataType: 'String',
          StringValue: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
        });
        sqs
          .on(ReceiveMessageCommand)
          .resolvesOnce({
            Messages: [
              { ...dlqMessage('m-new'), MessageAttributes: { ReceivedAt: receivedAt(2) } },
              // Copied back once already: SQS's SentTimestamp is recent, the receiver's ReceivedAt is not.
              {
                ...dlqMessage('m-old'),
                MessageAttributes: { ReceivedAt: receivedAt(16) },
                Attributes: { SentTimestamp: String(Date.now() - 3_600_000) },
              },
              // The queue-first door writes ReceivedAt as epoch milliseconds (API Gateway's requestTimeEpoch).
              {
                ...dlqMessage('m-old-queue-first'),
                MessageAttributes: {
                  ReceivedAt: { DataType: 'String', StringValue: String(Date.now() - 20 * 86_400_000) },
                },
                Attributes: { SentTimestamp: String(Date.now() - 3_600_000) },
              },
            ],
          })
          .resolves({ Messages: [] });
        sqs.on(SendMessageCommand).resolves({ MessageId: 'copy' });
        sqs.on(DeleteMessageCommand).resolves({});
        sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});

        // Act
        const result = await redrive(
          '--mode',
          'copy',
          '--dlq-url',
          DLQ_URL,
          '--destination-url',
          QUEUE_URL,
          '--max-messages',
          '5',
          ...flags,
        );

        // Assess
        expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody)).toEqual(
          sent.map((id) => `{"id":"${id}"}`),
        );
        expect(result.code).toBe(left === 0 ? ExitCode.OK : ExitCode.FAILED);
        if (left > 0) {
          expect(result.stderr).toMatch(/^Left 2 messages in the DLQ: first received more than 1296000 s ago/);
          expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
            Entries: [
              { Id: '0', ReceiptHandle: 'receipt-m-old', VisibilityTimeout: 0 },
              { Id: '1', ReceiptHandle: 'receipt-m-old-queue-first', VisibilityTimeout: 0 },
            ],
          });
        }
      },
    );

    it('deletes nothing when a send fails, and hands the unsent messages back', async () => {
      // Prepare
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [dlqMessage('m1'), dlqMessage('m2')] });
      sqs
        .on(SendMessageCommand)
        .resolvesOnce({ MessageId: 'new-1' })
        .rejects(serviceError('AccessDenied', 'not allowed'));
      sqs.on(DeleteMessageCommand).resolves({});
      sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});

      // Act
      const result = await redrive(
        '--mode',
        'copy',
        '--dlq-url',
        DLQ_URL,
        '--destination-url',
        QUEUE_URL,
        '--max-messages',
        '5',
      );

      // Assess
      expect(result.code).toBe(ExitCode.FAILED);
      expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
        QueueUrl: QUEUE_URL,
        MessageBody: '{"id":"m1"}',
        MessageAttributes: { Route: { DataType: 'String', StringValue: 'orders' } },
      });
      expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 1);
      expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: DLQ_URL, ReceiptHandle: 'receipt-m1' });
      expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
        QueueUrl: DLQ_URL,
        Entries: [{ Id: '0', ReceiptHandle: 'receipt-m2', VisibilityTimeout: 0 }],
      });
      expect(result.stdout).toBe(`Moved 1 messages from ${DLQ_URL} to ${QUEUE_URL}.\n`);
      expect(result.stderr).toMatch(
        /SendMessage on .*production failed: access denied \(not allowed\)\. The caller needs sqs:SendMessage/,
      );
      expect(result.stderr).toContain('The remaining messages are still in the DLQ, unchanged');
    });

    it('reports a message that was copied but could not be deleted', async () => {
      // Prepare
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [dlqMessage('m1')] });
      sqs.on(SendMessageCommand).resolves({ MessageId: 'new-1' });
      sqs.on(DeleteMessageCommand).rejects(serviceError('ReceiptHandleIsInvalid', 'expired'));

      // Act
      const result = await redrive(
        '--mode',
        'copy',
        '--dlq-url',
        DLQ_URL,
        '--destination-url',
        QUEUE_URL,
        '--max-messages',
        '1',
      );

      // Assess
      expect(result.code).toBe(ExitCode.FAILED);
      expect(result.stderr).toContain('Message m1 was copied to');
      expect(result.stderr).toContain('de-duplication processes its event once');
    });

    it("stops at the DLQ's message count from the start, so re-failing messages cannot cycle forever", async () => {
      // Prepare
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [dlqMessage('m1')] });
      sqs.on(SendMessageCommand).resolves({ MessageId: 'new-1' });
      sqs.on(DeleteMessageCommand).resolves({});

      // Act
      const result = await redrive('--mode', 'copy', '--dlq-url', DLQ_URL, '--destination-url', QUEUE_URL);

      // Assess
      expect(result.code).toBe(ExitCode.OK);
      expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);
      expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, {
        MaxNumberOfMessages: 1,
        MessageAttributeNames: ['All'],
      });
      expect(result.stdout).toBe(`Moved 1 messages from ${DLQ_URL} to ${QUEUE_URL}.\n`);
    });

    it.each([
      ['lists the one source queue', { queueUrls: [QUEUE_URL] }, ExitCode.OK, /^$/],
      ['lists none', { queueUrls: [] }, ExitCode.FAILED, /no queue uses it as its DLQ\. Pass --destination-url URL\./],
      [
        'lists several',
        { queueUrls: [QUEUE_URL, `${QUEUE_URL}-2`] },
        ExitCode.FAILED,
        /several queues use it as their DLQ/,
      ],
    ])('finds the destination when SQS %s', async (_case, listed, code, stderr) => {
      // Prepare
      sqs.on(ListDeadLetterSourceQueuesCommand).resolves(listed);
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });

      // Act
      const result = await redrive('--mode', 'copy', '--dlq-url', DLQ_URL);

      // Assess
      expect(result.code).toBe(code);
      expect(result.stderr).toMatch(stderr);
      if (code === ExitCode.OK) expect(result.stdout).toBe(`${DLQ_URL} is empty; nothing to redrive.\n`);
    });

    it('asks for --destination-url when the endpoint cannot list source queues', async () => {
      // Prepare
      sqs
        .on(ListDeadLetterSourceQueuesCommand)
        .rejects(serviceError('InvalidAction', 'Unknown action: ListDeadLetterSourceQueues'));

      // Act
      const result = await redrive('--mode', 'copy', '--dlq-url', DLQ_URL);

      // Assess
      expect(result.code).toBe(ExitCode.FAILED);
      expect(result.stderr).toMatch(
        /does not implement ListDeadLetterSourceQueues.*\nOr name the queue to send to with --destination-url URL\./,
      );
    });

    it('resolves queue URLs from ARNs', async () => {
      // Prepare
      sqs.on(GetQueueUrlCommand, { QueueName: 'fluent-webhooks-production-dlq' }).resolves({ QueueUrl: DLQ_URL });
      sqs.on(GetQueueUrlCommand, { QueueName: 'fluent-webhooks-production' }).resolves({ QueueUrl: QUEUE_URL });
      sqs.on(ReceiveMessageCommand).resolves({});

      // Act
      const result = await redrive(
        '--mode',
        'copy',
        '--dlq-arn',
        DLQ_ARN,
        '--destination-arn',
        QUEUE_ARN,
        '--max-messages',
        '10',
      );

      // Assess
      expect(result.code).toBe(ExitCode.OK);
      expect(sqs).toHaveReceivedCommandWith(GetQueueUrlCommand, {
        QueueName: 'fluent-webhooks-production-dlq',
        QueueOwnerAWSAccountId: '123456789012',
      });
      expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: DLQ_URL, WaitTimeSeconds: 2 });
      expect(result.stdout).toBe(`Moved 0 messages from ${DLQ_URL} to ${QUEUE_URL}.\n`);
    });
  });

  describe('usage errors', () => {
    const shorten = (argv: readonly string[]) =>
      argv
        .join(' ')
        .replaceAll(DLQ_ARN, '<dlq-arn>')
        .replaceAll(DLQ_URL, '<dlq-url>')
        .replaceAll(QUEUE_ARN, '<arn>')
        .replaceAll(QUEUE_URL, '<url>');
    it.each(
      (
        [
          [[], /Name the dead-letter queue with --dlq-arn ARN or --dlq-url URL/],
          [['--dlq-arn', DLQ_ARN, '--dlq-url', DLQ_URL], /Pass --dlq-arn or --dlq-url, not both/],
          [
            ['--dlq-arn', 'fluent-webhooks-dlq'],
            /--dlq-arn fluent-webhooks-dlq: not an SQS queue ARN; expected arn:aws:sqs:<region>/,
          ],
          [['--dlq-url', 'not a url'], /--dlq-url not a url: not a URL/],
          [['--dlq-url', 'ftp://example.com/q'], /use an http or https URL/],
          [['--dlq-arn', DLQ_ARN, '--max-per-second', '0'], /--max-per-second 0: use a whole number from 1 to 500/],
          [['--dlq-arn', DLQ_ARN, '--max-per-second', '501'], /from 1 to 500/],
          [['--dlq-arn', DLQ_ARN, '--max-per-second', '2.5'], /from 1 to 500/],
          [['--dlq-arn', DLQ_ARN, '--mode', 'teleport'], /--mode teleport: use move or copy/],
          [
            ['--dlq-arn', DLQ_ARN, '--mode', 'copy', '--max-per-second', '5'],
            /--max-per-second cannot be used with --mode copy/,
          ],
          [['--dlq-arn', DLQ_ARN, '--destination-url', QUEUE_URL], /--destination-url cannot be used with --mode move/],
          [
            ['--dlq-arn', DLQ_ARN, '--status', '--destination-arn', QUEUE_ARN],
            /--destination-arn cannot be used with --status/,
          ],
          [['--cancel', 'h', '--dlq-arn', DLQ_ARN], /--dlq-arn cannot be used with --cancel/],
          [
            ['--dlq-arn', DLQ_ARN, '--mode', 'copy', '--destination-arn', QUEUE_ARN, '--destination-url', QUEUE_URL],
            /not both/,
          ],
          [
            ['--dlq-arn', DLQ_ARN, '--mode', 'copy', '--max-messages', '0'],
            /--max-messages 0: use a whole number of at least 1/,
          ],
          [['--dlq-arn', DLQ_ARN, '--bogus'], /Unknown option '--bogus'/],
        ] as Array<[string[], RegExp]>
      ).map(([argv, message]) => [shorten(argv), argv, message] as const),
    )('refuses "%s"', async (_title, argv, message) => {
      // Act
      const run = redrive(...argv);

      // Assess
      await expect(run).rejects.toThrow(UsageError);
      await expect(run).rejects.toThrow(message);
      expect(sqs.calls()).toHaveLength(0);
    });
  });
});
