import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory under the OS temp dir for one test file, removed after the file's tests.
 * Call at describe level; `path()` is valid inside tests and hooks.
 */
export function useTempDir(prefix = 'fluent-webhook-test-'): { path(...parts: string[]): string } {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return {
    path: (...parts) => {
      if (dir === undefined) throw new Error('useTempDir: path() was called outside a test or hook.');
      return join(dir, ...parts);
    },
  };
}
