import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

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
  readonly configs: ReadonlyArray<{ readonly path: string; readonly size: number; readonly mtimeMs: number }>;
}

/** The runner's data folder's subfolder for it. */
export const HANDLERS_BUNDLE_DIR = 'handlers-bundle';

/** The installed esbuild's version, read from its package.json without loading esbuild. */
function esbuildVersion(): string {
  try {
    return (JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'none';
  }
}

/**
 * Changes when what the bundle is built for or with changes: this file's layout, the Node.js it targets and the
 * esbuild that built it.
 */
const FORMAT = `2 node${process.versions.node.split('.')[0]} esbuild${esbuildVersion()}`;

/** The files esbuild reads settings from (paths, jsx, decorators) but does not list among a bundle's inputs. */
const CONFIG_FILES = ['tsconfig.json', 'jsconfig.json'];

/**
 * Every place a settings file for these inputs could be, from each input's folder up (outside node_modules): stamped
 * like the inputs, an absent one as absent, so that editing, adding or removing one builds again. (A file another
 * one `extends` is not followed.)
 */
function configCandidates(inputs: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const input of inputs.filter((path) => !path.includes(`${sep}node_modules${sep}`))) {
    for (let dir = dirname(input); !folders.has(dir); dir = dirname(dir)) {
      folders.add(dir);
      if (dirname(dir) === dir) break;
    }
  }
  return [...folders].flatMap((folder) => CONFIG_FILES.map((name) => join(folder, name)));
}

const ABSENT = { size: -2, mtimeMs: -2 } as const;

function cacheFileFor(dir: string, modulePath: string): string {
  return join(dir, `handlers-${createHash('sha256').update(modulePath).digest('hex').slice(0, 16)}.json`);
}

function stamp(path: string): { size: number; mtimeMs: number } {
  const stats = statSync(path);
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}

function stampConfig(path: string): { size: number; mtimeMs: number } {
  return existsSync(path) ? stamp(path) : ABSENT;
}

/** Whether each file still has the size and modification time it was stamped with. */
function stillStamped(
  files: CacheFile['inputs'],
  stampOf: (path: string) => { size: number; mtimeMs: number },
): boolean {
  return files.every((file) => {
    const now = stampOf(file.path);
    return now.size === file.size && now.mtimeMs === file.mtimeMs;
  });
}

/** The cached bundle of `modulePath`, when none of its inputs changed since it was built. */
export function readCachedBundle(dir: string, modulePath: string): CachedBundle | undefined {
  try {
    const cached = JSON.parse(readFileSync(cacheFileFor(dir, modulePath), 'utf8')) as CacheFile;
    if (cached.format !== FORMAT) return undefined;
    const unchanged = stillStamped(cached.inputs, stamp) && stillStamped(cached.configs, stampConfig);
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
    const settled = (path: string, now: { size: number; mtimeMs: number }) =>
      now.size === ABSENT.size || now.mtimeMs < buildStartedMs - SETTLE_MARGIN_MS
        ? { path, ...now }
        : { path, size: -1, mtimeMs: -1 };
    const inputs = bundle.inputs.map((path) => settled(path, stamp(path)));
    const configs = configCandidates(bundle.inputs).map((path) => settled(path, stampConfig(path)));
    const file = cacheFileFor(dir, modulePath);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ format: FORMAT, code: bundle.code, inputs, configs } satisfies CacheFile),
      {
        mode: 0o600,
      },
    );
    renameSync(`${file}.tmp`, file);
  } catch {
    // Not kept: the next start builds again.
  }
}
