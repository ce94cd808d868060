import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConsumerHandler, createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import { dynamoDbEventClaims } from '../../lambdas/consumer/dynamodb-event-claims';
import type { FluentEventHandlers } from '../../lambdas/consumer/handler-types';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../lambdas/contract/deployment';
import type { FluentEventPage } from '../../lambdas/fluent-api';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { reconcile } from '../../lambdas/reconcile/reconcile-run';
import { sqsBackfill } from '../../lambdas/reconcile/sqs-backfill';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { captureOutput, CapturedOutput, decisionLines } from '../support/captured-output';
import { fluentEvent } from '../support/factories';
import { invokeAndAcknowledge, QueueRef, receiveMessages, signedEventRecord } from '../support/sqs-records';
import { consumerSettings, failedIds, fluentKey, lambdaContext } from '../unit/consumer/consumer-fixtures';

const CLAIMS = 'idempotency';
const HISTORY = 'history';
const NAME = 'OrderStatusChange';

/*
 * A reconciliation backfill and the webhook of the same event, in either order, run the handler once: the backfill is
 * sent by the real reconciliation run through the reconciliation queue (fauxqs), and handled by the real consumer
 * with its history and claims (dynalite), as deployed. The webhook sends its id as text, as Fluent's webhook schema
 * has it; Fluent's listing is the one stub, since the local stand-in lists every id as text, and what is under test
 * is also an id Fluent lists as a JSON number.
 */
describe('Integration: a reconciliation backfill and its webhook de-duplicate, ids listed as numbers or text', () => {
  const fluent = fluentKey();
  let emulators: RunningEmulators;
  let sqs: SQSClient;
  let dynamoDb: DynamoDBClient;
  let history: DynamoDbHistoryStore;
  let output: CapturedOutput;
  /** Handler runs per message id, with the event id and its provenance. */
  let runs: Array<{ eventId: string; provenance: string }>;

  beforeAll(async () => {
    emulators = await startEmulators({
      queues: [{ name: 'reconciliation' }],
      idempotencyTables: [CLAIMS],
      historyTables: [HISTORY],
    });
    sqs = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, emulators.region));
    dynamoDb = new DynamoDBClient(emulatorClientConfig(emulators.dynamoDbEndpoint, emulators.region));
    history = new DynamoDbHistoryStore({ client: dynamoDb, tableName: HISTORY });
  });
  afterAll(async () => {
    sqs?.destroy();
    dynamoDb?.destroy();
    await emulators?.close();
  });
  beforeEach(() => {
    runs = [];
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const reconciliationQueue = (): QueueRef => emulators.queues.reconciliation as QueueRef;
  const counting: FluentEventHandlers = {
    default: async (event, context) => void runs.push({ eventId: event.id, provenance: context.provenance }),
  };
  /** The consumer as deployed: claims, the history marking completion, and the reconciliation queue it trusts. */
  const consumer = (): ConsumerHandler =>
    createConsumerHandler({
      settings: consumerSettings(),
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: CLAIMS,
        keyAttr: IDEMPOTENCY_PARTITION_KEY,
        expiryAttr: IDEMPOTENCY_TTL_ATTRIBUTE,
        awsSdkV3Client: dynamoDb,
      }),
      history,
      claims: dynamoDbEventClaims(dynamoDb, CLAIMS),
      handlers: counting,
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
      reconciliationSourceArn: reconciliationQueue().queueArn,
    });
  /** Fluent's Event API listing one event with this id, its entity fields under `context`. */
  const listing = (id: string | number) => ({
    getEvents: async (): Promise<FluentEventPage> => {
      const { id: _id, name, accountId, retailerId, entityStatus, ...entity } = fluentEvent();
      const results = [{ id, name, accountId, retailerId, entityStatus, generatedOn: new Date().toISOString() }];
      return { start: 0, count: 1, hasMore: false, results: [{ ...results[0], context: entity }] };
    },
  });
  /** A reconciliation run over that listing: the history lacks the event, so it is queued as a backfill. */
  const reconcileAgainst = (id: string | number) =>
    reconcile({
      fluent: listing(id),
      history,
      query: { names: [NAME], from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() },
      bounds: { maxPages: 1, deadline: Number.MAX_SAFE_INTEGER },
      backfill: sqsBackfill({ sqs, queueUrl: reconciliationQueue().queueUrl, runId: randomUUID() }),
    });
  /** The backfill queued, handled by the consumer as its event source would hand it over. */
  const handleBackfill = async () => {
    const messages = await receiveMessages(sqs, reconciliationQueue(), 1);
    expect(messages).toHaveLength(1);
    return invokeAndAcknowledge(sqs, reconciliationQueue(), messages, consumer(), lambdaContext());
  };
  /** The signed webhook of the event, its id sent as text (Fluent's webhook schema types it a string). */
  const webhook = async (id: string | number) => {
    const { record } = signedEventRecord(fluent.privateKey, { id: String(id) });
    return failedIds(await consumer()({ Records: [record] }, lambdaContext()));
  };
  const outcomes = () => decisionLines(output).map((line) => [line.provenance, line.outcome]);
  const freshId = () => 1_000_000 + Math.floor(Math.random() * 1e9);

  it.each([
    ['a number', () => freshId()],
    ['text', () => randomUUID()],
  ])('finds the webhook a duplicate after the backfill of an event listed with %s as its id', async (_case, idOf) => {
    // Prepare
    const id = idOf();
    const report = await reconcileAgainst(id);

    // Act: the backfill is handled, then the webhook Fluent had sent arrives after all
    const backfillFailed = await handleBackfill();
    const webhookFailed = await webhook(id);

    // Assess
    expect(report).toMatchObject({ gaps: 1, backfilled: 1, failed: [] });
    expect([...backfillFailed, ...webhookFailed]).toEqual([]);
    expect(runs).toEqual([{ eventId: String(id), provenance: 'reconciliation' }]);
    expect(outcomes()).toEqual([
      ['reconciliation', 'processed'],
      ['webhook', 'duplicate'],
    ]);
    const records = await history.query({ eventIds: [String(id)] });
    expect(records.map((record) => record.numericId)).toEqual([undefined, undefined]);
  });

  it.each([
    ['a number', () => freshId()],
    ['text', () => randomUUID()],
  ])(
    'finds the backfill a duplicate after the webhook of an event listed with %s as its id (sent before it arrived)',
    async (_case, idOf) => {
      // Prepare: reconciliation finds the event missing and queues it; the webhook arrives meanwhile
      const id = idOf();
      await reconcileAgainst(id);

      // Act
      const webhookFailed = await webhook(id);
      const backfillFailed = await handleBackfill();

      // Assess
      expect([...webhookFailed, ...backfillFailed]).toEqual([]);
      expect(runs).toEqual([{ eventId: String(id), provenance: 'webhook' }]);
      expect(outcomes()).toEqual([
        ['webhook', 'processed'],
        ['reconciliation', 'duplicate'],
      ]);
    },
  );
});
