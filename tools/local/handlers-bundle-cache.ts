import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The last esbuild bundle of a handlers module, kept in the runner's data folder with the size and modification time
 * of every file that went into it: a start whose files have not changed since loads it without running esbuild (and
 * without loading esbuild at all), as bin/npm-start.cjs does for the CLI. Best effort: a cache that cannot be read
 * or written only means a build.
 */
export interface CachedBundle {
  readonly code: string;
  /** Absolute paths of the module and its own imports. */
  readonly inputs: readonly string[];
}

interface CacheFile {
  readonly format: string;
  readonly code: string;
  readonly inputs: ReadonlyArray<{ readonly path: string; readonly size: number; readonly mtimeMs: number }>;
}

/** The runner's data folder's subfolder for it. */
export const HANDLERS_BUNDLE_DIR = 'handlers-bundle';

/** Changes when what the bundle is built for changes: this file's layout, and the Node.js it targets. */
const FORMAT = `1 node${process.versions.node.split('.')[0]}`;

function cacheFileFor(dir: string, modulePath: string): string {
  return join(dir, `handlers-${createHash('sha256').update(modulePath).digest('hex').slice(0, 16)}.json`);
}

function stamp(path: string): { size: number; mtimeMs: number } {
  const stats = statSync(path);
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}

/** The cached bundle of `modulePath`, when none of its inputs changed since it was built. */
export function readCachedBundle(dir: string, modulePath: string): CachedBundle | undefined {
  try {
    const cached = JSON.parse(readFileSync(cacheFileFor(dir, modulePath), 'utf8')) as CacheFile;
    if (cached.format !== FORMAT) return undefined;
    const unchanged = cached.inputs.every((input) => {
      const now = stamp(input.path);
      return now.size === input.size && now.mtimeMs === input.mtimeMs;
    });
    return unchanged ? { code: cached.code, inputs: cached.inputs.map((input) => input.path) } : undefined;
  } catch {
    return undefined; // none yet, unreadable, or an input was removed: build
  }
}

/** A file modified this close to (or after) the build's start may have changed while esbuild read it. */
const SETTLE_MARGIN_MS = 1000;

/**
 * Keeps a bundle for the next start. An input modified after `buildStartedMs` (less a margin) is stamped as never
 * matching, so a file saved while esbuild ran makes the next start build again rather than load a stale bundle.
 */
export function writeCachedBundle(dir: string, modulePath: string, bundle: CachedBundle, buildStartedMs: number): void {
  try {
    const inputs = bundle.inputs.map((path) => {
      const now = stamp(path);
      return now.mtimeMs < buildStartedMs - SETTLE_MARGIN_MS ? { path, ...now } : { path, size: -1, mtimeMs: -1 };
    });
    const file = cacheFileFor(dir, modulePath);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, JSON.stringify({ format: FORMAT, code: bundle.code, inputs } satisfies CacheFile), {
      mode: 0o600,
    });
    renameSync(`${file}.tmp`, file);
  } catch {
    // Not kept: the next start builds again.
  }
}
