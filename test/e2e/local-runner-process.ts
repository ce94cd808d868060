import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SETTING_ENV_NAMES, signFluentPayload } from '../../lambdas/core';
import { FluentApiEnv } from '../../lambdas/contract/environment';
import { LOCAL_ENV_NAMES } from '../../tools/local/local-config';

export const REPO_ROOT = join(__dirname, '..', '..');
/** What `npm start` runs (after its build): the built CLI's `local` command. */
const CLI = join(REPO_ROOT, 'bin', 'fluent-webhook.cjs');
const STDERR_TAIL_CHARS = 4000;
/** The runner's last stdout lines a failed wait shows (what the runner did instead), each cut to this length. */
const STDOUT_TAIL_LINES = 20;
const STDOUT_LINE_CHARS = 400;

/** One JSON log line of the runner. */
export type LogLine = Record<string, unknown> & { readonly message?: string };
export type LinePredicate = (line: LogLine) => boolean;

export interface RunnerProcess {
  /** `http://127.0.0.1:<port>/<secret>/fluent/`, read from the runner's ready line. */
  readonly webhookBaseUrl: string;
  /** Every JSON line printed so far. */
  lines(): readonly LogLine[];
  /** Resolves with the first line (printed so far or later) that matches; rejects after `timeoutMs`. */
  waitForLine(predicate: LinePredicate, timeoutMs?: number): Promise<LogLine>;
  /** Sends SIGTERM and resolves with the exit code; kills the process if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Resolves with the exit code once the runner has exited by itself (or was stopped) and its output is read. */
  readonly exited: Promise<number | null>;
  /** The runner's process id. */
  readonly pid: number;
  /** SIGKILL, as a crash or an OOM kill would end it; resolves once its output is read to the end. */
  kill(): Promise<void>;
}

/**
 * POSTs `body` to the runner's `orders` route, signed with `privateKeyPem` (the runner's key pair in its data folder),
 * and resolves with the status once the answer is read; rejects if no answer comes within 10 s.
 */
export async function postSignedWebhook(
  runner: Pick<RunnerProcess, 'webhookBaseUrl'>,
  body: Buffer,
  privateKeyPem: string,
): Promise<number> {
  const response = await fetch(`${runner.webhookBaseUrl}orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Which `fluent-webhook` runs, where, with which arguments after `local`. */
export interface RunnerProgram {
  /** @default this repository's bin/fluent-webhook.cjs */
  readonly cli?: string;
  /** Run what `npm start` runs (bin/npm-start.cjs: `local --watch` from an esbuild bundle) instead of `cli`. */
  readonly npmStart?: boolean;
  /** @default the repository root, as for `npm start` */
  readonly cwd?: string;
  readonly args?: readonly string[];
}

/**
 * Starts `fluent-webhook local` (what `npm start` runs) as a child process, from the build `npm test` makes:
 * fauxqs is ESM-only and cannot load inside jest. It listens on a free port; `env` adds to the test's environment.
 */
export async function startRunnerProcess(
  env: Record<string, string>,
  timeoutMs = 20_000,
  program: RunnerProgram = {},
): Promise<RunnerProcess> {
  const command = program.npmStart ? [join(REPO_ROOT, 'bin', 'npm-start.cjs')] : [program.cli ?? CLI, 'local'];
  const child = spawn(process.execPath, [...command, ...(program.args ?? [])], {
    cwd: program.cwd ?? REPO_ROOT,
    env: { ...withoutRunnerSettings(process.env), PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  // 'close', not 'exit': only then has every line the runner wrote been read from its stdout.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  const lines: LogLine[] = [];
  const waiters = new Set<{ predicate: LinePredicate; resolve: (line: LogLine) => void }>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { message: 'non-JSON stdout line', text };
    }
    lines.push(line);
    for (const waiter of waiters) {
      if (waiter.predicate(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });

  const waitForLine = (predicate: LinePredicate, waitMs = 15_000): Promise<LogLine> => {
    const seen = lines.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const tail = lines.slice(-STDOUT_TAIL_LINES).map((line) => JSON.stringify(line).slice(0, STDOUT_LINE_CHARS));
        reject(
          new Error(
            `No matching runner log line within ${waitMs} ms. Runner stderr:\n${stderr}\nIts last stdout lines:\n${tail.join('\n')}`,
          ),
        );
      }, waitMs);
      waiters.add(waiter);
    });
  };

  const stop = async (stopMs = 15_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    return killIfStillRunning(child, exited, stopMs);
  };

  try {
    const ready = await Promise.race([
      waitForLine((line) => line.message === 'local receiver ready', timeoutMs),
      exited.then((code) =>
        Promise.reject(new Error(`The runner exited with ${code} before it was ready. Its stderr:\n${stderr}`)),
      ),
    ]);
    const pattern = String(ready.webhookUrlPattern);
    const kill = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    return {
      webhookBaseUrl: pattern.slice(0, -'{route}'.length),
      lines: () => lines,
      waitForLine,
      stop,
      exited,
      pid: child.pid as number,
      kill,
    };
  } catch (error) {
    await stop(1000);
    throw error;
  }
}

/** The test's own environment minus every setting the runner reads, so a developer's shell cannot change what is tested. */
function withoutRunnerSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  const names = [
    ...Object.values(SETTING_ENV_NAMES),
    ...Object.values(LOCAL_ENV_NAMES),
    ...Object.values(FluentApiEnv),
  ];
  for (const name of names) delete copy[name];
  return copy;
}

async function killIfStillRunning(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return outcome;
  child.kill('SIGKILL');
  await exited;
  throw new Error(`The runner did not stop within ${timeoutMs} ms of SIGTERM and was killed.`);
}
