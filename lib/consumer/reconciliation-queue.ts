import { Duration, Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../lambdas/contract/deployment';
import { defaultDeadLetterQueueProps, defaultQueueProps } from '../receiver/receiver-defaults';
import { denyReadingToAllBut } from '../receiver/queue-read-policy';
import { defaultSqsEventSourceProps, minimumVisibilityTimeout } from './consumer-defaults';

/** The queue `fluent-webhook reconcile` backfills into, its dead-letter queue, and the consumer's event source on it. */
export interface ReconciliationQueues {
  /** The queue `fluent-webhook reconcile --stack` sends backfilled events to (stack output `ReconciliationQueueUrl`). */
  readonly queue: sqs.Queue;
  /** Where a backfilled event goes after `maxReceiveCount` failed attempts. */
  readonly deadLetterQueue: sqs.Queue;
  /** The consumer's event source on {@link ReconciliationQueues.queue}. */
  readonly eventSource: SqsEventSource;
}

/**
 * The reconciliation queue: the one source of unsigned events the consumer accepts (it checks each record's
 * `eventSourceARN`), so only the reconcilers may send to it and nobody to its dead-letter queue; and, like the main
 * queue, only the readers (the consumer, `queueReaderArns`) may read either. A standard queue in every ordering
 * mode: backfills carry no order. Both lists are read at synthesis: reconcilers and readers added later count.
 */
export function createReconciliationQueues(
  scope: Construct,
  consumerTimeout: Duration,
  access: { readonly reconcilerArns: readonly string[]; readonly readerArns: readonly string[] },
): ReconciliationQueues {
  const deadLetterQueue = new sqs.Queue(scope, 'ReconciliationDeadLetterQueue', defaultDeadLetterQueueProps());
  const queue = new sqs.Queue(scope, 'ReconciliationQueue', {
    ...defaultQueueProps(minimumVisibilityTimeout(consumerTimeout)),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT },
  });
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheReconcilerSends',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: {
        ArnNotLike: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...access.reconcilerArns] }) },
      },
    }),
  );
  deadLetterQueue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'NobodySendsToTheDeadLetterQueue',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [deadLetterQueue.queueArn],
    }),
  );
  for (const each of [queue, deadLetterQueue]) denyReadingToAllBut(each, access.readerArns);
  const eventSource = new SqsEventSource(queue, { ...defaultSqsEventSourceProps(), reportBatchItemFailures: true });
  return { queue, deadLetterQueue, eventSource };
}
