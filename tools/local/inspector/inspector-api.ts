import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { FluentSignatureVerifier, signFluentPayload } from '../../../lambdas/core';
import { HistoryOutcome, HistoryRecord, HistoryStore, oldestFirst } from '../../../lambdas/contract/history';
import { copyMessages } from '../../cli/redrive/copy-messages';
import { sampleNames, SAMPLES_DIR } from '../../cli/event-body';
import { planReplay } from '../../cli/replay/replay-plan';
import { runReplay } from '../../cli/replay/replay-run';
import { ACCEPTED, bodyClaims, DoorVerdict, DoorVerdicts } from './door-verdicts';
import { decodeQueueMessage } from '../../../lambdas/contract/queue-message';
import { Provenance } from '../../../lambdas/contract/provenance';
import type { InspectedMessage } from '../inspect-queue';
import { toRecordAttributes } from '../sqs-event-records';
import { InspectorRequestError } from './inspector-request-error';
import type { LogTap } from './log-tap';
import type { FluentCallLog } from './fluent-calls';
import { HistoryWindow, HistoryWrites, keyOf, WindowDelivery } from './history-window';

/** The page lists this far back in the history (a day of UTC partitions, so each poll reads few). */
const LIST_WINDOW_MS = 24 * 3600 * 1000;
/** Rows per answer, newest first. */
const LIST_LIMIT = 200;
/** Redrive moves at most this many per click; a message that fails again comes back to the DLQ as a new one. */
const REDRIVE_MAX = 100;
/** Shown for a body that is not JSON (or too large to pretty-print). */
const PRETTY_LIMIT_BYTES = 1024 * 1024;

/** The consumer's outcome as the page shows it: the history's, or what it becomes at the queue. */
export const Shown = { ...HistoryOutcome, DEAD_LETTERED: 'dead-lettered', QUEUED: 'queued', REFUSED: 'refused' };

export interface InspectorRow {
  readonly key: string;
  readonly receivedAt: string;
  readonly name?: string;
  readonly entityRef?: string;
  readonly route?: string;
  readonly door: string;
  readonly doorMessage?: string;
  readonly outcome: string;
  readonly reason?: string;
  readonly attempts?: number;
  readonly durationMs?: number;
  readonly provenance?: string;
  readonly eventId?: string;
  readonly messageId?: string;
  readonly requestId?: string;
  /** Name and ref come from an unverified body (a refused request). */
  readonly claimed?: boolean;
}

export interface InspectorApiOptions {
  readonly store: HistoryStore;
  /**
   * Told of every history write the runner's consumer makes: a replay's or backfill's record is read again only once it
   * was written again.
   */
  readonly changes: HistoryWrites;
  readonly verdicts: DoorVerdicts;
  readonly logs: LogTap;
  /** The calls the handlers made to Fluent, per delivery. */
  readonly fluentCalls: FluentCallLog;
  readonly verifier: FluentSignatureVerifier;
  readonly deduplicationWindowSeconds: number;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /**
   * Every message in the dead-letter queue(s) now, read without receiving it (the emulator's inspection): a row is
   * `dead-lettered` exactly while its message is there.
   */
  readonly deadLetterMessages: () => Promise<readonly InspectedMessage[]>;
  /** `http://127.0.0.1:<port>/<secret>/fluent/`, where the sample action sends. */
  readonly webhookBaseUrl: string;
  /** The local key that signs samples; absent when FLUENT_PUBLIC_KEYS names other keys. */
  readonly privateKeyPath?: string;
  readonly now?: () => number;
}

