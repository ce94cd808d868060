import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import type { FluentEventHandlers } from '../../lambdas/consumer/handler-types';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { LOCAL_RESOURCE_NAMES, LocalConfig } from './local-config';
import type { SqsBatchHandler } from './sqs-poller';
import { Component } from '../../lambdas/contract/observability';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../lambdas/contract/deployment';
import type { FluentApiClient } from '../../lambdas/fluent-api';
import type { FluentCallTap } from '../../lambdas/consumer/fluent-context';
import { dynamoDbEntityStatusStore } from '../../lambdas/consumer/entity-status-store';
import { dynamoDbEventClaims } from '../../lambdas/consumer/dynamodb-event-claims';
import type { HistoryKey, HistoryStore } from '../../lambdas/contract/history';

/** What the inspector page is told about the consumer's work. */
export interface ConsumerInspection {
  /** Every attempt of the handlers' Fluent calls, with the delivery's ids. */
  readonly fluentCallTap?: FluentCallTap;
  /** After each history write, succeeded or failed (a failed one may have reached the table), with its key. */
  readonly onRecorded?: (key: HistoryKey) => void;
}

/**
 * The real consumer handler on the given handler map, with its idempotency records in the local DynamoDB emulator and
 * the runner's history store.
 */
export function createLocalConsumer(
  config: LocalConfig,
  dynamoDbClient: DynamoDBClient,
  handlers: FluentEventHandlers,
  history: Pick<HistoryStore, 'write' | 'completionsOf'>,
  fluentApi?: FluentApiClient,
  reconciliationSourceArn?: string,
  inspection: ConsumerInspection = {},
): SqsBatchHandler {
  const { onRecorded } = inspection;
  return createConsumerHandler({
    settings: config.settings,
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: LOCAL_RESOURCE_NAMES.idempotencyTable,
      keyAttr: IDEMPOTENCY_PARTITION_KEY,
      expiryAttr: IDEMPOTENCY_TTL_ATTRIBUTE,
      awsSdkV3Client: dynamoDbClient,
    }),
    handlers,
    ingress: config.ingress,
    ...(config.staleStatusGuard === undefined
      ? {}
      : {
          staleStatusGuard: {
            order: config.staleStatusGuard,
            store: dynamoDbEntityStatusStore(dynamoDbClient, LOCAL_RESOURCE_NAMES.idempotencyTable),
          },
        }),
    history: onRecorded === undefined ? history : notifyingWrites(history, onRecorded),
    claims: dynamoDbEventClaims(dynamoDbClient, LOCAL_RESOURCE_NAMES.idempotencyTable),
    logger: createLogger(Component.CONSUMER),
    metrics: createMetrics(Component.CONSUMER),
    fluentApi,
    reconciliationSourceArn,
    fluentCallTap: inspection.fluentCallTap,
  });
}

/**
 * The consumer only writes to the history (its dependency is `write` alone), so telling the inspector about each write
 * wraps that one method and restates nothing of the store. The inspector is told whether the write succeeded or not: a
 * write that fails may still have reached the table (a timeout after DynamoDB stored it), and a record the inspector
 * keeps as read must not outlive a write that may have changed it.
 */
export function notifyingWrites(
  history: Pick<HistoryStore, 'write' | 'completionsOf'>,
  onRecorded: (key: HistoryKey) => void,
): Pick<HistoryStore, 'write' | 'completionsOf'> {
  return {
    completionsOf: (eventId) => history.completionsOf(eventId),
    write: async (entry) => {
      try {
        return await history.write(entry);
      } finally {
        onRecorded({ eventId: entry.record.eventId, messageId: entry.record.messageId });
      }
    },
  };
}
