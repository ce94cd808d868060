import type { CreateTableCommandInput, Projection } from '@aws-sdk/client-dynamodb';
import { HistoryTable } from '../../lambdas/contract/history';

/** The history table as the stack defines it (lib/consumer), for the local DynamoDB emulator. */
export function historyTableDefinition(tableName: string): CreateTableCommandInput {
  const projection: Projection = {
    ProjectionType: 'INCLUDE',
    NonKeyAttributes: [...HistoryTable.PROJECTED_ATTRIBUTES],
  };
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: HistoryTable.PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: HistoryTable.SORT_KEY, AttributeType: 'S' },
      { AttributeName: HistoryTable.BY_DAY_PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: HistoryTable.BY_DAY_SORT_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: HistoryTable.PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: HistoryTable.SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: HistoryTable.BY_DAY_INDEX,
        KeySchema: [
          { AttributeName: HistoryTable.BY_DAY_PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: HistoryTable.BY_DAY_SORT_KEY, KeyType: 'RANGE' },
        ],
        Projection: projection,
      },
    ],
  };
}
