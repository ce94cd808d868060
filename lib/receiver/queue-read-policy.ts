import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * What reads a queue's messages, or hides or deletes them, denied to all but the readers. The batch calls
 * (`ReceiveMessage` has none; `ChangeMessageVisibilityBatch`, `DeleteMessageBatch`) are authorized as these same
 * actions.
 */
export const QUEUE_READ_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'] as const;
/** The Sid of the statement on every queue that denies {@link QUEUE_READ_ACTIONS} to all but the readers. */
export const ONLY_THE_CONSUMER_READS = 'OnlyTheConsumerReads';

/**
 * Denies reading `queue` to every principal but `readers`: the messages hold webhook bodies (and signatures) for
 * days. The list is read at synthesis, so readers added to it after this call (the consumer's role) count too.
 */
export function denyReadingToAllBut(queue: sqs.Queue, readers: readonly string[]): void {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: ONLY_THE_CONSUMER_READS,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...QUEUE_READ_ACTIONS],
      resources: [queue.queueArn],
      conditions: { ArnNotLike: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...readers] }) } },
    }),
  );
}
