import type { SQSRecord } from 'aws-lambda';
import type { FluentEvent } from '../../../lambdas/core';
import { messageGroupId } from '../../../lambdas/core';
import { signedEventRecord } from '../../support/sqs-records';
import { captureOutput, CapturedOutput } from '../../support/captured-output';
import { failedIds, fluentKey, testConsumer } from './consumer-fixtures';

describe('Function: createConsumerHandler on a FIFO queue (per-entity ordering)', () => {
  const fluent = fluentKey();
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  /** A record as Lambda delivers it from a FIFO queue: with the group the receiver set. */
  const fifoRecord = (id: string, order: string): SQSRecord => {
    const { record, event } = signedEventRecord(fluent.privateKey, { id, entityRef: order, rootEntityRef: order });
    return {
      ...record,
      messageId: `m-${id}`,
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fluent-webhooks.fifo',
      attributes: { ...record.attributes, MessageGroupId: messageGroupId(event) },
    };
  };

  it('runs a batch’s records one after another, in the order given', async () => {
    // Prepare
    const events: string[] = [];
    let running = 0;
    let overlapped = false;
    const consumer = testConsumer({
      default: async (event: FluentEvent) => {
        running += 1;
        overlapped ||= running > 1;
        await new Promise((resolve) => setImmediate(resolve));
        events.push(event.id);
        running -= 1;
      },
    });

    // Act
    const response = await consumer.deliver(fifoRecord('a1', 'A'), fifoRecord('b1', 'B'), fifoRecord('a2', 'A'));

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(events).toEqual(['a1', 'b1', 'a2']);
    expect(overlapped).toBe(false);
  });

  it('fails the rest of a failed record’s group without running it, and goes on with the other groups', async () => {
    // Prepare
    const ran: string[] = [];
    const consumer = testConsumer({
      default: async (event: FluentEvent) => {
        ran.push(event.id);
        if (event.id === 'a1') throw new Error('the system behind the handler is down');
      },
    });

    // Act
    const response = await consumer.deliver(
      fifoRecord('a1', 'A'),
      fifoRecord('b1', 'B'),
      fifoRecord('a2', 'A'),
      fifoRecord('b2', 'B'),
    );

    // Assess: a2 comes back together with a1, in order; B is done.
    expect(ran).toEqual(['a1', 'b1', 'b2']);
    expect(failedIds(response)).toEqual(['m-a1', 'm-a2']);
  });
});
