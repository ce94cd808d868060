#!/usr/bin/env node
'use strict';
// What `npm start` runs: `fluent-webhook local --watch` straight from this checkout's TypeScript sources, bundled by
// esbuild into one file instead of the whole `tsc` build (14-27 s), so a start neither waits for a type check nor
// stops on a type error in the handlers: type errors belong to `npm test` and the editor. The handlers themselves
// are loaded (and reloaded on change) by the runner, with esbuild, as `--handlers` always does. The installed
// `fluent-webhook` command keeps running the tsc build in dist/ (bin/fluent-webhook.cjs).
const { existsSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { enableCompileCache } = require('node:module');

const root = join(__dirname, '..');
const cache = join(root, 'node_modules', '.cache', 'fluent-webhook-receiver');
const outfile = join(cache, 'cli.cjs');
// The local runner's emulator threads (tools/local/emulator-thread.ts) load this file beside the CLI's.
const workerFile = join(cache, 'emulator-thread-worker.cjs');
const inputsFile = join(cache, 'cli-inputs.json');

// V8 keeps the compiled code of the runner and its dependencies between starts (Node 22.1+).
enableCompileCache?.(join(cache, 'v8'));
if (!bundleIsCurrent()) bundle();
process.setSourceMapsEnabled(true);
process.argv.splice(2, 0, 'local', '--watch');
require(outfile);

/** Whether the last bundle is newer than every source file that went into it (esbuild listed them). */
function bundleIsCurrent() {
  if (!existsSync(outfile) || !existsSync(workerFile) || !existsSync(inputsFile)) return false;
  try {
    const built = statSync(outfile).mtimeMs;
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    return inputs.every((input) => statSync(join(root, input)).mtimeMs < built);
  } catch {
    return false; // a source was removed or renamed: build again
  }
}

function bundle() {
  const result = require('esbuild').buildSync({
    entryPoints: [
      { in: join(root, 'tools', 'cli', 'main.ts'), out: 'cli' },
      { in: join(root, 'tools', 'local', 'emulator-thread-worker.ts'), out: 'emulator-thread-worker' },
    ],
    outdir: cache,
    outExtension: { '.js': '.cjs' },
    absWorkingDir: root,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
  });
  writeFileSync(inputsFile, JSON.stringify(Object.keys(result.metafile.inputs)));
}
