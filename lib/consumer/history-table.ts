import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { HistoryTable } from '../../lambdas/contract/history';

/**
 * The actions the consumer takes on the history table (not its indexes): it writes each delivery's item (those of
 * records handled at the same time in one BatchWriteItem; a failed or stale outcome alone, with a conditional PutItem
 * that never replaces a completion), and, when a claim meets an earlier one, queries the event's own partition for a
 * completion. IAM cannot limit BatchWriteItem to puts (it also deletes by key; no condition key tells them apart):
 * docs/security.md#least-privilege says what that grants.
 */
export const HISTORY_CONSUMER_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:Query'];
/** What `fluent-webhook history` and `replay` (and reconciliation) take: query the table and its indexes, read an item. */
export const HISTORY_READ_ACTIONS = [
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:DescribeTable',
];

/**
 * The history table's defaults: on demand, TTL on `expiresAt`, AWS-managed KMS encryption, kept when the stack is
 * deleted (it is the archive and the ledger), and a resource policy that refuses any request not made over TLS (the
 * bodies hold customer data). Point-in-time recovery only when asked for (`historyPointInTimeRecovery`).
 */
export function defaultHistoryTableProps(pointInTimeRecovery = false): dynamodb.TableProps {
  return {
    partitionKey: { name: HistoryTable.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: HistoryTable.SORT_KEY, type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: HistoryTable.TTL_ATTRIBUTE,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: pointInTimeRecovery },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
    resourcePolicy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyRequestsWithoutTls',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['dynamodb:*'],
          resources: ['*'],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ],
    }),
  };
}

/** The history table with its keys, TTL and its index as `HistoryTable` (lambdas/contract) lays them out. */
export function createHistoryTable(
  scope: Construct,
  id: string,
  overrides: Partial<dynamodb.TableProps> = {},
  pointInTimeRecovery = false,
): dynamodb.Table {
  const defaults = defaultHistoryTableProps(pointInTimeRecovery);
  const props: dynamodb.TableProps = { ...defaults, ...overrides };
  const table = new dynamodb.Table(scope, id, {
    ...props,
    partitionKey: defaults.partitionKey,
    sortKey: defaults.sortKey,
    timeToLiveAttribute: HistoryTable.TTL_ATTRIBUTE,
  });
  const recovery = props.pointInTimeRecoverySpecification?.pointInTimeRecoveryEnabled ?? props.pointInTimeRecovery;
  if (recovery !== true) {
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The history is a copy of what the consumer already handled; point-in-time recovery would add about a sixth to its cost and keep customer data 35 days past its retention. historyPointInTimeRecovery turns it on.',
    });
  }
  const projection = {
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...HistoryTable.PROJECTED_ATTRIBUTES],
  };
  table.addGlobalSecondaryIndex({
    indexName: HistoryTable.BY_DAY_INDEX,
    partitionKey: { name: HistoryTable.BY_DAY_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: HistoryTable.BY_DAY_SORT_KEY, type: dynamodb.AttributeType.STRING },
    ...projection,
  });
  return table;
}
