import {
  createReturnOrderHandler,
  inMemoryReturnsSystem,
  ReturnsSystem,
} from '../../../handlers/examples/return-order';
import { FluentRequestError } from '../../../lambdas/fluent-api';
import { captureOutput, CapturedOutput } from '../../support/captured-output';
import { StandInFixture, startStandInFixture } from '../../support/fluent-api-fixtures';
import { signedEventRecord } from '../../support/sqs-records';
import { failedIds, fluentKey, testConsumer } from '../consumer/consumer-fixtures';

describe('Function: createReturnOrderHandler (handlers/examples/return-order.ts)', () => {
  let fixture: StandInFixture;
  let output: CapturedOutput;

  beforeEach(async () => {
    fixture = await startStandInFixture();
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    await fixture.standIn.stop();
  });

  const returnCreated = (id: string) =>
    signedEventRecord(fluentKey().privateKey, {
      id,
      name: 'ReturnOrderCreated',
      entityType: 'RETURN_ORDER',
      entityRef: 'RET-7',
    }).record;
  const approvals = () =>
    fixture.standIn.received().events.filter((recorded) => recorded.event.name === 'ReturnApproved');

  it('asks the returns system with the event id as idempotency key, then posts ReturnApproved', async () => {
    // Prepare
    const keys: string[] = [];
    const returns: ReturnsSystem = {
      decide: async (request) => (keys.push(request.idempotencyKey), { approved: true, approvalId: 'A-1' }),
    };
    const consumer = testConsumer({ default: createReturnOrderHandler(returns) }, {}, fixture.client());

    // Act
    const response = await consumer.deliver(returnCreated('event-1'));

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(keys).toEqual(['event-1']);
    expect(approvals().map((recorded) => recorded.event)).toEqual([
      expect.objectContaining({
        entityType: 'RETURN_ORDER',
        entityRef: 'RET-7',
        attributes: { approvalId: 'A-1', sourceEventId: 'event-1' },
      }),
    ]);
  });

  it('does not post twice when a run that already posted fails and the event is retried', async () => {
    // Prepare: the first run posts, then a later step fails; SQS delivers the event again
    const handler = createReturnOrderHandler(inMemoryReturnsSystem());
    let runs = 0;
    const consumer = testConsumer(
      {
        default: async (event, context) => {
          runs += 1;
          await handler(event, context);
          if (runs === 1) throw new FluentRequestError('a later step failed', { operation: 'graphql', status: 400 });
        },
      },
      {},
      fixture.client(),
    );
    const record = returnCreated('event-2');

    // Act
    const first = await consumer.deliver(record);
    const retried = await consumer.deliver({
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: '2' },
    });

    // Assess
    expect(failedIds(first)).toEqual([record.messageId]);
    expect(failedIds(retried)).toEqual([]);
    expect(runs).toBe(2);
    expect(approvals()).toHaveLength(1);
  });

  it('ignores events about other entities', async () => {
    // Prepare
    const consumer = testConsumer({ default: createReturnOrderHandler(inMemoryReturnsSystem()) }, {}, fixture.client());

    // Act
    await consumer.deliver(signedEventRecord(fluentKey().privateKey, { entityType: 'ORDER' }).record);

    // Assess
    expect(fixture.standIn.received().tokensIssued).toBe(0);
  });
});
