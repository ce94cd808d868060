import type { FluentEventHandler } from '../../../lambdas/consumer/handler-types';
import { FluentCallLog } from '../../../tools/local/inspector/fluent-calls';
import { FaultKind } from '../../../tools/local/fluent-stand-in/stand-in-faults';
import { captureOutput, CapturedOutput } from '../../support/captured-output';
import {
  returnApproved,
  StandInFixture,
  startStandInFixture,
  TEST_FLUENT_CLIENT,
} from '../../support/fluent-api-fixtures';
import { signedEventRecord } from '../../support/sqs-records';
import { failedIds, fluentKey, testConsumer } from '../consumer/consumer-fixtures';

describe("Inspector: each delivery's calls to Fluent, from the client's own records", () => {
  const fluent = fluentKey();
  let output: CapturedOutput;
  let fixture: StandInFixture;

  beforeEach(async () => {
    fixture = await startStandInFixture();
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    await fixture.standIn.stop();
  });

  const postsBack: FluentEventHandler = async (event, context) => {
    await context.fluent.sendEvent(returnApproved({ entityRef: event.entityRef }));
  };

  it('groups the attempts of each call of a delivery, with status, retries and duration, and nothing secret', async () => {
    // Prepare: the stand-in answers the first API call 503, so the event sent back is retried once.
    const calls = new FluentCallLog(100, fixture.clock.now);
    const consumer = testConsumer(
      { default: postsBack },
      {},
      fixture.client(),
      undefined,
      undefined,
      undefined,
      calls.tap,
    );
    fixture.standIn.addFaults([{ kind: FaultKind.UNAVAILABLE, times: 1 }]);
    const { record, event } = signedEventRecord(fluent.privateKey, { id: 'event-42', entityRef: 'RET-42' });
    const other = signedEventRecord(
      fluent.privateKey,
      { id: 'event-43', entityRef: 'RET-43' },
      { messageId: 'message-43' },
    );

    // Act
    const responses = [await consumer.deliver(record), await consumer.deliver(other.record)];

    // Assess
    expect(responses.map(failedIds)).toEqual([[], []]);
    const shown = calls.callsFor({ eventId: event.id, messageId: record.messageId });
    const sendEvent = shown.find((call) => call.operation === 'sendEvent');
    expect(sendEvent).toMatchObject({ statuses: ['503', '200'], status: '200', next: 'done', attempts: 2, retries: 1 });
    expect(sendEvent!.durationMs).toBeGreaterThanOrEqual(0);
    expect(calls.callsFor({ eventId: other.event.id, messageId: other.record.messageId })).toEqual([
      expect.objectContaining({ operation: 'sendEvent', statuses: ['200'], retries: 0 }),
    ]);
    expect(calls.callsFor({ eventId: event.id, messageId: 'another-delivery' })).toEqual([]);
    const text = JSON.stringify(calls.callsFor({ eventId: event.id, messageId: record.messageId }));
    expect(text).not.toContain(TEST_FLUENT_CLIENT.clientSecret);
    expect(text).not.toContain(TEST_FLUENT_CLIENT.password);
    expect(text).not.toMatch(/Bearer|access_token/);
  });

  it('keeps only the last attempts it is sized for', () => {
    // Prepare
    const calls = new FluentCallLog(2, () => 1_000);
    const delivery = { eventId: 'e1', messageId: 'm1' };
    const attempt = (correlationId: string) => ({
      operation: 'graphql',
      status: '200',
      attempt: 1,
      durationMs: 5,
      next: 'done' as const,
      correlationId,
    });

    // Act
    for (const id of ['c1', 'c2', 'c3']) calls.tap(delivery, attempt(id));

    // Assess
    expect(calls.callsFor(delivery).map((call) => call.correlationId)).toEqual(['c2', 'c3']);
  });
});
