import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../core/constants';
import type { SignatureHeaders } from '../core/headers';
import { signaturesToVerify } from '../core/verify-signature';
import {
  ArchivedWebhook,
  HistoryCompletion,
  HistoryEntry,
  HistoryOutcomeName,
  HistoryRecord,
  HistoryTable,
  MAX_ARCHIVED_BODY_BYTES,
} from '../contract/history';
import { dynamoDbItemBytes, WRITE_UNIT_BYTES, writeUnits } from './item-size';

/*
 * A history record as a DynamoDB item. Cost shapes it (docs/cost-and-limits.md#the-history): a write is billed per
 * started KB of the item, and storage per byte of the item and of its index entries. So the item holds as top-level
 * attributes only its keys, the index keys, and the three fields the indexes filter on (name, account, outcome);
 * every other record field travels with the body in one brotli stream (`archive`), where the refs, names and types
 * that repeat the body cost almost nothing. Only the signature header the verifier reads is kept, as raw bytes.
 * A typical 2 KB Fluent event then fits one write unit, and its index entry is about 200 bytes.
 *
 * Items written before this layout (every record field top-level, body alone in `body`, both signature headers)
 * still read: `recordOfItem` and `archivedOfItem` take both.
 */

/** The item's attributes besides the keys and the record fields the indexes carry. */
export const ArchiveAttribute = {
  /** brotli(JSON of the record's other fields, a newline, the exact bytes Fluent signed). */
  ARCHIVE: 'archive',
  /** The signature header's values, each decoded from base64 (a value that is not canonical base64 never verifies). */
  FLUENT_SIGNATURE: 'fluentSignature',
  FLEX_SIGNATURE: 'flexSignature',
  /** Earlier layout: the body alone, brotli-compressed. */
  LEGACY_BODY: 'body',
} as const;

/**
 * The record fields kept top-level: the ones the index projects, so that a listing filters without reading items.
 * `entityRef` only when it is not the index key's entity (a child entity's own ref).
 */
const INDEXED_FIELDS = ['name', 'accountId', 'outcome', 'entityRef'] as const;
/**
 * The other fields, packed as a JSON array in this order (absent ones null, trailing nulls dropped) ahead of the
 * body: positions instead of names save about 50 bytes an item. Append only: items already written keep their
 * order. `receivedAt` is not among them: the `byDay` sort key holds it. `decidedAt` is kept as the milliseconds after
 * `receivedAt` (or as its text when `receivedAt` is not a time). `bodyNotArchived` is the size of a body too large
 * to keep; `bodyObject` points to the S3 object that keeps such a body instead (lambdas/history/s3-history-bodies.ts).
 */
const PACKED_FIELDS = [
  'retailerId',
  'entityType',
  'entityRef',
  'rootEntityRef',
  'route',
  'requestId',
  'attempts',
  'durationMs',
  'provenance',
  'decidedAt',
  'reason',
  'replayRun',
  'bodyNotArchived',
  'bodyObject',
  'firstHandledAt',
  'numericId',
] as const;
type PackedFields = Partial<Record<(typeof PACKED_FIELDS)[number], unknown>>;
const NEWLINE = 0x0a;

/**
 * brotli settings, measured on a 2 KB Fluent event: quality 7 packs it in about 0.07 ms; quality 11 packs it about
 * 14 % tighter but takes about 3 ms (and seconds for a 1 MiB body; quality 9 is slower still at this size). The best
 * setting is spent only when the tighter archive could bring the item under a write unit boundary, and only for
 * bodies under 64 KiB.
 */
const FAST_QUALITY = 7;
const BEST_QUALITY = 11;
const BEST_GAIN = 0.15;
const BEST_UP_TO_BYTES = 64 * 1024;

export type HistoryItem = Record<string, unknown>;

/** The entity an event belongs to for `byDay`: its root (the order of a fulfilment), else itself. */
export function entityKeyOf(record: Pick<HistoryRecord, 'rootEntityRef' | 'entityRef' | 'eventId'>): string {
  return record.rootEntityRef || record.entityRef || record.eventId;
}

/** Which of the day's shards an entity's events go to (FNV-1a of the key): all events of one entity share one. */
export function dayShardOf(entityKey: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < entityKey.length; index += 1) {
    hash ^= entityKey.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % HistoryTable.DAY_SHARDS;
}

