import { BatchedPuts, MAX_BATCH_WRITE_ITEMS } from '../../../lambdas/history/batched-puts';

type Item = Record<string, unknown>;

/** A BatchWriteItem stand-in that records each request and leaves unprocessed what `leave` says. */
function recordingWriter(leave: (item: Item, request: number) => boolean = () => false) {
  const requests: Item[][] = [];
  const writeItems = async (items: readonly Item[]) => {
    requests.push([...items]);
    return items.filter((item) => leave(item, requests.length));
  };
  return { requests, writeItems };
}

const keyOf = (item: Item) => String(item.id);

describe('BatchedPuts', () => {
  it('writes the puts of one turn in one request, and at most 25 items per request', async () => {
    // Prepare
    const writer = recordingWriter();
    const puts = new BatchedPuts(writer.writeItems, keyOf);

    // Act
    await Promise.all(Array.from({ length: MAX_BATCH_WRITE_ITEMS + 5 }, (_, id) => puts.put({ id })));
    await puts.put({ id: 'later' });

    // Assess
    expect(writer.requests.map((request) => request.length)).toEqual([MAX_BATCH_WRITE_ITEMS, 5, 1]);
  });

  it('puts a second write of the same key in the next request', async () => {
    // Prepare
    const writer = recordingWriter();
    const puts = new BatchedPuts(writer.writeItems, keyOf);

    // Act
    await Promise.all([puts.put({ id: 'a', n: 1 }), puts.put({ id: 'b' }), puts.put({ id: 'a', n: 2 })]);

    // Assess
    expect(writer.requests).toEqual([[{ id: 'a', n: 1 }, { id: 'b' }], [{ id: 'a', n: 2 }]]);
  });

  it('retries what DynamoDB left unprocessed, and resolves each put once its item is written', async () => {
    // Prepare: the first request leaves b unprocessed.
    const writer = recordingWriter((item, request) => item.id === 'b' && request === 1);
    const puts = new BatchedPuts(writer.writeItems, keyOf);

    // Act
    await Promise.all([puts.put({ id: 'a' }), puts.put({ id: 'b' })]);

    // Assess
    expect(writer.requests).toEqual([[{ id: 'a' }, { id: 'b' }], [{ id: 'b' }]]);
  });

  it('fails only the puts whose items stay unprocessed, and every put when each request fails', async () => {
    // Prepare
    const throttled = new BatchedPuts(recordingWriter((item) => item.id === 'b').writeItems, keyOf);
    const failing = new BatchedPuts(async () => {
      throw new Error('table gone');
    }, keyOf);

    // Act
    const results = await Promise.allSettled([throttled.put({ id: 'a' }), throttled.put({ id: 'b' })]);
    const failed = await Promise.allSettled([failing.put({ id: 'c' }), failing.put({ id: 'd' })]);

    // Assess
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(
      new Error('The history table left 1 writes unprocessed (throttled).'),
    );
    expect(failed.map((result) => (result as PromiseRejectedResult).reason)).toEqual([
      new Error('table gone'),
      new Error('table gone'),
    ]);
  });

  it('writes each item alone when a request is refused whole, so only the item at fault fails', async () => {
    // Prepare: DynamoDB refuses any request that holds item b (a key over its size limit, say)
    const requests: Item[][] = [];
    const puts = new BatchedPuts(async (items) => {
      requests.push([...items]);
      if (items.some((item) => item.id === 'b')) throw new Error('ValidationException: key too large');
      return [];
    }, keyOf);

    // Act
    const results = await Promise.allSettled([puts.put({ id: 'a' }), puts.put({ id: 'b' }), puts.put({ id: 'c' })]);

    // Assess
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(requests).toEqual([[{ id: 'a' }, { id: 'b' }, { id: 'c' }], [{ id: 'a' }], [{ id: 'b' }], [{ id: 'c' }]]);
  });
});
