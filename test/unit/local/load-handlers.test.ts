import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigurationError } from '../../../lambdas/core';
import { loadHandlers } from '../../../tools/local/load-handlers';
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
});
