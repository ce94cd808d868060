import { join } from 'node:path';
import { startRunner, startTogether } from './stop-stack';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { FLUENT_PATH_SEGMENT } from '../../lambdas/contract/deployment';
import { createReceiverHandler } from '../../lambdas/receiver/create-receiver-handler';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { watchDeadLetterQueue } from './dead-letter-watcher';
import { boundedLogValue } from '../../lambdas/contract/log-values';
import { startGatewayServer } from './gateway-server';
import { Ingress } from '../../lambdas/contract/ingress';
import { createLambdaContext, LocalFunction } from './lambda-context';
import { emulatorS3ClientConfig, inProcessClientConfig } from './local-aws-config';
import { S3HistoryBodies } from '../../lambdas/history/s3-history-bodies';
import { LOCAL_DEFAULTS, LOCAL_ENV_NAMES, LOCAL_RESOURCE_NAMES, LocalConfig, localQueueNames } from './local-config';
import { createLocalConsumer } from './local-consumer';
import { bundleHandlers } from './load-handlers';
import { HANDLERS_BUNDLE_DIR } from './handlers-bundle-cache';
import { watchHandlers } from './watch-handlers';
import { inspectQueueMessages } from './inspect-queue';
import { lockDataDir } from './data-dir-lock';
import { removeRunnerEndpoints, writeRunnerEndpoints } from './runner-endpoints';
import { EMULATOR_ACCOUNT_ID, redrivePolicy } from './sqs-emulator';
import { startDynamoDbEmulatorThread, startSqsEmulatorThread } from './emulator-thread';
import { toSqsEventRecord } from './sqs-event-records';
import { SqsBatchHandler, startSqsPoller } from './sqs-poller';
import { TIMED_OUT, withinMs } from '../../lambdas/shared/within-time';
import { Component } from '../../lambdas/contract/observability';
import { Ordering } from '../../lambdas/contract/ordering';
import { startLocalFluentApi } from './local-fluent-api';
import { FluentSignatureVerifier } from '../../lambdas/core';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { bodyClaims, DoorVerdicts, verdictOf } from './inspector/door-verdicts';
import { createInspectorApi } from './inspector/inspector-api';
import { startInspectorServer } from './inspector/inspector-server';
import { tapJsonLogLines } from './inspector/log-tap';
import { FluentCallLog } from './inspector/fluent-calls';
import { ChangeFeed } from './inspector/change-feed';
import { checkpointTableDefinition, startLocalSweep } from './local-sweep';

/** The data folder's subfolder where dynalite keeps the idempotency table. */
export const DYNAMODB_DIR = 'dynamodb';
/** The data folder's subfolder where fauxqs keeps the queues and their messages (SQLite, written through). */
export const SQS_DIR = 'sqs';

export interface LocalRunner {
  /** `http://127.0.0.1:<port>/<secret>/fluent/`: append a route. */
  readonly webhookBaseUrl: string;
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
  /** Where `fluent-webhook reconcile` puts backfilled events; the consumer takes unsigned events from it only. */
  readonly reconciliationQueueUrl: string;
  /** The DynamoDB emulator and the idempotency table in it (for `sam local invoke` of the consumer, say). */
  readonly dynamoDbEndpoint: string;
  readonly idempotencyTableName: string;
  /** The history table (archive and outcomes) in the same emulator. */
  readonly historyTableName: string;
  /** What the handlers' `context.fluent` calls: the local Fluent stand-in, or FLUENT_API_URL. */
  readonly fluentApiUrl: string;
  /** The stand-in's control endpoint (faults, what it received); undefined with FLUENT_API_URL. */
  readonly fluentStandInControlUrl?: string;
  /** The inspector page: recent webhooks, their outcomes and details, replay, samples, redrive. */
  readonly inspectorUrl: string;
  /** Messages found in the queues at start (kept in the data folder from the last run), by queue name. */
  readonly restored: Readonly<Record<string, number>>;
  /**
   * Resolves if an emulator's thread ends unexpectedly (already logged, naming the emulator and why): the runner
   * cannot go on without it and is to be stopped, exiting non-zero. Never resolves otherwise.
   */
  readonly emulatorDied: Promise<void>;
  /**
   * Stops in the order that loses nothing: the gateway stops accepting, drops requests whose body has not arrived
   * and answers the rest, the poller finishes its batch, then the emulators stop. Every accepted message is
   * already written to the data folder (fauxqs writes through). Returns the number of messages left per queue for the next start.
   */
  stop(): Promise<Record<string, number>>;
}

