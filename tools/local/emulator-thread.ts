import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { getCompileCacheDir } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DynamoDbEmulator, DynamoDbEmulatorOptions, startDynamoDbEmulator } from './dynamodb-emulator';
import { EmulatorDispatch, networkError, withOwnBody } from './emulator-dispatch';
import { SqsEmulator, SqsEmulatorOptions, startSqsEmulator } from './sqs-emulator';

/**
 * The local runner's emulators each on a worker thread of their own. They are the same emulators (dynalite, fauxqs)
 * on 127.0.0.1, reached through the real AWS SDK: over HTTP on their ports, or, for the runner's own clients, as
 * messages to `dispatch` (emulator-request-handler.ts). Their CPU work (request handling and validation, LevelDB and
 * SQLite writes, SQLite's sync to disk) does not share the one thread with the gateway, the receiver, the poller and
 * the consumer: on two cores it runs beside theirs.
 *
 * The worker runs built JavaScript beside this module's: dist/ (`fluent-webhook local`) or npm start's bundle
 * (bin/npm-start.cjs builds the worker beside the CLI, both `.cjs`). Run from the TypeScript sources (tsx, jest), there
 * is no such file, and the emulator starts in this thread as before.
 */
const BUILT = ['.js', '.cjs'].includes(extname(__filename));
const WORKER_FILE = join(__dirname, `emulator-thread-worker${extname(__filename)}`);
const onThread = (): boolean => BUILT && existsSync(WORKER_FILE);

export interface EmulatorThreadOptions {
  /**
   * Called once if the thread ends after it started, other than by the emulator's stop or close: its worker threw
   * or exited. The emulator is gone then (calls on it fail at once), as a crash of the process it shared took the
   * whole runner before. `reason` is the worker's error message or its exit code.
   */
  readonly onUnexpectedExit?: (reason: string) => void;
}

/**
 * Faults the fault tests put into an emulator's thread, through the real storage under the emulator. Set from code only
 * ({@link emulatorThreadFaults}): no setting, flag or environment variable of the runner reaches them.
 */
export interface EmulatorThreadFaults {
  /** While this file exists, every LevelDB write under dynalite fails as on a full disk (leveldb-write-fault.ts). */
  dynamoDbWritesFailWhileFileExists?: string;
  /** While this file exists, the next LevelDB write under dynalite throws where nothing catches it: the thread dies. */
  dynamoDbThreadDiesOnWriteWhileFileExists?: string;
}

/**
 * Test-only: the faults every DynamoDB emulator thread started after this is set gets. The fault tests run the built
 * CLI through a script that sets this first (test/faults/fixtures); nothing else sets it.
 */
export const emulatorThreadFaults: EmulatorThreadFaults = {};

export type EmulatorThreadData = (
  | {
      readonly kind: 'dynamodb';
      readonly options: Omit<DynamoDbEmulatorOptions, 'onStoreFailure'>;
      readonly faults?: EmulatorThreadFaults;
    }
  | { readonly kind: 'sqs'; readonly options: SqsEmulatorOptions }
) & {
  /** V8's code cache of this process (npm start keeps one), which a worker thread does not inherit. */
  readonly compileCacheDir?: string;
};

