import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './local-runner-process';

const CLI = join(REPO_ROOT, 'bin', 'fluent-webhook.cjs');

export interface CliResult {
  /** The exit code; null when the process was killed (the time limit). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `fluent-webhook <argv>` (the built CLI) as a subprocess from the repository root, `env` over the test's. */
export function runCli(env: Record<string, string>, argv: readonly string[], timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...argv],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
    );
  });
}
