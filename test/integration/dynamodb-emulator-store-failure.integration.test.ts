import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MemoryLevel } from 'memory-level';
import { createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import { RecordFailureReason } from '../../lambdas/contract/observability';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../lambdas/contract/deployment';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { DynamoDbEmulator, startDynamoDbEmulator, STORE_FAILED_MESSAGE } from '../../tools/local/dynamodb-emulator';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { captureOutput, CapturedOutput, decisionLines } from '../support/captured-output';
import { signedEventRecord } from '../support/sqs-records';
import { consumerSettings, failedIds, fluentKey, lambdaContext } from '../unit/consumer/consumer-fixtures';

const TABLE = 'fluent-webhooks-idempotency';

/**
 * The storage layer under dynalite, made to fail as LevelDB fails on a full disk. dynalite (in memory here) stores
 * through memory-level; on disk it stores through classic-level, whose write on a full disk rejects exactly so
 * (`LEVEL_IO_ERROR`, "IO error: <file>: No space left on device"), seen with a 3 MB tmpfs. Only the storage call is
 * replaced: dynalite, its HTTP server, the SDK and the consumer are the real ones.
 */
function failWritesLikeAFullDisk(): { fail: boolean; restore: () => void } {
  const prototype = MemoryLevel.prototype as unknown as Record<'_put' | '_batch', (...args: unknown[]) => unknown>;
  const original = { _put: prototype._put, _batch: prototype._batch };
  const state = {
    fail: false,
    restore: () => Object.assign(prototype, original),
  };
  for (const method of ['_put', '_batch'] as const) {
    prototype[method] = async function (this: unknown, ...args: unknown[]) {
      if (state.fail) {
        throw Object.assign(new Error('IO error: /data/dynamodb/000003.log: No space left on device'), {
          code: 'LEVEL_IO_ERROR',
        });
      }
      return original[method].apply(this, args);
    };
  }
  return state;
}

describe('Fault: the idempotency store cannot write (a full disk under dynalite)', () => {
  const fluent = fluentKey();
  const storage = failWritesLikeAFullDisk();
  const storeFailures: Error[] = [];
  let emulator: DynamoDbEmulator;
  let client: DynamoDBClient;
  let output: CapturedOutput;

  beforeAll(async () => {
    emulator = await startDynamoDbEmulator({ onStoreFailure: (error) => storeFailures.push(error) });
    await emulator.createIdempotencyTable(TABLE);
    // One attempt per call: the SDK would retry a 500 twice more, to the same answer.
    client = new DynamoDBClient({ ...emulatorClientConfig(emulator.endpoint, 'us-east-1'), maxAttempts: 1 });
  });
  afterAll(async () => {
    storage.restore();
    client?.destroy();
    await emulator?.stop();
  });
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const consumer = () =>
    createConsumerHandler({
      settings: consumerSettings(),
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: TABLE,
        keyAttr: IDEMPOTENCY_PARTITION_KEY,
        expiryAttr: IDEMPOTENCY_TTL_ATTRIBUTE,
        awsSdkV3Client: client,
      }),
      handlers: { default: async () => undefined },
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
    });

  it('refuses the record as idempotency-store-failed, keeps serving, and processes it once the store can write again', async () => {
    // Prepare
    const { record, event } = signedEventRecord(fluent.privateKey);
    const handler = consumer();

    // Act
    storage.fail = true;
    const refused = await handler({ Records: [record] }, lambdaContext());
    const stillServing = await client.send(new ListTablesCommand({}));
    storage.fail = false;
    const retried = await handler({ Records: [record] }, lambdaContext());

    // Assess
    expect(failedIds(refused)).toEqual([record.messageId]);
    expect(failedIds(retried)).toEqual([]);
    expect(
      decisionLines(output)
        .filter((line) => line.eventId === event.id)
        .map((line) => [line.outcome, line.reason]),
    ).toEqual([
      ['failed', RecordFailureReason.IDEMPOTENCY_STORE_FAILED],
      ['processed', undefined],
    ]);
    expect(JSON.stringify(decisionLines(output)[0])).toContain(STORE_FAILED_MESSAGE);
    expect(stillServing.TableNames).toEqual([TABLE]);
    expect(storeFailures.map((error) => (error as { code?: string }).code)).toEqual(['LEVEL_IO_ERROR']);
  });
});
