import { MAX_SQS_MESSAGE_BYTES } from '../../../lambdas/core/constants';
import { SQS_MAX_MESSAGES_PER_CALL } from '../../../lambdas/contract/deployment';

/** A SendMessageBatch's messages together, each counted as SQS counts a message, are at most one message's size. */
const MAX_SQS_BATCH_BYTES = MAX_SQS_MESSAGE_BYTES;

/**
 * Splits messages, in order, into SendMessageBatch requests: at most 10 entries each and, together, at most the size
 * SQS allows a batch. A message too large on its own goes alone, so that SQS refuses it and no other.
 */
export function sendBatchesOf<T extends { readonly bytes: number }>(messages: readonly T[]): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (
      batch.length === SQS_MAX_MESSAGES_PER_CALL ||
      (batch.length > 0 && bytes + message.bytes > MAX_SQS_BATCH_BYTES)
    ) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += message.bytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
