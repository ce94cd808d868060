import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConfigurationError, parseReceiverSettings, rawSettingsFromEnv } from '../core';
import { createLogger, createMetrics } from '../shared/observability';
import { requireEnv, RuntimeEnv } from '../contract/environment';
import { Component } from '../contract/observability';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../contract/deployment';
import { readIngress } from '../contract/ingress';
import { readStaleStatusGuard } from '../contract/stale-status-guard';
import { dynamoDbEntityStatusStore } from './entity-status-store';
import { dynamoDbEventClaims } from './dynamodb-event-claims';
import { ConsumerHandler, createConsumerHandler } from './create-consumer-handler';
import type { FluentEventHandlers } from './handler-types';
import { fluentApiClientFromEnv } from '../fluent-api/fluent-api-from-env';
import { historyStoreFromEnv } from '../history/history-from-env';

/**
 * The consumer Lambda around a handler map: settings and the idempotency table from the environment the construct
 * sets, Powertools logger and metrics. Every consumer entry is this call on one handler module: `handler.ts` on
 * `handlers/`, or the entry the construct generates for a `handlersEntry`. Call it once per cold start: a
 * configuration error then fails initialisation, so no message is consumed (they wait in the queue, then the DLQ)
 * until the configuration is fixed and they are redriven.
 */
export function createLambdaConsumerHandler(handlers: FluentEventHandlers | undefined): ConsumerHandler {
  if (typeof handlers !== 'object' || handlers === null) {
    throw new ConfigurationError(
      'The handlers module exports no `handlers` map; export one as `export const handlers: FluentEventHandlers = { ... }`.',
    );
  }
  const tableName = requireEnv(process.env, RuntimeEnv.IDEMPOTENCY_TABLE_NAME);
  // One client for the idempotency records, the guard's status items and the history: one connection pool, one cold start.
  const dynamoDbClient = new DynamoDBClient({});
  const staleStatusOrder = readStaleStatusGuard(process.env);
  return createConsumerHandler({
    settings: parseReceiverSettings(rawSettingsFromEnv(process.env)),
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName,
      keyAttr: IDEMPOTENCY_PARTITION_KEY,
      expiryAttr: IDEMPOTENCY_TTL_ATTRIBUTE,
      awsSdkV3Client: dynamoDbClient,
    }),
    ...(staleStatusOrder === undefined
      ? {}
      : {
          staleStatusGuard: { order: staleStatusOrder, store: dynamoDbEntityStatusStore(dynamoDbClient, tableName) },
        }),
    history: historyStoreFromEnv(process.env, dynamoDbClient),
    claims: dynamoDbEventClaims(dynamoDbClient, tableName),
    handlers,
    ingress: readIngress(process.env),
    reconciliationSourceArn: process.env[RuntimeEnv.RECONCILIATION_QUEUE_ARN] || undefined,
    logger: createLogger(Component.CONSUMER),
    metrics: createMetrics(Component.CONSUMER),
    fluentApi: fluentApiClientFromEnv(process.env),
  });
}
