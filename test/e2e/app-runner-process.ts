import { signFluentPayload } from '../../lambdas/core';
import type { SynthesizedApp } from '../support/cdk-synth';
import { LogLine, RunnerProcess, startRunnerProcess } from './local-runner-process';

/** `fluent-webhook local --app` on a cloud assembly, as a child process, and how to post to its webhook URL. */
export interface AppRunnerProcess {
  readonly runner: RunnerProcess;
  /** `http://127.0.0.1:<port>/<secret>/fluent/` */
  readonly webhookBaseUrl: string;
  post(
    route: string,
    body: Buffer,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  postSigned(route: string, body: Buffer): Promise<{ status: number; body: Record<string, unknown> }>;
  count(predicate: (line: LogLine) => boolean): number;
  /** The runner's waitForLine with room for a machine under load: two bundles and the emulators share its cores. */
  waitForLine(predicate: (line: LogLine) => boolean): Promise<LogLine>;
}

/** How long a test waits for a log line, and so how long a test of these suites may take. */
export const APP_LINE_WAIT_MS = 60_000;
export const APP_TEST_TIMEOUT_MS = 2 * APP_LINE_WAIT_MS;
const LINES_SHOWN_ON_MISS = 25;

export async function startAppRunnerProcess(
  app: SynthesizedApp,
  assemblyDir: string,
  dataDir: string,
): Promise<AppRunnerProcess> {
  const runner = await startRunnerProcess({ LOCAL_DATA_DIR: dataDir }, APP_LINE_WAIT_MS, {
    args: ['--app', assemblyDir],
  });
  const ready = await runner.waitForLine((line) => line.message === 'local receiver ready');
  const webhookBaseUrl = `${String(ready.gatewayOrigin)}/${app.pathSecret}/fluent/`;
  const post = async (route: string, body: Buffer, headers: Record<string, string> = {}) => {
    const response = await fetch(`${webhookBaseUrl}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    runner,
    webhookBaseUrl,
    post,
    postSigned: (route, body) => post(route, body, signFluentPayload(body, app.privateKeyPem)),
    count: (predicate) => runner.lines().filter(predicate).length,
    // On a miss, the runner's last lines say where the pipeline stopped (the runner's own error has only stderr).
    waitForLine: (predicate) =>
      runner.waitForLine(predicate, APP_LINE_WAIT_MS).catch((error: Error) => {
        const tail = runner
          .lines()
          .slice(-LINES_SHOWN_ON_MISS)
          .map((line) => JSON.stringify(line).slice(0, 400));
        throw new Error(`${error.message}\nThe runner's last log lines:\n${tail.join('\n')}`, { cause: error });
      }),
  };
}
