import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createRequire } from 'node:module';
import dynalite from 'dynalite';
import { connectionRefused, EmulatorDispatch, injectedDispatch } from './emulator-dispatch';
import { emulatorClientConfig, LOOPBACK_HOST, loopbackEndpoint } from './local-aws-config';
import { IDEMPOTENCY_PARTITION_KEY } from '../../lambdas/contract/deployment';
import { historyTableDefinition } from './history-table';
import { parseDynaliteExpressionsOnce } from './dynalite-expression-cache';

/** dynalite keeps one set of tables for every region; the client must still sign with one. */
const EMULATOR_SIGNING_REGION = 'us-east-1';

/** Tables are created with no delay; this bound only stops a broken store from hanging the start. */
const TABLE_ACTIVE_WAIT_SECONDS = 30;

export interface DynamoDbEmulatorOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** A LevelDB folder that keeps the tables across restarts of the process; in memory when absent. */
  readonly path?: string;
  /** Told about each request the store failed (a full disk, an I/O error), after it was answered 500. */
  readonly onStoreFailure?: (error: Error) => void;
}

/** The message of the 500 a failed store operation gets; the SDK's error carries it to the consumer's log line. */
export const STORE_FAILED_MESSAGE =
  'The local DynamoDB emulator could not read or write its data folder (is the disk full?); the record is retried. Free space in the data folder.';

/** The storage classes of the copies dynalite itself loads: `level` (on disk, ClassicLevel in Node.js) and `memory-level`. */
export function dynaliteStorage(): { readonly onDisk: StoragePrototype; readonly inMemory: StoragePrototype } {
  const fromDynalite = createRequire(require.resolve('dynalite'));
  return {
    onDisk: (fromDynalite('level') as { Level: { prototype: StoragePrototype } }).Level.prototype,
    inMemory: (fromDynalite('memory-level') as { MemoryLevel: { prototype: StoragePrototype } }).MemoryLevel.prototype,
  };
}

export type StoragePrototype = Record<string | symbol, unknown>;

/** The storage layer's write methods (abstract-level's), each of which can fail as the disk does. */
export const STORAGE_WRITES = ['_put', '_del', '_batch'] as const;

/**
 * dynalite throws a storage error (LevelDB's `LEVEL_IO_ERROR`, for example "No space left on device") from inside
 * its request callback, where nothing catches it: the process, gateway included, would die. dynalite answers an
 * error that carries `statusCode` and `body` as DynamoDB would, though, so every write of its storage layer (both
 * LevelDB classes it uses: on disk and in memory) gives a failure that mark, as DynamoDB answers a server fault:
 * 500 `InternalServerError`. The consumer's idempotency step then fails (`idempotency-store-failed`), its record is
 * retried later, and everything else keeps serving. (A request domain did this before, but a domain turns on
 * promise hooks for the whole process: the runner ran about 1.7 times slower with it.)
 */
const storeFailureListeners = new Set<(error: Error) => void>();
const ANSWERED_AS_SERVER_FAULT = Symbol('fluent-webhooks: storage failures answered as a server fault');

function answerStoreFailures(): void {
  const { onDisk, inMemory } = dynaliteStorage();
  for (const storage of [onDisk, inMemory]) {
    if (storage[ANSWERED_AS_SERVER_FAULT] === true) continue;
    storage[ANSWERED_AS_SERVER_FAULT] = true;
    for (const method of STORAGE_WRITES) {
      const write = storage[method] as (...args: unknown[]) => Promise<unknown>;
      storage[method] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
        try {
          return await write.apply(this, args);
        } catch (error) {
          for (const listener of storeFailureListeners) listener(error as Error);
          throw Object.assign(error as Error, {
            statusCode: 500,
            body: { __type: INTERNAL_SERVER_ERROR, message: STORE_FAILED_MESSAGE },
          });
        }
      };
    }
  }
}

/** The `__type` DynamoDB gives a server-side fault (HTTP 500), which the SDK retries and then throws. */
const INTERNAL_SERVER_ERROR = 'com.amazonaws.dynamodb.v20120810#InternalServerError';

