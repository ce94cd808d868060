import { Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LAMBDA_RECEIVE_OPTIONS } from './sqs-event-records';
import { SQS_MAX_MESSAGES_PER_CALL } from '../../lambdas/contract/deployment';
import { changeVisibilityInBatches, deleteInBatches } from './sqs-message-batches';
import { TIMED_OUT, withinMs } from '../../lambdas/shared/within-time';

/** SQS's longest long poll, which Lambda's event source uses too. */
const LONG_POLL_SECONDS = 20;
/** Pause after a failed ReceiveMessage, so an unreachable queue does not spin the loop. */
const RECEIVE_RETRY_DELAY_MS = 1000;
/**
 * With `retryDelaySeconds`: how much longer than the handler's timeout a received batch stays hidden, for the time
 * between the receive and the handler's start and between its end and the delete (a busy machine's event loop).
 */
const IN_HAND_MARGIN_SECONDS = 5;

/** The consumer handler as Lambda's SQS event source invokes it. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsPollerOptions {
  readonly sqsClient: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** Records per invocation, as the event source's `batchSize`. */
  readonly batchSize: number;
  readonly handler: SqsBatchHandler;
  readonly createContext: () => Context;
  /** Turns a received message into the record Lambda would hand over. */
  readonly toRecord: (message: Message, queueArn: string, region: string) => SQSRecord;
  readonly logger: Logger;
  /** @default 20 */
  readonly waitTimeSeconds?: number;
  /**
   * The consumer's timeout. A batch whose handler has not returned by then fails as a whole, as when Lambda
   * ends a timed-out invocation: nothing is deleted and the poller goes on polling. The late handler cannot be
   * stopped in-process and keeps running in the background; whatever it returns is ignored.
   * @default no limit
   */
  readonly handlerTimeoutSeconds?: number;
  /**
   * How long a failed record stays hidden before its retry, when that is meant to be shorter than the time a batch
   * may spend in the handler (the local runner's VISIBILITY_TIMEOUT_SECONDS: 5 s, or 1 s in tests, against a 30 s
   * consumer timeout). With it, the poller receives each batch hidden for `handlerTimeoutSeconds` and a margin, so
   * that none of its concurrent loops is handed a record another loop holds (deployed, the queue's visibility timeout
   * is 6 × the consumer's timeout for the same reason), then makes the failed records visible again this long after
   * they failed. Without it, records are hidden for the queue's visibility timeout from their receipt.
   */
  readonly retryDelaySeconds?: number;
  /**
   * For a FIFO queue (per-entity ordering), as Lambda's event source on one: each received batch is split by
   * message group and each group's records are one invocation, up to `maxConcurrency` invocations at once. The
   * queue itself hands out no message of a group while an earlier one is in flight, so a group has at most one
   * batch in flight and its records reach the handler in order. Without it, one batch at a time.
   */
  readonly messageGroups?: { readonly maxConcurrency: number };
  /**
   * For a standard queue, as Lambda's event source scales its pollers: this many receive-and-handle loops, so up to
   * this many batches are in the handler at once (records are unordered on a standard queue anyway). Each batch
   * finishes with the handler it was given. @default 1
   */
  readonly concurrentBatches?: number;
  /**
   * The event source's `ReportBatchItemFailures`: the handler's `batchItemFailures` name the records to retry.
   * Without it a batch succeeds or fails as a whole, and what the handler returns is ignored. @default true
   */
  readonly reportBatchItemFailures?: boolean;
}

export interface SqsPoller {
  /** Stops polling, waits for the batches in hand to be handled and acknowledged, then resolves. */
  stop(): Promise<void>;
}

