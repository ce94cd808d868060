import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigurationError } from '../../../lambdas/core';
import { bundleHandlers, loadHandlers } from '../../../tools/local/load-handlers';
import { useTempDir } from '../../support/temp-dir';

const REPO_ROOT = join(__dirname, '..', '..', '..');

describe('Function: loadHandlers', () => {
  const temp = useTempDir();

  /** Writes `files` into the temp dir and returns the path of the first. */
  function project(files: Record<string, string>): string {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(temp.path(name)), { recursive: true });
      writeFileSync(temp.path(name), text);
    }
    return temp.path(Object.keys(files)[0]!);
  }

  // Each module names its one route after what it computed while loading, so the route shows the module really ran.
  it.each([
    [
      'TypeScript with an extensionless import, an enum and type-only syntax',
      {
        'handlers.ts': `import type { FluentEventHandlers } from 'fluent-webhook-receiver';
          import { Status, label } from './status';
          export const handlers: FluentEventHandlers = { routes: { [label(Status.Done)]: async () => {} } };`,
        'status.ts': `export enum Status { Done = 'done' }
          export function label(status: Status): string { return 'ts:' + status; }`,
      },
      'ts:done',
    ],
    [
      'CommonJS JavaScript that requires a package from its own folder',
      {
        'handlers.js': `const { basename } = require('node:path');
          const { word } = require('local-dep');
          exports.handlers = { routes: { [word + ':' + basename(__filename)]: async () => {} } };`,
        'node_modules/local-dep/index.js': "exports.word = 'cjs';",
      },
      'cjs:handlers.js',
    ],
    ['ESM JavaScript', { 'handlers.mjs': `export const handlers = { routes: { esm: async () => {} } };` }, 'esm'],
  ])('loads %s', async (_kind, files, route) => {
    // Prepare
    const path = project(files);

    // Act
    const handlers = await loadHandlers({ path, setBy: '--handlers' });

    // Assess
    expect(Object.keys(handlers.routes ?? {})).toEqual([route]);
    expect(typeof handlers.routes?.[route]).toBe('function');
  });

  it.each([
    ['exports no handlers', { 'none.ts': 'export const other = 1;' }, /^--handlers .*none\.ts exports no `handlers`/],
    ['does not parse', { 'broken.ts': 'export const handlers = {' }, /^--handlers .*broken\.ts could not be bundled/],
    [
      'throws while loading',
      { 'throws.js': "throw new Error('boom at load');" },
      /^--handlers .*throws\.js could not be loaded: boom at load/,
    ],
    ['does not exist', {}, /^--handlers .*missing\.ts could not be bundled/],
  ])('refuses a module that %s with a ConfigurationError naming the knob', async (_what, files, message) => {
    // Prepare
    const path = Object.keys(files).length === 0 ? temp.path('missing.ts') : project(files);

    // Act
    const loading = loadHandlers({ path, setBy: '--handlers' });

    // Assess
    await expect(loading).rejects.toBeInstanceOf(ConfigurationError);
    await expect(loading).rejects.toThrow(message);
  });
  it('maps a stack trace of a handler to the line the user wrote (handlers/examples/failing-returns.ts)', () => {
    // Prepare: a process of its own, as the local runner is (jest formats stack traces its own way).
    const path = join(REPO_ROOT, 'handlers', 'examples', 'failing-returns.ts');
    const lines = readFileSync(path, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('throw new Error(')) + 1;
    const column = (lines[line - 1] ?? '').indexOf('new Error(') + 1;
    const script = `require('./tools/local/load-handlers')
      .loadHandlers({ path: process.argv[1], setBy: '--handlers' })
      .then((handlers) => handlers.events.ReturnOrderCreated({}, {}))
      .catch((error) => process.stdout.write(error.stack));`;

    // Act
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, path], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess
    expect(line).toBeGreaterThan(0);
    expect(run.stdout.split('\n')[1]).toBe(`    at Object.ReturnOrderCreated (${path}:${line}:${column})`);
  });

  describe('with a cache folder (what the local runner gives it)', () => {
    const files = {
      'handlers.ts': `import { word } from './word';
        export const handlers = { routes: { [word]: async () => {} } };`,
      'word.ts': `export const word = 'one';`,
    };
    const routes = async (path: string): Promise<string[]> =>
      Object.keys((await bundleHandlers({ path, setBy: '--handlers' }, temp.path('cache'))).handlers.routes ?? {});
    /** The one cache file's inode: a new one exactly when a bundle is built and kept (written aside, renamed over). */
    const cacheWritten = (): number => {
      const [file] = readdirSync(temp.path('cache'));
      return statSync(temp.path('cache', file!)).ino;
    };

    it('reuses the bundle while no file changed, and builds again when a file it imports changes', async () => {
      // Prepare: files saved a minute ago.
      const path = project(files);
      const aMinuteAgo = new Date(Date.now() - 60_000);
      for (const name of Object.keys(files)) utimesSync(temp.path(name), aMinuteAgo, aMinuteAgo);

      // Act + Assess: built and kept; then loaded as kept; then a changed import is built again.
      expect(await routes(path)).toEqual(['one']);
      const built = cacheWritten();
      expect(await routes(path)).toEqual(['one']);
      expect(cacheWritten()).toBe(built);
      writeFileSync(temp.path('word.ts'), `export const word = 'two';`);
      expect(await routes(path)).toEqual(['two']);
      expect(cacheWritten()).not.toBe(built);
    });

    it('does not trust a file saved within a second of the build (it may have changed while esbuild read it)', async () => {
      // Prepare: files saved just now.
      const path = project(files);

      // Act
      await routes(path);
      const first = cacheWritten();
      await routes(path);

      // Assess: built again, not loaded from the cache.
      expect(cacheWritten()).not.toBe(first);
    });
  });
});
