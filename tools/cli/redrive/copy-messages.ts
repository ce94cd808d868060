import {
  DeleteMessageCommand,
  Message,
  MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { messageGroupId } from '../../../lambdas/core/ordering-keys';
import { parseJsonObject } from '../../../lambdas/core/parse-json';
import { readFluentEvent } from '../../../lambdas/core/fluent-event-rules';
import { decodeQueueMessage } from '../../../lambdas/contract/queue-message';
import { FIFO_QUEUE_SUFFIX } from '../../../lambdas/contract/ordering';
import { toRecordAttributes } from '../../local/sqs-event-records';
import { SQS_MAX_MESSAGES_PER_CALL } from '../../../lambdas/contract/deployment';
import { changeVisibilityInBatches } from '../../local/sqs-message-batches';

/** IAM actions copy mode needs, named in access-denied messages. */
export const COPY_PERMISSIONS = {
  receive: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
  send: ['sqs:SendMessage'],
  delete: ['sqs:DeleteMessage'],
} as const;

/** Long enough that a message being copied is not handed to anyone else meanwhile. */
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 60;

export interface CopyMessagesInput {
  readonly fromUrl: string;
  readonly toUrl: string;
  /**
   * Stop after this many. Bounds the run: a message that fails again returns to the DLQ as a new
   * message, and an unbounded loop would keep cycling it.
   */
  readonly maxMessages: number;
  /** Long-poll time per receive; 0 for emulators, which answer every receive from one store. */
  readonly waitTimeSeconds: number;
  /** @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** Messages to leave in the DLQ instead of copying (for example: older than the de-duplication window). */
  readonly leave?: (message: Message) => boolean;
}

export type CopyStep = keyof typeof COPY_PERMISSIONS;

/** Why a copy run stopped early. */
export interface CopyFailure {
  readonly step: CopyStep;
  /** The DLQ message being handled; absent when receiving failed. */
  readonly messageId?: string;
  readonly error: unknown;
}

export interface CopyMessagesResult {
  /** Messages sent to the destination and then deleted from the DLQ. */
  readonly moved: number;
  /** Messages `leave` picked: still in the DLQ, unchanged. */
  readonly left: number;
  /**
   * Set when the run stopped on an error. With step `delete` that message was sent but is still in the
   * DLQ as well: a later redrive delivers it again, and the consumer's de-duplication absorbs it.
   */
  readonly failure?: CopyFailure;
}

/**
 * Moves messages from one queue to another by receiving, sending a copy (body and message attributes
 * unchanged) and only then deleting the original, so that no message is ever lost: a failure at any
 * step leaves the original in the DLQ. For SQS endpoints without message move tasks (local emulators).
 */
export async function copyMessages(sqs: SQSClient, input: CopyMessagesInput): Promise<CopyMessagesResult> {
  let moved = 0;
  // Left messages stay hidden until the run ends, so it never receives them twice; then they are handed back.
  const left: Message[] = [];
  const result = async (failure?: CopyFailure): Promise<CopyMessagesResult> => {
    await releaseQuietly(sqs, input.fromUrl, left);
    return failure === undefined ? { moved, left: left.length } : { moved, left: left.length, failure };
  };
  while (moved + left.length < input.maxMessages) {
    let messages: Message[];
    try {
      messages = await receiveBatch(
        sqs,
        input,
        Math.min(SQS_MAX_MESSAGES_PER_CALL, input.maxMessages - moved - left.length),
      );
    } catch (error) {
      return result({ step: 'receive', error });
    }
    if (messages.length === 0) return result();

    for (const [index, message] of messages.entries()) {
      if (input.leave?.(message) === true) {
        left.push(message);
        continue;
      }
      const failure = await moveOne(sqs, input, message);
      if (failure !== undefined) {
        // Hand back what this run holds but will not copy, so it need not wait out the visibility timeout.
        await releaseQuietly(sqs, input.fromUrl, messages.slice(failure.step === 'send' ? index : index + 1));
        return result(failure);
      }
      moved += 1;
    }
  }
  return result();
}

async function receiveBatch(sqs: SQSClient, input: CopyMessagesInput, count: number): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: input.fromUrl,
      MaxNumberOfMessages: count,
      WaitTimeSeconds: input.waitTimeSeconds,
      VisibilityTimeout: input.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId', 'SentTimestamp'],
    }),
  );
  return Messages ?? [];
}

async function moveOne(sqs: SQSClient, input: CopyMessagesInput, message: Message): Promise<CopyFailure | undefined> {
  const messageId = message.MessageId ?? 'unknown';
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: input.toUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: copyAttributes(message.MessageAttributes),
        ...fifoIds(message, input.toUrl),
      }),
    );
  } catch (error) {
    return { step: 'send', messageId, error };
  }
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: input.fromUrl, ReceiptHandle: message.ReceiptHandle }));
  } catch (error) {
    return { step: 'delete', messageId, error };
  }
  return undefined;
}

/** A queue that ends in the group a webhook takes when it cannot be read (it fails in the consumer anyway). */
export const UNREADABLE_GROUP_ID = 'unreadable-webhook';

/**
 * The FIFO ids of a copy into a FIFO queue; none into a standard one. The group: the message's own, or, from a
 * standard queue (switching to per-entity ordering), the one the receiver would have given it. The deduplication
 * id: not the original's, which SQS remembers for 5 minutes on the queue the message came from and would take the
 * copy for a repeat of and drop (a message can reach the DLQ and be redriven well within 5 minutes), but one of
 * the DLQ message's own: a rerun of a copy whose delete failed is then still dropped as the repeat it is, and a
 * copy that gets through twice is caught by the consumer's idempotency.
 */
function fifoIds(message: Message, toUrl: string): { MessageGroupId?: string; MessageDeduplicationId?: string } {
  if (!toUrl.endsWith(FIFO_QUEUE_SUFFIX)) return {};
  return {
    MessageGroupId: message.Attributes?.MessageGroupId ?? groupFromBody(message),
    MessageDeduplicationId: `redrive-${message.MessageId ?? ''}`,
  };
}

function groupFromBody(message: Message): string {
  const queued = decodeQueueMessage({
    body: message.Body,
    messageAttributes: toRecordAttributes(message.MessageAttributes),
  });
  const json = parseJsonObject(queued.rawBody);
  if (!json.ok) return UNREADABLE_GROUP_ID;
  const reading = readFluentEvent(json.object, json.text);
  return reading.ok ? messageGroupId(reading.event) : UNREADABLE_GROUP_ID;
}

/** Received attributes carry empty list fields that SendMessage rejects; keep the type and the one value. */
function copyAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const copied: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    copied[name] =
      value.BinaryValue === undefined
        ? { DataType: value.DataType, StringValue: value.StringValue }
        : { DataType: value.DataType, BinaryValue: value.BinaryValue };
  }
  return copied;
}

async function releaseQuietly(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  // Best effort: unreleased messages become visible again when their visibility timeout ends.
  await changeVisibilityInBatches(sqs, queueUrl, messages, 0);
}
