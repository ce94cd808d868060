import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { FLUENT_PATH_SEGMENT } from '../../lambdas/contract/deployment';
import { createReceiverHandler } from '../../lambdas/receiver/create-receiver-handler';
import { FluentSignatureHeaders, parseReceiverSettings, ReceiverSettings, signFluentPayload } from '../../lambdas/core';
import { createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import type { FluentEventHandlers } from '../../lambdas/consumer/handler-types';
import { dynamoDbEventClaims } from '../../lambdas/consumer/dynamodb-event-claims';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { GatewayServer, startGatewayServer } from '../../tools/local/gateway-server';
import { createLambdaContext } from '../../tools/local/lambda-context';
import { emulatorClientConfig, LOOPBACK_HOST } from '../../tools/local/local-aws-config';
import { EMULATOR_ACCOUNT_ID } from '../../tools/local/sqs-emulator';
import { toSqsEventRecord } from '../../tools/local/sqs-event-records';
import { SqsPoller, startSqsPoller } from '../../tools/local/sqs-poller';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { fluentEventBody } from '../support/factories';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { queueDepth, QueueRef } from '../support/sqs-records';
import type { TestKeyPair } from '../support/test-keys';

export const SERVED_ACCOUNT = 'ACME';
export const IDEMPOTENCY_TABLE = 'fluent-webhook-idempotency';
export const HISTORY_TABLE = 'fluent-webhook-history';
const PATH_SECRET = 'faultTestPathSecret-0123456789abcdefghijkl';

/** Settings as the stack and the local runner parse them: the test key, the served account. */
export function faultSettings(fluent: TestKeyPair): ReceiverSettings {
  return parseReceiverSettings({ publicKeys: fluent.publicKeyBase64, accountIds: SERVED_ACCOUNT });
}

/** A Fluent event for the served account with a fresh id, signed as Fluent signs it. */
export interface SignedWebhook {
  readonly id: string;
  readonly body: Buffer;
  readonly headers: FluentSignatureHeaders;
}

export function signedWebhook(fluent: TestKeyPair): SignedWebhook {
  const id = randomUUID();
  const body = fluentEventBody({ id });
  return { id, body, headers: signFluentPayload(body, fluent.privateKey) };
}

export function signedWebhooks(fluent: TestKeyPair, count: number): SignedWebhook[] {
  return Array.from({ length: count }, () => signedWebhook(fluent));
}

/** The API Gateway stand-in in front of the real verifying handler, which sends to the given SQS client's queue. */
export interface ReceiverOverHttp {
  /** POSTs a webhook to `…/fluent/orders` and resolves with the HTTP status. */
  post(webhook: SignedWebhook): Promise<number>;
  close(): Promise<void>;
}

export async function startReceiverOverHttp(
  settings: ReceiverSettings,
  sqsClient: SQSClient,
  queueUrl: string,
): Promise<ReceiverOverHttp> {
  const receiverFunction = {
    functionName: 'receiver',
    timeoutSeconds: 10,
    memorySizeMb: 256,
    region: 'us-east-1',
    accountId: EMULATOR_ACCOUNT_ID,
  };
  const logger = createLogger('gateway');
  const gateway: GatewayServer = await startGatewayServer({
    host: LOOPBACK_HOST,
    port: 0,
    stage: { stage: 'webhooks', apiId: 'faults', accountId: EMULATOR_ACCOUNT_ID, pathSecret: PATH_SECRET },
    handler: createReceiverHandler({
      settings,
      sqsClient,
      queueUrl,
      logger: createLogger('receiver'),
      metrics: createMetrics('receiver'),
    }),
    createContext: () => createLambdaContext(receiverFunction),
    logger,
  });
  const url = `${gateway.origin}/${PATH_SECRET}/${FLUENT_PATH_SEGMENT}/orders`;
  return {
    async post(webhook) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...webhook.headers },
        body: webhook.body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    close: () => gateway.close(),
  };
}

export interface ConsumerOptions {
  readonly settings: ReceiverSettings;
  readonly sqsClient: SQSClient;
  readonly queue: QueueRef;
  readonly dynamoDbClient: DynamoDBClient;
  readonly handlers: FluentEventHandlers;
  /** The consumer's Lambda timeout; it bounds the idempotency in-progress lock. @default 10 */
  readonly timeoutSeconds?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /**
   * Archive to the history table, whose `processed` records then mark completion (the consumer's own claims, as
   * deployed). @default false: Powertools Idempotency alone
   */
  readonly withHistory?: boolean;
}

