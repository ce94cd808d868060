// `npm run docs`: refreshes every code block the docs copy from a real file or from a CLI command's usage text
// (see doc-blocks.ts). test/docs fails when a page is out of date, so run this after changing a quoted file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT as REPOSITORY_ROOT } from '../../lambdas/contract/package-root';
import { docFiles, syncBlocks } from './doc-blocks';

for (const file of docFiles(REPOSITORY_ROOT)) {
  const path = join(REPOSITORY_ROOT, file);
  const before = readFileSync(path, 'utf8');
  const after = syncBlocks(before, REPOSITORY_ROOT);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`updated ${file}`);
  }
}
