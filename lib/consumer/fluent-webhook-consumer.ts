import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantFluentApiAccess } from './fluent-api-access';
import { settingsToEnv } from '../../lambdas/core/settings';
import { RuntimeEnv } from '../../lambdas/contract/environment';
import { Ingress } from '../../lambdas/contract/ingress';
import { createBundledFunction } from '../internal/lambda-bundling';
import { consumerBundleSource } from './consumer-entry';
import type { FluentWebhookConsumerProps } from './consumer-props';
import { validateConsumerProps } from './consumer-checks';
import {
  defaultConsumerLogRetention,
  defaultConsumerMemorySize,
  consumerTimeoutOf,
  defaultIdempotencyTableProps,
  defaultSqsEventSourceProps,
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TTL_ATTRIBUTE,
} from './consumer-defaults';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/contract/observability';
import { DEFAULT_HISTORY_RETENTION_DAYS } from '../../lambdas/contract/history';
import { createHistoryTable, HISTORY_CONSUMER_ACTIONS, HISTORY_READ_ACTIONS } from './history-table';
import { createHistoryBucket, grantHistoryBodyRead, grantHistoryBodyWrite } from './history-bucket';
import { createReconciliationQueues, ReconciliationQueues } from './reconciliation-queue';

export type { FluentWebhookConsumerOptions, FluentWebhookConsumerProps } from './consumer-props';
export { consumerTimeoutOf } from './consumer-defaults';

/**
 * The DynamoDB actions the consumer takes on its idempotency table: claim an event (PutItem; for the rare event the
 * history cannot key, its completion is a PutItem too), read the claim in its way when the refusal does not carry it
 * (GetItem), release it after a failed handler (DeleteItem). The history's record marks completion, so Powertools'
 * COMPLETED UpdateItem is not made (lambdas/consumer/history-marked-run-once.ts).
 */
export const IDEMPOTENCY_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'];
/** staleStatusGuard: remember an entity's last processed status, one conditional UpdateItem (its read is a GetItem). */
export const STALE_STATUS_ACTIONS = ['dynamodb:UpdateItem'];
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

/**
 * The consumer Lambda on the receiver's queue (SQS event source with partial batch responses) and its
 * DynamoDB idempotency table, with least-privilege grants: consume from that queue, read and write that table.
 */
export class FluentWebhookConsumer extends Construct implements iam.IGrantable {
  /** The consumer Lambda, which runs your handlers. */
  public readonly consumerFunction: NodejsFunction;
  /** The consumer Lambda's role (its {@link grantPrincipal}). */
  public readonly consumerRole: iam.Role;
  /**
   * The consumer's role, so that your handlers can be given access like any grantee:
   * `table.grantReadWriteData(consumer)`.
   */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The consumer Lambda's log group. */
  public readonly consumerLogGroup: logs.LogGroup;
  /** Where each event's handling is recorded, so a handler runs at most once per event id. */
  public readonly idempotencyTable: dynamodb.ITable;
  /** Every signed delivery's archived copy and outcome: what `fluent-webhook history` and `replay` read. */
  public readonly historyTable: dynamodb.Table;
  /** Bodies too large for their history item (rare): the item points to the object. */
  public readonly historyBucket: s3.Bucket;
  /** Days the history keeps a record. */
  public readonly historyRetentionDays: number;
  /** The SQS event source that hands the queue's messages to the consumer in batches. */
  public readonly eventSource: SqsEventSource;
  /** Where `fluent-webhook reconcile` backfills into; undefined without `reconcilerArns`. */
  public readonly reconciliation?: ReconciliationQueues;
  /** The Fluent API credentials secret the consumer may read; undefined without `fluentApi`. */
  public readonly fluentApiSecret?: secretsmanager.ISecret;
  /** Who may send to the reconciliation queue: `reconcilerArns` and {@link allowReconciler}'s. */
  private readonly reconcilerArns: string[] = [];

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

    this.historyRetentionDays = props.historyRetentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS;
    this.historyTable = createHistoryTable(
      this,
      'HistoryTable',
      props.historyTableProps,
      props.historyPointInTimeRecovery ?? false,
    );
    this.historyBucket = createHistoryBucket(this, 'HistoryBucket', this.historyRetentionDays);

