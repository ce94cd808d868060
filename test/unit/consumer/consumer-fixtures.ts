import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { ReceiverSettings, SignaturePolicy, UnhandledEventPolicy } from '../../../lambdas/core';
import { ConsumerHandler, createConsumerHandler } from '../../../lambdas/consumer/create-consumer-handler';
import type { FluentEventHandlers } from '../../../lambdas/consumer/handler-types';
import { createLambdaContext } from '../../../tools/local/lambda-context';
import { createLogger, createMetrics } from '../../../lambdas/shared/observability';
import { testKeyPair } from '../../support/test-keys';
import { InMemoryPersistenceLayer } from './in-memory-persistence-layer';
import type { FluentApiClient } from '../../../lambdas/fluent-api';
import type { FluentCallTap } from '../../../lambdas/consumer/fluent-context';
import type { IngressName } from '../../../lambdas/contract/ingress';
import {
  ArchivedWebhook,
  COMPLETION_KEEPING_OUTCOMES,
  COMPLETION_OUTCOMES,
  HistoryCompletion,
  HistoryStore,
  HistoryWriteResult,
} from '../../../lambdas/contract/history';

/**
 * The history as the consumer uses it, in memory: keeps what is written (a retry of a message overwrites its record,
 * as the table does, but an outcome of `COMPLETION_KEEPING_OUTCOMES` never overwrites a completion), answers
 * `completionsOf` from it, fails while `failing`.
 */
export class RecordingHistory implements Pick<HistoryStore, 'write' | 'completionsOf'> {
  public readonly written: ArchivedWebhook[] = [];
  public failing = false;

  public async write(entry: ArchivedWebhook): Promise<HistoryWriteResult> {
    if (this.failing) throw new Error('history table unreachable');
    const { eventId, messageId, outcome } = entry.record;
    const current = [...this.written]
      .reverse()
      .find(({ record }) => record.eventId === eventId && record.messageId === messageId)?.record;
    if (
      current !== undefined &&
      COMPLETION_OUTCOMES.includes(current.outcome) &&
      COMPLETION_KEEPING_OUTCOMES.includes(outcome)
    ) {
      return 'completion-kept';
    }
    this.written.push(entry);
    return 'written';
  }

  public async completionsOf(eventId: string): Promise<HistoryCompletion[]> {
    if (this.failing) throw new Error('history table unreachable');
    const latest = new Map(
      this.written
        .filter(({ record }) => record.eventId === eventId)
        .map(({ record }) => [record.messageId, record] as const),
    );
    return [...latest.values()]
      .filter((record) => COMPLETION_OUTCOMES.includes(record.outcome))
      .map(({ messageId, outcome, decidedAt, replayRun }) => ({ messageId, outcome, decidedAt, replayRun }));
  }
}

export const fluentKey = () => testKeyPair(1024, 'fluent');
export const strangerKey = () => testKeyPair(1024, 'stranger');

/** Settings as parseReceiverSettings would produce them, trusting the `fluent` test key and account ACME. */
export function consumerSettings(overrides: Partial<ReceiverSettings> = {}): ReceiverSettings {
  return {
    publicKeys: [fluentKey().parsed],
    signaturePolicy: SignaturePolicy.PREFER_SHA512,
    allowList: { accountIds: ['ACME'] },
    unhandledEvents: UnhandledEventPolicy.IGNORE,
    idempotencyExpirySeconds: 48 * 3600,
    ...overrides,
  };
}

export function lambdaContext(): Context {
  return createLambdaContext({
    functionName: 'consumer',
    timeoutSeconds: 30,
    memorySizeMb: 256,
    region: 'us-east-1',
    accountId: '000000000000',
  });
}

export interface TestConsumer {
  readonly store: InMemoryPersistenceLayer;
  /** Invokes the consumer with one batch, as Lambda's event source would. */
  readonly deliver: (...records: SQSRecord[]) => Promise<SQSBatchResponse>;
  readonly handler: ConsumerHandler;
}

/** The real consumer over an in-memory idempotency store. */
export function testConsumer(
  handlers: FluentEventHandlers,
  settings: Partial<ReceiverSettings> = {},
  fluentApi?: FluentApiClient,
  ingress?: IngressName,
  history?: Pick<HistoryStore, 'write' | 'completionsOf'>,
  reconciliationSourceArn?: string,
  fluentCallTap?: FluentCallTap,
): TestConsumer {
  const store = new InMemoryPersistenceLayer();
  const handler = createConsumerHandler({
    settings: consumerSettings(settings),
    persistenceStore: store,
    handlers,
    ingress,
    logger: createLogger('consumer'),
    metrics: createMetrics('consumer'),
    fluentApi,
    history,
    reconciliationSourceArn,
    fluentCallTap,
  });
  return { store, handler, deliver: (...records) => handler({ Records: records }, lambdaContext()) };
}

/** The message ids a batch response reports as failed. */
export function failedIds(response: SQSBatchResponse): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}
