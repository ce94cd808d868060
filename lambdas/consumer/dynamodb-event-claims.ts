import {
  AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { IdempotencyRecordStatus, PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS } from '@aws-lambda-powertools/idempotency';
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../contract/deployment';
import type { ClaimAnswer, ClaimRecord, EventClaims } from './event-claims';
import { isConditionalCheckFailed } from '../shared/conditional-check-failed';

/** Powertools' attribute names (DynamoDBPersistenceLayer with the stack's key and TTL attribute). */
const Attribute = {
  ID: IDEMPOTENCY_PARTITION_KEY,
  EXPIRY: IDEMPOTENCY_TTL_ATTRIBUTE,
  STATUS: PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.statusAttr,
  IN_PROGRESS_EXPIRY: PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.inProgressExpiryAttr,
  DATA: PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.dataAttr,
} as const;

/**
 * Powertools' condition (DynamoDBPersistenceLayer._putRecord), word for word: the key is free when it has no record,
 * when its record is expired, or when it is in progress past its in-progress time.
 */
const CLAIM_CONDITION =
  'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)';

/**
 * Claims in the idempotency table: one PutItem (1 write unit) per claim, one DeleteItem per release, and the rare
 * completion one PutItem.
 */
export function dynamoDbEventClaims(client: DynamoDBClient, tableName: string): EventClaims {
  const key = (id: string) => ({ [Attribute.ID]: { S: id } });
  /** Powertools' record of a key: its expiry, its status and what that status carries. */
  const record = (id: string, expiresAt: number, status: string, carried: Record<string, AttributeValue>) => ({
    ...key(id),
    [Attribute.EXPIRY]: { N: String(expiresAt) },
    [Attribute.STATUS]: { S: status },
    ...carried,
  });
  return {
    async claim({ id, expiresAt, inProgressUntil, now }): Promise<ClaimAnswer> {
      try {
        const { Attributes } = await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: record(id, expiresAt, IdempotencyRecordStatus.INPROGRESS, {
              [Attribute.IN_PROGRESS_EXPIRY]: { N: String(inProgressUntil) },
            }),
            ConditionExpression: CLAIM_CONDITION,
            ExpressionAttributeNames: {
              '#id': Attribute.ID,
              '#expiry': Attribute.EXPIRY,
              '#in_progress_expiry': Attribute.IN_PROGRESS_EXPIRY,
              '#status': Attribute.STATUS,
            },
            ExpressionAttributeValues: {
              ':now': { N: String(now / 1000) },
              ':now_in_millis': { N: String(now) },
              ':inprogress': { S: IdempotencyRecordStatus.INPROGRESS },
            },
            // The record replaced, if any: a claim taken over from a delivery whose time was up is decided by the history.
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { taken: true, ...(Attributes === undefined ? {} : { replaced: recordOf(Attributes) }) };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        if (error.Item !== undefined) return { taken: false, holder: recordOf(error.Item) };
        // DynamoDB returns the item in the way; an emulator may not (dynalite does not): read it, as Powertools does.
        const { Item } = await client.send(
          new GetItemCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }),
        );
        return { taken: false, ...(Item === undefined ? {} : { holder: recordOf(Item) }) };
      }
    },
    async release(id) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: key(id) }));
    },
    // A PutItem, not Powertools' UpdateItem: the same record, and the role needs no action for this rare case alone.
    async complete(id, expiresAt, handledAt) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: record(id, expiresAt, IdempotencyRecordStatus.COMPLETED, {
            [Attribute.DATA]: { M: { handledAt: { S: handledAt } } },
          }),
        }),
      );
    },
  };
}

function recordOf(item: Record<string, AttributeValue>): ClaimRecord {
  const inProgressUntil = item[Attribute.IN_PROGRESS_EXPIRY]?.N;
  const handledAt = item[Attribute.DATA]?.M?.handledAt?.S;
  return {
    status: item[Attribute.STATUS]?.S ?? '',
    expiresAt: Number(item[Attribute.EXPIRY]?.N ?? 0),
    ...(inProgressUntil === undefined ? {} : { inProgressUntil: Number(inProgressUntil) }),
    ...(handledAt === undefined ? {} : { handledAt }),
  };
}
