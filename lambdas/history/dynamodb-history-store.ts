import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ArchivedWebhook,
  COMPLETION_KEEPING_OUTCOMES,
  COMPLETION_OUTCOMES,
  DEFAULT_HISTORY_RETENTION_DAYS,
  HistoryCompletion,
  HistoryEntry,
  historyExpiry,
  HistoryKey,
  HistoryQuery,
  HistoryRecord,
  HistoryStore,
  HistoryTable,
  HistoryWriteResult,
  oldestFirst,
} from '../contract/history';
import {
  archivedOfItem,
  COMPLETION_ATTRIBUTES,
  completionOfItem,
  dayShardKey,
  dayShardOf,
  ENTRY_ATTRIBUTES,
  entityTimePrefix,
  entryOfIndexItem,
  HistoryItem,
  historyItem,
  historyKey,
  recordOfItem,
} from './history-item';
import type { HistoryBodyObjects } from './s3-history-bodies';
import { BatchedPuts, UNPROCESSED_BACKOFF } from './batched-puts';
import { backoffDelayMs } from '../core/backoff';
import { chunked } from '../core/chunked';
import { isConditionalCheckFailed } from '../shared/conditional-check-failed';

/**
 * "The record's outcome is a completion" (`COMPLETION_OUTCOMES`), as an expression with its names and values: the
 * filter of `completionsOf`, and negated, the condition on which a failure is written.
 */
const IS_COMPLETION = (() => {
  const values = COMPLETION_OUTCOMES.map((outcome, index) => [`:completion${index}`, outcome] as const);
  return {
    expression: `#outcome IN (${values.map(([name]) => name).join(', ')})`,
    names: { '#outcome': 'outcome' },
    values: Object.fromEntries(values),
  };
})();

export interface DynamoDbHistoryStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How long records are kept (the TTL written) and how far back a range read looks by default. */
  readonly retentionDays?: number;
  /** Queries run at once when a read spans many days and shards. @default 8 */
  readonly concurrency?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Where bodies too large for their item go, and are read back from. Without it such a body is recorded without
   * its copy, and a pointer in an item cannot be followed (its body reads as absent).
   */
  readonly bodies?: HistoryBodyObjects;
}

const DAY_MS = 86_400_000;
/** A range read over more days than this is refused: it is a mistake, not a question the history can answer cheaply. */
const MAX_RANGE_DAYS = 400;
/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;
/** Rounds of BatchGetItem retries for keys DynamoDB left unprocessed (throttled) before giving up. */
const MAX_BATCH_GET_ROUNDS = 10;

