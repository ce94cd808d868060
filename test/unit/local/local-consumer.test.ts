import type { HistoryKey } from '../../../lambdas/contract/history';
import { notifyingWrites } from '../../../tools/local/local-consumer';
import { archivedEntry } from '../../support/archived-entries';

describe('notifyingWrites (the inspector hears of each history write)', () => {
  const entry = archivedEntry({ eventId: 'evt-1', messageId: 'msg-1' });

  it('tells after a write that succeeded', async () => {
    const told: HistoryKey[] = [];
    const history = notifyingWrites({ write: async () => 'written', completionsOf: async () => [] }, (key) =>
      told.push(key),
    );
    const written = await history.write(entry);
    expect(written).toBe('written');
    expect(told).toEqual([{ eventId: 'evt-1', messageId: 'msg-1' }]);
  });

  it('tells after a write that failed (it may have reached the table), and still fails it', async () => {
    const told: HistoryKey[] = [];
    const failure = new Error('timed out after DynamoDB stored the item');
    const history = notifyingWrites(
      {
        write: async () => {
          throw failure;
        },
        completionsOf: async () => [],
      },
      (key) => told.push(key),
    );
    await expect(history.write(entry)).rejects.toBe(failure);
    expect(told).toEqual([{ eventId: 'evt-1', messageId: 'msg-1' }]);
  });
});
