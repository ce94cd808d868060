import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_HISTORY_RETENTION_DAYS } from '../../../lambdas/contract/history';
import { StackOutput } from '../../../lambdas/contract/stack-outputs';
import { DynamoDbHistoryStore } from '../../../lambdas/history/dynamodb-history-store';
import { S3HistoryBodies } from '../../../lambdas/history/s3-history-bodies';
import { OpenedHistory, StackHistoryError } from './opened-history';

/** The history of a deployed stack, found through its outputs (DescribeStacks). */
export async function openStackHistory(stackName: string, region: string | undefined): Promise<OpenedHistory> {
  const config = region === undefined ? {} : { region };
  const cloudFormation = new CloudFormationClient(config);
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  } catch (error) {
    throw new StackHistoryError(
      `Could not read stack ${stackName}${region === undefined ? '' : ` in ${region}`}: ${(error as Error).message}. Check the name and --region, and that your credentials allow cloudformation:DescribeStacks.`,
      { cause: error },
    );
  } finally {
    cloudFormation.destroy();
  }
  const tableName = outputs[StackOutput.HISTORY_TABLE_NAME];
  if (tableName === undefined || tableName === '') {
    throw new StackHistoryError(
      `Stack ${stackName} has no ${StackOutput.HISTORY_TABLE_NAME} output: deploy a version of fluent-webhook-receiver with the history first.`,
    );
  }
  const retentionDays = Number(outputs[StackOutput.HISTORY_RETENTION_DAYS]) || DEFAULT_HISTORY_RETENTION_DAYS;
  const client = new DynamoDBClient(config);
  // Large bodies: the items name their bucket; the S3 client is made only when one is read.
  const bodies = new S3HistoryBodies({ clientConfig: config });
  return {
    store: new DynamoDbHistoryStore({ client, tableName, retentionDays, bodies }),
    where: `stack ${stackName}`,
    retentionDays,
    ...(outputs[StackOutput.QUEUE_URL] ? { queue: { url: outputs[StackOutput.QUEUE_URL], region } } : {}),
    ...(outputs[StackOutput.RECONCILIATION_QUEUE_URL]
      ? { reconciliationQueue: { url: outputs[StackOutput.RECONCILIATION_QUEUE_URL], region } }
      : {}),
    close: async () => {
      client.destroy();
      await bodies.destroy();
    },
  };
}
