import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { MAX_SQS_MESSAGE_BYTES } from '../../lambdas/core/constants';
import {
  QUEUE_RETENTION_DAYS,
  RECEIVER_MEMORY_SIZE_MB,
  RECEIVER_TIMEOUT_SECONDS,
} from '../../lambdas/contract/deployment';

export { DEFAULT_MAX_RECEIVE_COUNT, DEFAULT_STAGE_NAME, FLUENT_PATH_SEGMENT } from '../../lambdas/contract/deployment';
/** SQS's maximum retention, so a message waits as long as possible for a fix and a redrive. */
export const QUEUE_RETENTION = Duration.days(QUEUE_RETENTION_DAYS);

/** Stage throttling: steady requests per second and bucket size. Fluent sends one request per event. */
export interface ThrottlingDefaults {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * 500 requests per second, bursts of 1,000. A 429 is not a 2xx, and whether Fluent retries one is undocumented,
 * so the default sits well above a bulk run of Fluent events; it still caps what a flood through a leaked secret
 * path can cost (the signature check refuses it, but each refusal is a Lambda invocation).
 */
export function defaultThrottling(): ThrottlingDefaults {
  return { rateLimit: 500, burstLimit: 1000 };
}

/** Log retention of the API's access logs and every Lambda's log group. */
export function defaultLogRetention(): logs.RetentionDays {
  return logs.RetentionDays.ONE_MONTH;
}

/**
 * WAF rate limit per source IP over 5 minutes (about 33 requests a second). Fluent sends from a few shared
 * addresses, so this is a per-Fluent ceiling as much as a per-attacker one: keep it above your peak webhook rate.
 */
export function defaultWafRateLimit(): number {
  return 10_000;
}

/**
 * The verifying Lambda: verification and one SendMessage take milliseconds; 10 s leaves room for SDK retries while
 * staying well inside API Gateway's 29 s integration timeout. 512 MB buys CPU for RSA and base64 on 1 MiB bodies.
 */
export function defaultReceiverFunctionProps(): Partial<NodejsFunctionProps> {
  return {
    description: 'Verifies Fluent webhook signatures and queues verified webhooks.',
    memorySize: RECEIVER_MEMORY_SIZE_MB,
    timeout: Duration.seconds(RECEIVER_TIMEOUT_SECONDS),
  };
}

/**
 * The queue: SSE-SQS, TLS only, 1 MiB messages (the receiver's 413 limit), 14 days' retention, kept when the stack
 * is deleted (it may hold accepted webhooks; set `removalPolicy: DESTROY` in `queueProps` for throwaway
 * environments). The visibility timeout comes from the consumer's timeout (see `FluentWebhookReceiverProps.consumerTimeout`).
 */
export function defaultQueueProps(visibilityTimeout: Duration): sqs.QueueProps {
  return {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    maxMessageSizeBytes: MAX_SQS_MESSAGE_BYTES,
    retentionPeriod: QUEUE_RETENTION,
    visibilityTimeout,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * The dead-letter queue: the same protections, also kept when the stack is deleted. SQS keeps a message's original
 * enqueue time, so it needs the same retention.
 */
export function defaultDeadLetterQueueProps(): sqs.QueueProps {
  return {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    maxMessageSizeBytes: MAX_SQS_MESSAGE_BYTES,
    retentionPeriod: QUEUE_RETENTION,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * The queues of `ordering: 'per-entity'`: the same protections, FIFO, and no content-based deduplication (the
 * receiver sets each message's deduplication id to the event id). Standard throughput: 300 sends a second per
 * queue; for more, add `fifoThroughputLimit: PER_MESSAGE_GROUP_ID` and `deduplicationScope: MESSAGE_GROUP` in
 * `queueProps` (high throughput mode).
 */
export function fifoQueueProps(props: sqs.QueueProps): sqs.QueueProps {
  return { ...props, fifo: true, contentBasedDeduplication: false };
}
