import type { FluentEvent } from '../../../lambdas/core';
import type { FluentEventContext } from '../../../lambdas/consumer/handler-types';
import { DecisionMessage, RECONCILIATION_ORIGIN_REFUSED } from '../../../lambdas/consumer/process-record';
import { Ingress } from '../../../lambdas/contract/ingress';
import { Provenance } from '../../../lambdas/contract/provenance';
import { fluentEventBody } from '../../support/factories';
import { queuedWebhookRecord, signedEventRecord, TEST_QUEUE_ARN } from '../../support/sqs-records';
import { captureOutput, CapturedOutput, decisionLines } from '../../support/captured-output';
import { failedIds, fluentKey, RecordingHistory, testConsumer } from './consumer-fixtures';

const RECONCILIATION_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:fluent-webhooks-reconciliation';

describe('Consumer: unsigned events marked reconciliation', () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const handled: Array<{ event: FluentEvent; context: FluentEventContext }> = [];
  beforeEach(() => handled.splice(0));
  const consumer = (ingress?: 'queue-first', history?: RecordingHistory) =>
    testConsumer(
      {
        default: async (event, context) => {
          handled.push({ event, context });
        },
      },
      {},
      undefined,
      ingress,
      history,
      RECONCILIATION_QUEUE_ARN,
    );
  const backfill = (overrides: Partial<FluentEvent> = {}, eventSourceARN = RECONCILIATION_QUEUE_ARN) => ({
    ...queuedWebhookRecord(fluentEventBody({ id: 'gap-1', ...overrides }), {
      provenance: Provenance.RECONCILIATION,
      requestId: 'reconciliation-run-1',
    }),
    eventSourceARN,
  });

  it('handles one from the reconciliation queue, unsigned, with provenance reconciliation, and archives it', async () => {
    // Prepare
    const history = new RecordingHistory();

    // Act
    const response = await consumer(undefined, history).deliver(backfill());

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(handled.map(({ event, context }) => `${event.id} ${context.provenance}`)).toEqual(['gap-1 reconciliation']);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({ message: DecisionMessage.PROCESSED, provenance: 'reconciliation', eventId: 'gap-1' }),
    ]);
    expect(history.written.map((entry) => entry.record.provenance)).toEqual(['reconciliation']);
  });

  it('refuses the mark on the main queue, signed or not, and runs no handler', async () => {
    // Prepare
    const unsigned = backfill({ id: 'injected' }, TEST_QUEUE_ARN);
    const signed = {
      ...signedEventRecord(fluentKey().privateKey, { id: 'signed-but-marked' }, { provenance: 'reconciliation' })
        .record,
      eventSourceARN: TEST_QUEUE_ARN,
    };

    // Act
    const response = await consumer().deliver(unsigned, signed);

    // Assess
    expect(failedIds(response).sort()).toEqual([unsigned.messageId, signed.messageId].sort());
    expect(handled).toEqual([]);
    expect(decisionLines(output).map((line) => [line.reason, line.verificationReason])).toEqual([
      ['verification-failed', RECONCILIATION_ORIGIN_REFUSED],
      ['verification-failed', RECONCILIATION_ORIGIN_REFUSED],
    ]);
  });

  it('drops the mark from another source as a forgery in queue-first', async () => {
    // Act
    const response = await consumer(Ingress.QUEUE_FIRST).deliver(backfill({ id: 'injected' }, TEST_QUEUE_ARN));

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(handled).toEqual([]);
    expect(decisionLines(output)).toEqual([
      expect.objectContaining({ message: DecisionMessage.FORGED_DROPPED, reason: RECONCILIATION_ORIGIN_REFUSED }),
    ]);
  });

  it('refuses every reconciliation mark when no reconciliation queue is configured', async () => {
    // Prepare
    const unconfigured = testConsumer({ default: async () => undefined });

    // Act
    const response = await unconfigured.deliver(backfill());

    // Assess
    expect(failedIds(response)).toHaveLength(1);
  });

  it('still applies the allow-list to a backfilled event', async () => {
    // Act
    const response = await consumer().deliver(backfill({ accountId: 'SOMEONE_ELSE' }));

    // Assess
    expect(failedIds(response)).toHaveLength(1);
    expect(handled).toEqual([]);
    expect(decisionLines(output)).toEqual([expect.objectContaining({ reason: 'account-not-allowed' })]);
  });
});