    this.consumerLogGroup = new logs.LogGroup(this, 'ConsumerLogGroup', {
      retention: props.logRetention ?? defaultConsumerLogRetention(),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the AWS-managed basic execution policy, which may write to any log group.
    this.consumerRole = new iam.Role(this, 'ConsumerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Consumer Lambda of the Fluent webhook receiver: write its logs, consume its queue, use its idempotency table, write its history.',
    });
    this.grantPrincipal = this.consumerRole;
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
          [RuntimeEnv.HISTORY_TABLE_NAME]: this.historyTable.tableName,
          [RuntimeEnv.HISTORY_BUCKET_NAME]: this.historyBucket.bucketName,
          [RuntimeEnv.HISTORY_RETENTION_DAYS]: String(this.historyRetentionDays),
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          ...(props.environmentName === undefined ? {} : { [RuntimeEnv.ENVIRONMENT_NAME]: props.environmentName }),
          // Only when it changes what the consumer does, so a verify-first consumer's environment stays as it was.
          ...(props.ingress === Ingress.QUEUE_FIRST ? { [RuntimeEnv.INGRESS]: props.ingress } : {}),
          ...(props.staleStatusGuard === undefined
            ? {}
            : { [RuntimeEnv.STALE_STATUS_GUARD]: JSON.stringify(props.staleStatusGuard) }),
        },
      },
    });

    if (props.fluentApi !== undefined) {
      const access = grantFluentApiAccess(this, this.consumerFunction, props.fluentApi);
      this.fluentApiSecret = access.secret;
      for (const [name, value] of Object.entries(access.environment)) this.consumerFunction.addEnvironment(name, value);
    }
    this.idempotencyTable.grant(
      this.consumerFunction,
      ...IDEMPOTENCY_TABLE_ACTIONS,
      ...(props.staleStatusGuard === undefined ? [] : STALE_STATUS_ACTIONS),
    );
    this.idempotencyTable.encryptionKey?.grant(this.consumerFunction, ...IDEMPOTENCY_KEY_ACTIONS);
    // The table only: the consumer never touches the indexes (DynamoDB maintains them).
    this.consumerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: HISTORY_CONSUMER_ACTIONS, resources: [this.historyTable.tableArn] }),
    );
    this.historyTable.encryptionKey?.grant(this.consumerFunction, ...IDEMPOTENCY_KEY_ACTIONS);
    grantHistoryBodyWrite(this.historyBucket, this.consumerRole);

    this.eventSource = new SqsEventSource(props.queue, {
      ...defaultSqsEventSourceProps(),
      ...props.sqsEventSourceProps,
      reportBatchItemFailures: true,
    });
    this.consumerFunction.addEventSource(this.eventSource);

    if ((props.reconcilerArns ?? []).length > 0 || props.reconciliationSweep !== undefined) {
      this.reconcilerArns.push(...(props.reconcilerArns ?? []));
      this.reconciliation = createReconciliationQueues(this, consumerTimeoutOf(props), {
        reconcilerArns: this.reconcilerArns,
        readerArns: [this.consumerRole.roleArn, ...(props.queueReaderArns ?? [])],
      });
      this.consumerFunction.addEventSource(this.reconciliation.eventSource);
      this.consumerFunction.addEnvironment(RuntimeEnv.RECONCILIATION_QUEUE_ARN, this.reconciliation.queue.queueArn);
    }
  }

  /**
   * Lets one more principal backfill into the reconciliation queue (its policy denies everyone else): the scheduled
   * sweep's role, which `FluentWebhooks` adds. Throws when the consumer has no reconciliation queue.
   */
  public allowReconciler(principalArn: string): void {
    if (this.reconciliation === undefined) {
      throw new Error('The consumer has no reconciliation queue: give reconcilerArns or reconciliationSweep.');
    }
    this.reconcilerArns.push(principalArn);
  }

  /**
   * Lets an operator's role read the history (`fluent-webhook history`, `replay`): query the table and its indexes
   * and read items, and decrypt them under a customer-managed key; read the large bodies the items point to in the
   * history bucket. Replaying also needs `queueSenderArns`.
   */
  public grantHistoryRead(grantee: iam.IGrantable): iam.Grant {
    this.historyTable.encryptionKey?.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey');
    return this.historyTable
      .grant(grantee, ...HISTORY_READ_ACTIONS)
      .combine(grantHistoryBodyRead(this.historyBucket, grantee));
  }
}
