import { GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, Message, SQSClient } from '@aws-sdk/client-sqs';
import { QueuedWebhookAttribute, receivedAtMillis } from '../../../lambdas/contract/queue-message';
import { readDedupWindow } from '../dedup-window';
import type { CliIo } from '../cli-io';
import { ExitCode, ExitCodeValue, UsageError } from '../command';
import { parseOptions } from '../parse-options';
import { COPY_PERMISSIONS, copyMessages } from '../redrive/copy-messages';
import { explainSqsError } from '../redrive/explain-sqs-error';
import {
  cancelMoveTask,
  formatMoveTask,
  listMoveTasks,
  MAX_MOVE_MESSAGES_PER_SECOND,
  MOVE_TASK_PERMISSIONS,
  startMoveTask,
} from '../redrive/move-task';
import { parseHttpUrl, parseQueueArn, QueueArn, queueArnOf, queueUrlOf } from '../redrive/queue-address';
import { createSqsClient, regionOfQueueUrl } from '../redrive/sqs-client';

/** Real SQS may answer a short poll from a subset of its servers; a long poll asks them all. */
const COPY_WAIT_SECONDS = 2;

const OPTIONS = {
  'dlq-arn': { type: 'string' },
  'dlq-url': { type: 'string' },
  'destination-arn': { type: 'string' },
  'destination-url': { type: 'string' },
  'max-per-second': { type: 'string' },
  'max-messages': { type: 'string' },
  status: { type: 'boolean', default: false },
  cancel: { type: 'string' },
  mode: { type: 'string', default: 'move' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'dedup-window-seconds': { type: 'string' },
  force: { type: 'boolean', default: false },
} as const;

/** `fluent-webhook redrive`, loaded by the command only when it runs: the SQS client is an optional dependency. */
export async function runRedrive(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const request = readRequest(parseOptions(argv, OPTIONS), io.env);
  const sqs = createSqsClient({ region: request.region, endpoint: request.endpoint, env: io.env });
  const region = request.region ?? (await sqs.config.region().catch(() => 'the configured region'));
  try {
    return await perform(request, { sqs, io, region });
  } catch (error) {
    if (!(error instanceof RedriveFailure)) throw error;
    io.err(error.message);
    return ExitCode.FAILED;
  } finally {
    sqs.destroy();
  }
}

type ParsedOptions = ReturnType<typeof parseOptions<typeof OPTIONS>>;

interface DlqAddress {
  readonly arn?: QueueArn;
  readonly url?: string;
}

type RedriveRequest = AddressedRequest & {
  /** The consumer's de-duplication window, in seconds. */
  readonly windowSeconds: number;
  /** Redrive messages older than the window anyway. */
  readonly force: boolean;
};

type AddressedRequest = { readonly region?: string; readonly endpoint?: URL } & (
  | { readonly kind: 'cancel'; readonly taskHandle: string }
  | { readonly kind: 'status'; readonly dlq: DlqAddress }
  | {
      readonly kind: 'move';
      readonly dlq: DlqAddress;
      readonly destinationArn?: string;
      readonly maxPerSecond?: number;
    }
  | {
      readonly kind: 'copy';
      readonly dlq: DlqAddress;
      readonly destinationArn?: QueueArn;
      readonly destinationUrl?: string;
      readonly maxMessages?: number;
    }
);

interface RedriveContext {
  readonly sqs: SQSClient;
  readonly io: CliIo;
  readonly region: string;
}

/** An SQS step failed; the message says what went wrong and what to do. Exit code 1. */
class RedriveFailure extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RedriveFailure';
  }
}

function readRequest(options: ParsedOptions, env: CliIo['env']): RedriveRequest {
  const common = {
    windowSeconds: readDedupWindow(options['dedup-window-seconds'], env),
    force: options.force === true,
  };
  return { ...readAddressedRequest(options), ...common };
}

