#!/usr/bin/env node
'use strict';
// Plain CommonJS that any Node.js can run, so that the version check below answers even where the CLI cannot run.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// Every command checks the Node.js version first: the local runner's SQS emulator needs node:sqlite without a flag
// (22.13 on Node.js 22, 23.4 on 23), and an older Node.js would fail later with "No such built-in module".
// package.json "engines" is the one place the minimum is written. semver is an optional dependency: a verifier-only
// install (--omit=optional) has none, and cannot start the local runner either (`local` says what to install, semver
// among it), so there the commands that can run (keygen, sign, verify...) run without the check.
const needed = require('../package.json').engines.node;
const semver = optionalSemver();
if (semver !== undefined && !semver.satisfies(process.version, needed, { includePrerelease: true })) {
  process.stderr.write(`fluent-webhook needs Node.js ${needed}; found ${process.version} at ${process.execPath}.\n`);
  process.exit(2);
}

// The CLI runs as built JavaScript: `npm run build` (run by `npm ci` through "prepare", and before packing) writes it.
const main = join(__dirname, '..', 'dist', 'tools', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`fluent-webhook: ${main} is missing; run "npm run build" in ${join(__dirname, '..')}.\n`);
  process.exit(1);
}
require(main);

/** semver when it is installed, else undefined; resolved first, so that a broken semver still fails loudly. */
function optionalSemver() {
  try {
    require.resolve('semver');
  } catch {
    return undefined;
  }
  return require('semver');
}
