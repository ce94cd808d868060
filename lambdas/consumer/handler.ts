import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { parseReceiverSettings, rawSettingsFromEnv } from '../core';
import { Component, createLogger, createMetrics } from '../shared/observability';
import { requireEnv, RuntimeEnv } from '../shared/runtime-env';
import { createConsumerHandler } from './create-consumer-handler';

// Built once per cold start. A configuration error fails initialisation, so no message is consumed
// (they wait in the queue, then the DLQ) until the configuration is fixed and they are redriven.
export const handler = createConsumerHandler({
  settings: parseReceiverSettings(rawSettingsFromEnv(process.env)),
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: requireEnv(process.env, RuntimeEnv.IDEMPOTENCY_TABLE_NAME) }),
  logger: createLogger(Component.CONSUMER),
  metrics: createMetrics(Component.CONSUMER),
});
