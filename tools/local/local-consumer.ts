import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConfigurationError } from '../../lambdas/core';
import { ConsumerHandlerDependencies, createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { LOCAL_ENV_NAMES, LOCAL_RESOURCE_NAMES, LocalConfig } from './local-config';
import type { SqsBatchHandler } from './sqs-poller';
import { handlers as projectHandlers } from '../../handlers';
import { Component } from '../../lambdas/contract/observability';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../lambdas/contract/deployment';
import type { FluentApiClient } from '../../lambdas/fluent-api';

type EventHandlers = NonNullable<ConsumerHandlerDependencies['handlers']>;

/**
 * The real consumer handler, with its idempotency records in the local DynamoDB emulator. The handler map
 * is `handlers/index.ts`, unless LOCAL_HANDLERS_MODULE names another module exporting `handlers`
 * (tests and walkthroughs use that to make a handler throw).
 */
export function createLocalConsumer(
  config: LocalConfig,
  dynamoDbClient: DynamoDBClient,
  fluentApi?: FluentApiClient,
): SqsBatchHandler {
  const handlers = config.handlersModule === undefined ? projectHandlers : loadHandlers(config.handlersModule);
  return createConsumerHandler({
    settings: config.settings,
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: LOCAL_RESOURCE_NAMES.idempotencyTable,
      keyAttr: IDEMPOTENCY_PARTITION_KEY,
      expiryAttr: IDEMPOTENCY_TTL_ATTRIBUTE,
      awsSdkV3Client: dynamoDbClient,
    }),
    handlers,
    logger: createLogger(Component.CONSUMER),
    metrics: createMetrics(Component.CONSUMER),
    fluentApi,
  });
}

function loadHandlers(modulePath: string): EventHandlers {
  let loaded: { handlers?: EventHandlers };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module chosen at run time, TypeScript through tsx.
    loaded = require(modulePath) as { handlers?: EventHandlers };
  } catch (error) {
    throw new ConfigurationError(
      `${LOCAL_ENV_NAMES.handlersModule} ${modulePath} could not be loaded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (loaded.handlers === undefined) {
    throw new ConfigurationError(
      `${LOCAL_ENV_NAMES.handlersModule} ${modulePath} exports no \`handlers\`; export the handler map under that name.`,
    );
  }
  return loaded.handlers;
}
