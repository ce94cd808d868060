import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../contract/deployment';
import { ENTITY_STATUS_KEY_PREFIX, EntityStatusAttribute } from '../contract/stale-status-guard';
import { isConditionalCheckFailed } from '../shared/conditional-check-failed';

/** A status processed for an entity, and its place in its type's order. */
export interface ProcessedStatus {
  readonly status: string;
  readonly rank: number;
}

/** Where the stale-status guard remembers the last status processed per entity. */
export interface EntityStatusStore {
  /** The last status processed for `entity` (read strongly consistent), or undefined when none is remembered. */
  lastProcessed(entity: string): Promise<ProcessedStatus | undefined>;
  /** Remembers a processed status, unless a later one is remembered already, until `expiresAt` (epoch seconds). */
  recordProcessed(
    entity: string,
    processed: ProcessedStatus & { readonly eventId: string },
    expiresAt: number,
  ): Promise<void>;
}

const A = EntityStatusAttribute;

/**
 * The store as items of the idempotency table (no second table to create, grant and back up): one GetItem before
 * a guarded event's handler runs, one conditional UpdateItem after it succeeded, each under 1 KB.
 */
export function dynamoDbEntityStatusStore(client: DynamoDBClient, tableName: string): EntityStatusStore {
  const key = (entity: string) => ({ [IDEMPOTENCY_PARTITION_KEY]: { S: `${ENTITY_STATUS_KEY_PREFIX}${entity}` } });
  return {
    async lastProcessed(entity) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: key(entity),
          ConsistentRead: true,
          ProjectionExpression: '#status, #rank',
          ExpressionAttributeNames: { '#status': A.STATUS, '#rank': A.RANK },
        }),
      );
      const status = Item?.[A.STATUS]?.S;
      const rank = Item?.[A.RANK]?.N;
      return status === undefined || rank === undefined ? undefined : { status, rank: Number(rank) };
    },
    async recordProcessed(entity, processed, expiresAt) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(entity),
            UpdateExpression: 'SET #status = :status, #rank = :rank, #eventId = :eventId, #expiry = :expiry',
            // A later status processed meanwhile (unordered, two events of one entity at once) stays.
            ConditionExpression: 'attribute_not_exists(#rank) OR #rank <= :rank',
            ExpressionAttributeNames: {
              '#status': A.STATUS,
              '#rank': A.RANK,
              '#eventId': A.EVENT_ID,
              '#expiry': IDEMPOTENCY_TTL_ATTRIBUTE,
            },
            ExpressionAttributeValues: {
              ':status': { S: processed.status },
              ':rank': { N: String(processed.rank) },
              ':eventId': { S: processed.eventId },
              ':expiry': { N: String(expiresAt) },
            },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    },
  };
}
