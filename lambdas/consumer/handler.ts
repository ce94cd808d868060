import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { parseReceiverSettings, rawSettingsFromEnv } from '../core';
import { createLogger, createMetrics } from '../shared/observability';
import { requireEnv, RuntimeEnv } from '../contract/environment';
import { handlers } from '../../handlers';
import { createConsumerHandler } from './create-consumer-handler';
import { Component } from '../contract/observability';

// Built once per cold start. A configuration error fails initialisation, so no message is consumed
// (they wait in the queue, then the DLQ) until the configuration is fixed and they are redriven.
export const handler = createConsumerHandler({
  settings: parseReceiverSettings(rawSettingsFromEnv(process.env)),
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: requireEnv(process.env, RuntimeEnv.IDEMPOTENCY_TABLE_NAME),
  }),
  handlers,
  logger: createLogger(Component.CONSUMER),
  metrics: createMetrics(Component.CONSUMER),
});