/** The `byDay` partition of a UTC day (`YYYY-MM-DD`) and shard. */
export function dayShardKey(day: string, shard: number): string {
  return `${day}#${shard}`;
}

/** The `byDay` sort key's prefix for an entity: its entries sort by `receivedAt` after it. */
export function entityTimePrefix(entityKey: string): string {
  return `${entityKey}#`;
}

export function toHistoryItem(entry: ArchivedWebhook, expiresAt: number): HistoryItem {
  return historyItem(entry, expiresAt).item;
}

/**
 * The item of a delivery, and whether its body was left out for being too large (`MAX_ARCHIVED_BODY_BYTES`). With
 * `bodyObject` (the pointer to where the body was stored instead) the body is not packed: the item points there.
 */
export function historyItem(
  entry: ArchivedWebhook,
  expiresAt: number,
  bodyObject?: string,
): { item: HistoryItem; bodyLeftOut: boolean } {
  const { eventId, messageId, name, accountId, outcome, receivedAt, ...rest } = entry.record;
  const entityKey = entityKeyOf(entry.record);
  const item: HistoryItem = {
    [HistoryTable.PARTITION_KEY]: eventId,
    [HistoryTable.SORT_KEY]: messageId,
    [HistoryTable.TTL_ATTRIBUTE]: expiresAt,
    [HistoryTable.BY_DAY_PARTITION_KEY]: dayShardKey(receivedAt.slice(0, 10), dayShardOf(entityKey)),
    [HistoryTable.BY_DAY_SORT_KEY]: `${entityTimePrefix(entityKey)}${receivedAt}`,
    name,
    accountId,
    outcome,
  };
  // A child entity's own ref (a fulfilment of an order) is not in the index key: top-level, the index carries it,
  // and `history --entity-ref` finds a child's events by it (see DynamoDbHistoryStore).
  const { entityRef, ...packed } = rest;
  if (entityRef !== undefined && entityRef !== entityKey) item.entityRef = entityRef;
  const decidedAfterMs = Date.parse(rest.decidedAt) - Date.parse(receivedAt);
  const archived = archiveBytes(
    {
      ...packed,
      ...(item.entityRef === undefined ? { entityRef } : {}),
      decidedAt: Number.isFinite(decidedAfterMs) ? decidedAfterMs : rest.decidedAt,
    },
    entry.rawBody,
    bodyObject,
  );
  const read = signaturesToVerify(entry.signatures);
  const values = signatureBytes(read?.values);
  if (read !== undefined && values.length > 0) {
    // One value (the usual case) as a binary, several as a list of them.
    item[
      read.header === FLUENT_SIGNATURE_HEADER ? ArchiveAttribute.FLUENT_SIGNATURE : ArchiveAttribute.FLEX_SIGNATURE
    ] = values.length === 1 ? values[0] : values;
  }
  item[ArchiveAttribute.ARCHIVE] = archived.compressed;
  if (archived.plain.length <= BEST_UP_TO_BYTES) {
    const units = writeUnits(item);
    const reachable = dynamoDbItemBytes(item) - archived.compressed.length * BEST_GAIN;
    if (units > 1 && reachable <= (units - 1) * WRITE_UNIT_BYTES) {
      const best = compress(archived.plain, BEST_QUALITY);
      if (best.length < archived.compressed.length) item[ArchiveAttribute.ARCHIVE] = best;
    }
  }
  return { item, bodyLeftOut: archived.bodyLeftOut };
}

/** The record in an item of the table (either layout). */
export function recordOfItem(item: HistoryItem): HistoryRecord {
  return unpack(item).record;
}

/**
 * The record and archived copy in an item of the table (either layout). `bodyObject` is the pointer to the body when
 * the item keeps it in the history bucket (the store reads it from there).
 */
