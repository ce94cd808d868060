#!/usr/bin/env node
'use strict';
// The CLI runs as built JavaScript: `npm run build` (run by `npm ci` through "prepare", and before packing) writes it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'tools', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`fluent-webhook: ${main} is missing; run "npm run build" in ${join(__dirname, '..')}.\n`);
  process.exit(1);
}
require(main);