export interface ToEmulatorThread {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export type FromEmulatorThread =
  | { readonly type: 'ready'; readonly endpoint: string; readonly port: number; readonly region?: string }
  | { readonly type: 'failed'; readonly error: string }
  | {
      readonly type: 'answer';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: string;
      /** The error's `code` (ECONNREFUSED from a stopped emulator's dispatch), which the SDK's retries read. */
      readonly code?: string;
    }
  | {
      readonly type: 'store-failure';
      readonly error: { readonly name: string; readonly message: string; readonly code?: unknown };
    };

/** startDynamoDbEmulator, on a worker thread when the runner runs built. */
export async function startDynamoDbEmulatorThread(
  options: DynamoDbEmulatorOptions & EmulatorThreadOptions = {},
): Promise<DynamoDbEmulator> {
  const { onStoreFailure, onUnexpectedExit, ...serializable } = options;
  if (!onThread()) return startDynamoDbEmulator({ ...serializable, onStoreFailure });
  const thread = await startThread(
    WORKER_FILE,
    { kind: 'dynamodb', options: serializable, faults: { ...emulatorThreadFaults } },
    {
      onStoreFailure: (failure) =>
        onStoreFailure?.(Object.assign(new Error(failure.message), { name: failure.name, code: failure.code })),
      onUnexpectedExit,
    },
  );
  return {
    endpoint: thread.ready.endpoint,
    port: thread.ready.port,
    createIdempotencyTable: (name) => thread.call('createIdempotencyTable', name),
    createTable: (input) => thread.call('createTable', input),
    createHistoryTable: (name) => thread.call('createHistoryTable', name),
    dispatch: (request) => thread.dispatch(request),
    // dynalite closes its LevelDB before its server's close answers: the thread holds nothing more after it.
    stop: () => thread.end('stop'),
  };
}

/** startSqsEmulator, on a worker thread when the runner runs built. */
export async function startSqsEmulatorThread(
  options: SqsEmulatorOptions & EmulatorThreadOptions = {},
): Promise<SqsEmulator> {
  const { onUnexpectedExit, ...serializable } = options;
  if (!onThread()) return startSqsEmulator(serializable);
  const thread = await startThread(WORKER_FILE, { kind: 'sqs', options: serializable }, { onUnexpectedExit });
  let running = true;
  return {
    endpoint: thread.ready.endpoint,
    port: thread.ready.port,
    region: thread.ready.region as string,
    get running() {
      return running;
    },
    createQueue: (name, attributes) => thread.call('createQueue', name, attributes),
    queueNames: () => thread.call('queueNames'),
    createBucket: (name) => thread.call('createBucket', name),
    dispatch: (request) => thread.dispatch(request),
    stop: async () => {
      running = false;
      await thread.call('stop');
    },
    restart: async () => {
      await thread.call('restart');
      running = true;
    },
    // Every message is written through to SQLite before it is answered; close() closes that store.
    close: async () => {
      running = false;
      await thread.end('close');
    },
  };
}

export interface EmulatorThread {
  readonly ready: Extract<FromEmulatorThread, { type: 'ready' }>;
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** The emulator's `dispatch`, the request's body in bytes of its own (see {@link withOwnBody}). */
  dispatch: EmulatorDispatch;
  /**
   * Calls the emulator's last method (stop or close), then ends the thread; calls still waiting on it (a long poll)
   * then fail as at a closed port (ECONNREFUSED).
   */
  end(method: string): Promise<void>;
}

/** Exported for its tests, which run a worker file of their own (the built one exists only in dist/). */
export function startThread(
  workerFile: string,
  data: EmulatorThreadData,
  events: EmulatorThreadOptions & {
    readonly onStoreFailure?: (error: Extract<FromEmulatorThread, { type: 'store-failure' }>['error']) => void;
  },
): Promise<EmulatorThread> {
  const worker = new Worker(workerFile, {
    workerData: { ...data, compileCacheDir: getCompileCacheDir?.() } satisfies EmulatorThreadData,
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let ended = false;
  let ready = false;
  /** Why the thread is gone, once it ended unexpectedly. */
  let died: string | undefined;
  // ECONNRESET: to a request in flight (emulator-request-handler.ts) the thread's end is a connection cut, as it was.
  const diedError = () => networkError(`The ${data.kind} emulator thread ended unexpectedly: ${died}.`, 'ECONNRESET');
  // ECONNREFUSED: to a request an ended emulator is a closed port, as it was.
  const endedError = () => networkError(`The ${data.kind} emulator thread has ended.`, 'ECONNREFUSED');
  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  // A worker that throws emits `error` then `exit`: the first says why, and is the one reported.
  const diedUnexpectedly = (reason: string) => {
    if (ended || died !== undefined) return;
    died = reason;
    failAll(diedError());
    if (ready) events.onUnexpectedExit?.(reason);
  };
  return new Promise((resolve, reject) => {
    const startFailed = (error: Error) =>
      reject(new Error(`The ${data.kind} emulator thread did not start: ${error.message}`, { cause: error }));
    worker.once('error', startFailed);
    worker.on('exit', (code) => {
      diedUnexpectedly(`exit code ${code}`);
      startFailed(new Error(`exit code ${code}`));
    });
    worker.on('message', (message: FromEmulatorThread) => {
      if (message.type === 'failed') {
        startFailed(new Error(message.error));
        void worker.terminate();
      } else if (message.type === 'store-failure') {
        events.onStoreFailure?.(message.error);
      } else if (message.type === 'answer') {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (message.error === undefined) waiting?.resolve(message.value);
        else
          waiting?.reject(
            Object.assign(new Error(message.error), message.code === undefined ? {} : { code: message.code }),
          );
      } else {
        ready = true;
        worker.off('error', startFailed);
        worker.on('error', (error) => diedUnexpectedly(error.message));
        const call = <T>(method: string, ...args: unknown[]): Promise<T> => {
          if (ended) return Promise.reject(endedError());
          if (died !== undefined) return Promise.reject(diedError());
          const id = (nextId += 1);
          return new Promise<T>((resolveCall, rejectCall) => {
            pending.set(id, { resolve: resolveCall as (value: unknown) => void, reject: rejectCall });
            worker.postMessage({ id, method, args } satisfies ToEmulatorThread);
          });
        };
        resolve({
          ready: message,
          call,
          dispatch: (request) => call('dispatch', withOwnBody(request)),
          async end(method) {
            // A thread that died has nothing left to stop or close.
            if (ended || died !== undefined) return;
            try {
              await call(method);
            } finally {
              ended = true;
              await worker.terminate();
              // Requests still waiting on the thread (a long poll) get no answer now: they fail as at a closed port.
              failAll(endedError());
            }
          },
        });
      }
    });
  });
}
