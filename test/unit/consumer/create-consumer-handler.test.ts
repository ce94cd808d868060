import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  FLEX_SIGNATURE_HEADER,
  FLUENT_SIGNATURE_HEADER,
  RejectionReason,
  SignaturePolicy,
  signFluentPayload,
  UnhandledEventPolicy,
} from '../../../lambdas/core';
import type { FluentEventContext, FluentEventHandler } from '../../../lambdas/consumer/handler-types';
import { logEvent } from '../../../lambdas/consumer/log-event';
import { DecisionMessage } from '../../../lambdas/consumer/process-record';
import { fluentEvent, fluentEventBody } from '../../support/factories';
import { queuedWebhookRecord, signedEventRecord } from '../../support/sqs-records';
import { captureOutput, CapturedOutput, decisionLines, emittedMetrics } from '../../support/captured-output';
import { failedIds, fluentKey, strangerKey, testConsumer } from './consumer-fixtures';
import { ConsumerMetric, RecordFailureReason } from '../../../lambdas/contract/observability';

describe('Function: createConsumerHandler', () => {
  const fluent = fluentKey();
  const stranger = strangerKey();
  let output: CapturedOutput;

  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  /** A handler that records its calls. */
  const recording = () => {
    const calls: Array<{ event: unknown; context: FluentEventContext }> = [];
    const handler: FluentEventHandler = async (event, context) => {
      calls.push({ event, context });
    };
    return { calls, handler };
  };
  const metricsNamed = (name: string) => emittedMetrics(output).filter((metric) => metric.name === name);

  it('runs the handler for a verified event and logs one "webhook processed" line', async () => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ events: { OrderStatusChange: handler } });
    const { record, rawBody, event } = signedEventRecord(
      fluent.privateKey,
      {},
      { route: '/orders/status/', requestId: 'req-7' },
    );

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.event).toEqual(event);
    expect(calls[0]?.context).toMatchObject({
      rawBody,
      route: 'orders/status',
      receivedAt: '2026-11-28T10:00:00.000Z',
      requestId: 'req-7',
      messageId: record.messageId,
      receiveCount: 1,
    });
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        message: DecisionMessage.PROCESSED,
        level: 'INFO',
        eventId: event.id,
        eventName: 'OrderStatusChange',
        route: 'orders/status',
        outcome: 'processed',
        handler: 'event',
        messageId: record.messageId,
        requestId: 'req-7',
      }),
    ]);
    expect(metricsNamed(ConsumerMetric.EVENT_PROCESSED)).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it('processes ids that JSON.parse would make equal as distinct events, and gives handlers each as sent', async () => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler });
    const { id: _id, ...rest } = fluentEvent();
    const tokens = ['9007199254740993', '9007199254740992', '"77"', '77', '77.0', '7.7e1'];
    const records = tokens.map((token) => {
      const rawBody = Buffer.from(`{"id":${token},${JSON.stringify(rest).slice(1)}`, 'utf8');
      return queuedWebhookRecord(rawBody, { headers: signFluentPayload(rawBody, fluent.privateKey) });
    });

    // Act
    const first = await consumer.deliver(...records);
    const again = await consumer.deliver(...records);

    // Assess
    expect(failedIds(first)).toEqual([]);
    expect(failedIds(again)).toEqual([]);
    expect(calls.map((call) => (call.event as { id: string }).id)).toEqual([
      '9007199254740993',
      '9007199254740992',
      '77',
      '77',
      '77.0',
      '7.7e1',
    ]);
    expect(decisionLines(output).filter((line) => line.outcome === 'duplicate')).toHaveLength(tokens.length);
  });

  it('logs a huge event id and route cut to a few hundred characters with a marker', async () => {
    // Prepare
    const consumer = testConsumer({ default: async () => undefined });
    const rawBody = fluentEventBody({ id: 'x'.repeat(600_000) });
    const record = queuedWebhookRecord(rawBody, {
      headers: signFluentPayload(rawBody, fluent.privateKey),
      route: `r/${'y'.repeat(5000)}`,
    });

    // Act
    await consumer.deliver(record);

    // Assess
    const [line] = decisionLines(output);
    expect(line).toMatchObject({ outcome: 'processed' });
    expect(String(line?.eventId)).toMatch(/^x{300}…\[cut: 600000 characters\]$/);
    expect(String(line?.route)).toMatch(/^r\/y{298}…\[cut: 5002 characters\]$/);
    expect(output.text().length).toBeLessThan(10_000);
  });

  it('runs the handler once per event id across redeliveries and logs the repeat as a duplicate', async () => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler });
    const first = signedEventRecord(fluent.privateKey);
    const again = signedEventRecord(fluent.privateKey);

    // Act
    const responses = [await consumer.deliver(first.record), await consumer.deliver(again.record)];

    // Assess
    expect(responses.map(failedIds)).toEqual([[], []]);
    expect(calls).toHaveLength(1);
    expect(decisionLines(output).map((line) => [line.message, line.messageId])).toEqual([
      [DecisionMessage.PROCESSED, first.record.messageId],
      [DecisionMessage.DUPLICATE, again.record.messageId],
    ]);
    expect(decisionLines(output)[1]).toMatchObject({
      outcome: 'duplicate',
      eventId: first.event.id,
      firstHandledAt: expect.any(String),
    });
    expect(metricsNamed(ConsumerMetric.DUPLICATE_EVENT)).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it.each([
    [
      'signed with a key that is not configured',
      () => signFluentPayload(fluentEventBody(), stranger.privateKey),
      {},
      RejectionReason.NO_MATCHING_KEY,
    ],
    [
      'signed over a different body',
      () => signFluentPayload(fluentEventBody({ entityStatus: 'CANCELLED' }), fluent.privateKey),
      {},
      RejectionReason.NO_MATCHING_KEY,
    ],
    ['without signatures', () => ({}), {}, RejectionReason.MISSING_SIGNATURE],
    [
      'with only an MD5 signature under require-sha512',
      () => ({
        [FLEX_SIGNATURE_HEADER]: signFluentPayload(fluentEventBody(), fluent.privateKey)[FLEX_SIGNATURE_HEADER],
      }),
      { signaturePolicy: SignaturePolicy.REQUIRE_SHA512 },
      RejectionReason.MD5_REFUSED_BY_POLICY,
    ],
  ])('fails a message %s without running a handler', async (_case, headers, settings, verificationReason) => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler }, settings);
    const record = queuedWebhookRecord(fluentEventBody(), { headers: headers() });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(calls).toHaveLength(0);
    expect(consumer.store.records.size).toBe(0);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        message: DecisionMessage.FAILED[RecordFailureReason.VERIFICATION_FAILED],
        level: 'ERROR',
        outcome: 'failed',
        reason: RecordFailureReason.VERIFICATION_FAILED,
        verificationReason,
        messageId: record.messageId,
      }),
    ]);
    expect(decisionLines(output)[0]).not.toHaveProperty('eventId');
    expect(metricsNamed(ConsumerMetric.VERIFICATION_FAILED)).toEqual([
      expect.objectContaining({ value: 1, dimensions: expect.objectContaining({ reason: verificationReason }) }),
    ]);
    expect(metricsNamed(ConsumerMetric.RECORD_FAILED)).toEqual([
      expect.objectContaining({
        value: 1,
        dimensions: expect.objectContaining({ reason: RecordFailureReason.VERIFICATION_FAILED }),
      }),
    ]);
  });

  it('accepts an MD5-only signature under prefer-sha512 (older Fluent senders)', async () => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler });
    const rawBody = fluentEventBody();
    const record = queuedWebhookRecord(rawBody, {
      headers: { [FLEX_SIGNATURE_HEADER]: signFluentPayload(rawBody, fluent.privateKey)[FLEX_SIGNATURE_HEADER] },
    });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['another account', { accountId: 'GLOBEX' }, {}, RecordFailureReason.ACCOUNT_NOT_ALLOWED],
    [
      'another retailer',
      { retailerId: '2' },
      { allowList: { accountIds: ['ACME'], retailerIds: ['1'] } },
      RecordFailureReason.RETAILER_NOT_ALLOWED,
    ],
  ])('fails a verified event for %s without running a handler', async (_case, overrides, settings, reason) => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler }, settings);
    const { record, event } = signedEventRecord(fluent.privateKey, overrides);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(calls).toHaveLength(0);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({ level: 'ERROR', outcome: 'failed', reason, eventId: event.id, eventName: event.name }),
    ]);
    expect(metricsNamed(ConsumerMetric.RECORD_FAILED)).toEqual([
      expect.objectContaining({ dimensions: expect.objectContaining({ reason }) }),
    ]);
  });

  it.each([
    ['not JSON', 'not json', 'invalid-json'],
    ['a JSON array', '[1,2]', 'not-an-object'],
    ['missing required fields', '{"id":"e-1","name":"X","accountId":"ACME","retailerId":"1"}', 'invalid-event'],
  ])('fails a signed body that is %s as a malformed event', async (_case, body, problem) => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler });
    const record = queuedWebhookRecord(Buffer.from(body), { headers: signFluentPayload(body, fluent.privateKey) });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(calls).toHaveLength(0);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        reason: RecordFailureReason.MALFORMED_EVENT,
        problem,
        detail: expect.any(String),
      }),
    ]);
  });

  it('names the invalid fields of a malformed event', async () => {
    // Prepare
    const consumer = testConsumer({});
    const body = '{"id":"e-1","name":"X","accountId":"ACME","retailerId":"1"}';
    const record = queuedWebhookRecord(Buffer.from(body), { headers: signFluentPayload(body, fluent.privateKey) });

    // Act
    await consumer.deliver(record);

    // Assess
    expect(decisionLines(output)[0]?.detail).toBe(
      'The body is not a Fluent event: missing or invalid entityId, entityRef, entityType.',
    );
  });

  it('ignores an event no handler claims when UNHANDLED_EVENTS is ignore, with one log line', async () => {
    // Prepare
    const consumer = testConsumer({ events: { SomethingElse: recording().handler } });
    const { record, event } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(consumer.store.records.size).toBe(0);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        message: DecisionMessage.UNHANDLED_IGNORED,
        outcome: 'ignored',
        eventId: event.id,
        eventName: event.name,
      }),
    ]);
    expect(metricsNamed(ConsumerMetric.UNHANDLED_EVENT)).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it('fails an event no handler claims when UNHANDLED_EVENTS is fail, so it reaches the DLQ', async () => {
    // Prepare
    const consumer = testConsumer({}, { unhandledEvents: UnhandledEventPolicy.FAIL });
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({ outcome: 'failed', reason: RecordFailureReason.UNHANDLED_EVENT }),
    ]);
    expect(metricsNamed(ConsumerMetric.UNHANDLED_EVENT)).toEqual([expect.objectContaining({ value: 1 })]);
    expect(metricsNamed(ConsumerMetric.RECORD_FAILED)).toEqual([
      expect.objectContaining({ dimensions: expect.objectContaining({ reason: RecordFailureReason.UNHANDLED_EVENT }) }),
    ]);
  });

  it('fails only the record whose handler throws, and runs it again on the retry', async () => {
    // Prepare
    let attempts = 0;
    const flaky: FluentEventHandler = async (event) => {
      if (event.entityRef === 'FLAKY' && attempts++ === 0) throw new Error('downstream timed out');
    };
    const consumer = testConsumer({ default: flaky });
    const bad = signedEventRecord(fluent.privateKey, { id: 'event-bad', entityRef: 'FLAKY' });
    const good = signedEventRecord(fluent.privateKey, { id: 'event-good' });

    // Act
    const first = await consumer.deliver(bad.record, good.record);
    const retry = await consumer.deliver(
      signedEventRecord(fluent.privateKey, { id: 'event-bad', entityRef: 'FLAKY' }).record,
    );

    // Assess
    expect(failedIds(first)).toEqual([bad.record.messageId]);
    expect(failedIds(retry)).toEqual([]);
    expect(attempts).toBe(2);
    const lines = decisionLines(output);
    expect(lines.find((line) => line.eventId === 'event-good')).toMatchObject({ outcome: 'processed' });
    expect(lines.filter((line) => line.eventId === 'event-bad')).toEqual([
      expect.objectContaining({
        message: DecisionMessage.FAILED[RecordFailureReason.HANDLER_FAILED],
        reason: RecordFailureReason.HANDLER_FAILED,
        error: expect.objectContaining({ name: 'Error', message: 'downstream timed out' }),
      }),
      expect.objectContaining({ outcome: 'processed' }),
    ]);
  });

  it('runs the handler once when two deliveries of one event arrive together; the other retries as a duplicate', async () => {
    // Prepare
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const slow: FluentEventHandler = async () => {
      runs += 1;
      await gate;
    };
    const consumer = testConsumer({ default: slow });
    const one = signedEventRecord(fluent.privateKey);
    const two = signedEventRecord(fluent.privateKey);

    // Act
    const batch = consumer.deliver(one.record, two.record);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const response = await batch;
    const retry = await consumer.deliver(two.record);

    // Assess
    expect(runs).toBe(1);
    expect(failedIds(response)).toEqual([two.record.messageId]);
    expect(failedIds(retry)).toEqual([]);
    expect(decisionLines(output).map((line) => [line.messageId, line.outcome, line.reason])).toEqual([
      [two.record.messageId, 'failed', RecordFailureReason.ALREADY_IN_PROGRESS],
      [one.record.messageId, 'processed', undefined],
      [two.record.messageId, 'duplicate', undefined],
    ]);
  });

  it('fails the record, without running the handler, when the idempotency table is unreachable', async () => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler });
    consumer.store.failWith = new Error('connect ECONNREFUSED 127.0.0.1:8000');
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(calls).toHaveLength(0);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        reason: RecordFailureReason.IDEMPOTENCY_STORE_FAILED,
        error: expect.objectContaining({ name: 'IdempotencyPersistenceLayerError' }),
      }),
    ]);
  });

  it.each([
    [
      'its route over its event name',
      { routes: { 'orders/status': 'route' }, events: { OrderStatusChange: 'event' }, default: 'default' },
      'route',
    ],
    [
      'its event name over the default',
      { routes: { 'orders/other': 'route' }, events: { OrderStatusChange: 'event' }, default: 'default' },
      'event',
    ],
    ['the default when nothing else matches', { events: { OrderCreated: 'event' }, default: 'default' }, 'default'],
  ] as const)('dispatches an event to %s', async (_case, table, expected) => {
    // Prepare
    const ran: string[] = [];
    const named =
      (name: string): FluentEventHandler =>
      async () => {
        ran.push(name);
      };
    const mapOf = (entries: Readonly<Record<string, string>> | undefined) =>
      entries && Object.fromEntries(Object.entries(entries).map(([key, name]) => [key, named(name)]));
    const consumer = testConsumer({
      routes: mapOf('routes' in table ? table.routes : undefined),
      events: mapOf(table.events),
      default: named(table.default),
    });

    // Act
    await consumer.deliver(signedEventRecord(fluent.privateKey, {}, { route: 'orders/status' }).record);

    // Assess
    expect(ran).toEqual([expected]);
    expect(decisionLines(output)[0]).toMatchObject({ outcome: 'processed', handler: expected });
  });

  it('gives the handler a logger that tags its lines with the event, and publishes its metrics', async () => {
    // Prepare
    const consumer = testConsumer({
      default: async (_event, { logger, metrics }) => {
        logger.info('handler says hello');
        metrics.addMetric('OrdersSynced', MetricUnit.Count, 1);
      },
    });
    const { record, event } = signedEventRecord(fluent.privateKey, {}, { route: 'orders/status' });

    // Act
    await consumer.deliver(record);

    // Assess
    expect(output.records().find((line) => line.message === 'handler says hello')).toMatchObject({
      eventId: event.id,
      eventName: event.name,
      route: 'orders/status',
      messageId: record.messageId,
    });
    expect(metricsNamed('OrdersSynced')).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it('never logs the body or the signatures, whatever the outcome', async () => {
    // Prepare
    const consumer = testConsumer({ default: logEvent });
    const secretValue = 'TRACKING-SECRET-4711';
    const processed = signedEventRecord(fluent.privateKey, {
      id: 'event-1',
      attributes: { trackingNumber: secretValue },
    });
    const forgedBody = fluentEventBody({ id: 'event-2', attributes: { trackingNumber: secretValue } });
    const forgedHeaders = signFluentPayload(forgedBody, stranger.privateKey);
    const forged = queuedWebhookRecord(forgedBody, { headers: forgedHeaders });

    // Act
    await consumer.deliver(processed.record, forged);

    // Assess
    const text = output.text();
    expect(decisionLines(output)).toHaveLength(2);
    expect(text).not.toContain(secretValue);
    expect(text).not.toContain(forgedHeaders[FLUENT_SIGNATURE_HEADER]);
    expect(text).not.toContain(processed.record.messageAttributes.FluentSignature?.stringValue);
  });

  it('verifies a body the receiver had to carry base64-encoded (characters SQS refuses)', async () => {
    // Prepare
    const { calls, handler } = recording();
    const consumer = testConsumer({ default: handler });
    const rawBody = Buffer.from(JSON.stringify(fluentEvent({ entityRef: 'HD_\uFFFF' })), 'utf8');
    const record = queuedWebhookRecord(rawBody, { headers: signFluentPayload(rawBody, fluent.privateKey) });

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(record.messageAttributes.BodyEncoding?.stringValue).toBe('base64');
    expect(failedIds(response)).toEqual([]);
    expect(calls[0]?.context.rawBody.equals(rawBody)).toBe(true);
  });

  it('still logs one decision and fails only that record when something unforeseen throws', async () => {
    // Prepare
    const broken = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw new Error('a broken handler map');
        },
      },
    );
    const consumer = testConsumer({ routes: broken });
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({
        message: DecisionMessage.FAILED[RecordFailureReason.UNEXPECTED_ERROR],
        reason: RecordFailureReason.UNEXPECTED_ERROR,
        messageId: record.messageId,
        error: expect.objectContaining({ message: 'a broken handler map' }),
      }),
    ]);
  });

  it('reports every record when all of a batch fails, instead of throwing', async () => {
    // Prepare
    const consumer = testConsumer({});
    const records = [queuedWebhookRecord(fluentEventBody()), queuedWebhookRecord(fluentEventBody())];

    // Act
    const response = await consumer.deliver(...records);

    // Assess
    expect(failedIds(response)).toEqual(records.map((record) => record.messageId));
  });
});