/** Messages left in queues of the other ordering (which exist only when an earlier run created them), by name. */
async function countLeftInOtherOrdering(
  endpoint: string,
  queueNames: readonly string[],
): Promise<Record<string, number>> {
  const left: Record<string, number> = {};
  for (const name of queueNames) {
    const count = await inspectQueueMessages(endpoint, name).then(
      (messages) => messages.length,
      () => 0,
    );
    if (count > 0) left[name] = count;
  }
  return left;
}

/**
 * Starts the whole receiver in this process: the API Gateway stand-in in front of the real verifying
 * handler, an SQS emulator with the queue and DLQ as the stack defines them, a poller feeding the real
 * consumer handler, and a DynamoDB emulator for its idempotency records, kept in the data folder.
 */
export async function startLocalRunner(config: LocalConfig, logger: Logger): Promise<LocalRunner> {
  // First: a handlers module that does not load stops the start before anything listens.
  const bundled = await bundleHandlers(config.handlersModule, join(config.dataDir, HANDLERS_BUNDLE_DIR));
  // Each started part registers how to stop it; they stop in reverse order, also when a later part fails to start.
  return startRunner(logger, 'local runner', async (stopActions, saved) => {
    // First: a second runner on the same folder would share its stores and fail later with a puzzling error.
    const lock = lockDataDir(config.dataDir);
    stopActions.push(async () => lock.release());
    // The two emulators start at the same time (each loads its own modules and opens its own store), each on a
    // thread of its own (emulator-thread.ts). One that dies takes the runner down, as it did in a single thread.
    let emulatorDied: () => void = () => undefined;
    const died = new Promise<void>((resolve) => (emulatorDied = resolve));
    const onUnexpectedExit = (emulator: string) => (reason: string) => {
      logger.error('a local emulator stopped unexpectedly; stopping the runner', {
        emulator,
        reason: boundedLogValue(reason),
      });
      emulatorDied();
    };
    const startDynamoDb = async () => {
      const dynamoDb = await startDynamoDbEmulatorThread({
        onUnexpectedExit: onUnexpectedExit('DynamoDB (dynalite)'),
        host: config.host,
        path: join(config.dataDir, DYNAMODB_DIR),
        // The consumer's decision line names the record; this line says where the store failed.
        onStoreFailure: (error) =>
          logger.error('the local idempotency store could not write its data folder; the records are retried', {
            dataDir: config.dataDir,
            error: {
              name: error.name,
              code: (error as { code?: unknown }).code,
              message: boundedLogValue(error.message),
            },
          }),
      });
      stopActions.push(() => dynamoDb.stop());
      await Promise.all([
        dynamoDb.createIdempotencyTable(LOCAL_RESOURCE_NAMES.idempotencyTable),
        dynamoDb.createHistoryTable(LOCAL_RESOURCE_NAMES.historyTable),
      ]);
      return dynamoDb;
    };
    const startSqs = async () => {
      const sqs = await startSqsEmulatorThread({
        onUnexpectedExit: onUnexpectedExit('SQS (fauxqs)'),
        host: config.host,
        dataDir: join(config.dataDir, SQS_DIR),
      });
      stopActions.push(() => sqs.close());
      return sqs;
    };
    const startFluentApi = async () => {
      const fluentApi = await startLocalFluentApi(config.fluentApi, config.host);
      stopActions.push(() => fluentApi.stop());
      return fluentApi;
    };
    const [dynamoDb, sqs, fluentApi] = await startTogether([startDynamoDb(), startSqs(), startFluentApi()]);
    const queueAttributes = {
      MaximumMessageSize: String(LOCAL_DEFAULTS.maximumMessageSizeBytes),
      MessageRetentionPeriod: String(LOCAL_DEFAULTS.retentionPeriodSeconds),
    };
    // per-entity: FIFO queues (names ending .fifo), beside the standard ones, which keep what they hold.
    const names = localQueueNames(config.ordering);
    const deadLetterQueue = await sqs.createQueue(names.deadLetterQueue, queueAttributes);
    // Backfilled events arrive unsigned; the consumer accepts them from this queue only (its ARN, on each record).
    // A standard queue in every mode (backfills are not ordered), so its dead-letter queue is the standard one.
    const standardDeadLetterQueue =
      names.deadLetterQueue === LOCAL_RESOURCE_NAMES.deadLetterQueue
        ? deadLetterQueue
        : await sqs.createQueue(LOCAL_RESOURCE_NAMES.deadLetterQueue, queueAttributes);
    const [queue, reconciliationQueue] = await Promise.all([
      sqs.createQueue(names.queue, {
        ...queueAttributes,
        VisibilityTimeout: String(config.visibilityTimeoutSeconds),
        RedrivePolicy: redrivePolicy(deadLetterQueue.queueArn, config.maxReceiveCount),
      }),
      sqs.createQueue(LOCAL_RESOURCE_NAMES.reconciliationQueue, {
        ...queueAttributes,
        VisibilityTimeout: String(config.visibilityTimeoutSeconds),
        RedrivePolicy: redrivePolicy(standardDeadLetterQueue.queueArn, config.maxReceiveCount),
      }),
    ]);

    // The runner's own clients reach the emulators in-process, as the Lambdas' code reaches AWS: through the SDK.
    const sqsClient = new SQSClient(inProcessClientConfig(sqs, sqs.region));
    const dynamoDbClient = new DynamoDBClient(inProcessClientConfig(dynamoDb, sqs.region));
    await sqs.createBucket(LOCAL_RESOURCE_NAMES.historyBucket);
    const historyBodies = new S3HistoryBodies({
      bucketName: LOCAL_RESOURCE_NAMES.historyBucket,
      clientConfig: emulatorS3ClientConfig(sqs.endpoint, sqs.region),
    });
    const historyStore = () =>
      new DynamoDbHistoryStore({
        client: dynamoDbClient,
        tableName: LOCAL_RESOURCE_NAMES.historyTable,
        retentionDays: config.historyRetentionDays,
        bodies: historyBodies,
      });
    stopActions.push(async () => {
      sqsClient.destroy();
      dynamoDbClient.destroy();
      await historyBodies.destroy();
    });
    const queueNames = [queue.queueName, deadLetterQueue.queueName, reconciliationQueue.queueName];
    const countMessages = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        await Promise.all(
          queueNames.map(async (name) => [name, (await inspectQueueMessages(sqs.endpoint, name)).length] as const),
        ),
      );
    const [restored, stranded] = await Promise.all([
      countMessages(),
      countLeftInOtherOrdering(sqs.endpoint, names.otherOrdering),
    ]);
    if (Object.keys(stranded).length > 0) {
      logger.warn(
        `the queues of the other ordering still hold messages from an earlier run; they are not consumed now. Start with ${LOCAL_ENV_NAMES.ordering}=${config.ordering === Ordering.PER_ENTITY ? Ordering.UNORDERED : Ordering.PER_ENTITY} until they are drained, or move them with fluent-webhook redrive`,
        { left: stranded, ordering: config.ordering },
      );
    }
    stopActions.push(async () => {
      Object.assign(saved, await countMessages());
    });

    const lambdaFunction = (functionName: string, timeoutSeconds: number, memorySizeMb: number): LocalFunction => ({
      functionName,
      timeoutSeconds,
      memorySizeMb,
      region: sqs.region,
      accountId: EMULATOR_ACCOUNT_ID,
    });
    const consumerFunction = lambdaFunction(
      LOCAL_RESOURCE_NAMES.consumerFunction,
      config.consumerTimeoutSeconds,
      LOCAL_DEFAULTS.consumerMemorySizeMb,
    );
    // The poller calls the consumer once per batch, so a reload takes effect between batches: the batch in hand
    // finishes with the handlers it started with, and what is queued meanwhile waits in the queue.
    // The calls each handler makes to Fluent, for the inspector's details (the client's records: no token, no body).
    const fluentCalls = new FluentCallLog();
    // What the page shows changed: its open streams read the list again.
    const changes = new ChangeFeed();
    const consumerFor = (handlers: typeof bundled.handlers) =>
      createLocalConsumer(
        config,
        dynamoDbClient,
        handlers,
        historyStore(),
        fluentApi.client,
        reconciliationQueue.queueArn,
        {
          fluentCallTap: fluentCalls.tap,
          onRecorded: (key) => changes.recorded(key),
        },
      );
    let consumer = consumerFor(bundled.handlers);
    if (config.watch) {
      const watcher = watchHandlers(
        config.handlersModule,
        bundled.inputs,
        (handlers) => (consumer = consumerFor(handlers)),
        logger,
        join(config.dataDir, HANDLERS_BUNDLE_DIR),
      );
      stopActions.push(async () => watcher.stop());
    }
    const pollOptions = {
      sqsClient,
      region: sqs.region,
      batchSize: config.batchSize,
      handler: ((event, context) => consumer(event, context)) satisfies SqsBatchHandler,
      createContext: () => createLambdaContext(consumerFunction),
      toRecord: toSqsEventRecord,
      handlerTimeoutSeconds: config.consumerTimeoutSeconds,
      // The queues' short visibility timeout is the retry delay; a batch in hand stays hidden until its timeout, so
      // that with several batches at once no record is handed out twice (as the stack's 6 × the timeout ensures).
      retryDelaySeconds: config.visibilityTimeoutSeconds,
      logger,
    };
    const pollers = [
      startSqsPoller({
        ...pollOptions,
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        // per-entity: batches per message group, concurrently, as Lambda's event source on a FIFO queue.
        // unordered: as many batches at once, as Lambda's event source on a standard queue.
        ...(config.ordering === Ordering.PER_ENTITY
          ? { messageGroups: { maxConcurrency: LOCAL_DEFAULTS.consumerMaxConcurrency } }
          : { concurrentBatches: LOCAL_DEFAULTS.consumerMaxConcurrency }),
      }),
      // Backfills are not ordered: the reconciliation queue is a standard queue in every mode.
      startSqsPoller({
        ...pollOptions,
        queueUrl: reconciliationQueue.queueUrl,
        queueArn: reconciliationQueue.queueArn,
      }),
    ];
    const poller = { stop: async () => void (await Promise.all(pollers.map((each) => each.stop()))) };
    // The poller gives up on a batch at the consumer's timeout; this bound is for anything else that could hang
    // it, so that the stop still saves the queues. Messages in flight are saved with the rest.
    stopActions.push(async () => {
      if ((await withinMs(poller.stop(), config.consumerTimeoutSeconds * 1000)) === TIMED_OUT) {
        logger.warn(
          'the poller did not stop within the consumer timeout; the messages it holds stay queued and are saved',
          {
            consumerTimeoutSeconds: config.consumerTimeoutSeconds,
          },
        );
      }
    });
    const watcher = watchDeadLetterQueue(sqs.endpoint, deadLetterQueue.queueName, logger, () => changes.changed());
    stopActions.push(async () => watcher.stop());

    const receiverFunction = lambdaFunction(
      LOCAL_RESOURCE_NAMES.receiverFunction,
      LOCAL_DEFAULTS.receiverTimeoutSeconds,
      LOCAL_DEFAULTS.receiverMemorySizeMb,
    );
    const stage = {
      stage: LOCAL_DEFAULTS.stageName,
      apiId: 'local',
      accountId: EMULATOR_ACCOUNT_ID,
      pathSecret: config.pathSecret.secret,
    };
    // queue-first: no Lambda at the door; the stack's mapping template puts the request on the queue as it came.
    // Its template engine (velocityjs) is loaded only then.
    const integration =
      config.ingress === Ingress.QUEUE_FIRST
        ? {
            serviceIntegration: (await import('./sqs-service-integration')).sqsSendMessageIntegration({
              sqsClient,
              queueUrl: queue.queueUrl,
              stage,
            }),
          }
        : {
            handler: createReceiverHandler({
              settings: config.settings,
              sqsClient,
              queueUrl: queue.queueUrl,
              logger: createLogger(Component.RECEIVER),
              metrics: createMetrics(Component.RECEIVER),
              ordering: config.ordering,
            }),
            createContext: () => createLambdaContext(receiverFunction),
          };
    const verdicts = new DoorVerdicts();
    const gateway = await startGatewayServer({
      host: config.host,
      port: config.port,
      stage,
      ...integration,
      logger,
      onAnswered: (answered) => {
        verdicts.add({
          requestId: answered.requestId,
          receivedAt: answered.receivedAt.toISOString(),
          route: answered.route,
          status: answered.status,
          ...verdictOf(answered.status, answered.answerBody),
          ...(answered.body === undefined ? {} : bodyClaims(answered.body)),
        });
        changes.changed();
      },
    });
    stopActions.push(() => gateway.close());
    if (config.reconciliationSweep !== undefined) {
      await dynamoDb.createTable(checkpointTableDefinition(LOCAL_RESOURCE_NAMES.checkpointTable));
      const sweep = startLocalSweep({
        ...config.reconciliationSweep,
        fluent: fluentApi.client,
        history: historyStore(),
        sqs: sqsClient,
        reconciliationQueueUrl: reconciliationQueue.queueUrl,
        dynamoDb: dynamoDbClient,
        checkpointTable: LOCAL_RESOURCE_NAMES.checkpointTable,
        doorVerdicts: () => verdicts.all(),
      });
      stopActions.push(() => sweep.stop());
    }
    const webhookBaseUrl = `${gateway.origin}/${config.pathSecret.secret}/${FLUENT_PATH_SEGMENT}/`;
    const logs = tapJsonLogLines();
    stopActions.push(async () => logs.stop());
    const inspector = await startInspectorServer({
      host: config.host,
      logger,
      changes,
      api: createInspectorApi({
        store: historyStore(),
        changes,
        verdicts,
        logs,
        fluentCalls,
        verifier: new FluentSignatureVerifier({
          publicKeys: config.settings.publicKeys,
          policy: config.settings.signaturePolicy,
        }),
        deduplicationWindowSeconds: config.settings.idempotencyExpirySeconds,
        sqs: sqsClient,
        queueUrl: queue.queueUrl,
        deadLetterQueueUrl: deadLetterQueue.queueUrl,
        // Both dead-letter queues when they differ (per-entity: the FIFO one, and the reconciliation queue's).
        deadLetterMessages: async () =>
          (
            await Promise.all(
              [...new Set([deadLetterQueue.queueName, standardDeadLetterQueue.queueName])].map((name) =>
                inspectQueueMessages(sqs.endpoint, name),
              ),
            )
          ).flat(),
        webhookBaseUrl,
        privateKeyPath: config.localKeyPair?.privateKeyPath,
      }),
    });
    stopActions.push(() => inspector.close());
    // Last, so that a reader never finds the file before everything it names answers; removed first on stop.
    writeRunnerEndpoints(config.dataDir, {
      pid: process.pid,
      region: sqs.region,
      dynamoDbEndpoint: dynamoDb.endpoint,
      historyTableName: LOCAL_RESOURCE_NAMES.historyTable,
      historyRetentionDays: config.historyRetentionDays,
      historyBucketName: LOCAL_RESOURCE_NAMES.historyBucket,
      sqsEndpoint: sqs.endpoint,
      queueUrl: queue.queueUrl,
      deadLetterQueueUrl: deadLetterQueue.queueUrl,
      reconciliationQueueUrl: reconciliationQueue.queueUrl,
      ...(config.fluentApi.kind === 'stand-in'
        ? { fluentStandIn: { apiUrl: fluentApi.apiUrl, account: config.fluentApi.account } }
        : {}),
    });
    stopActions.push(async () => removeRunnerEndpoints(config.dataDir));

    return {
      emulatorDied: died,
      webhookBaseUrl,
      inspectorUrl: inspector.url,
      sqsEndpoint: sqs.endpoint,
      queueUrl: queue.queueUrl,
      deadLetterQueueUrl: deadLetterQueue.queueUrl,
      deadLetterQueueArn: deadLetterQueue.queueArn,
      reconciliationQueueUrl: reconciliationQueue.queueUrl,
      dynamoDbEndpoint: dynamoDb.endpoint,
      idempotencyTableName: LOCAL_RESOURCE_NAMES.idempotencyTable,
      historyTableName: LOCAL_RESOURCE_NAMES.historyTable,
      fluentApiUrl: fluentApi.apiUrl,
      fluentStandInControlUrl: fluentApi.controlUrl,
      restored,
    };
  });
}
