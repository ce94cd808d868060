import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CHECKPOINT_TABLE_KEY, SweepCheckpoint, SweepIdName } from '../contract/reconciliation-sweep';
import { CheckpointStore, SWEEP_BUSY } from './sweep';
import { isConditionalCheckFailed } from '../shared/conditional-check-failed';

const ATTRIBUTES = ['holder', 'leaseUntil', 'checkpoint'] as const;

/**
 * Sweep checkpoints in a DynamoDB table of their own (key `sweep`, one small item per sweep): the checkpoint as
 * JSON, and a lease (`holder`, `leaseUntil`) taken with a conditional write so that two runs never compare the same
 * sweep at once. Every call is one UpdateItem of one write unit; the table is the same locally (dynalite).
 */
export class DynamoDbCheckpointStore implements CheckpointStore {
  public constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly tableName: string;
      readonly now?: () => number;
    },
  ) {}

  public async claim(
    sweep: SweepIdName,
    holder: string,
    leaseUntil: number,
  ): Promise<{ checkpoint?: SweepCheckpoint } | typeof SWEEP_BUSY> {
    try {
      const answer = await this.update(sweep, {
        UpdateExpression: 'SET #holder = :holder, #leaseUntil = :until',
        ConditionExpression: 'attribute_not_exists(#leaseUntil) OR #leaseUntil < :now',
        ExpressionAttributeValues: {
          ':holder': { S: holder },
          ':until': { N: String(leaseUntil) },
          ':now': { N: String(this.options.now?.() ?? Date.now()) },
        },
        ReturnValues: 'ALL_NEW',
      });
      const text = answer.Attributes?.checkpoint?.S;
      return text === undefined ? {} : { checkpoint: JSON.parse(text) as SweepCheckpoint };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return SWEEP_BUSY;
      throw error;
    }
  }

  public async save(holder: string, checkpoint: SweepCheckpoint): Promise<void> {
    await this.update(checkpoint.sweep, {
      UpdateExpression: 'SET #checkpoint = :checkpoint',
      ConditionExpression: '#holder = :holder',
      ExpressionAttributeValues: { ':holder': { S: holder }, ':checkpoint': { S: JSON.stringify(checkpoint) } },
    });
  }

  public async release(sweep: SweepIdName, holder: string): Promise<void> {
    try {
      await this.update(sweep, {
        UpdateExpression: 'SET #leaseUntil = :zero',
        ConditionExpression: '#holder = :holder',
        ExpressionAttributeValues: { ':holder': { S: holder }, ':zero': { N: '0' } },
      });
    } catch (error) {
      // Another run took the sweep over after this one's lease ran out: it is theirs now.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private update(
    sweep: SweepIdName,
    input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName' | 'Key'>,
  ) {
    return this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { [CHECKPOINT_TABLE_KEY]: { S: sweep } },
        // Attribute names always go through placeholders: no reserved word can break an expression.
        ExpressionAttributeNames: Object.fromEntries(
          ATTRIBUTES.filter((name) =>
            `${input.UpdateExpression} ${input.ConditionExpression}`.includes(`#${name}`),
          ).map((name) => [`#${name}`, name]),
        ),
        ...input,
      }),
    );
  }
}
