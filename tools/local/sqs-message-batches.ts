import {
  BatchResultErrorEntry,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  Message,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { chunked } from '../../lambdas/core/chunked';
import { SQS_MAX_MESSAGES_PER_CALL } from '../../lambdas/contract/deployment';

/** What one batch call did not do: the entries SQS refused, or the error the whole call failed with. */
export type BatchRefusal = { readonly failed: BatchResultErrorEntry[] } | { readonly error: Error };

/**
 * Sets how long these received messages stay hidden, from now (0: visible again at once), in batch calls of 10, one
 * after the other. Never throws: it answers what each call refused, for the caller to report or let pass (a message
 * whose change failed comes back when its current hidden time ends).
 */
export function changeVisibilityInBatches(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
  visibilityTimeoutSeconds: number,
): Promise<BatchRefusal[]> {
  return inBatches(messages, (chunk) =>
    sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: visibilityTimeoutSeconds,
        })),
      }),
    ),
  );
}

/** Deletes these received messages in batch calls of 10, one after the other; like {@link changeVisibilityInBatches}, never throws. */
export function deleteInBatches(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<BatchRefusal[]> {
  return inBatches(messages, (chunk) =>
    sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    ),
  );
}

async function inBatches(
  messages: readonly Message[],
  call: (chunk: readonly Message[]) => Promise<{ Failed?: BatchResultErrorEntry[] }>,
): Promise<BatchRefusal[]> {
  const refusals: BatchRefusal[] = [];
  for (const chunk of chunked(messages, SQS_MAX_MESSAGES_PER_CALL)) {
    try {
      const { Failed = [] } = await call(chunk);
      if (Failed.length > 0) refusals.push({ failed: Failed });
    } catch (error) {
      refusals.push({ error: error as Error });
    }
  }
  return refusals;
}