export interface InspectorApi {
  list(params: URLSearchParams): Promise<{ rows: InspectorRow[]; samples: string[]; since: string }>;
  details(params: URLSearchParams): Promise<Record<string, unknown>>;
  rawBody(params: URLSearchParams): Promise<{ fileName: string; body: Buffer }>;
  act(action: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** What the page reads and does, over the one history store (the same one `fluent-webhook history` reads). */
export function createInspectorApi(options: InspectorApiOptions): InspectorApi {
  const now = options.now ?? Date.now;
  /** The dead-letter queue's messages by id; empty when the emulator cannot be read (stopping): shown as recorded. */
  const deadLettered = async (): Promise<Map<string, InspectedMessage>> => {
    const messages = await options.deadLetterMessages().catch(() => []);
    return new Map(messages.map((message) => [message.messageId, message]));
  };
  const outcomeOf = (record: HistoryRecord, dead: ReadonlyMap<string, unknown>): string =>
    dead.has(record.messageId) ? Shown.DEAD_LETTERED : record.outcome;

  const archivedOf = async (params: URLSearchParams) => {
    const eventId = params.get('eventId') ?? '';
    const messageId = params.get('messageId') ?? '';
    const archived = await options.store.archived({ eventId, messageId });
    if (archived === undefined) throw new InspectorRequestError(404, `No delivery ${messageId} of event ${eventId}.`);
    return archived;
  };

  const window = new HistoryWindow(options.store, options.changes);

  return {
    async list(params) {
      const since = new Date(now() - LIST_WINDOW_MS).toISOString();
      const [deliveries, dead] = await Promise.all([window.deliveries(since), deadLettered()]);
      const verdicts = options.verdicts.all();
      const doorByRequest = new Map(verdicts.map((verdict) => [verdict.requestId, verdict]));
      const rowOf = (record: HistoryRecord) => recordRow(record, doorByRequest.get(record.requestId), dead);
      const recorded = new Set(deliveries.map((delivery) => delivery.settled.requestId));
      // After the history's rows: a message dead-lettered before the consumer recorded it (one that never got as far
      // as the history), then what the door answered requests that have no record.
      const others: InspectorRow[] = [];
      const inHistory = new Set(deliveries.map((delivery) => delivery.entry.messageId));
      for (const message of dead.values()) {
        if (inHistory.has(message.messageId)) continue;
        const row = deadLetterRow(message);
        others.push(row);
        if (row.requestId !== undefined) recorded.add(row.requestId);
      }
      for (const verdict of verdicts) {
        if (recorded.has(verdict.requestId)) continue;
        others.push(doorRow(verdict));
      }
      const wanted = (row: InspectorRow): boolean =>
        matches(params.get('entityRef'), row.entityRef) &&
        matches(params.get('name'), row.name) &&
        matches(params.get('outcome'), row.outcome);

      // Which rows the page gets, from what the index and the settled fields say (a webhook's place is its receivedAt);
      // only those are then read in full. Ties at the last place are all kept, so the order below decides among them.
      const outline = deliveries.map((delivery) => ({
        delivery,
        row: delivery.record === undefined ? outlineRow(delivery, dead) : rowOf(delivery.record),
      }));
      const shown = firstPlaces([...outline, ...others.map((row) => ({ row, delivery: undefined }))], wanted);
      const unread = shown.flatMap(({ delivery }) =>
        delivery !== undefined && delivery.record === undefined ? [delivery.entry] : [],
      );
      const read = await window.records(unread);
      const records = shown
        .flatMap(({ delivery }) => (delivery === undefined ? [] : [delivery.record ?? read.get(keyOf(delivery.entry))]))
        .filter((record): record is HistoryRecord => record !== undefined)
        .sort(oldestFirst);
      const shownOthers = new Set(shown.map(({ row }) => row));
      // The same order as the whole list would have: the history oldest first, then the others, newest first overall.
      const rows = [...records.map(rowOf), ...others.filter((row) => shownOthers.has(row))].filter(wanted);
      return { rows: newestFirst(rows).slice(0, LIST_LIMIT), samples: sampleNames(), since };
    },

    async details(params) {
      const requestId = params.get('requestId');
      if (requestId !== null) {
        const verdict = options.verdicts.all().find((candidate) => candidate.requestId === requestId);
        if (verdict === undefined) throw new InspectorRequestError(404, `No request ${requestId} in this run.`);
        return { row: doorRow(verdict), logLines: options.logs.linesFor({ requestId }) };
      }
      const archived = await archivedOf(params);
      const { record } = archived;
      const [deliveries, dead] = await Promise.all([
        options.store.query({ eventIds: [record.eventId] }),
        deadLettered(),
      ]);
      const body = archived.rawBody;
      const verification =
        body === undefined ? undefined : options.verifier.verifySignatures(body, archived.signatures);
      return {
        record: { ...record, shownOutcome: outcomeOf(record, dead) },
        door: options.verdicts.all().find((verdict) => verdict.requestId === record.requestId),
        bodyBytes: body?.length,
        prettyBody: body === undefined ? undefined : pretty(body),
        signatureHeaders: Object.keys(archived.signatures),
        verification,
        deliveries: deliveries.map((delivery) => ({ ...delivery, shownOutcome: outcomeOf(delivery, dead) })),
        fluentCalls: options.fluentCalls.callsFor(record),
        logLines: options.logs.linesFor({
          eventId: record.eventId,
          requestId: record.requestId,
          messageId: record.messageId,
        }),
      };
    },

    async rawBody(params) {
      const archived = await archivedOf(params);
      if (archived.rawBody === undefined) throw new InspectorRequestError(404, 'This body was too large to archive.');
      return { fileName: `${archived.record.eventId.replace(/[^\w.-]/g, '_')}.json`, body: archived.rawBody };
    },

    async act(action, input) {
      if (action === 'replay') return replay(options, String(input.eventId ?? ''), input.reprocess === true, now);
      if (action === 'send') return sendSample(options, String(input.sample ?? ''));
      if (action === 'redrive') {
        const result = await copyMessages(options.sqs, {
          fromUrl: options.deadLetterQueueUrl,
          toUrl: options.queueUrl,
          maxMessages: REDRIVE_MAX,
          waitTimeSeconds: 0,
        });
        if (result.failure !== undefined) {
          throw new InspectorRequestError(
            502,
            `Redrive stopped at ${result.failure.step}: ${String(result.failure.error)}`,
          );
        }
        return { moved: result.moved };
      }
      throw new InspectorRequestError(404, `No action ${action}: use replay, send or redrive.`);
    },
  };
}

/** A recorded delivery's row. */
function recordRow(
  record: HistoryRecord,
  door: DoorVerdict | undefined,
  dead: ReadonlyMap<string, unknown>,
): InspectorRow {
  return {
    key: keyOf(record),
    receivedAt: record.provenance === Provenance.WEBHOOK ? record.receivedAt : record.decidedAt,
    name: record.name,
    entityRef: record.entityRef,
    route: record.route,
    door: record.provenance === Provenance.WEBHOOK ? ACCEPTED : record.provenance,
    doorMessage: door?.message,
    outcome: dead.has(record.messageId) ? Shown.DEAD_LETTERED : record.outcome,
    reason: record.reason,
    attempts: record.attempts,
    durationMs: record.durationMs,
    provenance: record.provenance,
    eventId: record.eventId,
    messageId: record.messageId,
    requestId: record.requestId,
  };
}

/** A webhook's row as far as its index entry and settled fields tell: enough to filter and place it, not to show. */
function outlineRow(delivery: WindowDelivery, dead: ReadonlyMap<string, unknown>): InspectorRow {
  const { entry, settled } = delivery;
  return {
    key: keyOf(entry),
    receivedAt: entry.receivedAt,
    name: entry.name,
    entityRef: settled.entityRef,
    door: ACCEPTED,
    outcome: dead.has(entry.messageId) ? Shown.DEAD_LETTERED : entry.outcome,
  };
}

/** The wanted candidates that can take the page's places, newest first: the first LIST_LIMIT and any tied with the last. */
function firstPlaces<T extends { row: InspectorRow }>(candidates: T[], wanted: (row: InspectorRow) => boolean): T[] {
  const sorted = candidates.filter(({ row }) => wanted(row)).sort((a, b) => byNewest(a.row, b.row));
  const last = sorted[LIST_LIMIT - 1]?.row.receivedAt;
  return sorted.filter(({ row }, index) => index < LIST_LIMIT || row.receivedAt === last);
}

/** Newest first; rows received at the same time keep their order (a stable sort). */
function newestFirst(rows: InspectorRow[]): InspectorRow[] {
  return rows.sort(byNewest);
}

function byNewest(a: InspectorRow, b: InspectorRow): number {
  return a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0;
}

function doorRow(verdict: DoorVerdict): InspectorRow {
  return {
    key: `request/${verdict.requestId}`,
    receivedAt: verdict.receivedAt,
    name: verdict.claimedName,
    entityRef: verdict.claimedEntityRef,
    route: verdict.route,
    door: verdict.verdict,
    doorMessage: verdict.message,
    outcome: verdict.verdict === ACCEPTED ? Shown.QUEUED : Shown.REFUSED,
    requestId: verdict.requestId,
    claimed: true,
  };
}

/** A dead-lettered message with no history record: what its queue message says, unverified. */
function deadLetterRow(message: InspectedMessage): InspectorRow {
  const queued = decodeQueueMessage({
    body: message.body,
    messageAttributes: toRecordAttributes(message.messageAttributes),
  });
  const claims = bodyClaims(queued.rawBody);
  return {
    key: `dlq/${message.messageId}`,
    receivedAt: queued.receivedAt || new Date(message.sentTimestamp).toISOString(),
    name: claims.claimedName,
    entityRef: claims.claimedEntityRef,
    route: queued.route || undefined,
    // A replayed or backfilled copy never came through the door; say where it came from, as the history rows do.
    door: queued.provenance === undefined || queued.provenance === Provenance.WEBHOOK ? ACCEPTED : queued.provenance,
    outcome: Shown.DEAD_LETTERED,
    provenance: queued.provenance,
    messageId: message.messageId,
    requestId: queued.requestId || undefined,
    claimed: true,
  };
}

function matches(wanted: string | null, value: string | undefined): boolean {
  return wanted === null || wanted === '' || value === wanted;
}

function pretty(body: Buffer): string {
  const text = body.toString('utf8');
  if (body.length > PRETTY_LIMIT_BYTES) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The archive engineer's replay: the first webhook delivery's archived copy, re-verified, back on the queue. */
async function replay(
  options: InspectorApiOptions,
  eventId: string,
  reprocess: boolean,
  now: () => number,
): Promise<Record<string, unknown>> {
  const records = await options.store.query({ eventIds: [eventId] });
  if (records.length === 0) throw new InspectorRequestError(404, `No event ${eventId} in the history.`);
  const replayRun = reprocess ? `inspector-${randomBytes(4).toString('hex')}` : undefined;
  const plan = planReplay(records, { replayRun, windowSeconds: options.deduplicationWindowSeconds, now: now() });
  if (plan.candidates.length === 0) {
    throw new InspectorRequestError(409, plan.skipped.map((skip) => skip.why).join('; ') || 'Nothing to replay.');
  }
  const messages: string[] = [];
  const result = await runReplay({
    store: options.store,
    verifier: options.verifier,
    queue: { sqs: options.sqs, url: options.queueUrl },
    candidates: plan.candidates,
    rate: 10,
    replayRun,
    io: { out: (line) => messages.push(line), err: (line) => messages.push(line), env: {} },
  });
  if (result.replayed.length === 0) {
    const why = [...result.refused, ...result.failed].map((entry) => entry.why).join('; ');
    throw new InspectorRequestError(409, `Not replayed: ${why || messages.join(' ')}`);
  }
  return { replayed: result.replayed, replayRun };
}

/** A sample from samples/ with a fresh id, signed with the local key and sent through the door like any webhook. */
async function sendSample(options: InspectorApiOptions, sample: string): Promise<Record<string, unknown>> {
  if (!sampleNames().includes(sample)) {
    throw new InspectorRequestError(400, `No sample "${sample}": choose one of ${sampleNames().join(', ')}.`);
  }
  if (options.privateKeyPath === undefined) {
    throw new InspectorRequestError(
      409,
      'FLUENT_PUBLIC_KEYS names your own keys, so there is no local key to sign with; use fluent-webhook send --private-key.',
    );
  }
  const event = JSON.parse(readFileSync(join(SAMPLES_DIR, `${sample}.json`), 'utf8')) as Record<string, unknown>;
  const body = JSON.stringify({ ...event, id: randomUUID() });
  const response = await fetch(`${options.webhookBaseUrl}orders`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...signFluentPayload(body, readFileSync(options.privateKeyPath, 'utf8')),
    },
    body,
  });
  return { status: response.status, eventId: JSON.parse(body).id as string };
}
