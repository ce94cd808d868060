import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSqsSafeText } from '../../lambdas/contract/queue-message';
import { LOOPBACK_HOST, loopbackEndpoint } from './local-aws-config';
import type { InjectOptions, Response as InjectResponse } from 'light-my-request';
import { connectionRefused, EmulatorDispatch, injectedDispatch } from './emulator-dispatch';

/** The region fauxqs assumes when a request's signature names none; ARNs carry it. */
export const DEFAULT_EMULATOR_REGION = 'us-east-1';
/** fauxqs's fixed account id, part of every queue ARN and URL. */
export const EMULATOR_ACCOUNT_ID = '000000000000';

export interface SqsEmulatorOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Region of queue ARNs created here; clients should sign with the same region. @default 'us-east-1' */
  readonly region?: string;
  /**
   * A folder where fauxqs keeps queues and messages in SQLite, written through on every change (a message is on
   * disk before SendMessage answers), so they survive a crash or SIGKILL of the process. In memory when absent.
   */
  readonly dataDir?: string;
}

export interface EmulatedQueue {
  readonly queueName: string;
  /** `http://<host>:<port>/000000000000/<name>`: resolvable, so it also works as an endpoint. */
  readonly queueUrl: string;
  readonly queueArn: string;
}

/** An SQS-compatible server (fauxqs) on loopback whose queues and messages outlive `stop()`. */
export interface SqsEmulator {
  /** `http://127.0.0.1:<port>`: give it to `SQSClient` as `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly running: boolean;
  /**
   * Creates a queue through the CreateQueue API, or, when it exists (restored from `dataDir`), sets these attributes
   * on it with SetQueueAttributes, so a changed setting applies on the next start.
   */
  createQueue(name: string, attributes?: Readonly<Record<string, string>>): Promise<EmulatedQueue>;
  /** The names of the queues it holds (created since the start, or restored from `dataDir`). */
  queueNames(): Promise<string[]>;
  /**
   * Creates an S3 bucket (fauxqs answers S3 on the same endpoint, path-style: give `S3Client` `forcePathStyle`),
   * or keeps it when it exists (restored from `dataDir` with its objects).
   */
  createBucket(name: string): Promise<void>;
  /**
   * Answers one SQS or S3 request in this process (or its thread) as the endpoint would, for the runner's own SDK
   * clients (emulator-request-handler.ts). Refused as a closed port is (ECONNREFUSED) while stopped.
   */
  dispatch: EmulatorDispatch;
  /** Stops answering (open connections are cut) but keeps every queue and message in memory. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same queues and messages. */
  restart(): Promise<void>;
  /** Stops answering and closes the SQLite store of `dataDir` (nothing to flush: every change is already written). */
  close(): Promise<void>;
}

/** The `RedrivePolicy` queue attribute: after `maxReceiveCount` receives a message moves to the DLQ. */
export function redrivePolicy(deadLetterQueueArn: string, maxReceiveCount: number): string {
  return JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount });
}

export function emulatedQueueArn(region: string, queueName: string): string {
  return `arn:aws:sqs:${region}:${EMULATOR_ACCOUNT_ID}:${queueName}`;
}

