import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDbEmulator, startDynamoDbEmulator } from '../../tools/local/dynamodb-emulator';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { useTempDir } from '../support/temp-dir';
import { lambdaContext } from '../unit/consumer/consumer-fixtures';

describe('Function: startDynamoDbEmulator', () => {
  const tempDir = useTempDir('dynamodb-emulator-');
  const started: Array<{ emulator: DynamoDbEmulator; client: DynamoDBClient }> = [];
  const stopAll = async () => {
    for (const { emulator, client } of started.splice(0)) {
      client.destroy();
      await emulator.stop();
    }
  };
  afterEach(stopAll);

  /** Starts dynalite with an idempotency table and returns a function that runs `work` once per key through Powertools. */
  const startWithTable = async (path?: string) => {
    const emulator = await startDynamoDbEmulator(path === undefined ? {} : { path });
    const client = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'us-east-1'));
    started.push({ emulator, client });
    await emulator.createIdempotencyTable('idempotency');
    await emulator.createIdempotencyTable('idempotency');
    const config = new IdempotencyConfig({});
    config.registerLambdaContext(lambdaContext());
    const runs: string[] = [];
    const once = makeIdempotent(
      async (key: string) => {
        runs.push(key);
        return { ok: true };
      },
      {
        persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: client }),
        config,
        keyPrefix: 'test',
      },
    );
    return { emulator, once, runs };
  };

  it('listens on 127.0.0.1 and creates the idempotency table idempotently', async () => {
    // Act
    const { emulator, once, runs } = await startWithTable();
    await once('event-1');
    await once('event-1');

    // Assess
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(runs).toEqual(['event-1']);
  });

  it('remembers processed keys across a restart when given a path', async () => {
    // Prepare
    const path = tempDir.path('leveldb');
    const first = await startWithTable(path);
    await first.once('event-1');
    await stopAll();

    // Act
    const second = await startWithTable(path);
    await second.once('event-1');
    await second.once('event-2');

    // Assess
    expect(second.runs).toEqual(['event-2']);
  });
});