function readAddressedRequest(options: ParsedOptions): AddressedRequest {
  const endpoint = options.endpoint === undefined ? undefined : parseHttpUrl(options.endpoint, 'endpoint');
  const mode = options.mode;
  if (mode !== 'move' && mode !== 'copy') throw new UsageError(`--mode ${mode}: use move or copy.`);

  if (options.cancel !== undefined) {
    rejectWith('cancel', options, [
      'dlq-arn',
      'dlq-url',
      'destination-arn',
      'destination-url',
      'max-per-second',
      'max-messages',
      'status',
    ]);
    return { kind: 'cancel', taskHandle: options.cancel, region: options.region, endpoint };
  }
  const dlq = readDlq(options);
  const region =
    options.region ?? dlq.arn?.region ?? (dlq.url === undefined ? undefined : regionOfQueueUrl(new URL(dlq.url)));
  if (options.status === true) {
    rejectWith('status', options, ['destination-arn', 'destination-url', 'max-per-second', 'max-messages']);
    return { kind: 'status', dlq, region, endpoint };
  }
  const destinationArn =
    options['destination-arn'] === undefined ? undefined : parseQueueArn(options['destination-arn'], 'destination-arn');
  if (mode === 'move') {
    rejectWith('mode move', options, ['destination-url', 'max-messages']);
    const maxPerSecond = readPositiveInteger(options['max-per-second'], 'max-per-second', MAX_MOVE_MESSAGES_PER_SECOND);
    return { kind: 'move', dlq, destinationArn: destinationArn?.arn, maxPerSecond, region, endpoint };
  }
  rejectWith('mode copy', options, ['max-per-second']);
  if (destinationArn !== undefined && options['destination-url'] !== undefined) {
    throw new UsageError('Pass --destination-arn or --destination-url, not both.');
  }
  const destinationUrl =
    options['destination-url'] === undefined
      ? undefined
      : parseHttpUrl(options['destination-url'], 'destination-url').toString();
  const maxMessages = readPositiveInteger(options['max-messages'], 'max-messages', Number.MAX_SAFE_INTEGER);
  return { kind: 'copy', dlq, destinationArn, destinationUrl, maxMessages, region, endpoint };
}

function readDlq(options: ParsedOptions): DlqAddress {
  const arn = options['dlq-arn'];
  const url = options['dlq-url'];
  if (arn !== undefined && url !== undefined) throw new UsageError('Pass --dlq-arn or --dlq-url, not both.');
  if (arn !== undefined) return { arn: parseQueueArn(arn, 'dlq-arn') };
  if (url !== undefined) return { url: parseHttpUrl(url, 'dlq-url').toString() };
  throw new UsageError('Name the dead-letter queue with --dlq-arn ARN or --dlq-url URL (both are stack outputs).');
}

function rejectWith(what: string, options: ParsedOptions, flags: ReadonlyArray<keyof ParsedOptions>): void {
  const given = flags.filter((flag) => options[flag] !== undefined && options[flag] !== false);
  if (given.length > 0) throw new UsageError(`--${given.map(String).join(', --')} cannot be used with --${what}.`);
}

function readPositiveInteger(value: string | undefined, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'a whole number of at least 1' : `a whole number from 1 to ${max}`;
    throw new UsageError(`--${flag} ${value}: use ${range}.`);
  }
  return number;
}

async function perform(request: RedriveRequest, context: RedriveContext): Promise<ExitCodeValue> {
  const { io } = context;
  switch (request.kind) {
    case 'cancel': {
      const moved = await step(
        context,
        'CancelMessageMoveTask',
        request.taskHandle,
        MOVE_TASK_PERMISSIONS.cancel,
        (sqs) => cancelMoveTask(sqs, request.taskHandle),
      );
      io.out(`Cancelled move task ${request.taskHandle} after about ${moved} messages; those stay moved.`);
      return ExitCode.OK;
    }
    case 'status': {
      const dlqArn = await resolveDlqArn(context, request.dlq);
      const tasks = await step(context, 'ListMessageMoveTasks', dlqArn, MOVE_TASK_PERMISSIONS.list, (sqs) =>
        listMoveTasks(sqs, dlqArn),
      );
      if (tasks.length === 0) io.out(`No move tasks for ${dlqArn}.`);
      for (const task of tasks) io.out(formatMoveTask(task));
      return ExitCode.OK;
    }
    case 'move': {
      const dlqArn = await resolveDlqArn(context, request.dlq);
      if (!request.force) await refuseRetentionPastWindow(context, request, dlqArn);
      const handle = await step(context, 'StartMessageMoveTask', dlqArn, MOVE_TASK_PERMISSIONS.start, (sqs) =>
        startMoveTask(sqs, { dlqArn, destinationArn: request.destinationArn, maxPerSecond: request.maxPerSecond }),
      );
      io.out(
        `Started moving the messages in ${dlqArn} to ${request.destinationArn ?? 'the queue they came from'} (task handle ${handle}).`,
      );
      io.err(`Follow it with: fluent-webhook redrive --dlq-arn ${dlqArn} --status${connectionFlags(request)}`);
      return ExitCode.OK;
    }
    case 'copy':
      return copyBack(request, context);
  }
}

