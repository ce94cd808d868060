import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CfnResource, property } from './cloud-template';

/**
 * Queue properties that are queue attributes, passed to the emulator as the template sets them. Encryption
 * (SqsManagedSseEnabled, KMS) has no local meaning and is left out.
 */
const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;
/** Queue properties that are JSON policies: the attribute is the JSON text of the resolved object. */
const QUEUE_JSON_ATTRIBUTES = ['RedrivePolicy', 'RedriveAllowPolicy'] as const;

/** A queue's attributes for SetQueueAttributes, from the template's properties. */
export function queueAttributes(resource: CfnResource, resolve: (value: unknown) => unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTES) {
    const value = property(resource, name);
    if (value !== undefined) attributes[name] = String(resolve(value));
  }
  for (const name of QUEUE_JSON_ATTRIBUTES) {
    const value = property(resource, name);
    if (value !== undefined) attributes[name] = typeof value === 'string' ? value : JSON.stringify(resolve(value));
  }
  return attributes;
}

/**
 * A table's CreateTable input from the template: its name, key schema, attribute definitions and secondary indexes.
 * Capacity is on demand locally; TTL, point-in-time recovery, streams and encryption are AWS's alone.
 */
export function tableDefinition(
  logicalId: string,
  resource: CfnResource,
  resolve: (value: unknown) => unknown,
): CreateTableCommandInput {
  const indexes = (name: string) =>
    ((property(resource, name) ?? []) as Array<Record<string, unknown>>).map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
    }));
  const global = indexes('GlobalSecondaryIndexes');
  const local = indexes('LocalSecondaryIndexes');
  return {
    TableName: String(resolve({ Ref: logicalId })),
    AttributeDefinitions: property(resource, 'AttributeDefinitions'),
    KeySchema: property(resource, 'KeySchema'),
    BillingMode: 'PAY_PER_REQUEST',
    ...(global.length > 0 ? { GlobalSecondaryIndexes: global } : {}),
    ...(local.length > 0 ? { LocalSecondaryIndexes: local } : {}),
  } as CreateTableCommandInput;
}