/** The history in a DynamoDB table laid out as `HistoryTable` says (in AWS, and locally on dynalite). */
export class DynamoDbHistoryStore implements HistoryStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly puts: BatchedPuts;
  private readonly bodies: HistoryBodyObjects | undefined;

  public constructor(options: DynamoDbHistoryStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.retentionDays = options.retentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS;
    this.concurrency = options.concurrency ?? 8;
    this.now = options.now ?? Date.now;
    this.bodies = options.bodies;
    this.puts = new BatchedPuts(
      async (items) => {
        const { UnprocessedItems } = await this.documents.send(
          new BatchWriteCommand({
            RequestItems: { [this.tableName]: items.map((item) => ({ PutRequest: { Item: item } })) },
          }),
        );
        return (UnprocessedItems?.[this.tableName] ?? []).flatMap((request) => request.PutRequest?.Item ?? []);
      },
      (item) => keyText(keyOfItem(item)),
    );
  }

  /**
   * Writes the item with those of records handled at the same time, in one BatchWriteItem (see BatchedPuts), or, for
   * an outcome that never replaces a completion (`COMPLETION_KEEPING_OUTCOMES`), alone with a conditional PutItem. A
   * body too large for the item is put in the history bucket first, and the item points to it: the item is written
   * only once the body is stored, so a failed PutObject fails the write (and the record, which is retried).
   */
  public async write(entry: ArchivedWebhook): Promise<HistoryWriteResult> {
    const expiresAt = historyExpiry(new Date(this.now()), this.retentionDays);
    const inline = historyItem(entry, expiresAt);
    let item = inline.item;
    if (inline.bodyLeftOut && this.bodies !== undefined && entry.rawBody !== undefined) {
      const pointer = await this.bodies.put(entry.record.eventId, entry.rawBody);
      item = historyItem(entry, expiresAt, pointer).item;
    }
    if (COMPLETION_KEEPING_OUTCOMES.includes(entry.record.outcome)) return this.putUnlessCompleted(item);
    await this.puts.put(item);
    return 'written';
  }

  /**
   * One PutItem on the condition that the delivery has no record yet or its record is not a completion. Refused, the
   * completion stands: DynamoDB bills the write unit all the same, and a large body already put in the bucket is the
   * object the completion points to (its key is the event's and the bytes').
   */
  private async putUnlessCompleted(item: HistoryItem): Promise<HistoryWriteResult> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: `attribute_not_exists(#outcome) OR NOT (${IS_COMPLETION.expression})`,
          ExpressionAttributeNames: IS_COMPLETION.names,
          ExpressionAttributeValues: IS_COMPLETION.values,
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'completion-kept';
      throw error;
    }
  }

  public async archived(key: HistoryKey): Promise<ArchivedWebhook | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: historyKey(key), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : this.archivedOf(Item);
  }

  /**
   * Each key's archived copy in the order given, undefined where there is no record: read as `records` reads
   * (BatchGetItem, eventually consistent), a body kept in the history bucket read back as `archived` reads it.
   */
  public async archivedMany(keys: readonly HistoryKey[]): Promise<Array<ArchivedWebhook | undefined>> {
    const items = new Map((await this.readItems(keys)).map((item) => [keyText(keyOfItem(item)), item] as const));
    return this.inParallel(keys, async (key) => {
      const item = items.get(keyText(key));
      return item === undefined ? undefined : this.archivedOf(item);
    });
  }

  public async query(query: HistoryQuery): Promise<HistoryRecord[]> {
    const records = await this.select(query);
    return records.filter((record) => matches(record, query)).sort(oldestFirst);
  }

  /** Every shard of every day in the range, from the index alone: no item is read. */
  public async entries(range: Pick<HistoryQuery, 'from' | 'to'>): Promise<HistoryEntry[]> {
    const { from, to } = this.window(range);
    return (await this.dayEntries(daysBetween(from, to)))
      .map(entryOfIndexItem)
      .filter((entry) => entry.receivedAt >= from && entry.receivedAt <= to)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  public async records(keys: readonly HistoryKey[]): Promise<HistoryRecord[]> {
    return (await this.readItems(keys)).map(recordOfItem);
  }

  /** An item's archived copy, following its pointer to the history bucket when the body is kept there. */
  private async archivedOf(item: HistoryItem): Promise<ArchivedWebhook> {
    const { bodyObject, ...archived } = archivedOfItem(item);
    if (bodyObject === undefined || this.bodies === undefined) return archived;
    const rawBody = await this.bodies.get(bodyObject);
    return rawBody === undefined ? archived : { ...archived, rawBody };
  }

  /**
   * One Query per event id, like `query` by id, but asking only for the entry's attributes (a ProjectionExpression):
   * no archive travels, is decompressed, or sends a read to the history bucket. DynamoDB still bills the read units of
   * the whole item; what this saves is the bytes and the time.
   */
  public async entriesOf(eventIds: readonly string[]): Promise<HistoryEntry[]> {
    const pages = await this.inParallel([...new Set(eventIds)], (eventId) =>
      this.queryAll(this.byEventId(eventId, ENTRY_ATTRIBUTES)),
    );
    return pages
      .flat()
      .map(entryOfIndexItem)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  /**
   * One strongly consistent Query of the event's partition, filtered to the completion outcomes and projected to what
   * `completionOfItem` reads. DynamoDB bills the read units of every item of the partition read (a few, each under
   * 4 KB: one unit for a typical event). The filter leaves out failed deliveries; the archive is still read and
   * unpacked, body and all, because `decidedAt` and `replayRun` are packed in it (a duplicate's read, so rare).
   */
  public async completionsOf(eventId: string): Promise<HistoryCompletion[]> {
    const query = this.byEventId(eventId, COMPLETION_ATTRIBUTES);
    const items = await this.queryAll({
      ...query,
      ConsistentRead: true,
      FilterExpression: IS_COMPLETION.expression,
      ExpressionAttributeNames: { ...query.ExpressionAttributeNames, ...IS_COMPLETION.names },
      ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ...IS_COMPLETION.values },
    });
    return items.map(completionOfItem);
  }

  /**
   * The records the most selective selector names; `matches` then applies every selector. By id the table is read
   * itself; otherwise an index names the items (and filters on the fields it carries), and they are then read by key.
   */
  private async select(query: HistoryQuery): Promise<HistoryRecord[]> {
    if (query.eventIds !== undefined && query.eventIds.length > 0) {
      const pages = await this.inParallel([...new Set(query.eventIds)], (eventId) =>
        this.queryAll(this.byEventId(eventId)),
      );
      return pages.flat().map(recordOfItem);
    }
    const { from, to } = this.window(query);
    const days = daysBetween(from, to);
    let entries: HistoryItem[];
    if (query.entityRef !== undefined) {
      const ref = query.entityRef;
      const shard = dayShardOf(ref);
      const underRoot = await this.inParallel(days, (day) =>
        this.queryAll({
          TableName: this.tableName,
          IndexName: HistoryTable.BY_DAY_INDEX,
          KeyConditionExpression: '#pk = :day AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': HistoryTable.BY_DAY_PARTITION_KEY, '#sk': HistoryTable.BY_DAY_SORT_KEY },
          ExpressionAttributeValues: { ':day': dayShardKey(day, shard), ':prefix': entityTimePrefix(ref) },
        }),
      );
      // A ref is filed under itself when its event names no other root (an order, or a fulfilment sent on its own);
      // a child entity's events filed under their root carry the child's ref in the entry but not in its key, so the
      // window's entries are read for it too, every time: a ref may be both (readItems drops an entry found twice).
      const asChild = await this.dayEntries(days, { attribute: 'entityRef', value: ref });
      entries = [...underRoot.flat(), ...asChild];
    } else {
      entries = await this.dayEntries(days);
    }
    const wanted = entries.filter((entry) => indexedFieldsMatch(entry, query)).map(entryOfIndexItem);
    return (await this.readItems(wanted)).map(recordOfItem);
  }

  /** Every item of one event id (the table's own partition), only the `attributes` of each when given. */
  private byEventId(eventId: string, attributes?: readonly string[]): QueryCommandInput {
    const projected = (attributes ?? []).map((attribute, index) => [`#p${index}`, attribute] as const);
    return {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :id',
      ExpressionAttributeNames: { '#pk': HistoryTable.PARTITION_KEY, ...Object.fromEntries(projected) },
      ExpressionAttributeValues: { ':id': eventId },
      ...(attributes === undefined ? {} : { ProjectionExpression: projected.map(([name]) => name).join(', ') }),
    };
  }

  /** Every `byDay` entry of these days (each shard), only those whose `attribute` is `value` when given. */
  private async dayEntries(
    days: readonly string[],
    only?: { readonly attribute: string; readonly value: string },
  ): Promise<HistoryItem[]> {
    const partitions = days.flatMap((day) =>
      Array.from({ length: HistoryTable.DAY_SHARDS }, (_, shard) => dayShardKey(day, shard)),
    );
    const pages = await this.inParallel(partitions, (partition) =>
      this.queryAll({
        TableName: this.tableName,
        IndexName: HistoryTable.BY_DAY_INDEX,
        KeyConditionExpression: '#pk = :day',
        ...(only === undefined
          ? { ExpressionAttributeNames: { '#pk': HistoryTable.BY_DAY_PARTITION_KEY } }
          : {
              FilterExpression: '#only = :only',
              ExpressionAttributeNames: { '#pk': HistoryTable.BY_DAY_PARTITION_KEY, '#only': only.attribute },
            }),
        ExpressionAttributeValues: { ':day': partition, ...(only === undefined ? {} : { ':only': only.value }) },
      }),
    );
    return pages.flat();
  }

  /** The items of these deliveries (BatchGetItem, eventually consistent like the index); a key named twice is read once. */
  private async readItems(wanted: readonly HistoryKey[]): Promise<HistoryItem[]> {
    const keys = [...new Map(wanted.map((key) => [keyText(key), historyKey(key)] as const)).values()];
    const pages = await this.inParallel(chunked(keys, BATCH_GET_KEYS), (chunk) => this.batchGet(chunk));
    return pages.flat();
  }

  private async batchGet(keys: HistoryItem[]): Promise<HistoryItem[]> {
    const items: HistoryItem[] = [];
    let pending = keys;
    for (let round = 0; pending.length > 0; round += 1) {
      if (round === MAX_BATCH_GET_ROUNDS)
        throw new Error(`The history table left ${pending.length} reads unprocessed.`);
      // Keys come back unprocessed when the table is throttled: asking again at once would only be throttled again.
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(round, UNPROCESSED_BACKOFF)));
      const { Responses, UnprocessedKeys } = await this.documents.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
      );
      items.push(...(Responses?.[this.tableName] ?? []));
      pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  /** The time window a range read covers: the query's, else the retention up to now. */
  private window(query: HistoryQuery): { from: string; to: string } {
    const to = query.to ?? new Date(this.now()).toISOString();
    const from = query.from ?? new Date(Date.parse(to) - this.retentionDays * DAY_MS).toISOString();
    return { from, to };
  }

  private async queryAll(input: QueryCommandInput): Promise<HistoryItem[]> {
    const items: HistoryItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  private async inParallel<T, R>(inputs: readonly T[], work: (input: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array<R>(inputs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < inputs.length) {
        const index = next;
        next += 1;
        results[index] = await work(inputs[index] as T);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, inputs.length) }, worker));
    return results;
  }
}