export function archivedOfItem(item: HistoryItem): ArchivedWebhook & { readonly bodyObject?: string } {
  const { record, rawBody, bodyObject } = unpack(item);
  const signatures: Record<string, string[]> = {};
  for (const [header, attribute] of [
    [FLUENT_SIGNATURE_HEADER, ArchiveAttribute.FLUENT_SIGNATURE],
    [FLEX_SIGNATURE_HEADER, ArchiveAttribute.FLEX_SIGNATURE],
  ] as const) {
    const stored = item[attribute];
    const values: Uint8Array[] = stored instanceof Uint8Array ? [stored] : Array.isArray(stored) ? stored : [];
    if (values.length > 0) signatures[header] = values.map((value) => Buffer.from(value).toString('base64'));
  }
  return {
    record,
    ...(rawBody === undefined ? {} : { rawBody }),
    ...(bodyObject === undefined ? {} : { bodyObject }),
    signatures: signatures as SignatureHeaders,
  };
}

/**
 * The attributes `entryOfIndexItem` reads: what a read asks for (a ProjectionExpression) when it needs a delivery's
 * entry and not its archive.
 */
export const ENTRY_ATTRIBUTES = [
  HistoryTable.PARTITION_KEY,
  HistoryTable.SORT_KEY,
  HistoryTable.BY_DAY_SORT_KEY,
  'receivedAt',
  'name',
  'accountId',
  'outcome',
] as const;

/**
 * The attributes `completionOfItem` reads (either layout): the keys, the outcome, and where `decidedAt` and `replayRun`
 * are kept (packed in the archive, with `receivedAt` in the index key and the entity refs that key starts with; or
 * top-level in the first layout). Not the signature, nor the first layout's separate body.
 */
export const COMPLETION_ATTRIBUTES = [
  HistoryTable.PARTITION_KEY,
  HistoryTable.SORT_KEY,
  HistoryTable.BY_DAY_SORT_KEY,
  'entityRef',
  'outcome',
  ArchiveAttribute.ARCHIVE,
  'receivedAt',
  'decidedAt',
  'replayRun',
] as const;

/** What an item read with `COMPLETION_ATTRIBUTES` says of its delivery's completion. */
export function completionOfItem(item: HistoryItem): HistoryCompletion {
  const { messageId, outcome, decidedAt, replayRun, firstHandledAt, numericId } = recordOfItem(item);
  return {
    messageId,
    outcome,
    decidedAt,
    ...(replayRun === undefined ? {} : { replayRun }),
    ...(firstHandledAt === undefined ? {} : { firstHandledAt }),
    ...(numericId === true ? { numericId } : {}),
  };
}

/**
 * The delivery a `byDay` index entry names (either layout), without the item; also what an item's keys and top-level
 * fields say of it (`ENTRY_ATTRIBUTES`), without its archive.
 */
export function entryOfIndexItem(item: HistoryItem): HistoryEntry {
  return {
    eventId: String(item[HistoryTable.PARTITION_KEY]),
    messageId: String(item[HistoryTable.SORT_KEY]),
    receivedAt: receivedAtOf(item),
    name: String(item.name),
    accountId: String(item.accountId),
    outcome: item.outcome as HistoryOutcomeName,
  };
}

/**
 * When the delivery of an item or index entry (either layout) was received. Top-level in the first layout; else it
 * ends the `byDay` sort key, `<entity key>#<receivedAt>`. With the entity key (known once the archive is unpacked) the
 * key's prefix is cut off exactly; without it (an index entry does not carry a root's ref) `receivedAt` is what
 * follows the last `#`: a door's ISO time holds none, an entity key may.
 */
function receivedAtOf(item: HistoryItem, entityKey?: string): string {
  if (typeof item.receivedAt === 'string') return item.receivedAt;
  const entityTime = String(item[HistoryTable.BY_DAY_SORT_KEY]);
  return entityKey === undefined
    ? entityTime.slice(entityTime.lastIndexOf('#') + 1)
    : entityTime.slice(entityTimePrefix(entityKey).length);
}

/** The key of an item, as BatchGetItem and GetItem take it. */
export function historyKey(record: Pick<HistoryRecord, 'eventId' | 'messageId'>): HistoryItem {
  return { [HistoryTable.PARTITION_KEY]: record.eventId, [HistoryTable.SORT_KEY]: record.messageId };
}

/**
 * The archive before and after compression: the packed fields, then the body unless it is too large to keep (or kept
 * in the bucket, `bodyObject`).
 */
