import { RejectionReason, signFluentPayload } from '../../../lambdas/core';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../../../lambdas/core/constants';
import type { FluentEventContext } from '../../../lambdas/consumer/handler-types';
import { DecisionMessage } from '../../../lambdas/consumer/process-record';
import { RecordFailureReason } from '../../../lambdas/contract/observability';
import { Ingress } from '../../../lambdas/contract/ingress';
import { fluentEventBody } from '../../support/factories';
import { queuedWebhookRecord, signedEventRecord } from '../../support/sqs-records';
import { captureOutput, CapturedOutput, decisionLines, emittedMetrics } from '../../support/captured-output';
import { failedIds, fluentKey, RecordingHistory, strangerKey, testConsumer } from './consumer-fixtures';

describe('Consumer: history and provenance', () => {
  const fluent = fluentKey();
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  /** A consumer whose handler always throws, over this history: every record fails and its failure is archived. */
  const failingHandlerWith = (history: Parameters<typeof testConsumer>[4]) =>
    testConsumer(
      {
        default: async () => {
          throw new Error('the downstream system is down');
        },
      },
      {},
      undefined,
      undefined,
      history,
    );

  it('archives a processed event with its exact bytes, both signatures and its outcome, before its decision line', async () => {
    // Prepare
    const history = new RecordingHistory();
    const consumer = testConsumer({ default: async () => undefined }, {}, undefined, undefined, history);
    const { record, rawBody, event } = signedEventRecord(
      fluent.privateKey,
      { entityRef: 'F_1', rootEntityRef: 'HD_1' },
      { route: '/orders/', requestId: 'req-9', receiveCount: 2 },
    );
    const signed = signFluentPayload(rawBody, fluent.privateKey);

    // Act
    const response = await consumer.deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(history.written).toHaveLength(1);
    const [archived] = history.written;
    expect(archived?.rawBody?.equals(rawBody)).toBe(true);
    expect(archived?.signatures).toEqual({
      [FLUENT_SIGNATURE_HEADER]: [signed[FLUENT_SIGNATURE_HEADER]],
      [FLEX_SIGNATURE_HEADER]: [signed[FLEX_SIGNATURE_HEADER]],
    });
    expect(archived?.record).toEqual({
      eventId: event.id,
      messageId: record.messageId,
      name: event.name,
      accountId: 'ACME',
      retailerId: String(event.retailerId),
      entityType: event.entityType,
      entityRef: 'F_1',
      rootEntityRef: 'HD_1',
      route: 'orders',
      receivedAt: '2026-11-28T10:00:00.000Z',
      requestId: 'req-9',
      outcome: 'processed',
      attempts: 2,
      durationMs: expect.any(Number),
      provenance: 'webhook',
      decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('marks every decision line with the provenance and hands it to the handler', async () => {
    // Prepare
    const seen: FluentEventContext[] = [];
    const consumer = testConsumer({
      default: async (_event, context) => {
        seen.push(context);
      },
    });
    const webhook = signedEventRecord(fluent.privateKey, { id: 'e-webhook' }).record;
    const replayed = signedEventRecord(fluent.privateKey, { id: 'e-replay' }, { provenance: 'replay' }).record;
    const forged = queuedWebhookRecord(fluentEventBody(), {
      headers: signFluentPayload(fluentEventBody(), strangerKey().privateKey),
    });

    // Act
    await consumer.deliver(webhook, replayed, forged);

    // Assess
    expect(seen.map((context) => context.provenance).sort()).toEqual(['replay', 'webhook']);
    expect(
      decisionLines(output)
        .map((line) => `${line.outcome} ${line.provenance}`)
        .sort(),
    ).toEqual(['failed webhook', 'processed replay', 'processed webhook']);
  });

  it('archives a failure with its reason, and a duplicate as a duplicate', async () => {
    // Prepare
    const history = new RecordingHistory();
    let fail = true;
    const consumer = testConsumer(
      {
        default: async () => {
          if (fail) throw new Error('boom');
        },
      },
      {},
      undefined,
      undefined,
      history,
    );
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    await consumer.deliver(record);
    fail = false;
    await consumer.deliver(record);
    await consumer.deliver(record);

    // Assess
    expect(history.written.map(({ record: archived }) => [archived.outcome, archived.reason])).toEqual([
      ['failed', RecordFailureReason.HANDLER_FAILED],
      ['processed', undefined],
      ['duplicate', undefined],
    ]);
  });

  it('retries a processed event whose history write failed, with one history-store-failed line, and archives it next time', async () => {
    // Prepare
    const history = new RecordingHistory();
    let runs = 0;
    const consumer = testConsumer(
      {
        default: async () => {
          runs += 1;
        },
      },
      {},
      undefined,
      undefined,
      history,
    );
    const { record } = signedEventRecord(fluent.privateKey);
    history.failing = true;

    // Act
    const first = await consumer.deliver(record);
    history.failing = false;
    const second = await consumer.deliver(record);

    // Assess
    expect(failedIds(first)).toEqual([record.messageId]);
    expect(failedIds(second)).toEqual([]);
    expect(runs).toBe(1);
    expect(decisionLines(output).map((line) => [line.message, line.reason, line.handled])).toEqual([
      [
        DecisionMessage.FAILED[RecordFailureReason.HISTORY_STORE_FAILED],
        RecordFailureReason.HISTORY_STORE_FAILED,
        'processed',
      ],
      [DecisionMessage.DUPLICATE, undefined, undefined],
    ]);
    expect(history.written.map(({ record: archived }) => archived.outcome)).toEqual(['duplicate']);
  });

  it("fails a record whose failure the history does not write over its message's completion: completionKept, no historyError, retried", async () => {
    // Prepare: the history answers as the table does when this message's record is already processed
    const kept = { write: async () => 'completion-kept' as const, completionsOf: async () => [] };
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await failingHandlerWith(kept).deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    const [line] = decisionLines(output);
    expect(line).toMatchObject({
      message: DecisionMessage.FAILED[RecordFailureReason.HANDLER_FAILED],
      outcome: 'failed',
      reason: RecordFailureReason.HANDLER_FAILED,
      completionKept: true,
    });
    expect(line?.historyError).toBeUndefined();
    expect(emittedMetrics(output)).toContainEqual(expect.objectContaining({ name: 'RecordFailed', value: 1 }));
  });

  it('archives an already-in-progress failure: another delivery of the event is running', async () => {
    // Prepare: message A's handler holds while message B of the same event arrives, then A's copy comes back
    const history = new RecordingHistory();
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const consumer = testConsumer(
      {
        default: async () => {
          started();
          await new Promise<void>((resolve) => (release = resolve));
        },
      },
      {},
      undefined,
      undefined,
      history,
    );
    const body = fluentEventBody();
    const headers = signFluentPayload(body, fluent.privateKey);
    const [a, b] = [queuedWebhookRecord(body, { headers }), queuedWebhookRecord(body, { headers })];

    // Act
    const running = consumer.deliver(a);
    await handlerStarted;
    const bResponse = await consumer.deliver(b);
    release();
    await running;

    // Assess
    expect(failedIds(bResponse)).toEqual([b.messageId]);
    expect(history.written.map(({ record }) => [record.messageId, record.outcome, record.reason])).toEqual([
      [b.messageId, 'failed', RecordFailureReason.ALREADY_IN_PROGRESS],
      [a.messageId, 'processed', undefined],
    ]);
  });

  it('fails a record with its own reason and the historyError when its failure cannot be written at all', async () => {
    // Prepare: the conditional write of a failure fails (throttled), as a batch write can
    const throttled = new Error('Throughput exceeds the current capacity of your table');
    const failing = {
      write: async () => {
        throw throttled;
      },
      completionsOf: async () => [],
    };
    const { record } = signedEventRecord(fluent.privateKey);

    // Act
    const response = await failingHandlerWith(failing).deliver(record);

    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    const [line] = decisionLines(output);
    expect(line).toMatchObject({ reason: RecordFailureReason.HANDLER_FAILED, historyError: expect.anything() });
    expect(line?.completionKept).toBeUndefined();
  });

  it('does not archive a forgery in queue-first, nor a message whose signature fails in verify-first', async () => {
    // Prepare
    const history = new RecordingHistory();
    const body = fluentEventBody();
    const forged = () => queuedWebhookRecord(body, { headers: signFluentPayload(body, strangerKey().privateKey) });
    const queueFirst = testConsumer({ default: async () => undefined }, {}, undefined, Ingress.QUEUE_FIRST, history);
    const verifyFirst = testConsumer({ default: async () => undefined }, {}, undefined, undefined, history);

    // Act
    await queueFirst.deliver(forged());
    await verifyFirst.deliver(forged());

    // Assess
    expect(history.written).toEqual([]);
    expect(decisionLines(output).map((line) => [line.outcome, line.verificationReason ?? line.reason])).toEqual([
      ['forged', RejectionReason.NO_MATCHING_KEY],
      ['failed', RejectionReason.NO_MATCHING_KEY],
    ]);
  });

  it('runs a processed event again once per replay --reprocess run, and a resumed run does not run it twice', async () => {
    // Prepare
    let runs = 0;
    const consumer = testConsumer({
      default: async () => {
        runs += 1;
      },
    });
    const body = fluentEventBody();
    const headers = signFluentPayload(body, fluent.privateKey);
    const delivery = (options = {}) => queuedWebhookRecord(body, { headers, ...options });

    // Act
    await consumer.deliver(delivery());
    await consumer.deliver(delivery({ provenance: 'replay' }));
    await consumer.deliver(delivery({ provenance: 'replay', replayRun: 'run-1' }));
    await consumer.deliver(delivery({ provenance: 'replay', replayRun: 'run-1' }));
    await consumer.deliver(delivery({ provenance: 'replay', replayRun: 'run-2' }));
    await consumer.deliver(delivery({ replayRun: 'run-3' }));

    // Assess: the webhook, run-1 once, run-2 once; a plain replay and a run id without replay provenance are duplicates.
    expect(runs).toBe(3);
  });
});