/** The fields an index entry carries (name, account, outcome) against the query, before reading the items. */
function indexedFieldsMatch(entry: HistoryItem, query: HistoryQuery): boolean {
  if (query.names !== undefined && query.names.length > 0 && !query.names.includes(String(entry.name))) return false;
  if (query.accountId !== undefined && entry.accountId !== query.accountId) return false;
  if (query.outcome !== undefined && entry.outcome !== query.outcome) return false;
  return true;
}

/** The UTC days (`YYYY-MM-DD`) from `from` to `to`, both included. */
function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(from.slice(0, 10));
  const end = Date.parse(to.slice(0, 10));
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError(`Not a time range: ${from} to ${to}.`);
  if ((end - start) / DAY_MS > MAX_RANGE_DAYS) {
    throw new RangeError(`The range ${from} to ${to} spans more than ${MAX_RANGE_DAYS} days; narrow it.`);
  }
  const days: string[] = [];
  for (let day = start; day <= end; day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

function keyOfItem(item: HistoryItem): HistoryKey {
  return { eventId: String(item[HistoryTable.PARTITION_KEY]), messageId: String(item[HistoryTable.SORT_KEY]) };
}

/** One text per item key: how a request tells its items apart (a key read twice, an item put twice). */
function keyText(key: HistoryKey): string {
  return JSON.stringify([key.eventId, key.messageId]);
}

function matches(record: HistoryRecord, query: HistoryQuery): boolean {
  if (query.eventIds !== undefined && query.eventIds.length > 0 && !query.eventIds.includes(record.eventId)) {
    return false;
  }
  if (
    query.entityRef !== undefined &&
    record.entityRef !== query.entityRef &&
    record.rootEntityRef !== query.entityRef
  ) {
    return false;
  }
  if (query.names !== undefined && query.names.length > 0 && !query.names.includes(record.name)) return false;
  if (query.accountId !== undefined && record.accountId !== query.accountId) return false;
  if (query.outcome !== undefined && record.outcome !== query.outcome) return false;
  if (query.from !== undefined && record.receivedAt < query.from) return false;
  if (query.to !== undefined && record.receivedAt > query.to) return false;
  return true;
}
