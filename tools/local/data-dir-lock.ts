import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../../lambdas/core/errors';
import { displayPath } from './data-dir';

/** The file in the data folder that names the runner using it. */
export const LOCK_FILE = 'runner.pid';

export interface DataDirLock {
  /** Removes the lock file, if it is still ours. Safe to call twice. */
  release(): void;
}

/**
 * Claims the data folder for this process: a second runner on the same folder would share the SQLite queue store
 * and the DynamoDB emulator's LevelDB folder with the first and fail later with an error naming neither. The lock
 * file holds the pid; it is created exclusively, and one whose process is gone (a runner that was SIGKILLed) is
 * stale and taken over. Throws a {@link ConfigurationError} naming the folder and the pid holding it.
 */
export function lockDataDir(dataDir: string, pid: number = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx' });
      return { release: () => releaseIfOurs(file, pid) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder !== undefined && holder !== pid && isRunning(holder)) {
      throw new ConfigurationError(
        `Another local runner (pid ${holder}) is using the data folder ${displayPath(dataDir)}. Stop it first (kill ${holder}), or give this one its own folder with LOCAL_DATA_DIR=<folder>.`,
      );
    }
    // Stale: its process is gone. Remove it and claim the folder again (another runner may win that race).
    rmSync(file, { force: true });
  }
  throw new ConfigurationError(`Could not claim the data folder ${displayPath(dataDir)}: ${file} keeps reappearing.`);
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(file: string, pid: number): void {
  if (readHolder(file) === pid) rmSync(file, { force: true });
}
