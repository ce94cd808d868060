import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import { findConsumerOptionProblems } from '../consumer/consumer-checks';
import { findMonitoringOptionProblems } from '../monitoring/monitoring-checks';
import { withoutUndefined } from '../internal/without-undefined';
import { readStatusOrder, type StatusOrder } from '../../lambdas/core/stale-status';
import { readSweepSettings } from '../../lambdas/contract/reconciliation-sweep';
import type { ConfigurationProblem } from '../../lambdas/core/errors';
import type { FluentWebhookConsumerOptions } from '../consumer/consumer-props';
import type { FluentWebhookMonitoringOptions } from '../monitoring/monitoring-props';

/** Context keys for the consumer and its monitoring (next to the receiver's `DeployContextKey`). */
export const OperationsContextKey = {
  CONSUMER_TIMEOUT_SECONDS: 'consumerTimeoutSeconds',
  CONSUMER_BATCH_SIZE: 'consumerBatchSize',
  CONSUMER_MAX_BATCHING_WINDOW_SECONDS: 'consumerMaxBatchingWindowSeconds',
  CONSUMER_MAX_CONCURRENCY: 'consumerMaxConcurrency',
  IDEMPOTENCY_TABLE_ENCRYPTION: 'idempotencyTableEncryption',
  IDEMPOTENCY_TABLE_REMOVAL_POLICY: 'idempotencyTableRemovalPolicy',
  ALARM_EMAIL: 'alarmEmail',
  OLDEST_MESSAGE_AGE_MINUTES: 'oldestMessageAgeMinutes',
  SIGNATURE_REJECTION_THRESHOLD: 'signatureRejectionThreshold',
  FLUENT_API_URL: 'fluentApiUrl',
  FLUENT_API_ACCOUNT: 'fluentApiAccount',
  FLUENT_API_SECRET_NAME: 'fluentApiSecretName',
  EXPECT_SHA512_SIGNATURES: 'expectSha512Signatures',
  /** An object of entity type to statuses (or its JSON with -c): see `FluentWebhookConsumerOptions.staleStatusGuard`. */
  STALE_STATUS_GUARD: 'staleStatusGuard',
  HISTORY_RETENTION_DAYS: 'historyRetentionDays',
  HISTORY_POINT_IN_TIME_RECOVERY: 'historyPointInTimeRecovery',
  /** IAM role ARNs that may backfill into the reconciliation queue: see `FluentWebhookConsumerOptions.reconcilerArns`. */
  RECONCILER_ARNS: 'reconcilerArns',
  /**
   * An object (or its JSON with -c) that turns the scheduled reconciliation sweep on: see
   * `FluentWebhookConsumerOptions.reconciliationSweep`.
   */
  RECONCILIATION_SWEEP: 'reconciliationSweep',
} as const;

/** `idempotencyTableEncryption` values. */
const TABLE_ENCRYPTION: Readonly<Record<string, dynamodb.TableEncryption>> = {
  'aws-managed': dynamodb.TableEncryption.AWS_MANAGED,
  'customer-managed': dynamodb.TableEncryption.CUSTOMER_MANAGED,
};
/** `idempotencyTableRemovalPolicy` values. */
const TABLE_REMOVAL: Readonly<Record<string, RemovalPolicy>> = {
  retain: RemovalPolicy.RETAIN,
  destroy: RemovalPolicy.DESTROY,
};

/** Reads typed context values, recording a problem for a value of the wrong type (the stack's `ValueReader`). */
export interface ContextValues {
  string(key: string): string | undefined;
  integer(key: string): number | undefined;
  boolean(key: string): boolean | undefined;
  /** A JSON array of strings from cdk.json, or a comma-separated string from -c. */
  list(key: string): string[] | undefined;
  /** The value as given: a JSON value from cdk.json, a string from -c. */
  raw(key: string): unknown;
}

export interface OperationsConfig {
  /** For the receiver, which derives the queue's visibility timeout from it, and the consumer. */
  readonly consumerTimeout?: Duration;
  readonly consumerOptions: FluentWebhookConsumerOptions;
  readonly monitoringOptions: FluentWebhookMonitoringOptions;
}

/**
 * Reads the consumer and monitoring settings of one environment and appends every problem with them to
 * `problems`, each naming its context key (the stack reports all configuration problems at once).
 */
