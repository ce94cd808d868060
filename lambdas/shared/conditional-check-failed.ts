import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Whether DynamoDB refused a write for its condition. By the error's name, not `instanceof`: the stores take the
 * caller's DynamoDBClient, and a client from another copy of `@aws-sdk/client-dynamodb` (a library user's own) throws
 * that copy's class.
 */
export function isConditionalCheckFailed(error: unknown): error is ConditionalCheckFailedException {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'ConditionalCheckFailedException'
  );
}