/** A DynamoDB-compatible server (dynalite) on loopback. */
export interface DynamoDbEmulator {
  /** `http://127.0.0.1:<port>`: give it to `DynamoDBClient` as `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /**
   * Creates a table shaped like the stack's idempotency table (partition key `id`, a string, the key
   * Powertools' DynamoDBPersistenceLayer uses). Does nothing if the table exists (a restart with `path`).
   */
  createIdempotencyTable(name: string): Promise<void>;
  /** Creates any table (a template's key schema, say); does nothing if a table of that name exists. */
  createTable(input: CreateTableCommandInput): Promise<void>;
  /** Creates a table shaped like the stack's history table (keys and indexes); nothing if it exists. */
  createHistoryTable(name: string): Promise<void>;
  /**
   * Answers one DynamoDB request in this process (or its thread) as the endpoint would, for the runner's own SDK
   * clients (emulator-request-handler.ts). Refused as a closed port is (ECONNREFUSED) once stopped.
   */
  dispatch: EmulatorDispatch;
  /** Stops the server and closes the database (flushing it to `path`). */
  stop(): Promise<void>;
}

export async function startDynamoDbEmulator(options: DynamoDbEmulatorOptions = {}): Promise<DynamoDbEmulator> {
  const host = options.host ?? LOOPBACK_HOST;
  // Tables are ACTIVE at once: nothing local should wait out DynamoDB's creation delay.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  answerStoreFailures();
  parseDynaliteExpressionsOnce();
  const onStoreFailure = options.onStoreFailure;
  if (onStoreFailure !== undefined) storeFailureListeners.add(onStoreFailure);
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const endpoint = loopbackEndpoint(host, port);
  // dynalite's server has one request listener, its whole HTTP API: the one its socket's requests go to.
  const answer = server.listeners('request')[0] as RequestListener;

  return {
    endpoint,
    port,
    createIdempotencyTable(name) {
      return createTable(endpoint, {
        TableName: name,
        AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_PARTITION_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: IDEMPOTENCY_PARTITION_KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
    },
    createTable: (input) => createTable(endpoint, input),
    createHistoryTable: (name) => createTable(endpoint, historyTableDefinition(name)),
    dispatch: injectedDispatch(async (request) => {
      if (!server.listening) throw connectionRefused(endpoint);
      return (await loadLightMyRequest()).default(answer, request);
    }),
    async stop() {
      if (onStoreFailure !== undefined) storeFailureListeners.delete(onStoreFailure);
      if (!server.listening) return;
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Keep-alive connections from SDK clients would otherwise hold the close open until they time out.
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * light-my-request, loaded with the first in-process request rather than with this module: it loads an ES module
 * (`cookie`) through `require`, which Node.js 22.12 and later do and Jest's module loader does not.
 */
let lightMyRequest: Promise<typeof import('light-my-request')> | undefined;
const loadLightMyRequest = () => (lightMyRequest ??= import('light-my-request'));

async function createTable(endpoint: string, input: CreateTableCommandInput): Promise<void> {
  const client = new DynamoDBClient(emulatorClientConfig(endpoint, EMULATOR_SIGNING_REGION));
  try {
    try {
      await client.send(new CreateTableCommand(input));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    // dynalite answers CreateTable at once and writes the ACTIVE status on a timer after it: wait for that write, so
    // nothing uses the table (or fails the store under it, as the full-disk test does) before it is really there.
    await waitUntilTableExists(
      { client, maxWaitTime: TABLE_ACTIVE_WAIT_SECONDS, minDelay: 0.01, maxDelay: 0.2 },
      { TableName: input.TableName },
    );
  } catch (error) {
    throw new Error(`The DynamoDB emulator could not create table ${input.TableName}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) =>
      reject(
        new Error(`The DynamoDB emulator could not listen on ${host}:${port}: ${error.message}`, { cause: error }),
      );
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
