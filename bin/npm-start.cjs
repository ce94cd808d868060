#!/usr/bin/env node
'use strict';
// What `npm start` runs: `fluent-webhook local --watch` straight from this checkout's TypeScript sources, bundled by
// esbuild into one file (well under a second) instead of the whole `tsc` build (14-27 s), so a start neither waits
// for a type check nor stops on a type error in the handlers: type errors belong to `npm test` and the editor. The
// handlers themselves are loaded (and reloaded on change) by the runner, with esbuild, as `--handlers` always does.
// The installed `fluent-webhook` command keeps running the tsc build in dist/ (bin/fluent-webhook.cjs).
const { join } = require('node:path');
const { enableCompileCache } = require('node:module');
const { buildSync } = require('esbuild');

const root = join(__dirname, '..');
const cache = join(root, 'node_modules', '.cache', 'fluent-webhook-receiver');
// V8 keeps compiled code of the runner's dependencies between starts (Node 22.1+): the warm start's biggest saving.
enableCompileCache?.(join(cache, 'v8'));
const outfile = join(cache, 'cli.cjs');
buildSync({
  entryPoints: [join(root, 'tools', 'cli', 'main.ts')],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: `node${process.versions.node.split('.')[0]}`,
  sourcemap: 'linked',
  logLevel: 'error',
});
process.setSourceMapsEnabled(true);
process.argv.splice(2, 0, 'local', '--watch');
require(outfile);
