import type { ConfigurationProblem } from '../core/errors';
import type { SignatureHeaders } from '../core/headers';
import type { RecordFailureReasonName } from './observability';
import type { ProvenanceName } from './provenance';

/*
 * The history: every delivery of every event that passed the signature check, with its outcome, and the archived
 * copy of what Fluent signed. The consumer writes it; `fluent-webhook history` and `replay`, reconciliation and the
 * local inspector read it. One store, one format: this file. The DynamoDB layout (keys, indexes) is here too because
 * the construct that creates the table and the code that reads it must agree on it.
 */

/** What the consumer decided for one delivery that passed the signature check. */
export const HistoryOutcome = {
  PROCESSED: 'processed',
  DUPLICATE: 'duplicate',
  IGNORED: 'ignored',
  /** staleStatusGuard: older than the entity's last processed status; deleted without running the handler. */
  STALE: 'stale',
  FAILED: 'failed',
} as const;
export type HistoryOutcomeName = (typeof HistoryOutcome)[keyof typeof HistoryOutcome];

/** One delivery of one event: what `history --json` prints for each, and what every reader of the history gets. */
export interface HistoryRecord {
  /** Fluent's event id: the de-duplication key, and the ledger's key for reconciliation. */
  readonly eventId: string;
  /** The SQS message id of this delivery; a retry of the same message overwrites its record. */
  readonly messageId: string;
  readonly name: string;
  readonly accountId: string;
  readonly retailerId?: string;
  readonly entityType?: string;
  readonly entityRef?: string;
  readonly rootEntityRef?: string;
  /** The `{route+}` part of the webhook URL, normalised. */
  readonly route: string;
  /** When the door accepted the webhook (ISO 8601); a replay keeps the original's. */
  readonly receivedAt: string;
  /** The API Gateway request id of the original delivery. */
  readonly requestId: string;
  readonly outcome: HistoryOutcomeName;
  /** Why, when `outcome` is `failed`. */
  readonly reason?: RecordFailureReasonName;
  /** How many times SQS handed this message out when this outcome was reached (1 on the first try). */
  readonly attempts: number;
  /** How long the handler ran, when one ran. */
  readonly durationMs?: number;
  readonly provenance: ProvenanceName;
  /** When the consumer reached this outcome (ISO 8601). */
  readonly decidedAt: string;
  /** The `replay --reprocess` run this delivery belongs to. */
  readonly replayRun?: string;
  /**
   * A duplicate's: when the delivery that ran the handler finished (ISO 8601). The de-duplication window counts from
   * it, not from the duplicate, and a later duplicate reports it as `firstHandledAt`.
   */
  readonly firstHandledAt?: string;
  /**
   * True when Fluent sent the event's id as a JSON number: `77` and `"77"` are two events to the de-duplication key,
   * one text to the history's key, and this tells their records apart.
   */
  readonly numericId?: true;
}

/** A delivery's record with the archived copy: the exact bytes Fluent signed and the signature headers it sent. */
export interface ArchivedWebhook {
  readonly record: HistoryRecord;
  /**
   * Absent when the body was too large to archive and no history bucket kept it (see `MAX_ARCHIVED_BODY_BYTES`), or
   * when its object in the bucket is gone.
   */
  readonly rawBody?: Buffer;
  readonly signatures: SignatureHeaders;
}

/** Which records to read. Selectors combine: every one given must match. */
export interface HistoryQuery {
  /** Every delivery of these event ids. */
  readonly eventIds?: readonly string[];
  /** Events whose `entityRef` or `rootEntityRef` is this. */
  readonly entityRef?: string;
  /** Any of these event names. */
  readonly names?: readonly string[];
  readonly accountId?: string;
  readonly outcome?: HistoryOutcomeName;
  /** Received at or after (ISO 8601). Defaults to the retention window for range reads. */
  readonly from?: string;
  /** Received at or before (ISO 8601). @default now */
  readonly to?: string;
}

/** The key of one delivery's record. */
export type HistoryKey = Pick<HistoryRecord, 'eventId' | 'messageId'>;

/**
 * One delivery as the `byDay` index lists it: its key, when it was received and the fields the index carries. Read
 * without reading (or decompressing) the item's archive, so a listing can choose what to read in full, and a caller
 * that only asks whether an event was received (and how it ended) never reads more.
 */
