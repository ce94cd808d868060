import { RejectionReason, signFluentPayload } from '../../../lambdas/core';
import type { FluentEventHandler } from '../../../lambdas/consumer/handler-types';
import { DecisionMessage } from '../../../lambdas/consumer/process-record';
import { ConsumerMetric, RecordFailureReason } from '../../../lambdas/contract/observability';
import { Ingress, readIngress } from '../../../lambdas/contract/ingress';
import { fluentEventBody } from '../../support/factories';
import { queuedWebhookRecord, signedEventRecord } from '../../support/sqs-records';
import { captureOutput, CapturedOutput, decisionLines, emittedMetrics } from '../../support/captured-output';
import { failedIds, fluentKey, strangerKey, testConsumer } from './consumer-fixtures';

describe('Function: createConsumerHandler with ingress queue-first (the consumer is the only judge)', () => {
  const fluent = fluentKey();
  const stranger = strangerKey();
  let output: CapturedOutput;
  let handled: string[];
  const handler: FluentEventHandler = async (event) => {
    handled.push(event.id);
  };

  beforeEach(() => {
    output = captureOutput();
    handled = [];
  });
  afterEach(() => output.restore());

  const metricsNamed = (name: string) => emittedMetrics(output).filter((metric) => metric.name === name);

  it.each([
    ['signed with a key that is not configured', () => signFluentPayload(fluentEventBody(), stranger.privateKey)],
    [
      'tampered after signing',
      () => signFluentPayload(fluentEventBody({ entityStatus: 'CANCELLED' }), fluent.privateKey),
    ],
    ['without signatures', () => ({})],
  ])('drops a message %s: deleted, logged once with its reason, counted, never handled', async (_case, headers) => {
    // Prepare
    const consumer = testConsumer({ default: handler }, {}, undefined, Ingress.QUEUE_FIRST);
    const record = queuedWebhookRecord(fluentEventBody(), { headers: headers() });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(handled).toEqual([]);
    expect(consumer.store.records.size).toBe(0);
    const lines = decisionLines(output);
    expect(lines).toEqual([
      expect.objectContaining({
        message: DecisionMessage.FORGED_DROPPED,
        level: 'WARN',
        outcome: 'forged',
        reason: expect.stringMatching(/^(no-matching-key|missing-signature)$/),
        messageId: record.messageId,
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('eventId');
    const reason = lines[0]?.reason;
    expect(metricsNamed(ConsumerMetric.FORGED_MESSAGE_DROPPED)).toEqual([
      expect.objectContaining({ value: 1, dimensions: expect.not.objectContaining({ reason }) }),
      expect.objectContaining({ value: 1, dimensions: expect.objectContaining({ reason }) }),
    ]);
    expect(metricsNamed(ConsumerMetric.RECORD_FAILED)).toEqual([]);
  });

  it('drops a genuinely signed event for an account it does not serve, with the allow-list reason', async () => {
    // Prepare
    const consumer = testConsumer({ default: handler }, {}, undefined, Ingress.QUEUE_FIRST);
    const { record, event } = signedEventRecord(fluent.privateKey, { accountId: 'GLOBEX' });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(handled).toEqual([]);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        message: DecisionMessage.FORGED_DROPPED,
        reason: RecordFailureReason.ACCOUNT_NOT_ALLOWED,
        eventId: event.id,
      }),
    ]);
  });

  it('processes a genuine event exactly once, as in verify-first', async () => {
    // Prepare
    const consumer = testConsumer({ default: handler }, {}, undefined, Ingress.QUEUE_FIRST);
    const first = signedEventRecord(fluent.privateKey);
    const again = signedEventRecord(fluent.privateKey);

    // Act
    const responses = [await consumer.deliver(first.record), await consumer.deliver(again.record)];

    // Assess
    expect(responses.map(failedIds)).toEqual([[], []]);
    expect(handled).toEqual([first.event.id]);
  });

  it('still fails (retries, then dead-letters) a signed event that is not valid JSON: Fluent sent it', async () => {
    // Prepare
    const consumer = testConsumer({ default: handler }, {}, undefined, Ingress.QUEUE_FIRST);
    const rawBody = Buffer.from('{"id":');
    const record = queuedWebhookRecord(rawBody, { headers: signFluentPayload(rawBody, fluent.privateKey) });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(decisionLines(output)[0]).toMatchObject({ reason: RecordFailureReason.MALFORMED_EVENT });
  });

  it('keeps failing forgeries in verify-first, where the receiver already let them through', async () => {
    // Prepare
    const consumer = testConsumer({ default: handler });
    const record = queuedWebhookRecord(fluentEventBody(), { headers: {} });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(decisionLines(output)[0]).toMatchObject({
      reason: RecordFailureReason.VERIFICATION_FAILED,
      verificationReason: RejectionReason.MISSING_SIGNATURE,
    });
  });
});

describe('Function: readIngress (the consumer Lambda reads INGRESS)', () => {
  it.each([
    [{}, 'verify-first'],
    [{ INGRESS: 'queue-first' }, 'queue-first'],
    [{ INGRESS: ' verify-first ' }, 'verify-first'],
  ])('reads %j as %s', (env, ingress) => {
    // Act & Assess
    expect(readIngress(env)).toBe(ingress);
  });

  it('refuses an unknown mode instead of guessing whether to drop forgeries', () => {
    // Act & Assess
    expect(() => readIngress({ INGRESS: 'queuefirst' })).toThrow(
      'INGRESS is "queuefirst"; use verify-first or queue-first. The stack sets it from its ingress setting.',
    );
  });
});
