import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HistoryStore } from '../../lambdas/contract/history';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { readRetentionDays } from '../../lambdas/history/history-from-env';
import { lockDataDir } from './data-dir-lock';
import { startDynamoDbEmulator } from './dynamodb-emulator';
import { emulatorClientConfig, emulatorS3ClientConfig } from './local-aws-config';
import { LOCAL_RESOURCE_NAMES } from './local-config';
import { DYNAMODB_DIR, SQS_DIR } from './local-runner';
import { HistoryBodyObjects, parsePointer, S3HistoryBodies } from '../../lambdas/history/s3-history-bodies';
import { readStoredObjects } from './fauxqs-stored-objects';
import { RunnerEndpoints, runningRunnerEndpoints } from './runner-endpoints';

/** The local runner's history, opened for reading (and the runner's endpoints when it is running). */
export interface LocalHistory {
  readonly store: HistoryStore;
  /** Set when a runner is using the data folder: its queues can be sent to. */
  readonly runner?: RunnerEndpoints;
  /** The history's retention in days: the running runner's, else HISTORY_RETENTION_DAYS, else the default. */
  readonly retentionDays: number;
  close(): Promise<void>;
}

/**
 * Opens the history of the local runner whose data folder is `dataDir`, running or stopped. dynalite keeps its tables
 * in a LevelDB folder that one process may open at a time: while the runner runs, its emulator is asked (the endpoint
 * it wrote into the data folder); when it is stopped, this process claims the data folder (so a runner cannot start
 * on it meanwhile) and opens the folder itself until `close`.
 */
export async function openLocalHistory(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LocalHistory> {
  const running = runningRunnerEndpoints(dataDir);
  if (running !== undefined) {
    const client = new DynamoDBClient(emulatorClientConfig(running.dynamoDbEndpoint, running.region));
    // Bodies too large for their item are read from the runner's fauxqs, which answers S3 on its SQS endpoint.
    const bodies = new S3HistoryBodies({ clientConfig: emulatorS3ClientConfig(running.sqsEndpoint, running.region) });
    return {
      store: new DynamoDbHistoryStore({
        client,
        tableName: running.historyTableName,
        retentionDays: running.historyRetentionDays,
        bodies,
      }),
      runner: running,
      retentionDays: running.historyRetentionDays,
      close: async () => {
        client.destroy();
        await bodies.destroy();
      },
    };
  }
  const retentionDays = readRetentionDays(env);
  const lock = lockDataDir(dataDir);
  const folder = join(dataDir, DYNAMODB_DIR);
  // A data folder the runner never used has no history yet: an in-memory emulator answers that with nothing.
  const emulator = await startDynamoDbEmulator(existsSync(folder) ? { path: folder } : {}).catch((error: unknown) => {
    lock.release();
    throw error;
  });
  await emulator.createHistoryTable(LOCAL_RESOURCE_NAMES.historyTable);
  const client = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'us-east-1'));
  const bodies = stoppedRunnerBodies(join(dataDir, SQS_DIR));
  return {
    store: new DynamoDbHistoryStore({ client, tableName: LOCAL_RESOURCE_NAMES.historyTable, retentionDays, bodies }),
    retentionDays,
    close: async () => {
      client.destroy();
      await bodies.close();
      await emulator.stop();
      lock.release();
    },
  };
}

/**
 * The bucket of large bodies of a stopped runner: it is in fauxqs's SQLite file, read without starting fauxqs (so that
 * the stopped runner's queues, in the same file, stay exactly as they were), opened when a body is first read.
 */
function stoppedRunnerBodies(sqsFolder: string): HistoryBodyObjects & { close(): Promise<void> } {
  const objects = readStoredObjects(sqsFolder);
  return {
    put: () => Promise.reject(new Error('The history of a stopped runner is opened for reading only.')),
    get: async (pointer) => {
      const location = parsePointer(pointer);
      return location === undefined ? undefined : objects.get(location.bucket, location.key);
    },
    close: async () => objects.close(),
  };
}
