import type { ProcessedStatus, EntityStatusStore } from '../../../lambdas/consumer/entity-status-store';
import { createConsumerHandler } from '../../../lambdas/consumer/create-consumer-handler';
import { DecisionMessage } from '../../../lambdas/consumer/process-record';
import type { HistoryStore } from '../../../lambdas/contract/history';
import type { FluentEvent } from '../../../lambdas/core';
import { createLogger, createMetrics } from '../../../lambdas/shared/observability';
import { captureOutput, CapturedOutput, decisionLines, emittedMetrics } from '../../support/captured-output';
import { signedEventRecord } from '../../support/sqs-records';
import { consumerSettings, failedIds, fluentKey, lambdaContext } from './consumer-fixtures';
import { InMemoryPersistenceLayer } from './in-memory-persistence-layer';

/** The store as a map, counting its calls: the guard's DynamoDB items, without DynamoDB. */
class InMemoryEntityStatusStore implements EntityStatusStore {
  public readonly items = new Map<string, ProcessedStatus & { eventId: string; expiresAt: number }>();
  public reads = 0;
  public failReads = false;

  public async lastProcessed(entity: string): Promise<ProcessedStatus | undefined> {
    this.reads += 1;
    if (this.failReads) throw new Error('table unreachable');
    return this.items.get(entity);
  }

  public async recordProcessed(entity: string, processed: ProcessedStatus & { eventId: string }, expiresAt: number) {
    const last = this.items.get(entity);
    if (last === undefined || last.rank <= processed.rank) this.items.set(entity, { ...processed, expiresAt });
  }
}

describe('Function: createConsumerHandler with staleStatusGuard', () => {
  const fluent = fluentKey();
  let output: CapturedOutput;
  let handled: string[];
  let store: InMemoryEntityStatusStore;
  beforeEach(() => {
    output = captureOutput();
    handled = [];
    store = new InMemoryEntityStatusStore();
  });
  afterEach(() => output.restore());

  const consumer = (history?: Pick<HistoryStore, 'write' | 'completionsOf'>) =>
    createConsumerHandler({
      settings: consumerSettings(),
      persistenceStore: new InMemoryPersistenceLayer(),
      handlers: { default: async (event: FluentEvent) => void handled.push(event.id) },
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
      staleStatusGuard: { order: { ORDER: ['CREATED', 'BOOKED', 'SHIPPED', 'COMPLETE'] }, store },
      history,
    });
  const deliver = (id: string, entityStatus: string, overrides: Partial<FluentEvent> = {}) =>
    consumer()(
      { Records: [signedEventRecord(fluent.privateKey, { id, entityStatus, ...overrides }).record] },
      lambdaContext(),
    );

  it('skips an event whose status comes before the last one processed for its entity: logged, counted, deleted', async () => {
    // Prepare
    await deliver('shipped', 'SHIPPED');

    // Act
    const response = await deliver('booked-late', 'BOOKED');

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(handled).toEqual(['shipped']);
    expect(decisionLines(output).at(-1)).toMatchObject({
      message: DecisionMessage.STALE_SKIPPED,
      level: 'WARN',
      outcome: 'stale',
      eventId: 'booked-late',
      entity: 'ACME/ORDER/HD_123',
      entityStatus: 'BOOKED',
      lastProcessedStatus: 'SHIPPED',
    });
    expect(emittedMetrics(output)).toContainEqual(expect.objectContaining({ name: 'StaleEventSkipped', value: 1 }));
  });

  it("skips a stale redelivery whose message's record in the history is a completion, and says the completion was kept", async () => {
    // Prepare: the history answers as the table does for a message already processed
    await deliver('shipped', 'SHIPPED');
    const withHistory = consumer({ write: async () => 'completion-kept', completionsOf: async () => [] });
    const { record } = signedEventRecord(fluent.privateKey, { id: 'booked-late', entityStatus: 'BOOKED' });

    // Act
    const response = await withHistory({ Records: [record] }, lambdaContext());

    // Assess
    expect(failedIds(response)).toEqual([]);
    expect(decisionLines(output).at(-1)).toMatchObject({
      message: DecisionMessage.STALE_SKIPPED,
      outcome: 'stale',
      completionKept: true,
    });
  });

  it('handles the same status again, a later one, another entity, and statuses or types the order does not list', async () => {
    // Prepare
    await deliver('shipped', 'SHIPPED');

    // Act
    await deliver('shipped-again', 'SHIPPED');
    await deliver('complete', 'COMPLETE');
    await deliver('other-order', 'CREATED', { entityRef: 'HD_999', rootEntityRef: 'HD_999' });
    await deliver('on-hold', 'ON_HOLD');
    await deliver('fulfilment', 'CREATED', { entityType: 'FULFILMENT', entityRef: 'F_1' });

    // Assess
    expect(handled).toEqual(['shipped', 'shipped-again', 'complete', 'other-order', 'on-hold', 'fulfilment']);
    expect(store.items.get('ACME/ORDER/HD_123')).toMatchObject({ status: 'COMPLETE', eventId: 'complete' });
  });

  it('remembers a status only once its handler succeeded', async () => {
    // Prepare
    const failing = createConsumerHandler({
      settings: consumerSettings(),
      persistenceStore: new InMemoryPersistenceLayer(),
      handlers: {
        default: async () => {
          throw new Error('down');
        },
      },
      logger: createLogger('consumer'),
      metrics: createMetrics('consumer'),
      staleStatusGuard: { order: { ORDER: ['CREATED', 'SHIPPED'] }, store },
    });

    // Act
    const response = await failing(
      { Records: [signedEventRecord(fluent.privateKey, { id: 'x', entityStatus: 'SHIPPED' }).record] },
      lambdaContext(),
    );

    // Assess
    expect(failedIds(response)).toHaveLength(1);
    expect(store.items.size).toBe(0);
  });

  it('fails the record, to be retried, when the last status cannot be read', async () => {
    // Prepare
    store.failReads = true;

    // Act
    const response = await deliver('unreadable', 'BOOKED');

    // Assess
    expect(failedIds(response)).toHaveLength(1);
    expect(handled).toEqual([]);
    expect(decisionLines(output).at(-1)).toMatchObject({ reason: 'idempotency-store-failed' });
  });
});