function archiveBytes(
  fields: PackedFields,
  body: Buffer | undefined,
  bodyObject: string | undefined,
): { plain: Buffer; compressed: Buffer; bodyLeftOut: boolean } {
  const head = (extra: PackedFields = {}): Buffer => {
    const all: PackedFields = { ...fields, ...extra };
    const values = PACKED_FIELDS.map((field) => all[field] ?? null);
    while (values.length > 0 && values[values.length - 1] === null) values.pop();
    return Buffer.from(`${JSON.stringify(values)}\n`);
  };
  if (body !== undefined && bodyObject !== undefined) {
    const plain = head({ bodyObject });
    return { plain, compressed: compress(plain, FAST_QUALITY), bodyLeftOut: true };
  }
  if (body !== undefined) {
    const plain = Buffer.concat([head(), body]);
    const compressed = compress(plain, FAST_QUALITY);
    if (compressed.length <= MAX_ARCHIVED_BODY_BYTES) return { plain, compressed, bodyLeftOut: false };
  }
  const plain = head(body === undefined ? {} : { bodyNotArchived: body.length });
  return { plain, compressed: compress(plain, FAST_QUALITY), bodyLeftOut: body !== undefined };
}

function unpack(item: HistoryItem): { record: HistoryRecord; rawBody?: Buffer; bodyObject?: string } {
  const archive = item[ArchiveAttribute.ARCHIVE];
  const top: Record<string, unknown> = {
    eventId: item[HistoryTable.PARTITION_KEY],
    messageId: item[HistoryTable.SORT_KEY],
  };
  for (const field of INDEXED_FIELDS) if (item[field] !== undefined) top[field] = item[field];
  if (!(archive instanceof Uint8Array)) return legacyUnpack(item, top);
  const bytes = brotliDecompressSync(archive);
  const newline = bytes.indexOf(NEWLINE);
  const values = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as unknown[];
  const packed: Record<string, unknown> = {};
  PACKED_FIELDS.forEach((field, index) => {
    const value = values[index];
    if (value !== null && value !== undefined) packed[field] = value;
  });
  const { bodyNotArchived, bodyObject, ...fields } = packed;
  const record = { ...top, ...fields } as Record<string, unknown> & Pick<HistoryRecord, 'eventId'>;
  const entityKey = entityKeyOf(record as Pick<HistoryRecord, 'rootEntityRef' | 'entityRef' | 'eventId'>);
  record.receivedAt = receivedAtOf(item, entityKey);
  if (typeof record.decidedAt === 'number') {
    record.decidedAt = new Date(Date.parse(String(record.receivedAt)) + record.decidedAt).toISOString();
  }
  if (typeof bodyObject === 'string') return { record: record as unknown as HistoryRecord, bodyObject };
  return bodyNotArchived === undefined
    ? { record: record as unknown as HistoryRecord, rawBody: bytes.subarray(newline + 1) }
    : { record: record as unknown as HistoryRecord };
}

/** An item of the first layout: every record field top-level, the body alone in `body`. */
function legacyUnpack(item: HistoryItem, top: Record<string, unknown>): { record: HistoryRecord; rawBody?: Buffer } {
  const record: Record<string, unknown> = { ...top };
  for (const field of HistoryTable.PROJECTED_ATTRIBUTES) {
    const value = item[field];
    if (value !== undefined && value !== null)
      record[field] = field === 'attempts' || field === 'durationMs' ? Number(value) : value;
  }
  const body = item[ArchiveAttribute.LEGACY_BODY];
  return {
    record: record as unknown as HistoryRecord,
    ...(body instanceof Uint8Array ? { rawBody: brotliDecompressSync(body) } : {}),
  };
}

function compress(bytes: Buffer, quality: number): Buffer {
  return brotliCompressSync(bytes, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: quality,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/** Each canonical base64 value as its bytes; other values are dropped (the verifier refuses them as malformed). */
function signatureBytes(values: readonly string[] | undefined): Buffer[] {
  return (values ?? [])
    .map((value) => ({ value, bytes: Buffer.from(value, 'base64') }))
    .filter(({ value, bytes }) => bytes.length > 0 && bytes.toString('base64') === value)
    .map(({ bytes }) => bytes);
}
