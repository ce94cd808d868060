import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { FluentSignatureVerifier, ReceiverSettings, StatusOrder } from '../core';
import type { EntityStatusStore } from './entity-status-store';
import type { FluentApiClient } from '../fluent-api';
import { FluentCallTap, fluentForInvocation } from './fluent-context';
import { OutcomeTally } from './consumer-metrics';
import type { FluentEventHandlers } from './handler-types';
import { processRecord } from './process-record';
import { createRunOnce } from './run-once';
import { createHistoryMarkedRunOnce } from './history-marked-run-once';
import type { EventClaims } from './event-claims';
import { HANDLER_TIME_RESERVE_MS } from './handler-deadline';
import { Ingress, IngressName } from '../contract/ingress';
import { FIFO_QUEUE_SUFFIX } from '../contract/ordering';
import type { HistoryStore } from '../contract/history';

export interface ConsumerHandlerDependencies {
  readonly settings: ReceiverSettings;
  /** Where processed event ids are remembered: DynamoDBPersistenceLayer in Lambda and locally (dynalite). */
  readonly persistenceStore: BasePersistenceLayer;
  /** The user's handler map; the Lambda's entry (`handler.ts`) wires in `handlers/`, the engine never imports it. */
  readonly handlers: FluentEventHandlers;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The Fluent API client behind `context.fluent`; one per process, so its token outlives an invocation. */
  readonly fluentApi?: FluentApiClient;
  /** Told about every attempt of every Fluent call a handler makes, with its delivery's ids. @default none */
  readonly fluentCallTap?: FluentCallTap;
  /** queue-first makes the consumer the only judge: forgeries are dropped, not retried. @default 'verify-first' */
  readonly ingress?: IngressName;
  /**
   * Skip an event whose `entityStatus` comes before the last status processed for its entity, by each entity
   * type's order; the store keeps the last processed status. @default off
   */
  readonly staleStatusGuard?: { readonly order: StatusOrder; readonly store: EntityStatusStore };
  /**
   * Where every signed delivery is archived with its outcome. With `claims` too, an event's `processed` record is
   * also the mark of its completion, read (`completionsOf`) when a claim meets an earlier one.
   * @default - nothing is archived
   */
  readonly history?: Pick<HistoryStore, 'write' | 'completionsOf'>;
  /**
   * The idempotency table as the consumer claims events in it itself (Powertools' record layout), when the history
   * marks their completion: one write unit less per processed event than Powertools' COMPLETED update. Without
   * `history` or without this, Powertools Idempotency over `persistenceStore` alone, as before.
   * @default - Powertools Idempotency
   */
  readonly claims?: EventClaims;
  /**
   * The reconciliation queue's ARN: the one source of unsigned events marked `reconciliation`.
   * @default - none: every record marked `reconciliation` is refused
   */
  readonly reconciliationSourceArn?: string;
}

export type ConsumerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Builds the consumer: for each SQS record, verify the signature again, check the allow-list, parse the
 * event, and run its handler once per event id (at least once across crashes and timeouts). Each handler is bounded
 * by the invocation's remaining time less a reserve. Returns a partial batch response naming the records that
 * failed or did not finish in time, so only they are retried (and dead-lettered after maxReceiveCount).
 * Records from a standard queue run concurrently. Records from a FIFO queue (per-entity ordering) run one after another in the order given, and a failure fails the rest of its message group in
 * the batch too, so they come back together and in order, while other groups go on.
 * Safe to call concurrently (the local runner does): all per-batch state lives in the call.
 */
export function createConsumerHandler(dependencies: ConsumerHandlerDependencies): ConsumerHandler {
  const { settings, persistenceStore, handlers, logger, metrics, fluentApi, history, claims } = dependencies;
  const verifier = new FluentSignatureVerifier({ publicKeys: settings.publicKeys, policy: settings.signaturePolicy });

  return async (event, context) => {
    logger.addContext(context);
    const tally = new OutcomeTally();
    const pipeline = {
      settings,
      verifier,
      handlers,
      logger,
      metrics,
      tally,
      dropsForgeries: dependencies.ingress === Ingress.QUEUE_FIRST,
      ...(dependencies.staleStatusGuard === undefined
        ? {}
        : { staleStatusGuard: { ...dependencies.staleStatusGuard, expirySeconds: settings.idempotencyExpirySeconds } }),
      history,
      reconciliationSourceArn: dependencies.reconciliationSourceArn,
      runOnce:
        history === undefined || claims === undefined
          ? createRunOnce(persistenceStore, settings.idempotencyExpirySeconds, context)
          : createHistoryMarkedRunOnce(claims, history, settings.idempotencyExpirySeconds, context),
      fluentFor: fluentForInvocation(fluentApi, context, metrics, dependencies.fluentCallTap),
      handlerTimeMs: () => context.getRemainingTimeInMillis() - HANDLER_TIME_RESERVE_MS,
    };
    const processOne = (record: SQSRecord): Promise<void> => processRecord(record, pipeline);
    // Report every record, even when all fail, instead of throwing: the effect on SQS is the same and the
    // invocation is not counted as a Lambda error on top of our own failure metrics.
    const options = { context, throwOnFullBatchFailure: false };
    try {
      return fromFifoQueue(event)
        ? await processPartialResponse(event, processOne, new SqsFifoPartialProcessorAsync(), {
            ...options,
            // A failed record holds back only the later records of its own group; other groups go on.
            skipGroupOnError: true,
          })
        : await processPartialResponse(event, processOne, new BatchProcessor(EventType.SQS), options);
    } finally {
      tally.publish(metrics);
    }
  };
}

/**
 * Whether the batch comes from a FIFO queue, by its name (a standard queue's records may carry a MessageGroupId
 * too, for SQS fair queues, without any order).
 */
function fromFifoQueue(event: SQSEvent): boolean {
  return event.Records.some((record) => record.eventSourceARN?.endsWith(FIFO_QUEUE_SUFFIX) === true);
}
