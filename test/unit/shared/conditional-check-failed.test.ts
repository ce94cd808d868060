import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbHistoryStore } from '../../../lambdas/history/dynamodb-history-store';
import { isConditionalCheckFailed } from '../../../lambdas/shared/conditional-check-failed';
import { archivedEntry } from '../../support/archived-entries';

/** An error of that name from another copy of the SDK: not an instance of this copy's class. */
const foreignRefusal = () =>
  Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
  });

describe('isConditionalCheckFailed', () => {
  it('knows a refused condition by its name, whichever copy of the SDK threw it', () => {
    expect(isConditionalCheckFailed(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }))).toBe(true);
    expect(isConditionalCheckFailed(foreignRefusal())).toBe(true);
  });

  it('is false for any other error or thrown value', () => {
    for (const thrown of [new Error('ConditionalCheckFailedException'), { name: 'ValidationException' }, null, 'x', 7])
      expect(isConditionalCheckFailed(thrown)).toBe(false);
  });
});

describe('DynamoDbHistoryStore with a client from another copy of the SDK', () => {
  /** A client whose every request is refused with `error` before it leaves. */
  const refusingClient = (error: Error) => {
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    client.middlewareStack.add(
      () => async () => {
        throw error;
      },
      { step: 'finalizeRequest', name: 'refuseEveryRequest' },
    );
    return client;
  };

  it('keeps the completion when its conditional write of a failure is refused', async () => {
    const store = new DynamoDbHistoryStore({ client: refusingClient(foreignRefusal()), tableName: 'history' });
    await expect(store.write(archivedEntry({ outcome: 'failed', reason: 'handler-failed' }))).resolves.toBe(
      'completion-kept',
    );
  });

  it('throws any other error of the write', async () => {
    const store = new DynamoDbHistoryStore({
      client: refusingClient(Object.assign(new Error('no such attribute'), { name: 'ValidationException' })),
      tableName: 'history',
    });
    await expect(store.write(archivedEntry({ outcome: 'failed', reason: 'handler-failed' }))).rejects.toThrow(
      'no such attribute',
    );
  });
});
