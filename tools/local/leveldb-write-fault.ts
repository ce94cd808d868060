import { existsSync } from 'node:fs';
import { dynaliteStorage, STORAGE_WRITES } from './dynamodb-emulator';
import type { EmulatorThreadFaults } from './emulator-thread';

/**
 * Test-only (the fault tests, through emulator-thread.ts's `emulatorThreadFaults`), in the DynamoDB emulator's worker
 * thread. Each fault is switched by a file, so that a test can switch it from outside the runner's process:
 * - while `dynamoDbWritesFailWhileFileExists` exists, every write of LevelDB under dynalite fails as it does on a full
 *   disk (`LEVEL_IO_ERROR`, "IO error: <file>: No space left on device", as seen with a 3 MB tmpfs);
 * - while `dynamoDbThreadDiesOnWriteWhileFileExists` exists, a write throws outside every handler instead of writing,
 *   as a bug in the emulator would: the thread dies.
 * Only the storage call is replaced, and before the emulator starts, so everything above it is the real path:
 * dynalite, its answer of a storage failure as a 500, the thread's report of it to the runner, the SDK, the consumer.
 */
export function injectFaults(faults: EmulatorThreadFaults): void {
  const storage = dynaliteStorage().onDisk;
  const fullDisk = faults.dynamoDbWritesFailWhileFileExists;
  const crash = faults.dynamoDbThreadDiesOnWriteWhileFileExists;
  for (const method of STORAGE_WRITES) {
    const write = storage[method] as (...args: unknown[]) => Promise<unknown>;
    storage[method] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      if (crash !== undefined && existsSync(crash)) {
        // The write never happens, and its request is never answered: the thread is gone first.
        setImmediate(() => {
          throw new Error(`fault test: the DynamoDB emulator crashed (${crash} exists)`);
        });
        return new Promise(() => undefined);
      }
      if (fullDisk !== undefined && existsSync(fullDisk)) {
        throw Object.assign(new Error(`IO error: ${fullDisk}: No space left on device`), { code: 'LEVEL_IO_ERROR' });
      }
      return write.apply(this, args);
    };
  }
}
