import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../core/constants';
import type { SignatureHeaders } from '../core/headers';
import { ArchivedWebhook, HistoryRecord, HistoryTable, MAX_ARCHIVED_BODY_BYTES } from '../contract/history';

/*
 * A history record as a DynamoDB item. Cost shapes it (docs/cost-and-limits.md): a write is billed per started KB, so
 * the body is stored brotli-compressed (a typical 2 KB Fluent event shrinks to about 500 bytes) and the signatures as
 * their 256 raw bytes rather than 344 base64 characters, which keeps a typical item under 1 KB: one write unit.
 */

/** The item's attributes besides the record's own fields. */
export const ArchiveAttribute = {
  /** The exact bytes Fluent signed, brotli-compressed. */
  BODY: 'body',
  /** The signature headers' values, each decoded from base64 (a value that is not canonical base64 never verifies). */
  FLUENT_SIGNATURE: 'fluentSignature',
  FLEX_SIGNATURE: 'flexSignature',
  /** Set instead of `body` when the compressed body is over MAX_ARCHIVED_BODY_BYTES. */
  BODY_NOT_ARCHIVED: 'bodyNotArchived',
} as const;

/** Above this size a body compresses at a faster setting: quality 11 costs seconds on a 1 MiB body. */
const FAST_COMPRESSION_FROM_BYTES = 64 * 1024;

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

export function toHistoryItem(entry: ArchivedWebhook, expiresAt: number): HistoryItem {
  const { record } = entry;
  const entityKey = entityKeyOf(record);
  const item: HistoryItem = {
    ...withoutUndefined(record),
    [HistoryTable.TTL_ATTRIBUTE]: expiresAt,
    [HistoryTable.BY_DAY_PARTITION_KEY]: dayShardKey(record.receivedAt.slice(0, 10), dayShardOf(entityKey)),
    [HistoryTable.BY_DAY_SORT_KEY]: `${entityKey}#${record.receivedAt}#${record.eventId}`,
  };
  if (record.entityRef && record.rootEntityRef && record.entityRef !== record.rootEntityRef) {
    item[HistoryTable.BY_CHILD_ENTITY_PARTITION_KEY] = record.entityRef;
  }
  if (entry.rawBody !== undefined) {
    const compressed = compress(entry.rawBody);
    if (compressed.length <= MAX_ARCHIVED_BODY_BYTES) item[ArchiveAttribute.BODY] = compressed;
    else item[ArchiveAttribute.BODY_NOT_ARCHIVED] = entry.rawBody.length;
  }
  const fluent = signatureBytes(entry.signatures[FLUENT_SIGNATURE_HEADER]);
  const flex = signatureBytes(entry.signatures[FLEX_SIGNATURE_HEADER]);
  if (fluent.length > 0) item[ArchiveAttribute.FLUENT_SIGNATURE] = fluent;
  if (flex.length > 0) item[ArchiveAttribute.FLEX_SIGNATURE] = flex;
  return item;
}

const RECORD_FIELDS: ReadonlyArray<keyof HistoryRecord> = [
  'eventId',
  'messageId',
  ...(HistoryTable.PROJECTED_ATTRIBUTES as ReadonlyArray<keyof HistoryRecord>),
];

/** The record in an item of the table or of either index. */
export function recordOfItem(item: HistoryItem): HistoryRecord {
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const value = item[field];
    if (value !== undefined && value !== null)
      record[field] = field === 'attempts' || field === 'durationMs' ? Number(value) : value;
  }
  return record as unknown as HistoryRecord;
}

export function archivedOfItem(item: HistoryItem): ArchivedWebhook {
  const body = item[ArchiveAttribute.BODY];
  const signatures: Record<string, string[]> = {};
  for (const [header, attribute] of [
    [FLUENT_SIGNATURE_HEADER, ArchiveAttribute.FLUENT_SIGNATURE],
    [FLEX_SIGNATURE_HEADER, ArchiveAttribute.FLEX_SIGNATURE],
  ] as const) {
    const values = item[attribute];
    if (Array.isArray(values) && values.length > 0) {
      signatures[header] = values.map((value: Uint8Array) => Buffer.from(value).toString('base64'));
    }
  }
  return {
    record: recordOfItem(item),
    ...(body instanceof Uint8Array ? { rawBody: brotliDecompressSync(body) } : {}),
    signatures: signatures as SignatureHeaders,
  };
}

function compress(body: Buffer): Buffer {
  return brotliCompressSync(body, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: body.length < FAST_COMPRESSION_FROM_BYTES ? 11 : 5,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
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

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
