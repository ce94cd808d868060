import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory under the OS temp dir for one test file, removed after the file's tests.
 * Call at describe level, or at the file's top level so that it is removed after the describe's own afterAll hooks
 * (which run in the order they were declared) have stopped what writes in it; `path()` is valid inside tests and hooks.
 */
export function useTempDir(prefix = 'fluent-webhook-test-'): { path(...parts: string[]): string } {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    // Retried: a process the file started may still be writing in it (ENOTEMPTY while a file appears).
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });
  return {
    path: (...parts) => {
      if (dir === undefined) throw new Error('useTempDir: path() was called outside a test or hook.');
      return join(dir, ...parts);
    },
  };
}