async function copyBack(
  request: Extract<RedriveRequest, { kind: 'copy' }>,
  context: RedriveContext,
): Promise<ExitCodeValue> {
  const { io } = context;
  const dlqUrl = await resolveDlqUrl(context, request.dlq);
  const toUrl = await resolveCopyDestination(context, request, dlqUrl);
  const maxMessages = request.maxMessages ?? (await visibleMessageCount(context, dlqUrl));
  if (maxMessages === 0) {
    io.out(`${dlqUrl} is empty; nothing to redrive.`);
    return ExitCode.OK;
  }
  const waitTimeSeconds = request.endpoint === undefined ? COPY_WAIT_SECONDS : 0;
  const now = Date.now();
  const result = await copyMessages(context.sqs, {
    fromUrl: dlqUrl,
    toUrl,
    maxMessages,
    waitTimeSeconds,
    ...(request.force ? {} : { leave: (message) => ageSeconds(message, now) > request.windowSeconds }),
  });
  io.out(`Moved ${result.moved} messages from ${dlqUrl} to ${toUrl}.`);
  if (result.left > 0) {
    io.err(
      `Left ${result.left} messages in the DLQ: first received more than ${request.windowSeconds} s ago, past the consumer's de-duplication window, so their events may have been processed already and would run again. Check them, then pass --force to redrive them anyway.`,
    );
  }
  if (result.failure === undefined) return result.left > 0 ? ExitCode.FAILED : ExitCode.OK;

  const { step: failedStep, messageId, error } = result.failure;
  const queue = failedStep === 'send' ? toUrl : dlqUrl;
  const action = { receive: 'ReceiveMessage', send: 'SendMessage', delete: 'DeleteMessage' }[failedStep];
  io.err(explainSqsError(error, { action, queue, permissions: COPY_PERMISSIONS[failedStep], region: context.region }));
  if (failedStep === 'delete') {
    io.err(
      `Message ${messageId} was copied to ${toUrl} but is still in the DLQ too; the consumer's de-duplication processes its event once.`,
    );
  } else {
    io.err('The remaining messages are still in the DLQ, unchanged; fix the problem and run the command again.');
  }
  return ExitCode.FAILED;
}

/**
 * How long ago the webhook was first received: its `ReceivedAt` attribute (either door's form), which every copy keeps, or
 * SQS's SentTimestamp (SQS keeps the first enqueue time when it dead-letters a message), whichever is earlier.
 */
function ageSeconds(message: Message, now: number): number {
  // Read through the codec: the receiver writes ISO 8601, the queue-first template epoch milliseconds.
  const receivedAt = receivedAtMillis(message.MessageAttributes?.[QueuedWebhookAttribute.RECEIVED_AT]?.StringValue);
  const sentAt = Number(message.Attributes?.SentTimestamp);
  const first = Math.min(...[receivedAt, sentAt].filter((time) => Number.isFinite(time)), now);
  return (now - first) / 1000;
}

/**
 * A move task moves every message; it cannot leave the old ones. Refuse when the DLQ can hold messages past the
 * window. When its retention cannot be read, say so and go on: the caller may lack sqs:GetQueueAttributes.
 */