/**
 * A local stand-in for Lambda's SQS event source mapping with `reportBatchItemFailures`: long-polls the
 * queue, invokes the handler with up to `batchSize` records, deletes the records that succeeded and leaves
 * the failed ones, which become visible again after the visibility timeout and, after `maxReceiveCount`
 * receives, are moved to the DLQ by the queue's redrive policy.
 */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const abort = new AbortController();
  const loop =
    options.messageGroups === undefined
      ? allFinished(
          Array.from({ length: options.concurrentBatches ?? 1 }, () => pollUntilAborted(options, abort.signal)),
        )
      : pollGroupsUntilAborted(options, abort.signal, options.messageGroups.maxConcurrency);
  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
  };
}

/** Waits for every loop, so that stop() never answers while one still holds a batch; then throws the first failure. */
async function allFinished(loops: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(loops)).find((loop) => loop.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

async function pollUntilAborted(options: SqsPollerOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const messages = await receiveOrPause(options, signal);
    // A batch in hand is always finished, even when stopping: it is handled and acknowledged.
    if (messages.length > 0) await handleBatch(options, messages);
  }
}

/** A batch; after a failed receive, none, once a pause has passed (or the poller is stopping). */
async function receiveOrPause(options: SqsPollerOptions, signal: AbortSignal): Promise<Message[]> {
  try {
    return await receiveBatch(options, signal);
  } catch (error) {
    if (signal.aborted) return [];
    options.logger.error('poller could not receive from the queue; retrying', { error: error as Error });
    await delay(RECEIVE_RETRY_DELAY_MS, signal);
    return [];
  }
}

/** FIFO: one invocation per message group of each received batch, at most `maxConcurrency` at once. */
async function pollGroupsUntilAborted(options: SqsPollerOptions, signal: AbortSignal, maxConcurrency: number) {
  const running = new Set<Promise<void>>();
  const slot = async (): Promise<void> => {
    while (running.size >= maxConcurrency) await Promise.race(running);
  };
  while (!signal.aborted) {
    await slot();
    const messages = await receiveOrPause(options, signal);
    // Batches in hand are always finished, even when stopping: they are handled and acknowledged.
    for (const group of byMessageGroup(messages)) {
      await slot();
      const handling: Promise<void> = handleBatch(options, group)
        .catch((error: unknown) => {
          options.logger.error('poller could not hand a batch over; it comes back after the visibility timeout', {
            error: error as Error,
          });
        })
        .finally(() => running.delete(handling));
      running.add(handling);
    }
  }
  await Promise.all(running);
}

/** The messages of each message group, in the order received (which is the group's order). */
function byMessageGroup(messages: readonly Message[]): Message[][] {
  const groups = new Map<string, Message[]>();
  for (const message of messages) {
    const group = message.Attributes?.MessageGroupId ?? '';
    groups.set(group, [...(groups.get(group) ?? []), message]);
  }
  return [...groups.values()];
}

/**
 * How long a received batch stays hidden, when the queue's own visibility timeout (the retry delay) is shorter than
 * the time the batch may be in hand; undefined: the queue's.
 */
function inHandVisibilitySeconds(options: SqsPollerOptions): number | undefined {
  const { retryDelaySeconds, handlerTimeoutSeconds } = options;
  if (retryDelaySeconds === undefined || handlerTimeoutSeconds === undefined) return undefined;
  const inHand = Math.ceil(handlerTimeoutSeconds) + IN_HAND_MARGIN_SECONDS;
  return inHand > retryDelaySeconds ? inHand : undefined;
}

/** One long poll, then short receives to fill the batch while messages are waiting. */
async function receiveBatch(options: SqsPollerOptions, signal: AbortSignal): Promise<Message[]> {
  const messages: Message[] = [];
  let waitTimeSeconds = options.waitTimeSeconds ?? LONG_POLL_SECONDS;
  const visibilityTimeout = inHandVisibilitySeconds(options);
  while (messages.length < options.batchSize) {
    const wanted = Math.min(SQS_MAX_MESSAGES_PER_CALL, options.batchSize - messages.length);
    const received = await options.sqsClient.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: wanted,
        WaitTimeSeconds: waitTimeSeconds,
        ...(visibilityTimeout === undefined ? {} : { VisibilityTimeout: visibilityTimeout }),
        ...LAMBDA_RECEIVE_OPTIONS,
      }),
      // Once a batch is in hand, stopping must not drop it: only the first, empty-handed poll is aborted.
      messages.length === 0 ? { abortSignal: signal } : {},
    );
    const batch = received.Messages ?? [];
    messages.push(...batch);
    if (batch.length < wanted) break;
    waitTimeSeconds = 0;
  }
  return messages;
}

