import { parentPort, workerData } from 'node:worker_threads';
import { startDynamoDbEmulator } from './dynamodb-emulator';
import { startSqsEmulator } from './sqs-emulator';
import type { EmulatorThreadData, FromEmulatorThread, ToEmulatorThread } from './emulator-thread';

/**
 * The worker side of an emulator thread (emulator-thread.ts): starts one emulator with the options it was given,
 * answers the calls the runner makes on it, and tells the runner about each store failure.
 */
async function serve(port: NonNullable<typeof parentPort>, data: EmulatorThreadData): Promise<void> {
  const post = (message: FromEmulatorThread) => port.postMessage(message);
  const emulator =
    data.kind === 'dynamodb'
      ? await startDynamoDbEmulator({
          ...data.options,
          onStoreFailure: (error) =>
            post({
              type: 'store-failure',
              error: { name: error.name, message: error.message, code: (error as { code?: unknown }).code },
            }),
        })
      : await startSqsEmulator(data.options);
  const methods = emulator as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  port.on('message', (call: ToEmulatorThread) => {
    void (async () => {
      try {
        const value = await methods[call.method]!.apply(emulator, [...call.args]);
        post({ type: 'answer', id: call.id, value });
      } catch (error) {
        post({ type: 'answer', id: call.id, error: (error as Error).message });
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

if (parentPort !== null) {
  const port = parentPort;
  serve(port, workerData as EmulatorThreadData).catch((error: unknown) =>
    port.postMessage({ type: 'failed', error: (error as Error).message } satisfies FromEmulatorThread),
  );
}