export function readOperationsConfig(read: ContextValues, problems: ConfigurationProblem[]): OperationsConfig {
  const timeoutSeconds = read.integer(OperationsContextKey.CONSUMER_TIMEOUT_SECONDS);
  const windowSeconds = read.integer(OperationsContextKey.CONSUMER_MAX_BATCHING_WINDOW_SECONDS);
  const eventSource: SqsEventSourceProps = withoutUndefined({
    batchSize: read.integer(OperationsContextKey.CONSUMER_BATCH_SIZE),
    maxBatchingWindow: windowSeconds === undefined ? undefined : Duration.seconds(windowSeconds),
    maxConcurrency: read.integer(OperationsContextKey.CONSUMER_MAX_CONCURRENCY),
  });
  const encryption = oneOf(read, OperationsContextKey.IDEMPOTENCY_TABLE_ENCRYPTION, TABLE_ENCRYPTION, problems);
  const removalPolicy = oneOf(read, OperationsContextKey.IDEMPOTENCY_TABLE_REMOVAL_POLICY, TABLE_REMOVAL, problems);
  const tableProps = withoutUndefined({ encryption, removalPolicy });
  const consumerOptions: FluentWebhookConsumerOptions = withoutUndefined({
    sqsEventSourceProps: Object.keys(eventSource).length === 0 ? undefined : eventSource,
    idempotencyTableProps: Object.keys(tableProps).length === 0 ? undefined : tableProps,
    fluentApi: readFluentApi(read),
    staleStatusGuard: readStaleStatusGuard(read, problems),
    historyRetentionDays: read.integer(OperationsContextKey.HISTORY_RETENTION_DAYS),
    historyPointInTimeRecovery: read.boolean(OperationsContextKey.HISTORY_POINT_IN_TIME_RECOVERY),
    reconcilerArns: read.list(OperationsContextKey.RECONCILER_ARNS),
    reconciliationSweep: readReconciliationSweep(read, problems),
  });

  const ageMinutes = read.integer(OperationsContextKey.OLDEST_MESSAGE_AGE_MINUTES);
  const monitoringOptions: FluentWebhookMonitoringOptions = withoutUndefined({
    alarmEmail: read.string(OperationsContextKey.ALARM_EMAIL),
    oldestMessageAgeThreshold: ageMinutes === undefined ? undefined : Duration.minutes(ageMinutes),
    signatureRejectionThreshold: read.integer(OperationsContextKey.SIGNATURE_REJECTION_THRESHOLD),
    expectSha512Signatures: read.boolean(OperationsContextKey.EXPECT_SHA512_SIGNATURES),
  });

  problems.push(
    ...[...findConsumerOptionProblems(consumerOptions), ...findMonitoringOptionProblems(monitoringOptions)].map(
      ({ setting, message }) => ({ setting: OPERATIONS_PROP_CONTEXT_KEYS[setting] ?? setting, message }),
    ),
  );
  return withoutUndefined({
    consumerTimeout: timeoutSeconds === undefined ? undefined : Duration.seconds(timeoutSeconds),
    consumerOptions,
    monitoringOptions,
  });
}

/** The stale-status guard's order, from an object in cdk.json or its JSON text on the command line. */
function readStaleStatusGuard(read: ContextValues, problems: ConfigurationProblem[]): StatusOrder | undefined {
  const value = read.raw(OperationsContextKey.STALE_STATUS_GUARD);
  if (value === undefined) return undefined;
  const reading = readStatusOrder(OperationsContextKey.STALE_STATUS_GUARD, value);
  problems.push(...reading.problems);
  return reading.order;
}

/**
 * The sweep's settings: an object in cdk.json, or its JSON text on the command line. Its fields are checked once,
 * with the other consumer options (`findConsumerOptionProblems`).
 */
function readReconciliationSweep(
  read: ContextValues,
  problems: ConfigurationProblem[],
): FluentWebhookConsumerOptions['reconciliationSweep'] {
  const value = read.raw(OperationsContextKey.RECONCILIATION_SWEEP);
  if (typeof value !== 'string') return value as FluentWebhookConsumerOptions['reconciliationSweep'];
  try {
    return JSON.parse(value) as FluentWebhookConsumerOptions['reconciliationSweep'];
  } catch {
    problems.push(...readSweepSettings(OperationsContextKey.RECONCILIATION_SWEEP, value).problems);
    return undefined;
  }
}

/** The props the construct checks name, as the context keys that set them (the others are named alike). */
const OPERATIONS_PROP_CONTEXT_KEYS: Readonly<Record<string, string>> = {
  'sqsEventSourceProps.batchSize': OperationsContextKey.CONSUMER_BATCH_SIZE,
  'sqsEventSourceProps.maxBatchingWindow': OperationsContextKey.CONSUMER_MAX_BATCHING_WINDOW_SECONDS,
  'sqsEventSourceProps.maxConcurrency': OperationsContextKey.CONSUMER_MAX_CONCURRENCY,
  'idempotencyTableProps.encryption': OperationsContextKey.IDEMPOTENCY_TABLE_ENCRYPTION,
  'idempotencyTableProps.removalPolicy': OperationsContextKey.IDEMPOTENCY_TABLE_REMOVAL_POLICY,
  oldestMessageAgeThreshold: OperationsContextKey.OLDEST_MESSAGE_AGE_MINUTES,
  'fluentApi.apiUrl': OperationsContextKey.FLUENT_API_URL,
  'fluentApi.account': OperationsContextKey.FLUENT_API_ACCOUNT,
  'fluentApi.secretName': OperationsContextKey.FLUENT_API_SECRET_NAME,
};

/** `context.fluent` from the three settings; any one of them set asks for all three (the checks say which is missing). */
function readFluentApi(read: ContextValues): FluentWebhookConsumerOptions['fluentApi'] {
  const apiUrl = read.string(OperationsContextKey.FLUENT_API_URL);
  const account = read.string(OperationsContextKey.FLUENT_API_ACCOUNT);
  const secretName = read.string(OperationsContextKey.FLUENT_API_SECRET_NAME);
  if (apiUrl === undefined && account === undefined && secretName === undefined) return undefined;
  return withoutUndefined({ apiUrl: apiUrl ?? '', account: account ?? '', secretName });
}

function oneOf<T>(
  read: ContextValues,
  key: string,
  allowed: Readonly<Record<string, T>>,
  problems: ConfigurationProblem[],
): T | undefined {
  const value = read.string(key);
  if (value === undefined) return undefined;
  if (Object.prototype.hasOwnProperty.call(allowed, value)) return allowed[value];
  problems.push({ setting: key, message: `is "${value}"; use one of ${Object.keys(allowed).join(', ')}.` });
  return undefined;
}
