import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { ConfigurationError } from '../core/errors';
import { requireEnv, RuntimeEnv } from '../contract/environment';
import { Component } from '../contract/observability';
import { readSweepSettings, SweepId, SweepIdName } from '../contract/reconciliation-sweep';
import { fluentApiClientFromEnv } from '../fluent-api/fluent-api-from-env';
import { historyStoreFromEnv } from '../history/history-from-env';
import { createLogger, createMetrics } from '../shared/observability';
import { cloudWatchDoorFailures } from './cloudwatch-door-failures';
import { DynamoDbCheckpointStore } from './dynamodb-checkpoint-store';
import { sqsBackfill } from './sqs-backfill';
import type { SweepRun } from './sweep';
import { invokeSweeps } from './sweep-invocation';

/**
 * Time kept back from the Lambda's timeout: the page in hand (one Fluent call of at most 30 s with its retries, a
 * page of history lookups and backfills) and the checkpoint's save and release still fit.
 */
const RESERVE_MS = 90_000;

const logger = createLogger(Component.RECONCILER);
const metrics = createMetrics(Component.RECONCILER);
const sqs = new SQSClient({});
type SweepBase = Omit<SweepRun, 'sweep' | 'holder' | 'deadline' | 'resumeOnly' | 'backfill'> & { queueUrl: string };
let sweepBase: SweepBase | undefined;

/** Built once per cold start; a configuration error fails it with a message naming the variable. */
function sweepBaseFromEnv(env: Readonly<Record<string, string | undefined>>): SweepBase {
  const { settings, problems } = readSweepSettings(
    RuntimeEnv.RECONCILIATION_SWEEP,
    env[RuntimeEnv.RECONCILIATION_SWEEP],
  );
  if (settings === undefined) {
    throw new ConfigurationError(problems.map((problem) => `${problem.setting} ${problem.message}`).join(' '), {
      problems,
    });
  }
  const fluent = fluentApiClientFromEnv(env);
  const dynamoDb = new DynamoDBClient({});
  const history = historyStoreFromEnv(env, dynamoDb);
  if (fluent === undefined || history === undefined) {
    throw new ConfigurationError('The sweep needs the Fluent API settings and the history table; the stack sets both.');
  }
  const apiName = env[RuntimeEnv.RECONCILIATION_DOOR_API_NAME];
  const stageName = env[RuntimeEnv.RECONCILIATION_DOOR_STAGE];
  return {
    settings,
    fluent,
    history,
    queueUrl: requireEnv(env, RuntimeEnv.RECONCILIATION_QUEUE_URL),
    checkpoints: new DynamoDbCheckpointStore({
      client: dynamoDb,
      tableName: requireEnv(env, RuntimeEnv.RECONCILIATION_CHECKPOINT_TABLE),
    }),
    ...(apiName === undefined || stageName === undefined
      ? {}
      : { doorFailures: cloudWatchDoorFailures(new CloudWatchClient({}), { apiName, stageName }) }),
  };
}

/** The schedule's input names the sweep: `{ "sweep": "recent" }` or `{ "sweep": "nightly" }`. */
function sweepOf(event: unknown): SweepIdName {
  const sweep = (event as { sweep?: unknown } | null)?.sweep;
  const known: readonly string[] = Object.values(SweepId);
  if (typeof sweep === 'string' && known.includes(sweep)) return sweep as SweepIdName;
  throw new ConfigurationError(`The sweep's input must name one of ${known.join(', ')}: {"sweep":"recent"}.`);
}

export async function handler(event: unknown, context: Context): Promise<void> {
  const sweep = sweepOf(event);
  sweepBase ??= sweepBaseFromEnv(process.env);
  const { queueUrl, ...base } = sweepBase;
  await invokeSweeps({
    // The invocation's request id on each backfilled message (and so on its decision line) names the run.
    run: { ...base, backfill: sqsBackfill({ sqs, queueUrl, runId: context.awsRequestId, route: base.settings.route }) },
    sweep,
    holder: context.awsRequestId,
    deadline: Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS,
    logger,
    metrics,
  });
}
