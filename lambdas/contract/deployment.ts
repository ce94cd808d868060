// Numbers and names of a deployment that the constructs (lib/), the Lambdas and the local runner (tools/local) share,
// so that `npm start` behaves like the stack and the stack like its documentation. Plain values, no aws-cdk-lib:
// lib/ wraps them in Duration and props, the local runner mirrors them.

/** The API Gateway stage: `https://<api>.execute-api.<region>.amazonaws.com/webhooks/<secret>/fluent/<route>`. */
export const DEFAULT_STAGE_NAME = 'webhooks';
/** The literal path segment after the secret: `/{secret}/fluent/{route+}`. */
export const FLUENT_PATH_SEGMENT = 'fluent';

/** Receives before a message moves to the dead-letter queue: five tries ride out a short outage of what handlers call. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;
/** Retention of the queue and the dead-letter queue: SQS's maximum, so a message waits as long as possible for a fix. */
export const QUEUE_RETENTION_DAYS = 14;
/** Lambda's rule for SQS event sources: the queue's visibility timeout is at least this many times the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * The verifying Lambda: verification and one SendMessage take milliseconds; 10 s leaves room for SDK retries while
 * staying well inside API Gateway's 29 s integration timeout. 512 MB buys CPU for RSA and base64 on 1 MiB bodies.
 */
export const RECEIVER_TIMEOUT_SECONDS = 10;
export const RECEIVER_MEMORY_SIZE_MB = 512;

/** Handlers call other systems (Fluent's API, a database): half a minute, with the queue's visibility at 3 minutes. */
export const CONSUMER_TIMEOUT_SECONDS = 30;
export const CONSUMER_MEMORY_SIZE_MB = 512;
/** Records handed to the consumer at once (no batching window, so a webhook is processed as soon as it arrives). */
export const CONSUMER_BATCH_SIZE = 10;
/** SQS hands out at most 10 messages per ReceiveMessage call, and a batch call takes at most 10 entries (an API limit). */
export const SQS_MAX_MESSAGES_PER_CALL = 10;
/** Concurrent consumers at most, so a burst from Fluent does not become a burst against what the handlers call. */
export const CONSUMER_MAX_CONCURRENCY = 5;

/** The idempotency table's partition key: Powertools Idempotency's `DynamoDBPersistenceLayer` default. */
export const IDEMPOTENCY_PARTITION_KEY = 'id';
/** The attribute Powertools Idempotency writes a record's expiry (epoch seconds) into; the table's TTL reads it. */
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';
