import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Duration, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ConfigurationProblem } from '../../lambdas/core/errors';
import { throwIfProblems } from '../../lambdas/core/configuration-problems';
import {
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TTL_ATTRIBUTE,
  minimumVisibilityTimeout,
  VISIBILITY_TIMEOUT_FACTOR,
} from './consumer-defaults';
import type { FluentWebhookConsumerOptions, FluentWebhookConsumerProps } from './consumer-props';
import { findProjectLockFile } from '../internal/lambda-bundling';
import { findFluentApiProblems } from './fluent-api-access';
import { readStatusOrder } from '../../lambdas/core/stale-status';
import { historyRetentionProblem } from '../../lambdas/contract/history';
import { readSweepSettings } from '../../lambdas/contract/reconciliation-sweep';

/** SQS's default visibility timeout, which applies when a queue sets none. */
const SQS_DEFAULT_VISIBILITY_SECONDS = 30;
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/** Properties of the consumer Lambda that the construct wires itself. */
const WIRED_FUNCTION_PROPS = ['entry', 'handler', 'code', 'role', 'logGroup', 'logRetention'] as const;

/**
 * Checks the consumer's props before anything is built and throws one {@link ConfigurationError} listing
 * every problem, each naming the prop and how to fix it.
 */
export function validateConsumerProps(props: FluentWebhookConsumerProps, consumerTimeout: Duration): void {
  throwIfProblems('Invalid consumer configuration', [
    ...findConsumerOptionProblems(props),
    ...checkHandlersEntry(props),
    ...checkTimeout(consumerTimeout),
    ...checkVisibilityTimeout(props, consumerTimeout),
    ...checkHistoryRetention(props),
  ]);
}

/**
 * Every problem with the consumer options that can be judged without the queue and the timeout (which the
 * receiver checks as `consumerTimeout`), each naming its prop; empty when they are fine. The stack merges these
 * with its own.
 */
export function findConsumerOptionProblems(options: FluentWebhookConsumerOptions): ConfigurationProblem[] {
  return [
    ...checkTableProps(options),
    ...checkFunctionProps(options),
    ...checkEventSourceProps(options),
    ...findFluentApiProblems(options.fluentApi),
    ...(options.staleStatusGuard === undefined
      ? []
      : readStatusOrder('staleStatusGuard', options.staleStatusGuard).problems),
    ...checkReconciliationSweep(options),
  ];
}

/** The sweep's settings, and the Fluent API it lists events from. */
function checkReconciliationSweep({
  reconciliationSweep,
  fluentApi,
}: FluentWebhookConsumerOptions): ConfigurationProblem[] {
  if (reconciliationSweep === undefined) return [];
  const problems = readSweepSettings('reconciliationSweep', reconciliationSweep).problems;
  if (fluentApi === undefined) {
    problems.push({
      setting: 'reconciliationSweep',
      message:
        "needs fluentApi (fluentApiUrl, fluentApiAccount, fluentApiSecretName): the sweep lists Fluent's events with those credentials.",
    });
  }
  return problems;
}

/** The history must keep an event at least as long as the consumer remembers it (`historyRetentionProblem`). */
function checkHistoryRetention({ historyRetentionDays, settings }: FluentWebhookConsumerProps): ConfigurationProblem[] {
  if (historyRetentionDays === undefined) return [];
  const problem = historyRetentionProblem(historyRetentionDays, settings.idempotencyExpirySeconds);
  return problem === undefined ? [] : [problem];
}

function checkTableProps({
  existingIdempotencyTableObj,
  idempotencyTableProps: table,
}: FluentWebhookConsumerOptions): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  if (existingIdempotencyTableObj !== undefined && table !== undefined) {
    problems.push({
      setting: 'idempotencyTableProps',
      message: 'and existingIdempotencyTableObj exclude each other: pass your table, or props for a new one.',
    });
  }
  const key = table?.partitionKey;
  if (key !== undefined && (key.name !== IDEMPOTENCY_PARTITION_KEY || key.type !== dynamodb.AttributeType.STRING)) {
    problems.push({
      setting: 'idempotencyTableProps.partitionKey',
      message: `must be "${IDEMPOTENCY_PARTITION_KEY}" (string), the key Powertools Idempotency uses; leave it unset.`,
    });
  }
  if (table?.sortKey !== undefined) {
    problems.push({
      setting: 'idempotencyTableProps.sortKey',
      message: 'is set, but the idempotency table has no sort key; leave it unset.',
    });
  }
  if (table?.timeToLiveAttribute !== undefined && table.timeToLiveAttribute !== IDEMPOTENCY_TTL_ATTRIBUTE) {
    problems.push({
      setting: 'idempotencyTableProps.timeToLiveAttribute',
      message: `must be "${IDEMPOTENCY_TTL_ATTRIBUTE}", where Powertools Idempotency writes the expiry; leave it unset.`,
    });
  }
  return problems;
}

