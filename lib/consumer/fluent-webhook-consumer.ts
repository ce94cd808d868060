import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource, SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { settingsToEnv, type ReceiverSettings } from '../../lambdas/core/settings';
import { RuntimeEnv } from '../../lambdas/contract/environment';
import { createBundledFunction } from '../internal/lambda-bundling';
import { consumerBundleSource } from './consumer-entry';
import { validateConsumerProps } from './consumer-checks';
import {
  defaultConsumerLogRetention,
  defaultConsumerMemorySize,
  defaultConsumerTimeout,
  defaultIdempotencyTableProps,
  defaultSqsEventSourceProps,
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TTL_ATTRIBUTE,
} from './consumer-defaults';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/contract/observability';

/** The DynamoDB actions Powertools Idempotency uses: read a record, claim it, complete it, release it on failure. */
export const IDEMPOTENCY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];
/**
 * What reading and writing a table under a customer-managed key takes on that key: CDK's encrypt-decrypt grant
 * with its `GenerateDataKey*` and `ReEncrypt*` families spelt out (key pairs left out: a table key is symmetric).
 */
export const IDEMPOTENCY_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

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
}

/** The consumer's timeout as configured (or the default): what the receiver's queue visibility timeout is derived from. */
export function consumerTimeoutOf(options: Pick<FluentWebhookConsumerOptions, 'consumerFunctionProps'> = {}): Duration {
  return options.consumerFunctionProps?.timeout ?? defaultConsumerTimeout();
}

/**
 * The consumer Lambda on the receiver's queue (SQS event source with partial batch responses) and its
 * DynamoDB idempotency table, with least-privilege grants: consume from that queue, read and write that table.
 */
export class FluentWebhookConsumer extends Construct {
  public readonly consumerFunction: NodejsFunction;
  public readonly consumerRole: iam.Role;
  public readonly consumerLogGroup: logs.LogGroup;
  public readonly idempotencyTable: dynamodb.ITable;
  public readonly eventSource: SqsEventSource;

  public constructor(scope: Construct, id: string, props: FluentWebhookConsumerProps) {
    super(scope, id);
    validateConsumerProps(props, consumerTimeoutOf(props));

    this.idempotencyTable =
      props.existingIdempotencyTableObj ??
      new dynamodb.Table(this, 'IdempotencyTable', {
        ...defaultIdempotencyTableProps(),
        ...props.idempotencyTableProps,
        partitionKey: { name: IDEMPOTENCY_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
      });

    this.consumerLogGroup = new logs.LogGroup(this, 'ConsumerLogGroup', {
      retention: props.logRetention ?? defaultConsumerLogRetention(),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the AWS-managed basic execution policy, which may write to any log group.
    this.consumerRole = new iam.Role(this, 'ConsumerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Consumer Lambda of the Fluent webhook receiver: write its logs, consume its queue, use its idempotency table.',
    });
    this.consumerLogGroup.grantWrite(this.consumerRole);

    this.consumerFunction = createBundledFunction(this, 'ConsumerFunction', consumerBundleSource(props.handlersEntry), {
      defaults: {
        description: 'Verifies queued Fluent webhooks again, de-duplicates them and runs their handlers.',
        memorySize: defaultConsumerMemorySize(),
      },
      overrides: props.consumerFunctionProps,
      wiring: {
        role: this.consumerRole,
        logGroup: this.consumerLogGroup,
        timeout: consumerTimeoutOf(props),
        environment: {
          ...settingsToEnv(props.settings),
          [RuntimeEnv.IDEMPOTENCY_TABLE_NAME]: this.idempotencyTable.tableName,
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          ...(props.environmentName === undefined ? {} : { [RuntimeEnv.ENVIRONMENT_NAME]: props.environmentName }),
        },
      },
    });

    this.idempotencyTable.grant(this.consumerFunction, ...IDEMPOTENCY_TABLE_ACTIONS);
    this.idempotencyTable.encryptionKey?.grant(this.consumerFunction, ...IDEMPOTENCY_KEY_ACTIONS);

    this.eventSource = new SqsEventSource(props.queue, {
      ...defaultSqsEventSourceProps(),
      ...props.sqsEventSourceProps,
      reportBatchItemFailures: true,
    });
    this.consumerFunction.addEventSource(this.eventSource);
  }
}