export interface HistoryEntry
  extends HistoryKey, Pick<HistoryRecord, 'receivedAt' | 'name' | 'accountId' | 'outcome'> {}

/**
 * A delivery that completed its event's handling (the fields the consumer's claim reads, `HistoryStore.completionsOf`).
 * `processed`: its handler ran and succeeded; `duplicate`: it found the event already complete. A record of either
 * outcome says the event (within `replayRun`, when it has one) was handled.
 */
export type HistoryCompletion = Pick<
  HistoryRecord,
  'messageId' | 'outcome' | 'decidedAt' | 'replayRun' | 'firstHandledAt' | 'numericId'
>;

/** The outcomes that say an event's handling completed (see `HistoryCompletion`). */
export const COMPLETION_OUTCOMES: readonly HistoryOutcomeName[] = [HistoryOutcome.PROCESSED, HistoryOutcome.DUPLICATE];

/**
 * The outcomes that never replace a completion (`COMPLETION_OUTCOMES`) of the same delivery. A message has one record,
 * and its `processed` record is what marks the event complete: a failure recorded for the same message after it (the
 * process died before deleting the message, and its redelivery failed before finding the completion) would erase
 * that mark, and the event could run again. So these are written with a condition (one PutItem each; rare), the rest
 * in batches. Not `ignored`: it can be every webhook of a route nobody handles, and it can meet a completion of its
 * own message only if a deploy removed the handler between two deliveries of it.
 */
export const COMPLETION_KEEPING_OUTCOMES: readonly HistoryOutcomeName[] = [HistoryOutcome.FAILED, HistoryOutcome.STALE];

/**
 * What a write did: `written`, or `completion-kept` when the delivery's record is a completion and the outcome is one
 * that never replaces it (`COMPLETION_KEEPING_OUTCOMES`): not an error, the completion stands.
 */
export type HistoryWriteResult = 'written' | 'completion-kept';

/** The one history store. `DynamoDbHistoryStore` (lambdas/history) is the implementation, in AWS and locally. */
export interface HistoryStore {
  /** Records one delivery's outcome with its archived copy (the consumer, once per attempt). */
  write(entry: ArchivedWebhook): Promise<HistoryWriteResult>;
  /** The records that match, oldest `receivedAt` first (then `decidedAt`). */
  query(query: HistoryQuery): Promise<HistoryRecord[]>;
  /** The index entries of the deliveries received in the range (`from`/`to` as in a query), oldest first. */
  entries(range: Pick<HistoryQuery, 'from' | 'to'>): Promise<HistoryEntry[]>;
  /**
   * The entries of every delivery of these event ids, oldest first; an id with no delivery has none. Only the keys
   * and the fields an entry holds are read: for a caller that needs to know which events were received and their
   * outcomes, not their records (reconciliation).
   */
  entriesOf(eventIds: readonly string[]): Promise<HistoryEntry[]>;
  /**
   * The deliveries of one event that completed its handling (`COMPLETION_OUTCOMES`), read strongly consistently and
   * only the fields a `HistoryCompletion` holds: what the consumer reads when it finds an event already claimed, to
   * tell a completed event from one still (or no longer) in progress.
   */
  completionsOf(eventId: string): Promise<HistoryCompletion[]>;
  /** The records of these deliveries, read by key; a key with no record is left out. */
  records(keys: readonly HistoryKey[]): Promise<HistoryRecord[]>;
  /** One delivery's archived copy, or undefined when there is no such record. */
  archived(key: HistoryKey): Promise<ArchivedWebhook | undefined>;
  /**
   * The archived copies of these deliveries, in the order of `keys`, undefined where there is no such record: read
   * in batches (`replay`), eventually consistent like `records`.
   */
  archivedMany(keys: readonly HistoryKey[]): Promise<Array<ArchivedWebhook | undefined>>;
}

/** The order of `HistoryStore.query`'s answer: oldest `receivedAt` first, then `decidedAt`. */
export function oldestFirst(a: HistoryRecord, b: HistoryRecord): number {
  return a.receivedAt.localeCompare(b.receivedAt) || a.decidedAt.localeCompare(b.decidedAt);
}