function checkFunctionProps({ consumerFunctionProps: fn }: FluentWebhookConsumerOptions): ConfigurationProblem[] {
  return WIRED_FUNCTION_PROPS.filter((name) => fn?.[name] !== undefined).map((name) => ({
    setting: `consumerFunctionProps.${name}`,
    message: 'is set by the construct; give your handler module as handlersEntry, and logRetention for logs.',
  }));
}

const SOURCE_FILE = /\.(c|m)?(j|t)sx?$/;

function checkHandlersEntry({ handlersEntry }: FluentWebhookConsumerProps): ConfigurationProblem[] {
  if (handlersEntry === undefined) return [];
  const problem = (message: string): ConfigurationProblem => ({ setting: 'handlersEntry', message });
  if (!SOURCE_FILE.test(handlersEntry)) {
    return [problem(`${handlersEntry} is not a JavaScript or TypeScript file (.js, .mjs, .cjs, .ts, .mts, .cts).`)];
  }
  const file = resolve(handlersEntry);
  if (!existsSync(file) || !statSync(file).isFile()) {
    return [problem(`${handlersEntry} does not exist (resolved to ${file}); give the path of your handler module.`)];
  }
  if (findProjectLockFile(file) === undefined) {
    return [
      problem(
        `${handlersEntry} lies in no project with a lock file (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock): esbuild resolves its imports there. Run npm install in its project.`,
      ),
    ];
  }
  return [];
}

function checkTimeout(timeout: Duration): ConfigurationProblem[] {
  const seconds = timeout.toSeconds();
  if (seconds >= 1 && seconds <= MAX_LAMBDA_TIMEOUT_SECONDS) return [];
  return [
    {
      setting: 'consumerFunctionProps.timeout',
      message: `is ${seconds} s; Lambda allows 1 to ${MAX_LAMBDA_TIMEOUT_SECONDS} s.`,
    },
  ];
}

function checkEventSourceProps({ sqsEventSourceProps: source }: FluentWebhookConsumerOptions): ConfigurationProblem[] {
  if (source === undefined) return [];
  const problems: ConfigurationProblem[] = [];
  if (source.reportBatchItemFailures === false) {
    problems.push({
      setting: 'sqsEventSourceProps.reportBatchItemFailures',
      message:
        "cannot be turned off: without it one failing record retries its whole batch, running the others' handlers again.",
    });
  }
  const { batchSize, maxBatchingWindow, maxConcurrency } = source;
  if (batchSize !== undefined && !isIntegerIn(batchSize, 1, 10000)) {
    problems.push({
      setting: 'sqsEventSourceProps.batchSize',
      message: `is ${batchSize}; use a whole number from 1 to 10000.`,
    });
  }
  if (batchSize !== undefined && batchSize > 10 && maxBatchingWindow === undefined) {
    problems.push({
      setting: 'sqsEventSourceProps.maxBatchingWindow',
      message: `is needed for a batch size of ${batchSize}: Lambda requires one for batches over 10.`,
    });
  }
  if (maxBatchingWindow !== undefined && maxBatchingWindow.toSeconds() > 300) {
    problems.push({
      setting: 'sqsEventSourceProps.maxBatchingWindow',
      message: `is ${maxBatchingWindow.toSeconds()} s; Lambda allows up to 300 s.`,
    });
  }
  if (maxConcurrency !== undefined && !isIntegerIn(maxConcurrency, 2, 1000)) {
    problems.push({
      setting: 'sqsEventSourceProps.maxConcurrency',
      message: `is ${maxConcurrency}; Lambda allows a whole number from 2 to 1000.`,
    });
  }
  return problems;
}

function checkVisibilityTimeout(props: FluentWebhookConsumerProps, timeout: Duration): ConfigurationProblem[] {
  const visibility = props.queueVisibilityTimeout?.toSeconds() ?? definedVisibilitySeconds(props.queue);
  const minimum = minimumVisibilityTimeout(timeout).toSeconds();
  if (visibility === undefined || visibility >= minimum) return [];
  return [
    {
      setting: 'queue',
      message: `has a visibility timeout (${visibility} s) less than ${VISIBILITY_TIMEOUT_FACTOR}x the consumer's timeout (${timeout.toSeconds()} s): set it to at least ${minimum} s, or lower consumerFunctionProps.timeout. Otherwise a record still being processed becomes visible and runs twice.`,
    },
  ];
}

/** The visibility timeout of a queue defined in this app; undefined when it cannot be known at synth time. */
function definedVisibilitySeconds(queue: sqs.IQueue): number | undefined {
  if (!(queue instanceof sqs.Queue)) return undefined;
  const visibility = (queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout;
  if (visibility === undefined) return SQS_DEFAULT_VISIBILITY_SECONDS;
  return Token.isUnresolved(visibility) ? undefined : visibility;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
