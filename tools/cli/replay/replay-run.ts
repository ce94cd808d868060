import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { FluentSignatureVerifier, fluentEventFromObject, messageGroupId, parseJsonObject } from '../../../lambdas/core';
import { FIFO_QUEUE_SUFFIX } from '../../../lambdas/contract/ordering';
import { Backoff, backoffDelayMs } from '../../../lambdas/core/backoff';
import { chunked } from '../../../lambdas/core/chunked';
import type { ArchivedWebhook, HistoryStore } from '../../../lambdas/contract/history';
import { Provenance } from '../../../lambdas/contract/provenance';
import { encodeQueueMessage, sendMessageAttributes } from '../../../lambdas/contract/queue-message';
import type { CliIo } from '../cli-io';
import type { ReplayCandidate } from './replay-plan';
import { SQS_MAX_MESSAGES_PER_CALL } from '../../../lambdas/contract/deployment';
import { sendBatchesOf } from './send-batches';

export interface ReplayRunOptions {
  /** Where the archived copies are read from (replay reads nothing else of the history). */
  readonly store: Pick<HistoryStore, 'archivedMany'>;
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
 * Rounds of re-sending the entries SQS refused for a passing fault of its own (`SenderFault` false: InternalError,
 * throttling). A batch's per-entry failures come in a 200 answer, which the SDK never retries, as it would a single
 * SendMessage; an entry refused for the sender's fault (too large, bad attribute) would fail again and is not re-sent.
 */
const SEND_RETRY_ROUNDS = 3;
const SEND_RETRY_BACKOFF: Backoff = { baseMs: 200, capMs: 2_000 };

/** What a batch's archived copies read as: each candidate's copy in order, or why they could not be read. */
type BatchRead = { readonly copies: ReadonlyArray<ArchivedWebhook | undefined> } | { readonly error: Error };

/** An event ready to go, as one entry of a SendMessageBatch request. */
interface Outgoing {
  readonly eventId: string;
  readonly bytes: number;
  readonly entry: Omit<SendMessageBatchRequestEntry, 'Id'>;
}

/**
 * Re-verifies each event's archived copy against the current public keys and puts it back on the queue with provenance
 * `replay`, at most `rate` per second. Events go in batches: the archived copies of up to 10 are read at once
 * (BatchGetItem) and sent in one SendMessageBatch, and the next batch is read while this one is sent. A batch is
 * handled whole, so Ctrl-C stops cleanly between two: nothing is half-sent. A copy that does not verify is refused by
 * id, an entry SQS refuses fails by id, and the others go on.
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
  const batches = chunked(candidates, batchSizeFor(options.rate));
  const started = now();
  let done = 0;
  let reading: Promise<BatchRead> | undefined;
  try {
    for (const [index, batch] of batches.entries()) {
      const read = await (reading ?? readBatch(options.store, batch));
      // Reading changes nothing: a batch read ahead and then not sent (Ctrl-C) is simply dropped.
      const next = batches[index + 1];
      reading = next === undefined ? undefined : readBatch(options.store, next);
      // Paced from the start, so a slow batch is caught up and the average stays at the rate; a batch goes when its
      // last event is due, so no event goes earlier than one at a time would send it.
      const due = started + ((done + batch.length - 1) * 1000) / options.rate;
      if (!stopping && due > now()) await sleep(due - now());
      if (stopping) {
        (result as { interrupted: boolean }).interrupted = true;
        break;
      }
      await replayBatch(batch, read, options, result, sleep);
      done += batch.length;
      showProgress(io, done, candidates.length, started, now());
    }
  } finally {
    removeHandler?.();
    // Nothing left running against the history when the caller closes it.
    await reading;
  }
  return result;
}

/**
 * Events per batch: 10, SendMessageBatch's most, or fewer below 10 events per second, so that a batch holds at most
 * a second's events: at `--rate 2` two go each second, not ten every five seconds, and Ctrl-C is never kept waiting.
 */
function batchSizeFor(rate: number): number {
  return Math.min(SQS_MAX_MESSAGES_PER_CALL, Math.max(1, Math.floor(rate)));
}

/** The batch's archived copies; never rejects (a failed read fails the batch's events, not the run). */
async function readBatch(store: ReplayRunOptions['store'], batch: readonly ReplayCandidate[]): Promise<BatchRead> {
  try {
    return { copies: await store.archivedMany(batch.map((candidate) => candidate.source)) };
  } catch (error) {
    return { error: error as Error };
  }
}

async function replayBatch(
  batch: readonly ReplayCandidate[],
  read: BatchRead,
  options: ReplayRunOptions,
  result: ReplayResult,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if ('error' in read) {
    for (const { eventId } of batch) {
      result.failed.push({ eventId, why: `could not read its archived copy: ${read.error.message}` });
    }
    return;
  }
  const outgoing: Outgoing[] = [];
  for (const [index, candidate] of batch.entries()) {
    const prepared = prepare(candidate, read.copies[index], options, result);
    if (prepared !== undefined) outgoing.push(prepared);
  }
  if (options.queue === undefined) return;
  for (const request of sendBatchesOf(outgoing)) await send(request, options.queue, result, sleep);
}

/** The event's queue message, once its archived copy is found and verifies; otherwise it is refused and named. */
function prepare(
  candidate: ReplayCandidate,
  archived: ArchivedWebhook | undefined,
  options: ReplayRunOptions,
  result: ReplayResult,
): Outgoing | undefined {
  const { eventId } = candidate;
  // The history read is eventually consistent and a record expires with the retention: one planned may be missing now.
  if (archived === undefined) {
    result.refused.push({
      eventId,
      why: 'its history record is gone or not yet readable (run again; if it stays missing, check the history retention)',
    });
    return undefined;
  }
  if (archived.rawBody === undefined) {
    result.refused.push({ eventId, why: 'no archived copy (the body was too large to archive)' });
    return undefined;
  }
  const verification = options.verifier.verifySignatures(archived.rawBody, archived.signatures);
  if (!verification.ok) {
    result.refused.push({ eventId, why: `the archived copy does not verify: ${verification.reason}` });
    return undefined;
  }
  // A dry run sends nothing: that the copy verifies is what it reports.
  if (options.queue === undefined) {
    result.replayed.push(eventId);
    return undefined;
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
    return undefined;
  }
  return {
    eventId,
    bytes: encoded.message.bytes,
    entry: {
      MessageBody: encoded.message.body,
      MessageAttributes: sendMessageAttributes(encoded.message),
      ...fifoFields(options, archived.rawBody, eventId),
    },
  };
}

/**
 * One SendMessageBatch. Entry ids are the entries' places in the request (SQS allows letters, digits, `-` and `_`).
 * The entries SQS refused for a passing fault of its own go again, alone, a few times with a growing wait; an entry
 * still refused, or refused for the sender's fault, fails on its own, and a request that fails as a whole (after the
 * SDK's own retries) fails each of its events. SQS queues the entries of one request in order, so a FIFO group's
 * events keep theirs unless one of them has to go again.
 */
async function send(
  request: readonly Outgoing[],
  queue: NonNullable<ReplayRunOptions['queue']>,
  result: ReplayResult,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let waiting = request.map((event, index) => ({ id: String(index), event }));
  for (let retry = 1; waiting.length > 0; retry += 1) {
    let answer;
    try {
      answer = await queue.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: waiting.map(({ id, event }) => ({ Id: id, ...event.entry })),
        }),
      );
    } catch (error) {
      for (const { event } of waiting) {
        result.failed.push({ eventId: event.eventId, why: `SendMessage failed: ${(error as Error).message}` });
      }
      return;
    }
    const refused = new Map((answer.Failed ?? []).map((entry) => [entry.Id, entry] as const));
    const queued = new Set((answer.Successful ?? []).map((entry) => entry.Id));
    const again: typeof waiting = [];
    for (const pending of waiting) {
      const { eventId } = pending.event;
      const failure = refused.get(pending.id);
      if (failure !== undefined && failure.SenderFault !== true && retry <= SEND_RETRY_ROUNDS) {
        again.push(pending);
      } else if (failure !== undefined) {
        const why = [failure.Code, failure.Message].filter((part) => part !== undefined && part !== '').join(': ');
        result.failed.push({ eventId, why: `SendMessage failed: ${why || 'refused'}` });
      } else if (queued.has(pending.id)) {
        result.replayed.push(eventId);
      } else {
        result.failed.push({ eventId, why: 'SendMessage failed: SQS answered nothing for it' });
      }
    }
    if (again.length > 0) await sleep(backoffDelayMs(retry, SEND_RETRY_BACKOFF));
    waiting = again;
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