/** Fluent's Event API searches the last 30 days by default; the ledger reconciliation compares with reaches one more. */
export const DEFAULT_HISTORY_RETENTION_DAYS = 31;
const SECONDS_PER_DAY = 86_400;

/**
 * The history must outlive the de-duplication window: otherwise an event could still be redriven or replayed as a
 * duplicate after its record (and so its archived copy) is gone.
 */
export function historyRetentionProblem(
  retentionDays: number,
  deduplicationWindowSeconds: number,
  setting = 'historyRetentionDays',
): ConfigurationProblem | undefined {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    return { setting, message: `is ${retentionDays}; use a whole number of days, at least 1.` };
  }
  if (retentionDays * SECONDS_PER_DAY >= deduplicationWindowSeconds) return undefined;
  const needed = Math.ceil(deduplicationWindowSeconds / SECONDS_PER_DAY);
  return {
    setting,
    message: `is ${retentionDays} days, shorter than the de-duplication window (idempotencyExpirySeconds, ${deduplicationWindowSeconds} s): the history must keep an event at least as long as the consumer remembers it. Use at least ${needed} days (default ${DEFAULT_HISTORY_RETENTION_DAYS}).`,
  };
}

/** Seconds since 1970 at which a record decided at `decidedAt` expires (the table's TTL attribute). */
export function historyExpiry(decidedAt: Date, retentionDays: number): number {
  return Math.floor(decidedAt.getTime() / 1000) + retentionDays * SECONDS_PER_DAY;
}

/** The DynamoDB layout of the history table. */
export const HistoryTable = {
  PARTITION_KEY: 'eventId',
  SORT_KEY: 'messageId',
  /** Epoch seconds; the table's TTL deletes the item some time after. */
  TTL_ATTRIBUTE: 'expiresAt',
  /** Entities and time ranges: partition `<UTC day>#<shard>`, sort `<entity key>#<receivedAt>#<eventId>`. */
  BY_DAY_INDEX: 'byDay',
  BY_DAY_PARTITION_KEY: 'dayShard',
  BY_DAY_SORT_KEY: 'entityTime',
  /**
   * Shards per day of `byDay`, so that the writes of one day spread over this many partitions (DynamoDB takes about
   * 1,000 writes per second per partition). Readers of a day query each shard.
   */
  DAY_SHARDS: 8,
  /**
   * The record fields both indexes project. Items now keep only `name`, `accountId` and `outcome` of these top-level
   * (the rest is packed with the body, see lambdas/history/history-item.ts), so index entries carry just those and a
   * listing filters on them, then reads the matching items by key. The list stays as first deployed: items of the
   * first layout, which have every field top-level, still list, and the index needs no replacement.
   */
  PROJECTED_ATTRIBUTES: [
    'name',
    'accountId',
    'retailerId',
    'entityType',
    'entityRef',
    'rootEntityRef',
    'route',
    'receivedAt',
    'requestId',
    'outcome',
    'reason',
    'attempts',
    'durationMs',
    'provenance',
    'decidedAt',
    'replayRun',
  ],
} as const;

/**
 * Largest compressed archive (record fields and body) an item holds. DynamoDB items are at most 400 KB (409,600
 * bytes, attribute names included). Besides the archive an item holds its keys and index keys (event id, message id,
 * entity refs: a few hundred bytes, the door bounds them), three indexed fields, and the signature header's values
 * (512 bytes each; API Gateway bounds all headers to 10 KB): at most about 12 KB. 380,000 leaves 29,600 bytes, more
 * than twice that, so no item the consumer builds is ever refused for its size. A larger archive (a rare 1 MiB
 * webhook that compresses badly) keeps its body in the history bucket (`HistoryBodies`) and a pointer in the item;
 * without a bucket it is recorded without its copy, and replay reports it.
 */
export const MAX_ARCHIVED_BODY_BYTES = 380_000;

/** The bucket of bodies too large for their item (lambdas/history/s3-history-bodies.ts). */
export const HistoryBodies = {
  /** Every object's key starts so; the consumer may write only under it. */
  KEY_PREFIX: 'bodies/',
} as const;
