import type { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ReceiverSettings } from '../../lambdas/core/settings';
import type { FluentApiProps } from './fluent-api-props';
import type { IngressName } from '../../lambdas/contract/ingress';
import type { ReconciliationSweepSettings } from '../../lambdas/contract/reconciliation-sweep';

/** The consumer settings that come from configuration (CDK context) rather than code. */
export interface FluentWebhookConsumerOptions {
  /**
   * Bring your own idempotency table: partition key `id` (string) and TTL on `expiration`, as Powertools
   * Idempotency expects. Mutually exclusive with `idempotencyTableProps`.
   * @default - a new table from `defaultIdempotencyTableProps()` and `idempotencyTableProps`
   */
  readonly existingIdempotencyTableObj?: dynamodb.ITable;
  /**
   * Overrides for the new idempotency table, for example `encryption: TableEncryption.CUSTOMER_MANAGED` with
   * `encryptionKey`, or `removalPolicy` for a throwaway environment. The partition key and TTL attribute are fixed.
   * @default - `defaultIdempotencyTableProps()`: on demand, TTL on `expiration`, point-in-time recovery, AWS-managed encryption, RETAIN
   */
  readonly idempotencyTableProps?: Partial<dynamodb.TableProps>;
  /**
   * Overrides for the consumer Lambda (timeout, memory, reserved concurrency, tracing...). The entry, handler,
   * runtime, bundling and the environment variables the handler reads are wiring and always win.
   * @default - 30 s timeout, 512 MB, Node.js 24 on arm64, minified with source maps
   */
  readonly consumerFunctionProps?: Partial<NodejsFunctionProps>;
  /**
   * Overrides for the SQS event source: `batchSize`, `maxBatchingWindow`, `maxConcurrency`, filters.
   * `reportBatchItemFailures` is always on: one failing record must not retry the whole batch.
   * @default - `defaultSqsEventSourceProps()`: batches of 10, no batching window, at most 5 concurrent consumers
   */
  readonly sqsEventSourceProps?: SqsEventSourceProps;
  /**
   * How long the consumer's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Lets handlers call Fluent back (`context.fluent`): API URL, account and the credentials secret, which only the
   * consumer may read.
   * @default - no Fluent API client: a handler reading `context.fluent` gets a "not configured" error
   */
  readonly fluentApi?: FluentApiProps;
  /**
   * Skip stale webhooks: for each entity type, its statuses from earliest to latest
   * (`{ ORDER: ['CREATED', 'BOOKED', 'SHIPPED', 'COMPLETE'] }`). An event whose `entityStatus` comes before the
   * last status processed for its entity (`accountId`, `entityType`, `entityRef`) is deleted without running its
   * handler, with one 'stale webhook skipped' warning, and counted as `StaleEventSkipped`. Statuses the list does not
   * name, and types without a list, are handled as usual. The last processed status is an item of the idempotency
   * table: one strongly consistent read per guarded event and one conditional write per processed one. Set as
   * `STALE_STATUS_GUARD` (JSON).
   * @default - off
   */
  readonly staleStatusGuard?: Readonly<Record<string, readonly string[]>>;
  /**
   * Days the history (every signed delivery's archived copy and outcome) keeps a record: the table's TTL. At least
   * the de-duplication window (`idempotencyExpirySeconds`); Fluent's Event API looks back 30 days, so reconciliation
   * needs 31. Set as `HISTORY_RETENTION_DAYS`.
   * @default 31
   */
  readonly historyRetentionDays?: number;
  /**
   * Point-in-time recovery on the history table: 35 days of restorable copies, for about $0.20 per GB-month (about a
   * sixth more on the history's cost per million webhooks, docs/cost-and-limits.md#the-history). Off by default:
   * the history is itself a copy (of what the consumer already handled), and recovery would keep customer data 35
   * days past its retention.
   * @default false
   */
  readonly historyPointInTimeRecovery?: boolean;
  /**
   * Overrides for the history table, for example `encryption: TableEncryption.CUSTOMER_MANAGED` with
   * `encryptionKey`. The keys, indexes and TTL attribute are fixed.
   * @default - `defaultHistoryTableProps()`: on demand, TTL, AWS-managed encryption, TLS only, RETAIN; point-in-time recovery as `historyPointInTimeRecovery`
   */
  readonly historyTableProps?: Partial<dynamodb.TableProps>;
  /**
   * IAM role ARNs (wildcards allowed) that may send to the reconciliation queue: the roles that run
   * `fluent-webhook reconcile --stack`. Given, the construct adds that queue (with its dead-letter queue), the
   * consumer consumes it and accepts unsigned events marked `reconciliation` from it only; nobody else may send to it.
   * @default - no reconciliation queue: the consumer refuses every event marked `reconciliation`
   */
  readonly reconcilerArns?: readonly string[];
  /**
   * Turns the scheduled reconciliation sweep on (`FluentWebhooks` builds it; see
   * `FluentWebhookReconciliationSweep`): which event names to compare with Fluent's Event API, and optionally the
   * query (`eventType`, `category`, `eventStatus`, `retailerId`, `entityType`, `idField`, `route`) and the schedule
   * (`everyMinutes` 15, `lookbackMinutes` 120, `nightlyLookbackDays` 30 (0: none), `nightlyHourUtc` 2,
   * `settleMinutes` 5, `pageSize` 100). Needs `fluentApi`. The consumer gets the reconciliation queue.
   * @default - no scheduled sweep
   */
  readonly reconciliationSweep?: ReconciliationSweepSettings;
}

export interface FluentWebhookConsumerProps extends FluentWebhookConsumerOptions {
  /**
   * The module with your handlers: a TypeScript or JavaScript file that exports `handlers`, a `FluentEventHandlers`
   * map. esbuild bundles it into the consumer at synth, resolving its imports in its own project (the folder up
   * from it that holds the lock file). A relative path is resolved from the working directory, as `cdk synth` runs
   * in the folder of `cdk.json`.
   * @default - this repository's `handlers/index.ts`
   */
  readonly handlersEntry?: string;
  /**
   * Roles besides the consumer's that may read the reconciliation queue and its dead-letter queue (the redrive
   * roles), as the receiver's `queueReaderArns` for its queues.
   * @default - the consumer's role only
   */
  readonly queueReaderArns?: readonly string[];
  /** The queue the receiver fills. Its visibility timeout must be at least 6x the consumer's timeout. */
  readonly queue: sqs.IQueue;
  /** What the consumer accepts (keys, allow-list, unhandled events, de-duplication window); rendered into its environment. */
  readonly settings: ReceiverSettings;
  /**
   * The queue's visibility timeout, when the queue's definition is not readable from the construct tree
   * (an imported queue). Checked against the consumer's timeout.
   * @default - read from the queue when it is defined in this app
   */
  readonly queueVisibilityTimeout?: Duration;
  /**
   * The environment's name (`sandbox`, `production`), set as `ENVIRONMENT_NAME`: the `environment` dimension of
   * the consumer's metrics, which the monitoring's alarms filter on.
   * @default - no environment dimension
   */
  readonly environmentName?: string;
  /**
   * The receiver's door. With `queue-first` nothing checked a message before the queue, so the consumer, the only
   * judge, deletes one that fails the signature or the allow-list as a forgery (counted as `ForgedMessageDropped`)
   * instead of retrying it into the dead-letter queue. Set as `INGRESS`.
   * @default 'verify-first'
   */
  readonly ingress?: IngressName;
}
