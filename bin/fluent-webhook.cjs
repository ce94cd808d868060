#!/usr/bin/env node
'use strict';
// The CLI is TypeScript, run through tsx's CommonJS loader so there is no separate build step.
require('tsx/cjs/api').register();
require('../tools/cli/main.ts');
