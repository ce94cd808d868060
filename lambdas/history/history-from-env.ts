import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '../core/errors';
import { DEFAULT_HISTORY_RETENTION_DAYS, HistoryStore } from '../contract/history';
import { RuntimeEnv } from '../contract/environment';
import { DynamoDbHistoryStore } from './dynamodb-history-store';
import { S3HistoryBodies } from './s3-history-bodies';

/**
 * The history store the construct configured (HISTORY_TABLE_NAME, and HISTORY_BUCKET_NAME for bodies too large for
 * an item), or undefined when it set none.
 */
export function historyStoreFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  client: DynamoDBClient,
): HistoryStore | undefined {
  const tableName = env[RuntimeEnv.HISTORY_TABLE_NAME]?.trim();
  if (tableName === undefined || tableName === '') return undefined;
  const bucketName = env[RuntimeEnv.HISTORY_BUCKET_NAME]?.trim() || undefined;
  return new DynamoDbHistoryStore({
    client,
    tableName,
    retentionDays: readRetentionDays(env),
    ...(bucketName === undefined ? {} : { bodies: new S3HistoryBodies({ bucketName }) }),
  });
}

/** HISTORY_RETENTION_DAYS as a whole number of days, or the default when unset. */
export function readRetentionDays(env: Readonly<Record<string, string | undefined>>): number {
  const text = env[RuntimeEnv.HISTORY_RETENTION_DAYS]?.trim();
  if (text === undefined || text === '') return DEFAULT_HISTORY_RETENTION_DAYS;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1) {
    throw new ConfigurationError(
      `${RuntimeEnv.HISTORY_RETENTION_DAYS} is "${text}"; use a whole number of days, at least 1.`,
    );
  }
  return days;
}