async function refuseRetentionPastWindow(
  context: RedriveContext,
  request: RedriveRequest,
  dlqArn: string,
): Promise<void> {
  let retention: number;
  try {
    const dlqUrl = await resolveDlqUrl(context, request.kind === 'move' ? request.dlq : {});
    const { Attributes } = await context.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['MessageRetentionPeriod'] }),
    );
    retention = Number(Attributes?.MessageRetentionPeriod);
  } catch {
    retention = Number.NaN;
  }
  if (!Number.isFinite(retention)) {
    context.io.err(
      `Could not read the retention of ${dlqArn}; make sure it keeps messages no longer than the consumer's de-duplication window (${request.windowSeconds} s), or use --mode copy, which leaves older messages in the DLQ.`,
    );
    return;
  }
  if (retention <= request.windowSeconds) return;
  throw new RedriveFailure(
    `${dlqArn} keeps messages for ${retention} s, longer than the consumer's de-duplication window (${request.windowSeconds} s): a move task moves every message and cannot leave the ones older than the window, whose events may have been processed already and would run again. Use --mode copy, which leaves them in the DLQ, or pass --force.`,
  );
}

async function resolveDlqArn(context: RedriveContext, dlq: DlqAddress): Promise<string> {
  if (dlq.arn !== undefined) return dlq.arn.arn;
  const url = dlq.url as string;
  return step(context, 'GetQueueAttributes', url, ['sqs:GetQueueAttributes'], (sqs) => queueArnOf(sqs, url));
}

async function resolveDlqUrl(context: RedriveContext, dlq: DlqAddress): Promise<string> {
  if (dlq.url !== undefined) return dlq.url;
  const arn = dlq.arn as QueueArn;
  return step(context, 'GetQueueUrl', arn.arn, ['sqs:GetQueueUrl'], (sqs) => queueUrlOf(sqs, arn));
}

async function resolveCopyDestination(
  context: RedriveContext,
  request: Extract<RedriveRequest, { kind: 'copy' }>,
  dlqUrl: string,
): Promise<string> {
  if (request.destinationUrl !== undefined) return request.destinationUrl;
  const { destinationArn } = request;
  if (destinationArn !== undefined) {
    return step(context, 'GetQueueUrl', destinationArn.arn, ['sqs:GetQueueUrl'], (sqs) =>
      queueUrlOf(sqs, destinationArn),
    );
  }
  const sources = await step(
    context,
    'ListDeadLetterSourceQueues',
    dlqUrl,
    ['sqs:ListDeadLetterSourceQueues'],
    async (sqs) => {
      const { queueUrls } = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
      return queueUrls ?? [];
    },
  ).catch((error: unknown) => {
    throw new RedriveFailure(`${(error as Error).message}\nOr name the queue to send to with --destination-url URL.`, {
      cause: error,
    });
  });
  if (sources.length === 1) return sources[0] as string;
  const found =
    sources.length === 0 ? 'no queue uses it as its DLQ' : `several queues use it as their DLQ (${sources.join(', ')})`;
  throw new RedriveFailure(
    `Cannot tell where to copy the messages in ${dlqUrl}: ${found}. Pass --destination-url URL.`,
  );
}

async function visibleMessageCount(context: RedriveContext, dlqUrl: string): Promise<number> {
  return step(context, 'GetQueueAttributes', dlqUrl, ['sqs:GetQueueAttributes'], async (sqs) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  });
}

/** Runs one SQS step; turns its error into a {@link RedriveFailure} that explains it. */
async function step<T>(
  context: RedriveContext,
  action: string,
  queue: string,
  permissions: readonly string[],
  call: (sqs: SQSClient) => Promise<T>,
): Promise<T> {
  try {
    return await call(context.sqs);
  } catch (error) {
    throw new RedriveFailure(explainSqsError(error, { action, queue, permissions, region: context.region }), {
      cause: error,
    });
  }
}

/** The flags a follow-up command needs to reach the same SQS. */
function connectionFlags(request: RedriveRequest): string {
  const region = request.region === undefined ? '' : ` --region ${request.region}`;
  const endpoint = request.endpoint === undefined ? '' : ` --endpoint ${request.endpoint.toString()}`;
  return `${region}${endpoint}`;
}
