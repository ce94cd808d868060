import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { minuteOf } from '../../lambdas/core/sweep-windows';
import type { HistoryStore } from '../../lambdas/contract/history';
import { boundedLogValue } from '../../lambdas/contract/log-values';
import { Component } from '../../lambdas/contract/observability';
import {
  CHECKPOINT_TABLE_KEY,
  ReconciliationSweepSettings,
  SweepId,
} from '../../lambdas/contract/reconciliation-sweep';
import type { FluentApi } from '../../lambdas/fluent-api/fluent-api-client';
import { DynamoDbCheckpointStore } from '../../lambdas/reconcile/dynamodb-checkpoint-store';
import { sqsBackfill } from '../../lambdas/reconcile/sqs-backfill';
import type { DoorFailureSource } from '../../lambdas/reconcile/sweep';
import { invokeSweeps } from '../../lambdas/reconcile/sweep-invocation';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import type { DoorVerdict } from './inspector/door-verdicts';

/** The checkpoint table as the sweep construct defines it (lib/reconciliation), for the local DynamoDB emulator. */
export function checkpointTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: CHECKPOINT_TABLE_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: CHECKPOINT_TABLE_KEY, KeyType: 'HASH' }],
  };
}

export interface LocalSweepOptions {
  readonly settings: ReconciliationSweepSettings;
  readonly intervalSeconds: number;
  readonly fluent: Pick<FluentApi, 'getEvents'>;
  readonly history: Pick<HistoryStore, 'entriesOf'>;
  readonly sqs: SQSClient;
  readonly reconciliationQueueUrl: string;
  readonly dynamoDb: DynamoDBClient;
  readonly checkpointTable: string;
  /** What the local door answered: its 5xx and 4xx minutes are swept first, as the API Gateway metrics deployed. */
  readonly doorVerdicts: () => readonly DoorVerdict[];
}

/**
 * The deployed recent sweep, run by the local runner every `intervalSeconds` (RECONCILIATION_SWEEP): the same
 * `invokeSweeps` as the sweep Lambda, with the runner's history, reconciliation queue, Fluent (the stand-in or
 * FLUENT_API_URL), a checkpoint table in its DynamoDB emulator, and its gateway's answers as the door's failures.
 * Runs one sweep at a time; `stop` waits for the one in hand.
 */
export function startLocalSweep(options: LocalSweepOptions): { stop(): Promise<void> } {
  const checkpoints = new DynamoDbCheckpointStore({ client: options.dynamoDb, tableName: options.checkpointTable });
  const metrics = createMetrics(Component.RECONCILER);
  const logger = createLogger(Component.RECONCILER);
  const doorFailures: DoorFailureSource = async ({ from, to }) =>
    options
      .doorVerdicts()
      .filter((verdict) => verdict.status >= 400)
      .map((verdict) => Date.parse(verdict.receivedAt))
      .filter((time) => time >= from.getTime() && time <= to.getTime())
      .map(minuteOf);
  let stopped = false;
  let run = 0;
  let inHand: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    run += 1;
    const holder = `local-${process.pid}-${run}`;
    inHand = invokeSweeps({
      run: {
        settings: options.settings,
        fluent: options.fluent,
        history: options.history,
        checkpoints,
        doorFailures,
        backfill: sqsBackfill({
          sqs: options.sqs,
          queueUrl: options.reconciliationQueueUrl,
          runId: holder,
          route: options.settings.route,
        }),
      },
      sweep: SweepId.RECENT,
      holder,
      // One interval per sweep; a sweep cut there resumes at the next tick, as a Lambda cut by its timeout.
      deadline: Date.now() + options.intervalSeconds * 1000,
      logger,
      metrics,
    })
      .catch((error: unknown) =>
        logger.warn('reconciliation sweep failed; the next one resumes from its checkpoint', {
          error: { name: (error as Error).name, message: boundedLogValue((error as Error).message) },
        }),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalSeconds * 1000);
      });
  };
  timer = setTimeout(tick, options.intervalSeconds * 1000);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inHand;
    },
  };
}
