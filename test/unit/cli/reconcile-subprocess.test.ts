import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { useTempDir } from '../../support/temp-dir';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'fluent-webhook.cjs');

describe('Program: fluent-webhook reconcile without a Fluent to list from', () => {
  const temp = useTempDir('reconcile-no-fluent-');

  it('exits 2 naming what to set, and does not hang on the history it opened', () => {
    // Act: no runner in the data folder, no FLUENT_API_URL; a hang would be killed at the time limit (status null).
    const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_DATA_DIR: temp.path('data') };
    delete env.FLUENT_API_URL;
    const run = spawnSync(
      process.execPath,
      [BIN, 'reconcile', '--from', '2026-12-01T00:00:00Z', '--to', '2026-12-02T00:00:00Z', '--name', 'N', '--dry-run'],
      { cwd: temp.path(), env, encoding: 'utf8', timeout: 60_000 },
    );

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Set FLUENT_API_URL and FLUENT_API_ACCOUNT');
  });
});
