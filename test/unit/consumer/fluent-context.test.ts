import type { FluentEventHandler } from '../../../lambdas/consumer/handler-types';
import { FLUENT_CALL_MESSAGE } from '../../../lambdas/consumer/fluent-context';
import { FluentApiMetric } from '../../../lambdas/contract/observability';
import { FaultKind } from '../../../tools/local/fluent-stand-in/stand-in-faults';
import { FluentCallLog } from '../../../tools/local/inspector/fluent-calls';
import { captureOutput, CapturedOutput, emittedMetrics } from '../../support/captured-output';
import {
  returnApproved,
  StandInFixture,
  startStandInFixture,
  TEST_FLUENT_CLIENT,
} from '../../support/fluent-api-fixtures';
import { signedEventRecord } from '../../support/sqs-records';
import { failedIds, fluentKey, testConsumer } from './consumer-fixtures';

describe('Property: context.fluent in a handler', () => {
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
  const callLines = () => output.records().filter((line) => line.message === FLUENT_CALL_MESSAGE);
  const metricsNamed = (name: string) => emittedMetrics(output).filter((metric) => metric.name === name);

  it('lets a handler post an event back in one line, logging one line per call with the event ids', async () => {
    // Prepare
    const consumer = testConsumer({ default: postsBack }, {}, fixture.client());
    const { record, event } = signedEventRecord(fluent.privateKey, { entityRef: 'RET-42' });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(fixture.standIn.received().events.map((recorded) => recorded.event.entityRef)).toEqual(['RET-42']);
    expect(callLines().map((line) => [line.operation, line.status, line.attempt, line.next])).toEqual([
      ['token', '200', 1, 'done'],
      ['sendEvent', '200', 1, 'done'],
    ]);
    expect(callLines()[1]).toMatchObject({ eventId: event.id, durationMs: expect.any(Number), level: 'INFO' });
    expect(metricsNamed(FluentApiMetric.CALL).map((metric) => metric.value)).toEqual([[1, 1]]);
  });

  it("marks every event a handler sends with the webhook's id, the same on a repeated run, keeping the handler's own attributes", async () => {
    // Prepare: the first run posts back, then fails; the second run posts again (at least once).
    const keys: string[] = [];
    const consumer = testConsumer(
      {
        default: async (event, context) => {
          keys.push(context.idempotencyKey);
          await context.fluent.sendEvent(
            returnApproved({ entityRef: event.entityRef, attributes: { note: `run ${keys.length}` } }),
          );
          await context.fluent.sendEvent(
            returnApproved({ entityRef: event.entityRef, attributes: { sourceEventId: 'chosen-by-the-handler' } }),
          );
          if (keys.length === 1) throw new Error('failed after posting back');
        },
      },
      {},
      fixture.client(),
    );
    const { record, event } = signedEventRecord(fluent.privateKey, { entityRef: 'RET-7' });

    // Act
    const first = await consumer.deliver(record);
    const second = await consumer.deliver(record);

    // Assess
    expect([failedIds(first), failedIds(second)]).toEqual([[record.messageId], []]);
    expect(fixture.standIn.received().events.map((recorded) => recorded.event.attributes)).toEqual([
      { note: 'run 1', sourceEventId: event.id },
      { sourceEventId: 'chosen-by-the-handler' },
      { note: 'run 2', sourceEventId: event.id },
      { sourceEventId: 'chosen-by-the-handler' },
    ]);
    expect(keys).toEqual([keys[0], keys[0]]);
    expect(keys[0]).toMatch(/^fluent-event#[A-Za-z0-9+/]{22}==$/);
  });

  it('counts retries and failures by status, and fails the record when Fluent stays unavailable', async () => {
    // Prepare
    const consumer = testConsumer({ default: postsBack }, {}, fixture.client({ maxAttempts: 2 }));
    fixture.standIn.addFaults([{ kind: FaultKind.UNAVAILABLE, times: 2 }]);
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(callLines().map((line) => `${line.operation}:${line.status}:${line.next}:${line.level}`)).toEqual([
      'token:200:done:INFO',
      'sendEvent:503:retry:WARN',
      'sendEvent:503:fail:ERROR',
    ]);
    expect(metricsNamed(FluentApiMetric.RETRY)).toHaveLength(1);
    expect(metricsNamed(FluentApiMetric.CALL_FAILED).map((metric) => metric.dimensions.status)).toEqual(
      expect.arrayContaining(['503', undefined]),
    );
  });

  it('never logs a credential or a token, even when the login is refused', async () => {
    // Prepare
    const client = fixture.client();
    const consumer = testConsumer({ default: postsBack }, {}, client);
    fixture.standIn.addFaults([{ kind: FaultKind.REFUSE_TOKEN, times: 2 }]);
    await consumer.deliver(signedEventRecord(fluent.privateKey).record);
    await consumer.deliver(signedEventRecord(fluent.privateKey).record);
    fixture.standIn.addFaults([{ kind: FaultKind.UNAUTHORIZED }]);

    // Act
    await consumer.deliver(signedEventRecord(fluent.privateKey).record);
    const token = await client.accessToken();

    // Assess
    const text = output.text();
    expect(text).toContain('FluentAuthenticationError');
    for (const secret of [TEST_FLUENT_CLIENT.clientSecret, TEST_FLUENT_CLIENT.password, token]) {
      expect(text).not.toContain(secret);
    }
  });

  it('throws a "not configured" error naming the settings when a handler uses it without configuration', async () => {
    // Prepare
    const consumer = testConsumer({ default: postsBack });
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    const failure = output.records().find((line) => line.message === 'webhook handler failed');
    expect(JSON.stringify(failure)).toMatch(
      /FluentNotConfiguredError.*context\.fluent is not configured: set FLUENT_API_URL/,
    );
  });

  it('is not built for handlers that never use it', async () => {
    // Prepare
    const consumer = testConsumer({ default: async () => undefined });

    // Act
    const response = await consumer.deliver(signedEventRecord(fluent.privateKey).record);

    // Assess
    expect(failedIds(response)).toEqual([]);
  });

  it("tells the consumer's fluentCallTap each attempt with its delivery: the inspector groups them per call, nothing secret", async () => {
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
});
