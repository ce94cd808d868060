import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handlers as failingReturns } from '../../../handlers/examples/failing-returns';
import { handlers as notifyWarehouse } from '../../../handlers/examples/notify-warehouse';
import { DecisionMessage } from '../../../lambdas/consumer/process-record';
import { signedEventRecord } from '../../support/sqs-records';
import { captureOutput, CapturedOutput, decisionLines } from '../../support/captured-output';
import { failedIds, fluentKey, testConsumer } from '../consumer/consumer-fixtures';

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'samples', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;

describe('Object: the handler examples in handlers/examples (quoted in the docs)', () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    jest.restoreAllMocks();
  });

  it('failing-returns: fails the returns sample as handler-failed and still processes the order sample', async () => {
    // Prepare
    const consumer = testConsumer(failingReturns);
    const returns = signedEventRecord(fluentKey().privateKey, sample('return-order-created'), { messageId: 'ret-1' });
    const order = signedEventRecord(fluentKey().privateKey, sample('order-status-change'), { messageId: 'ord-1' });

    // Act
    const response = await consumer.deliver(returns.record, order.record);

    // Assess
    expect(failedIds(response)).toEqual(['ret-1']);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({ message: DecisionMessage.FAILED['handler-failed'], reason: 'handler-failed' }),
      expect.objectContaining({ message: DecisionMessage.PROCESSED, eventName: 'OrderStatusChange' }),
    ]);
  });

  it('notify-warehouse: posts a shipment notice keyed on the event id, and fails the event when the warehouse refuses', async () => {
    // Prepare: the warehouse is a fetch stand-in (no network in tests), first refusing, then accepting.
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const answers = [new Response('down', { status: 503 }), new Response('ok', { status: 200 })];
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
      calls.push({ url: String(url), init: init ?? {} });
      return answers.shift() ?? new Response('unexpected', { status: 500 });
    });
    const consumer = testConsumer(notifyWarehouse);
    const shipped = signedEventRecord(fluentKey().privateKey, sample('order-status-change'), { messageId: 'm-1' });

    // Act: the first delivery meets the refusal, the redelivery the acceptance.
    const first = await consumer.deliver(shipped.record);
    const second = await consumer.deliver(shipped.record);

    // Assess
    expect(failedIds(first)).toEqual(['m-1']);
    expect(failedIds(second)).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(new Headers(calls[1]!.init.headers).get('idempotency-key')).toBe(sample('order-status-change').id);
    expect(JSON.parse(String(calls[1]!.init.body))).toMatchObject({ orderRef: 'HD_5012', retailerId: '1' });
  });
});
