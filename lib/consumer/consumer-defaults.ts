import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { FluentWebhookConsumerOptions } from './consumer-props';
import {
  CONSUMER_BATCH_SIZE,
  CONSUMER_MAX_CONCURRENCY,
  CONSUMER_MEMORY_SIZE_MB,
  CONSUMER_TIMEOUT_SECONDS,
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TTL_ATTRIBUTE,
  VISIBILITY_TIMEOUT_FACTOR,
} from '../../lambdas/contract/deployment';

export { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE, VISIBILITY_TIMEOUT_FACTOR };

/** Handlers call other systems (Fluent's API, a database): half a minute, with the queue's visibility at 3 minutes. */
export function defaultConsumerTimeout(): Duration {
  return Duration.seconds(CONSUMER_TIMEOUT_SECONDS);
}

/** The consumer's timeout as configured (or the default): what the receiver's queue visibility timeout is derived from. */
export function consumerTimeoutOf(options: Pick<FluentWebhookConsumerOptions, 'consumerFunctionProps'> = {}): Duration {
  return options.consumerFunctionProps?.timeout ?? defaultConsumerTimeout();
}

/** The smallest queue visibility timeout a consumer with this timeout allows. */
export function minimumVisibilityTimeout(consumerTimeout: Duration): Duration {
  return Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
}

export function defaultConsumerMemorySize(): number {
  return CONSUMER_MEMORY_SIZE_MB;
}

export function defaultConsumerLogRetention(): logs.RetentionDays {
  return logs.RetentionDays.ONE_MONTH;
}

/**
 * The event source defaults: batches of up to 10 handed over at once (no batching window, so a webhook is
 * processed as soon as it arrives) and at most 5 concurrent consumers, so a burst from Fluent does not become
 * a burst against the systems the handlers call. `reportBatchItemFailures` is wiring, not a default: it is always on.
 */
export function defaultSqsEventSourceProps(): SqsEventSourceProps {
  return { batchSize: CONSUMER_BATCH_SIZE, maxConcurrency: CONSUMER_MAX_CONCURRENCY };
}

/**
 * The idempotency table: on demand, TTL on `expiration`, point-in-time recovery, AWS-managed KMS encryption,
 * kept when the stack is deleted (losing it would let redelivered events run twice).
 */
export function defaultIdempotencyTableProps(): dynamodb.TableProps {
  return {
    partitionKey: { name: IDEMPOTENCY_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}
