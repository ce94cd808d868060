import { createHash } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FluentSignatureVerifier, fluentEventFromObject, messageGroupId, parseJsonObject } from '../../../lambdas/core';
import { FIFO_QUEUE_SUFFIX } from '../../../lambdas/contract/ordering';
import type { HistoryStore } from '../../../lambdas/contract/history';
import { Provenance } from '../../../lambdas/contract/provenance';
import { encodeQueueMessage, sendMessageAttributes } from '../../../lambdas/contract/queue-message';
import type { CliIo } from '../cli-io';
import type { ReplayCandidate } from './replay-plan';

export interface ReplayRunOptions {
  readonly store: HistoryStore;
  readonly verifier: FluentSignatureVerifier;
  /** Where replays go; absent for a dry run. */
  readonly queue?: { readonly sqs: SQSClient; readonly url: string };
  readonly candidates: readonly ReplayCandidate[];
  /** Events per second at most. */
  readonly rate: number;
  /** `--reprocess`: the run id the consumer de-duplicates within. */
  readonly replayRun?: string;
  readonly io: CliIo;
  /** @default performance-free wall clock */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** When this replay started (ms): part of a FIFO de-duplication id without a run id. @default now */
  readonly startedAt?: number;
}

/** What happened to each selected event. */
export interface ReplayResult {
  readonly replayed: string[];
  /** Archived copies that no longer verify, or could not be read: named, not replayed. */
  readonly refused: Array<{ eventId: string; why: string }>;
  /** Sends that failed; the events stay as they were and can be replayed again. */
  readonly failed: Array<{ eventId: string; why: string }>;
  /** Set when Ctrl-C stopped the run before every event was handled. */
  readonly interrupted: boolean;
}

/**
 * Re-verifies each event's archived copy against the current public keys and puts it back on the queue with provenance
 * `replay`, at most `rate` per second, one event at a time so that Ctrl-C stops cleanly between two. A copy that does
 * not verify is refused by id and the others go on.
 */
export async function runReplay(options: ReplayRunOptions): Promise<ReplayResult> {
  const { io, candidates } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const result: ReplayResult = { replayed: [], refused: [], failed: [], interrupted: false };
  let stopping = false;
  const removeHandler = options.io.onInterrupt?.(() => {
    stopping = true;
  });
  const started = now();
  try {
    for (const [index, candidate] of candidates.entries()) {
      if (stopping) {
        (result as { interrupted: boolean }).interrupted = true;
        break;
      }
      // Paced from the start, so a slow send is caught up and the average stays at the rate.
      const due = started + (index * 1000) / options.rate;
      if (due > now()) await sleep(due - now());
      await replayOne(candidate, options, result);
      showProgress(io, index + 1, candidates.length, started, now());
    }
  } finally {
    removeHandler?.();
  }
  return result;
}

async function replayOne(candidate: ReplayCandidate, options: ReplayRunOptions, result: ReplayResult): Promise<void> {
  const { eventId } = candidate;
  let archived;
  try {
    archived = await options.store.archived(candidate.source);
  } catch (error) {
    result.failed.push({ eventId, why: `could not read its archived copy: ${(error as Error).message}` });
    return;
  }
  if (archived?.rawBody === undefined) {
    result.refused.push({ eventId, why: 'no archived copy (the body was too large to archive)' });
    return;
  }
  const verification = options.verifier.verifySignatures(archived.rawBody, archived.signatures);
  if (!verification.ok) {
    result.refused.push({ eventId, why: `the archived copy does not verify: ${verification.reason}` });
    return;
  }
  if (options.queue === undefined) {
    result.replayed.push(eventId);
    return;
  }
  const encoded = encodeQueueMessage({
    rawBody: archived.rawBody,
    signatures: archived.signatures,
    route: archived.record.route,
    receivedAt: archived.record.receivedAt,
    requestId: archived.record.requestId,
    provenance: Provenance.REPLAY,
    ...(options.replayRun === undefined ? {} : { replayRun: options.replayRun }),
  });
  if (!encoded.ok) {
    result.refused.push({ eventId, why: `its ${encoded.field} cannot travel through SQS` });
    return;
  }
  try {
    await options.queue.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.queue.url,
        MessageBody: encoded.message.body,
        MessageAttributes: sendMessageAttributes(encoded.message),
        ...fifoFields(options, archived.rawBody, eventId),
      }),
    );
    result.replayed.push(eventId);
  } catch (error) {
    result.failed.push({ eventId, why: `SendMessage failed: ${(error as Error).message}` });
  }
}

/**
 * ORDERING=per-entity: the group the receiver would give the event (its root entity), and a de-duplication id of this
 * replay's own, so SQS does not drop it as a repeat of the original delivery.
 */
function fifoFields(
  options: ReplayRunOptions,
  rawBody: Buffer,
  eventId: string,
): { MessageGroupId?: string; MessageDeduplicationId?: string } {
  if (!options.queue?.url.endsWith(FIFO_QUEUE_SUFFIX)) return {};
  const json = parseJsonObject(rawBody);
  const parsed = json.ok ? fluentEventFromObject(json.object, json.text) : undefined;
  const group = parsed?.ok ? messageGroupId(parsed.event) : eventId;
  const replay = options.replayRun ?? `replay-${options.startedAt ?? Date.now()}`;
  return {
    MessageGroupId: group,
    MessageDeduplicationId: createHash('sha256').update(`${replay}\n${eventId}`).digest('hex'),
  };
}

function showProgress(io: CliIo, done: number, total: number, started: number, now: number): void {
  if (io.progress === undefined) return;
  const seconds = Math.max((now - started) / 1000, 0.001);
  const rate = done / seconds;
  const left = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  io.progress(`replayed ${done}/${total}, ${rate.toFixed(1)}/s, about ${left} s left`);
}