async function handleBatch(options: SqsPollerOptions, messages: readonly Message[]): Promise<void> {
  const records = messages.map((message) => options.toRecord(message, options.queueArn, options.region));
  const failed = await invoke(options, { Records: records });
  const succeeded = messages.filter((message) => !failed.has(message.MessageId ?? ''));
  if (failed.size > 0) {
    options.logger.warn('batch had failures; they become visible again after the visibility timeout', {
      failedMessageIds: [...failed],
      batchSize: messages.length,
    });
    await retryLater(
      options,
      messages.filter((message) => failed.has(message.MessageId ?? '')),
    );
  }
  await deleteMessages(options, succeeded);
}

/**
 * With `retryDelaySeconds` shorter than the time a batch stays hidden: the failed records become visible again that
 * long from now, instead of when the batch's hidden time ends. If this fails, they come back then.
 */
async function retryLater(options: SqsPollerOptions, failed: readonly Message[]): Promise<void> {
  const { retryDelaySeconds } = options;
  if (retryDelaySeconds === undefined || inHandVisibilitySeconds(options) === undefined) return;
  const { sqsClient, queueUrl, logger } = options;
  for (const refused of await changeVisibilityInBatches(sqsClient, queueUrl, failed, retryDelaySeconds)) {
    logger.error('could not shorten the hidden time of failed messages; they are retried later', refused);
  }
}

/**
 * Returns the ids of the records to leave on the queue. As in Lambda, a thrown error, a timeout or a
 * response naming a record that is not in the batch fails the whole batch.
 */
async function invoke(options: SqsPollerOptions, event: SQSEvent): Promise<Set<string>> {
  const all = new Set(event.Records.map((record) => record.messageId));
  let response: SQSBatchResponse | void | typeof TIMED_OUT;
  try {
    const handling = options.handler(event, options.createContext());
    const { handlerTimeoutSeconds } = options;
    response = await (handlerTimeoutSeconds === undefined
      ? handling
      : withinMs(handling, handlerTimeoutSeconds * 1000));
  } catch (error) {
    options.logger.error('consumer handler threw; the whole batch will be retried', { error: error as Error });
    return all;
  }
  if (response === TIMED_OUT) {
    options.logger.error(
      'consumer handler did not return within the consumer timeout; the whole batch will be retried',
      {
        handlerTimeoutSeconds: options.handlerTimeoutSeconds,
      },
    );
    return all;
  }
  if (options.reportBatchItemFailures === false) return new Set();
  const failures = response?.batchItemFailures ?? [];
  const failed = new Set<string>();
  for (const failure of failures) {
    if (typeof failure.itemIdentifier !== 'string' || !all.has(failure.itemIdentifier)) {
      options.logger.error(
        'consumer reported a failure for a record not in the batch; the whole batch will be retried',
        {
          itemIdentifier: failure.itemIdentifier,
        },
      );
      return all;
    }
    failed.add(failure.itemIdentifier);
  }
  return failed;
}

async function deleteMessages(options: SqsPollerOptions, messages: readonly Message[]): Promise<void> {
  // Not lost: undeleted messages come back after the visibility timeout and are caught as duplicates.
  for (const refused of await deleteInBatches(options.sqsClient, options.queueUrl, messages)) {
    options.logger.error('could not delete processed messages; they will be delivered again', refused);
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