/** Starts fauxqs on `host:port` (loopback by default; fauxqs's own start function binds every interface). */
export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const host = options.host ?? LOOPBACK_HOST;
  const region = options.region ?? DEFAULT_EMULATOR_REGION;
  const fauxqs = await loadFauxqs();
  const sqsStore = new fauxqs.SqsStore();
  const s3Store = new fauxqs.S3Store();
  // An empty host makes queue URLs from the request's Host header (127.0.0.1:port), which resolves;
  // fauxqs's default `sqs.<region>.localhost` does not resolve everywhere.
  sqsStore.host = '';
  sqsStore.region = region;
  const persistence =
    options.dataDir === undefined ? undefined : openPersistence(fauxqs, options.dataDir, sqsStore, s3Store);

  // A fresh app per start: a closed Fastify instance cannot listen again, while the store carries the state over.
  const listen = async (port: number): Promise<{ app: FauxqsApp; port: number }> => {
    const fresh = fauxqs.buildApp({ logger: false, stores: { sqsStore, snsStore: new fauxqs.SnsStore(), s3Store } });
    try {
      return { app: fresh, port: Number(new URL(await fresh.listen({ port, host })).port) };
    } catch (error) {
      throw new Error(`The SQS emulator could not listen on ${host}:${port}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  const first = await listen(options.port ?? 0);
  let app: FauxqsApp | undefined = first.app;
  const port = first.port;
  const endpoint = loopbackEndpoint(host, port);
  const stop = async (): Promise<void> => {
    const running = app;
    app = undefined;
    // Long polls waiting on the store are released first; messages they take reappear after the visibility timeout.
    await running?.close();
  };

  return {
    endpoint,
    port,
    region,
    get running() {
      return app !== undefined;
    },
    async createQueue(name, attributes = {}) {
      if (app === undefined)
        throw new Error(`The SQS emulator on ${endpoint} is stopped; restart() it before creating queue ${name}.`);
      const hostHeader = `${host}:${port}`;
      // FifoQueue can only be given at creation; the rest is set after, so a restored queue takes today's values.
      const { FifoQueue, ...settable } = attributes;
      const created = await callSqsApi<{ QueueUrl: string }>(app, hostHeader, 'CreateQueue', {
        QueueName: name,
        ...(FifoQueue === undefined ? {} : { Attributes: { FifoQueue } }),
      });
      if (Object.keys(settable).length > 0) {
        await callSqsApi(app, hostHeader, 'SetQueueAttributes', { QueueUrl: created.QueueUrl, Attributes: settable });
      }
      // A queue restored from dataDir keeps the URL of the port it was created on; fauxqs finds queues by name.
      return {
        queueName: name,
        queueUrl: `${endpoint}/${EMULATOR_ACCOUNT_ID}/${name}`,
        queueArn: emulatedQueueArn(region, name),
      };
    },
    async queueNames() {
      return [...sqsStore.allQueues()].map((queue) => queue.name);
    },
    async createBucket(name) {
      s3Store.createBucket(name);
    },
    dispatch: injectedDispatch((request) =>
      app === undefined ? Promise.reject(connectionRefused(endpoint)) : app.inject(request),
    ),
    stop,
    async restart() {
      if (app !== undefined) return;
      app = (await listen(port)).app;
    },
    async close() {
      await stop();
      persistence?.close();
    },
  };
}

/**
 * SQLite's `synchronous` for fauxqs's store (in WAL mode, which fauxqs sets). NORMAL: each change is committed to the
 * write-ahead log, in the operating system's hands, before fauxqs answers, so it survives the runner crashing or being
 * killed; only a power cut or an OS crash can lose the last commits (the log is synced at checkpoints, not at every
 * commit). That is what the idempotency records in LevelDB already promise (dynalite writes without a sync). SQLite's
 * default, FULL, syncs at every commit: three syncs per webhook (sent, received, deleted) that the emulator's one thread
 * waits for instead of answering (docs/local-development.md, "Stopping, and what survives a restart").
 */
const SQS_STORE_SYNCHRONOUS = 'NORMAL';

/**
 * Wires fauxqs's SQLite persistence into the store as its own `startFauxqs` does (which cannot be used: it listens
 * on every interface): state is loaded first, then every later change is written through.
 */
function openPersistence(
  fauxqs: FauxqsModules,
  dataDir: string,
  sqsStore: FauxqsSqsStore,
  s3Store: FauxqsS3Store,
): FauxqsPersistence {
  const persistence = new fauxqs.PersistenceManager(dataDir);
  persistence.db.exec(`PRAGMA synchronous = ${SQS_STORE_SYNCHRONOUS}`);
  persistence.load(sqsStore, new fauxqs.SnsStore(), s3Store);
  sqsStore.persistence = persistence;
  s3Store.persistence = persistence;
  for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
  return persistence;
}

// --- fauxqs is ESM-only and exports only `buildApp`; the store classes are loaded from its files. ---

interface FauxqsSqsStore {
  host: string;
  region: string;
  persistence?: FauxqsPersistence;
  allQueues(): Iterable<{ name: string; persistence?: FauxqsPersistence }>;
}

interface FauxqsS3Store {
  persistence?: FauxqsPersistence;
  createBucket(name: string): void;
}

interface FauxqsPersistence {
  /** Its node:sqlite connection. */
  readonly db: { exec(sql: string): void };
  load(sqsStore: FauxqsSqsStore, snsStore: unknown, s3Store: FauxqsS3Store): void;
  close(): void;
}

interface FauxqsApp {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  inject(request: InjectOptions): Promise<InjectResponse>;
}

interface FauxqsModules {
  buildApp(options: {
    logger: boolean;
    stores: { sqsStore: FauxqsSqsStore; snsStore: unknown; s3Store: FauxqsS3Store };
  }): FauxqsApp;
  SqsStore: new () => FauxqsSqsStore;
  S3Store: new () => FauxqsS3Store;
  SnsStore: new () => unknown;
  PersistenceManager: new (dataDir: string) => FauxqsPersistence;
}

/** A real `import()` that TypeScript's CommonJS output leaves alone (it would turn `import()` into `require`). */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

let fauxqsModules: Promise<FauxqsModules> | undefined;

function loadFauxqs(): Promise<FauxqsModules> {
  fauxqsModules ??= (async () => {
    const distDir = fauxqsDistDir();
    const fileUrl = (file: string) => pathToFileURL(realpathSync(join(distDir, file))).href;
    const app = (await importEsm(fileUrl('app.js'))) as Pick<FauxqsModules, 'buildApp'>;
    const store = (await importEsm(fileUrl('sqs/sqsStore.js'))) as Pick<FauxqsModules, 'SqsStore'>;
    const snsStore = (await importEsm(fileUrl('sns/snsStore.js'))) as Pick<FauxqsModules, 'SnsStore'>;
    const s3Store = (await importEsm(fileUrl('s3/s3Store.js'))) as Pick<FauxqsModules, 'S3Store'>;
    const persistence = (await importEsm(fileUrl('persistence.js'))) as Pick<FauxqsModules, 'PersistenceManager'>;
    const types = (await importEsm(fileUrl('sqs/sqsTypes.js'))) as { INVALID_MESSAGE_BODY_CHAR: RegExp };
    allowSupplementaryCharacters(types.INVALID_MESSAGE_BODY_CHAR);
    return {
      buildApp: app.buildApp,
      SqsStore: store.SqsStore,
      SnsStore: snsStore.SnsStore,
      S3Store: s3Store.S3Store,
      PersistenceManager: persistence.PersistenceManager,
    };
  })();
  return fauxqsModules;
}

function fauxqsDistDir(): string {
  // fauxqs's `exports` map has no `require` condition, so require.resolve('fauxqs') fails; walk the same paths it would.
  for (const nodeModules of require.resolve.paths('fauxqs') ?? []) {
    const dir = join(nodeModules, 'fauxqs');
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist');
  }
  throw new Error('The fauxqs package is not installed; run npm ci.');
}

/**
 * fauxqs (1.9.2, and still 2.4.1) tests bodies with a pattern that lacks the `u` flag, so it refuses characters beyond U+FFFF
 * (emoji, for example) that SQS accepts. Its send actions call `test` on that one shared object, so the
 * emulator answers with SQS's own rule, the one the receiver relies on.
 */
function allowSupplementaryCharacters(fauxqsPattern: RegExp): void {
  fauxqsPattern.test = (text: string) => !isSqsSafeText(text);
}

async function callSqsApi<T>(app: FauxqsApp, hostHeader: string, action: string, input: object): Promise<T> {
  const response = await app.inject({
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, host: hostHeader },
    payload: JSON.stringify(input),
    validate: false,
  });
  if (response.statusCode !== 200) {
    const error = JSON.parse(response.body) as { __type?: string; message?: string };
    throw new Error(
      `SQS emulator ${action} failed: ${error.__type ?? response.statusCode}: ${error.message ?? response.body}`,
    );
  }
  return JSON.parse(response.body) as T;
}
