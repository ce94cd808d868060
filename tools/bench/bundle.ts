import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Loads a TypeScript module bundled by esbuild, as NodejsFunction deploys it to Lambda, instead of through
 * tsx's per-file transform (whose re-exports are getters, a cost production code does not pay).
 */
export function requireBundled<T>(entryPoint: string): T {
  const dir = mkdtempSync(join(tmpdir(), 'fluent-webhook-bench-'));
  try {
    const outfile = join(dir, 'bundle.cjs');
    buildSync({
      entryPoints: [entryPoint],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(outfile) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
