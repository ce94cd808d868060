import { enableCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { EmulatorThreadData, EmulatorThreadFaults, FromEmulatorThread, ToEmulatorThread } from './emulator-thread';
import { EmulatorResponse, withOwnBody } from './emulator-dispatch';

/**
 * The worker side of an emulator thread (emulator-thread.ts): starts one emulator with the options it was given,
 * answers the calls the runner makes on it, and tells the runner about each store failure.
 */
async function serve(port: NonNullable<typeof parentPort>, data: EmulatorThreadData): Promise<void> {
  const post = (message: FromEmulatorThread) => port.postMessage(message);
  // Before the emulator's modules load, so that a warm npm start reads their compiled code instead of compiling it.
  if (data.compileCacheDir !== undefined) enableCompileCache?.(data.compileCacheDir);
  const emulator =
    data.kind === 'dynamodb' ? await startDynamoDb(data.options, post, data.faults) : await startSqs(data.options);
  const methods = emulator as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  port.on('message', (call: ToEmulatorThread) => {
    void (async () => {
      try {
        const value = await methods[call.method]!.apply(emulator, [...call.args]);
        post({
          type: 'answer',
          id: call.id,
          value: call.method === 'dispatch' ? withOwnBody(value as EmulatorResponse) : value,
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        post({
          type: 'answer',
          id: call.id,
          error: (error as Error).message,
          ...(typeof code === 'string' ? { code } : {}),
        });
      }
    })();
  });
  post({
    type: 'ready',
    endpoint: emulator.endpoint,
    port: emulator.port,
    region: 'region' in emulator ? emulator.region : undefined,
  });
}

async function startDynamoDb(
  options: Extract<EmulatorThreadData, { kind: 'dynamodb' }>['options'],
  post: (message: FromEmulatorThread) => void,
  faults: EmulatorThreadFaults = {},
) {
  // Under the emulator's own handling of storage failures, which is what the fault tests check: installed first.
  if (Object.values(faults).some((file) => file !== undefined))
    (await import('./leveldb-write-fault')).injectFaults(faults);
  const { startDynamoDbEmulator } = await import('./dynamodb-emulator');
  return startDynamoDbEmulator({
    ...options,
    onStoreFailure: (error) =>
      post({
        type: 'store-failure',
        error: { name: error.name, message: error.message, code: (error as { code?: unknown }).code },
      }),
  });
}

async function startSqs(options: Extract<EmulatorThreadData, { kind: 'sqs' }>['options']) {
  const { startSqsEmulator } = await import('./sqs-emulator');
  return startSqsEmulator(options);
}

if (parentPort !== null) {
  const port = parentPort;
  serve(port, workerData as EmulatorThreadData).catch((error: unknown) =>
    port.postMessage({ type: 'failed', error: (error as Error).message } satisfies FromEmulatorThread),
  );
}
