import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SETTING_ENV_NAMES, signFluentPayload } from '../../lambdas/core';
import { DecisionMessage } from '../../lambdas/consumer/process-record';
import { emulatorClientConfig } from '../local/local-aws-config';
import { LOCAL_ENV_NAMES } from '../local/local-config';
import { LogLine, RunnerProcess, startRunnerProcess } from '../../test/e2e/local-runner-process';
import { fluentEventBody } from '../../test/support/factories';
import { queueDepth } from '../../test/support/sqs-records';
import { TestKeyPair, testKeyPair } from '../../test/support/test-keys';
import type { OutgoingWebhook } from './send-webhooks';

export const LOAD_ACCOUNT = 'ACME';
export const LOAD_ROUTE = 'orders';
/** The receiver's decision line for a queued webhook. */
const ACCEPTED_LINE = 'Webhook accepted';

/** `npm start` in a child process, with a fresh data folder and a key pair of our own. */
export interface LoadTarget {
  readonly runner: RunnerProcess;
  readonly webhookUrl: string;
  readonly keys: TestKeyPair;
  readonly sqsClient: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The runner's data folder (LOCAL_DATA_DIR), for the CLI. */
  readonly dataDir: string;
  /** Stops the runner (SIGTERM, as Ctrl-C) and removes its data folder. */
  stop(): Promise<void>;
}

export async function startLoadTarget(): Promise<LoadTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluent-webhook-load-'));
  const keys = testKeyPair(1024, 'load');
  try {
    const runner = await startRunnerProcess({
      [LOCAL_ENV_NAMES.dataDir]: dataDir,
      [SETTING_ENV_NAMES.publicKeys]: keys.publicKeyBase64,
      [SETTING_ENV_NAMES.accountIds]: LOAD_ACCOUNT,
    });
    const ready = runner.lines().find((line) => line.message === 'local receiver ready') as LogLine;
    const sqsClient = new SQSClient(emulatorClientConfig(String(ready.sqsEndpoint), 'us-east-1'));
    return {
      runner,
      webhookUrl: `${runner.webhookBaseUrl}${LOAD_ROUTE}`,
      keys,
      sqsClient,
      queueUrl: String(ready.queueUrl),
      deadLetterQueueUrl: String(ready.deadLetterQueueUrl),
      dataDir,
      stop: async () => {
        sqsClient.destroy();
        try {
          await runner.stop(30_000);
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** `count` distinct Fluent events for the served account, signed as Fluent signs them (both headers). */
export function signedEvents(
  keys: TestKeyPair,
  count: number,
  prefix = 'load',
): Array<OutgoingWebhook & { readonly id: string }> {
  return Array.from({ length: count }, (_, index) => {
    const id = `${prefix}-${index}-${randomUUID()}`;
    const body = fluentEventBody({ id });
    return { id, body, headers: signFluentPayload(body, keys.privateKey) };
  });
}

/** What the runner's JSON log lines say happened to each event id. */
export interface LoggedOutcomes {
  readonly acceptedByReceiver: ReadonlyMap<string, number>;
  readonly processed: ReadonlyMap<string, number>;
  readonly duplicatesSkipped: number;
  /** Consumer lines with outcome `failed` (each is retried, so not a loss by itself). */
  readonly consumerFailures: number;
}

/** Reads the runner's log lines from `from` on, adding to `into`. Returns the index to continue from. */
export function tallyLogLines(lines: readonly LogLine[], from: number, into: MutableOutcomes): number {
  for (let index = from; index < lines.length; index += 1) {
    const line = lines[index] as LogLine;
    const id = typeof line.eventId === 'string' ? line.eventId : undefined;
    if (line.message === ACCEPTED_LINE && id !== undefined) increment(into.acceptedByReceiver, id);
    else if (line.message === DecisionMessage.PROCESSED && id !== undefined) increment(into.processed, id);
    else if (line.message === DecisionMessage.DUPLICATE) into.duplicatesSkipped += 1;
    else if (line.outcome === 'failed' && line.component === 'consumer') into.consumerFailures += 1;
  }
  return lines.length;
}

export interface MutableOutcomes extends LoggedOutcomes {
  readonly acceptedByReceiver: Map<string, number>;
  readonly processed: Map<string, number>;
  duplicatesSkipped: number;
  consumerFailures: number;
}

export function emptyOutcomes(): MutableOutcomes {
  return { acceptedByReceiver: new Map(), processed: new Map(), duplicatesSkipped: 0, consumerFailures: 0 };
}

function increment(counts: Map<string, number>, id: string): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

/** Messages still in the queue and the DLQ (visible plus in flight). */
export async function leftInQueues(target: LoadTarget): Promise<{ queue: number; deadLetterQueue: number }> {
  const [queue, deadLetterQueue] = await Promise.all([
    queueDepth(target.sqsClient, target.queueUrl),
    queueDepth(target.sqsClient, target.deadLetterQueueUrl),
  ]);
  return { queue: queue.visible + queue.inFlight, deadLetterQueue: deadLetterQueue.visible + deadLetterQueue.inFlight };
}
