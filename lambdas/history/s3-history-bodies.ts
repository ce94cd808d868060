import { createHash } from 'node:crypto';
import type { S3Client, S3ClientConfig } from './lazy-s3-client';
import { HistoryBodies } from '../contract/history';

/*
 * Bodies too large for their history item, as S3 objects (docs/history-and-replay.md#large-bodies). The item keeps a
 * pointer (`s3://<bucket>/<key>`), so a reader needs no setting to find the object, only the right to read it. The
 * key names the event and the SHA-256 of the bytes: the same body delivered again (a retry, a replay) lands on the
 * same object, and a copy changed in the bucket is refused by replay, which re-verifies Fluent's signature (kept in
 * the item, not in the bucket) over the bytes it reads back.
 *
 * The S3 client is loaded on first use, from ./lazy-s3-client: such bodies are rare, and the consumer's cold start does
 * not pay for it (its bundle keeps that module in a file of its own, see lib/consumer/consumer-entry.ts).
 */

type LazyS3Client = typeof import('./lazy-s3-client');

export interface HistoryBodyObjects {
  /** Stores the bytes and answers the pointer the item keeps. Throws when S3 does: the record then fails and is retried. */
  put(eventId: string, body: Buffer): Promise<string>;
  /** The bytes a pointer names, or undefined when the object is gone (expired, erased). */
  get(pointer: string): Promise<Buffer | undefined>;
}

export interface S3HistoryBodiesOptions {
  /** Where `put` writes; a reader may leave it out (pointers name their bucket). */
  readonly bucketName?: string;
  /** @default {} (the Lambda's region and role) */
  readonly clientConfig?: S3ClientConfig;
}

const POINTER_SCHEME = 's3://';

/** `s3://<bucket>/<key>` of a body. */
function historyBodyPointer(bucketName: string, key: string): string {
  return `${POINTER_SCHEME}${bucketName}/${key}`;
}

/** The object key of an event's body: under the prefix the consumer may write, then the event id and the bytes' hash. */
function historyBodyKey(eventId: string, body: Buffer): string {
  const sha256 = createHash('sha256').update(body).digest('hex');
  return `${HistoryBodies.KEY_PREFIX}${encodeURIComponent(eventId)}/${sha256}`;
}

export class S3HistoryBodies implements HistoryBodyObjects {
  private client: Promise<{ s3: S3Client; sdk: LazyS3Client }> | undefined;

  public constructor(private readonly options: S3HistoryBodiesOptions = {}) {}

  public async put(eventId: string, body: Buffer): Promise<string> {
    const bucketName = this.options.bucketName;
    if (bucketName === undefined) throw new Error('No history body bucket is configured to write to.');
    const key = historyBodyKey(eventId, body);
    const { s3, sdk } = await this.s3();
    await s3.send(new sdk.PutObjectCommand({ Bucket: bucketName, Key: key, Body: body }));
    return historyBodyPointer(bucketName, key);
  }

  public async get(pointer: string): Promise<Buffer | undefined> {
    const location = parsePointer(pointer);
    if (location === undefined) return undefined;
    const { s3, sdk } = await this.s3();
    try {
      const { Body } = await s3.send(new sdk.GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      return Body === undefined ? undefined : Buffer.from(await Body.transformToByteArray());
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /** Destroys the client, if one was made (tests and the local runner, so sockets do not hold the process). */
  public async destroy(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) (await client).s3.destroy();
  }

  private s3(): Promise<{ s3: S3Client; sdk: LazyS3Client }> {
    // The path as written, with its extension: the consumer's bundle keeps it (an external module) and Node.js
    // resolves it next to index.js, where import() needs the file's exact name.
    this.client ??= import('./lazy-s3-client.js').then((sdk) => ({
      sdk,
      s3: new sdk.S3Client(this.options.clientConfig ?? {}),
    }));
    return this.client;
  }
}

/** The bucket and key an `s3://<bucket>/<key>` pointer names; undefined for anything else. */
export function parsePointer(pointer: string): { bucket: string; key: string } | undefined {
  if (!pointer.startsWith(POINTER_SCHEME)) return undefined;
  const rest = pointer.slice(POINTER_SCHEME.length);
  const slash = rest.indexOf('/');
  return slash <= 0 ? undefined : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}