/**
 * The real consumer handler, idempotent over the real DynamoDB persistence layer, fed by the local runner's
 * poller exactly as `npm start` wires them (the stand-in for Lambda's SQS event source).
 */
export function startConsumer(options: ConsumerOptions): SqsPoller {
  const consumerFunction = {
    functionName: 'consumer',
    timeoutSeconds: options.timeoutSeconds ?? 10,
    memorySizeMb: 256,
    region: 'us-east-1',
    accountId: EMULATOR_ACCOUNT_ID,
  };
  return startSqsPoller({
    sqsClient: options.sqsClient,
    queueUrl: options.queue.queueUrl,
    queueArn: options.queue.queueArn,
    region: 'us-east-1',
    batchSize: options.batchSize ?? 10,
    // Short polls keep stop() quick; the loop polls again at once.
    waitTimeSeconds: 1,
    handler: createConsumerHandler({
      settings: options.settings,
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: IDEMPOTENCY_TABLE,
        awsSdkV3Client: options.dynamoDbClient,
      }),
      ...(options.withHistory === true
        ? {
            history: new DynamoDbHistoryStore({ client: options.dynamoDbClient, tableName: HISTORY_TABLE }),
            claims: dynamoDbEventClaims(options.dynamoDbClient, IDEMPOTENCY_TABLE),
          }
        : {}),
      handlers: options.handlers,
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
    }),
    createContext: () => createLambdaContext(consumerFunction),
    toRecord: toSqsEventRecord,
    logger: createLogger('poller'),
  });
}

/** How a scenario's queue retries: each queue gets a dead-letter queue named `<name>-dlq`. */
export interface QueueSettings {
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
}

/** SQS and DynamoDB emulators in a child process, with clients for them, torn down by one call. */
export interface FaultEnvironment {
  readonly emulators: RunningEmulators;
  /** With the SDK's default retries, as the Lambdas have them. */
  readonly sqs: SQSClient;
  readonly dynamoDb: DynamoDBClient;
  queue(name: string): QueueRef;
  deadLetterQueue(name: string): QueueRef;
  /** Nothing visible and nothing in flight. */
  isEmpty(queue: QueueRef): Promise<boolean>;
  close(): Promise<void>;
}

/** Starts the emulators with one queue (and its DLQ) per entry and the idempotency table. Pair with `close()` in afterAll. */
export async function startFaultEnvironment(
  queues: Readonly<Record<string, QueueSettings>>,
): Promise<FaultEnvironment> {
  const emulators = await startEmulators({
    queues: Object.entries(queues).flatMap(([name, settings]) => [
      { name: `${name}-dlq` },
      {
        name,
        deadLetterQueue: `${name}-dlq`,
        maxReceiveCount: settings.maxReceiveCount,
        attributes: { VisibilityTimeout: String(settings.visibilityTimeoutSeconds) },
      },
    ]),
    idempotencyTables: [IDEMPOTENCY_TABLE],
    historyTables: [HISTORY_TABLE],
  });
  const sqs = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, emulators.region));
  const dynamoDb = new DynamoDBClient(emulatorClientConfig(emulators.dynamoDbEndpoint, emulators.region));
  const named = (name: string): QueueRef => {
    const queue = emulators.queues[name];
    if (queue === undefined)
      throw new Error(`No queue ${name}; the environment has ${Object.keys(emulators.queues).join(', ')}.`);
    return queue;
  };
  return {
    emulators,
    sqs,
    dynamoDb,
    queue: named,
    deadLetterQueue: (name) => named(`${name}-dlq`),
    isEmpty: async (queue) => Object.values(await queueDepth(sqs, queue.queueUrl)).every((count) => count === 0),
    close: async () => {
      sqs.destroy();
      dynamoDb.destroy();
      await emulators.close();
    },
  };
}

/** Counts each event's handler runs that completed. */
export class HandlerLedger {
  public readonly completed = new Map<string, number>();

  public record(eventId: string): void {
    this.completed.set(eventId, (this.completed.get(eventId) ?? 0) + 1);
  }

  /** Event ids whose handler completed more than once. */
  public twice(): string[] {
    return [...this.completed].filter(([, runs]) => runs > 1).map(([id]) => id);
  }
}

export { waitUntil } from '../support/wait-until';
