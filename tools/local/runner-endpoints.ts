import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning } from './data-dir-lock';

/** The file in the data folder where a running runner says where its emulators listen; removed when it stops. */
export const ENDPOINTS_FILE = 'runner-endpoints.json';

/** Where a running local runner's emulators and resources are: what `history` and `replay` need to reach them. */
export interface RunnerEndpoints {
  readonly pid: number;
  readonly region: string;
  readonly dynamoDbEndpoint: string;
  readonly historyTableName: string;
  readonly historyRetentionDays: number;
  /** The bucket of bodies too large for their history item, on `sqsEndpoint` (absent from older runners). */
  readonly historyBucketName?: string;
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** Where `fluent-webhook reconcile` sends backfilled events (absent from runners older than reconciliation). */
  readonly reconciliationQueueUrl?: string;
  /** The Fluent stand-in the runner started (none when FLUENT_API_URL names another Fluent). */
  readonly fluentStandIn?: { readonly apiUrl: string; readonly account: string };
}

export function writeRunnerEndpoints(dataDir: string, endpoints: RunnerEndpoints): void {
  writeFileSync(join(dataDir, ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
}

export function removeRunnerEndpoints(dataDir: string, pid: number = process.pid): void {
  if (readEndpointsFile(dataDir)?.pid === pid) rmSync(join(dataDir, ENDPOINTS_FILE), { force: true });
}

/** The endpoints of the runner using `dataDir`, or undefined when none is running there (a stale file is ignored). */
export function runningRunnerEndpoints(dataDir: string): RunnerEndpoints | undefined {
  const endpoints = readEndpointsFile(dataDir);
  return endpoints !== undefined && isRunning(endpoints.pid) ? endpoints : undefined;
}

function readEndpointsFile(dataDir: string): RunnerEndpoints | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, ENDPOINTS_FILE), 'utf8')) as Partial<RunnerEndpoints>;
    return typeof parsed.pid === 'number' && typeof parsed.dynamoDbEndpoint === 'string'
      ? (parsed as RunnerEndpoints)
      : undefined;
  } catch {
    return undefined;
  }
}
