// `npm run docs:api`: writes the generated API reference of both package entries (TypeDoc, as Markdown) to docs/api.
// `npm run docs:api -- --check` (part of npm test) builds it in a temporary folder and fails when docs/api differs,
// or when TypeDoc warns: a public symbol without a doc comment, a type a public one uses that is not exported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PACKAGE_ROOT as REPOSITORY_ROOT } from '../../lambdas/contract/package-root';

const REFERENCE = join(REPOSITORY_ROOT, 'docs', 'api');
const TYPEDOC = join(REPOSITORY_ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Runs TypeDoc (typedoc.json) into `out`; its warnings are errors there (treatWarningsAsErrors). */
function generate(out: string): boolean {
  // The type check is npm test's own (npm run typecheck); TypeDoc only reads the declarations.
  try {
    execFileSync(process.execPath, [TYPEDOC, '--out', out, '--skipErrorChecking', '--logLevel', 'Warn'], {
      cwd: REPOSITORY_ROOT,
      stdio: 'inherit',
    });
    return true;
  } catch {
    console.error('TypeDoc refused the public surface (see its warnings above): document or export what it names.');
    return false;
  }
}

function check(): number {
  const fresh = mkdtempSync(join(tmpdir(), 'fluent-webhook-api-'));
  try {
    if (!generate(fresh)) return 1;
    const expected = filesUnder(fresh);
    const committed = filesUnder(REFERENCE);
    const stale = [...new Set([...expected, ...committed])].filter(
      (file) =>
        !expected.includes(file) ||
        !committed.includes(file) ||
        readFileSync(join(fresh, file), 'utf8') !== readFileSync(join(REFERENCE, file), 'utf8'),
    );
    if (stale.length === 0) return 0;
    console.error(`docs/api is out of date (${stale.join(', ')}): run "npm run docs:api" and commit the result.`);
    return 1;
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) {
  process.exitCode = check();
} else {
  rmSync(REFERENCE, { recursive: true, force: true });
  if (!generate(REFERENCE)) process.exitCode = 1;
}
