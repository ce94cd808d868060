import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { IdempotencyAlreadyInProgressError, IdempotencyUnknownError } from '@aws-lambda-powertools/idempotency';
import type { SQSRecord } from 'aws-lambda';
import {
  checkAllowList,
  FluentSignatureVerifier,
  fluentEventFromObject,
  idText,
  parseJsonObject,
  ReceiverSettings,
  RejectionReasonName,
  StatusOrder,
  statusPosition,
  StatusPosition,
  UnhandledEventPolicy,
} from '../core';
import type { EntityStatusStore } from './entity-status-store';
import { decodeQueueMessage, QueuedWebhook, reprocessRunOf } from '../contract/queue-message';
import type { DeduplicationKey } from '../core';
import type { OutcomeTally } from './consumer-metrics';
import type { FluentApi } from '../fluent-api';
import type { FluentCallDelivery } from './fluent-context';
import type { FluentEventContext, FluentEventHandlers } from './handler-types';
import {
  HandlerFailedError,
  HandlerTimedOutError,
  HistoryReadFailedError,
  RecordFailedError,
  RecordOutcome,
} from './record-outcome';
import { idempotencyKeyFor, RunKey, RunOnce, RunOnceResult } from './run-once';
import { normaliseRoute, selectHandler } from './select-handler';
import { RecordFailureReason, RecordFailureReasonName } from '../contract/observability';
import { boundedLogValue } from '../contract/log-values';
import { TIMED_OUT, withinMs } from '../shared/within-time';
import { Provenance, ProvenanceName } from '../contract/provenance';
import type { HistoryOutcomeName, HistoryStore, HistoryWriteResult } from '../contract/history';
import { HistoryEntry } from './history-entry';

/** What processing one record needs; built once per batch. */
export interface RecordPipeline {
  readonly settings: ReceiverSettings;
  readonly verifier: FluentSignatureVerifier;
  readonly handlers: FluentEventHandlers;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly runOnce: RunOnce;
  readonly tally: OutcomeTally;
  /** `context.fluent` for a handler logging with `logger`, handling the webhook whose event id is `webhookId`. */
  readonly fluentFor: (logger: Logger, delivery: FluentCallDelivery) => FluentApi;
  /**
   * How long a handler starting now may run: the invocation's remaining time less a reserve, so that a handler that
   * hangs fails alone and the batch still answers for its finished records.
   */
  readonly handlerTimeMs: () => number;
  /**
   * queue-first: nothing checked the message before the queue, so one that fails the signature or the allow-list
   * is a forgery: deleted and counted, never retried or dead-lettered. verify-first: the receiver let it through,
   * so such a message means injection or mismatched keys, and fails (DLQ, redrive after a fix).
   */
  readonly dropsForgeries: boolean;
  /** staleStatusGuard: each entity type's status order and where the last processed status is kept; off when absent. */
  readonly staleStatusGuard?: {
    readonly order: StatusOrder;
    readonly store: EntityStatusStore;
    /** How long a remembered status is kept: the de-duplication window. */
    readonly expirySeconds: number;
  };
  /**
   * Where each delivery that passed the signature check is archived with its outcome, before the decision is logged
   * and the record deleted. Absent: nothing is archived (unit tests, and deployments that turn the history off).
   */
  readonly history?: Pick<HistoryStore, 'write'>;
  /**
   * The ARN of the reconciliation queue: the only source whose records may be unsigned events marked
   * `reconciliation` (backfilled from Fluent's Event API). Absent: no source may; every such record is refused.
   */
  readonly reconciliationSourceArn?: string;
}

/** Why a record marked `reconciliation` is refused when it did not come from the reconciliation queue. */
export const RECONCILIATION_ORIGIN_REFUSED = 'reconciliation-origin';

/** The log message of each decision. Tests and log queries match these exact strings. */
export const DecisionMessage = {
  PROCESSED: 'webhook processed',
  DUPLICATE: 'duplicate webhook skipped',
  UNHANDLED_IGNORED: 'unhandled webhook ignored',
  FORGED_DROPPED: 'forged webhook dropped',
  /** staleStatusGuard: `entityStatus` comes before `lastProcessedStatus`, the last processed for its entity. */
  STALE_SKIPPED: 'stale webhook skipped',
  FAILED: {
    'verification-failed': 'queued webhook failed signature verification',
    'account-not-allowed': 'queued webhook is for an account this receiver does not serve',
    'retailer-not-allowed': 'queued webhook is for a retailer this receiver does not serve',
    'malformed-event': 'queued webhook is not a valid Fluent event',
    'unhandled-event': 'no handler for webhook; failing it as UNHANDLED_EVENTS=fail says',
    'handler-failed': 'webhook handler failed',
    'handler-timed-out': 'webhook handler did not finish before the consumer timeout; retrying later',
    'already-in-progress': 'webhook is being processed by another delivery; retrying later',
    'idempotency-store-failed': 'idempotency table failed; retrying later',
    'history-store-failed': 'history table failed; retrying later',
    'unexpected-error': 'unexpected error while processing webhook',
  } satisfies Record<RecordFailureReasonName, string>,
} as const;

type LogFields = Record<string, unknown>;

/**
 * Verifies, checks, parses and dispatches one SQS record, logging exactly one decision line. Resolves when the
 * record may be deleted (processed, duplicate of a processed event, or ignored); throws RecordFailedError otherwise.
 */
export async function processRecord(record: SQSRecord, pipeline: RecordPipeline): Promise<void> {
  const queued = decodeQueueMessage(record);
  const decision = new Decision(pipeline, {
    messageId: record.messageId,
    requestId: queued.requestId,
    route: normaliseRoute(queued.route),
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
    provenance: queued.provenance ?? Provenance.WEBHOOK,
  });
  try {
    await decide(record, queued, pipeline, decision);
  } catch (error) {
    if (error instanceof RecordFailedError) throw error;
    // Whatever went wrong, the record still gets its one decision line and is retried.
    await decision.fail(RecordFailureReason.UNEXPECTED_ERROR, {}, { error });
  }
}

async function decide(
  record: SQSRecord,
  queued: QueuedWebhook,
  pipeline: RecordPipeline,
  decision: Decision,
): Promise<void> {
  // An unsigned event is trusted only from the reconciliation queue, which only the reconciler may send to; the
  // mark anywhere else is refused, signed or not, so that nothing else can pass an event off as backfilled.
  if (queued.provenance === Provenance.RECONCILIATION) {
    if (!fromReconciliationQueue(record, pipeline)) return refuseReconciliationMark(pipeline, decision);
  } else {
    const refused = await verifySignature(queued, pipeline, decision);
    if (refused) return;
  }
  return decideVerified(record, queued, pipeline, decision);
}

function fromReconciliationQueue(record: SQSRecord, pipeline: RecordPipeline): boolean {
  return pipeline.reconciliationSourceArn !== undefined && record.eventSourceARN === pipeline.reconciliationSourceArn;
}

function refuseReconciliationMark(pipeline: RecordPipeline, decision: Decision): Promise<void> {
  const detail = 'marked reconciliation but not from the reconciliation queue';
  if (pipeline.dropsForgeries) {
    decision.dropForgery(RECONCILIATION_ORIGIN_REFUSED, { verificationReason: RECONCILIATION_ORIGIN_REFUSED, detail });
    return Promise.resolve();
  }
  return decision.fail(RecordFailureReason.VERIFICATION_FAILED, {
    verificationReason: RECONCILIATION_ORIGIN_REFUSED,
    detail,
  });
}

/** Resolves true when the record was refused (its decision made), false when its signature checks out. */
async function verifySignature(queued: QueuedWebhook, pipeline: RecordPipeline, decision: Decision): Promise<boolean> {
  // Nothing from the body is read before the signature checks out: a forged message is only ever counted.
  const verification = pipeline.verifier.verifySignatures(queued.rawBody, queued.signatures);
  if (!verification.ok && pipeline.dropsForgeries) {
    decision.dropForgery(verification.reason, {
      verificationReason: verification.reason,
      detail: verification.message,
    });
    return true;
  }
  if (!verification.ok) {
    await decision.fail(
      RecordFailureReason.VERIFICATION_FAILED,
      { verificationReason: verification.reason, detail: verification.message },
      {
        verificationReason: verification.reason,
      },
    );
    return true;
  }
  return false;
}

async function decideVerified(
  record: SQSRecord,
  queued: QueuedWebhook,
  pipeline: RecordPipeline,
  decision: Decision,
): Promise<void> {
  const json = parseJsonObject(queued.rawBody);
  if (!json.ok)
    return decision.fail(RecordFailureReason.MALFORMED_EVENT, { problem: json.problem, detail: json.message });
  const identity = {
    eventId: boundedLogValue(idText(json.object, 'id', json.text)),
    eventName: boundedLogValue(idText(json.object, 'name')),
  };
  // Signed and identified: from here on, every outcome is archived with the exact bytes and signatures.
  decision.archiveAs(HistoryEntry.of(record.messageId, queued, json.object, json.text));
  const allowed = checkAllowList(json.object, pipeline.settings.allowList, json.text);
  if (!allowed.ok && pipeline.dropsForgeries) {
    return decision.dropForgery(allowed.reason, { ...identity, detail: allowed.message });
  }
  if (!allowed.ok) return decision.fail(allowed.reason, { ...identity, detail: allowed.message });
  const parsed = fluentEventFromObject(json.object, json.text);
  if (!parsed.ok)
    return decision.fail(RecordFailureReason.MALFORMED_EVENT, {
      ...identity,
      problem: parsed.problem,
      detail: parsed.message,
    });
  const event = parsed.event;
  // The entity on every decision line, so one line says what happened to what (the local terminal shows it).
  const about: LogFields = { ...identity, entityRef: boundedLogValue(event.entityRef) };

  const selected = selectHandler(pipeline.handlers, queued.route, event.name);
  if (selected === undefined) {
    if (pipeline.settings.unhandledEvents === UnhandledEventPolicy.IGNORE) {
      return decision.succeed('ignored', DecisionMessage.UNHANDLED_IGNORED, about);
    }
    return decision.fail(RecordFailureReason.UNHANDLED_EVENT, about);
  }

  const logger = pipeline.logger.createChild({
    persistentKeys: { ...identity, route: decision.loggedRoute, messageId: record.messageId },
  });
  let fluent: FluentApi | undefined;
  const context: FluentEventContext = {
    logger,
    metrics: pipeline.metrics,
    rawBody: queued.rawBody,
    route: decision.route,
    receivedAt: queued.receivedAt,
    requestId: queued.requestId,
    messageId: record.messageId,
    receiveCount: decision.receiveCount,
    idempotencyKey: idempotencyKeyFor(parsed.deduplicationKey),
    provenance: decision.provenance,
    // Built on first use: without Fluent API settings, only a handler that uses it sees the error.
    get fluent() {
      return (fluent ??= pipeline.fluentFor(logger, { eventId: event.id, messageId: record.messageId }));
    },
  };
  const handled: LogFields = { ...about, handler: selected.matchedBy };
  const guard = pipeline.staleStatusGuard;
  const position = guard === undefined ? undefined : statusPosition(guard.order, event);
  if (guard !== undefined && position !== undefined) {
    let last;
    try {
      last = await guard.store.lastProcessed(position.entity);
    } catch (error) {
      return decision.fail(RecordFailureReason.IDEMPOTENCY_STORE_FAILED, about, { error });
    }
    if (last !== undefined && position.rank < last.rank) {
      return decision.skipStale({
        ...about,
        entity: boundedLogValue(position.entity),
        entityStatus: boundedLogValue(position.status),
        lastProcessedStatus: boundedLogValue(last.status),
      });
    }
  }
  let result: RunOnceResult;
  try {
    result = await pipeline.runOnce(
      runKey(parsed.deduplicationKey, queued),
      async () => {
        const allowedMs = pipeline.handlerTimeMs();
        let finished: void | typeof TIMED_OUT;
        const started = performance.now();
        try {
          finished = await withinMs(selected.handler(event, context), allowedMs);
        } catch (error) {
          throw new HandlerFailedError(error);
        } finally {
          handled.durationMs = Math.round(performance.now() - started);
          decision.handlerMs = Math.round((performance.now() - started) * 10) / 10;
        }
        if (finished === TIMED_OUT) throw new HandlerTimedOutError(allowedMs);
      },
      decision.recordedAs,
    );
  } catch (error) {
    if (error instanceof HandlerFailedError)
      return decision.fail(RecordFailureReason.HANDLER_FAILED, handled, { error: error.cause });
    if (error instanceof HandlerTimedOutError)
      return decision.fail(RecordFailureReason.HANDLER_TIMED_OUT, { ...handled, handlerTimeMs: error.afterMs });
    if (error instanceof HistoryReadFailedError)
      return decision.fail(RecordFailureReason.HISTORY_STORE_FAILED, about, { error: error.cause });
    if (error instanceof IdempotencyAlreadyInProgressError)
      return decision.fail(RecordFailureReason.ALREADY_IN_PROGRESS, about);
    if (error instanceof IdempotencyUnknownError)
      return decision.fail(RecordFailureReason.IDEMPOTENCY_STORE_FAILED, about, { error });
    return decision.fail(RecordFailureReason.UNEXPECTED_ERROR, about, { error });
  }
  if (result.duplicate) {
    decision.firstHandledAt = result.handledAt;
    return decision.succeed('duplicate', DecisionMessage.DUPLICATE, { ...about, firstHandledAt: result.handledAt });
  }
  if (guard !== undefined && position !== undefined) await rememberStatus(guard, position, event.id, logger);
  return decision.succeed('processed', DecisionMessage.PROCESSED, handled);
}

/**
 * After the handler succeeded: the event's status becomes its entity's last processed one. A failure here does not
 * fail the event (its handler ran and must not run again); it is logged, and a later stale event of this entity
 * may then be handled.
 */
async function rememberStatus(
  guard: NonNullable<RecordPipeline['staleStatusGuard']>,
  position: StatusPosition,
  eventId: string,
  logger: Logger,
): Promise<void> {
  const expiresAt = Math.floor(Date.now() / 1000) + guard.expirySeconds;
  try {
    await guard.store.recordProcessed(position.entity, { ...position, eventId }, expiresAt);
  } catch (error) {
    logger.warn('entity status not recorded: a later stale webhook of this entity may be handled', {
      entityStatus: boundedLogValue(position.status),
      error,
    });
  }
}

/**
 * The de-duplication key: the event's own, or, for `replay --reprocess`, the event's within that replay run, so
 * that each run handles the event once more and a resumed run does not handle it twice.
 */
function runKey(key: DeduplicationKey, queued: QueuedWebhook): RunKey {
  const replayRun = reprocessRunOf(queued);
  return replayRun === undefined ? key : { replayRun, event: key };
}

interface Delivery {
  messageId: string;
  requestId: string;
  route: string;
  receiveCount: number;
  provenance: ProvenanceName;
}

/**
 * Whether a failure is written to the history. Not a failed history write: that is the reason, and writing again would
 * fail the same way. Every other failure is, `already-in-progress` included: the copy of the event that is running may
 * be a copy of this very message (SQS hands a message out twice at times), but a failure never replaces its
 * `processed` record (the history writes failures on that condition), whichever lands first.
 */
function isArchivedFailure(reason: RecordFailureReasonName): boolean {
  return reason !== RecordFailureReason.HISTORY_STORE_FAILED;
}

/** What writing an outcome to the history did: nothing (no history, or not archived), a write, or an error. */
interface Archived {
  readonly written?: HistoryWriteResult;
  readonly error?: unknown;
}

/**
 * The field a decision line carries when its outcome was not written because its message's record in the history is
 * a completion (`processed` or `duplicate`), which stands: the message completed on an earlier delivery (its process
 * died before deleting it). The decision is logged and counted as it was made; a failed one is retried, and its retry
 * finds the completion and is a duplicate.
 */
function completionKept(archived: Archived): LogFields {
  return archived.written === 'completion-kept' ? { completionKept: true } : {};
}

/** Archives and logs one record's decision (exactly one line) and counts it. */
class Decision {
  public readonly route: string;
  /** The route as log lines carry it: attributes come from the queue, so their length is not ours to trust. */
  public readonly loggedRoute: string;
  public readonly receiveCount: number;
  public readonly provenance: ProvenanceName;
  /** How long the handler ran, once it has. */
  public handlerMs: number | undefined;
  /** A duplicate's: when the delivery that ran the handler finished. */
  public firstHandledAt: string | undefined;
  private readonly delivery: Delivery;
  private entry: HistoryEntry | undefined;

  public constructor(
    private readonly pipeline: RecordPipeline,
    delivery: Delivery,
  ) {
    this.route = delivery.route;
    this.loggedRoute = boundedLogValue(delivery.route);
    this.receiveCount = delivery.receiveCount;
    this.provenance = delivery.provenance;
    this.delivery = {
      ...delivery,
      messageId: boundedLogValue(delivery.messageId),
      requestId: boundedLogValue(delivery.requestId),
      route: this.loggedRoute,
    };
  }

  /** From now on each outcome is written to the history before it is logged. */
  public archiveAs(entry: HistoryEntry | undefined): void {
    this.entry = entry;
  }

  /** Where this delivery's outcome will be in the history, if it will be. */
  public get recordedAs(): { readonly eventId: string } | undefined {
    return this.pipeline.history === undefined || this.entry === undefined
      ? undefined
      : { eventId: this.entry.eventId };
  }

  public async succeed(kind: 'processed' | 'duplicate' | 'ignored', message: string, fields: LogFields): Promise<void> {
    const archived = await this.archive(kind);
    // Not archived means not in the ledger: retried, so that the next attempt (a duplicate by then) is.
    if (archived.error !== undefined) {
      return this.fail(
        RecordFailureReason.HISTORY_STORE_FAILED,
        { ...fields, handled: kind },
        { error: archived.error },
      );
    }
    this.pipeline.tally.record({ kind });
    this.pipeline.logger.info(message, { ...this.delivery, ...fields, outcome: kind });
  }

  /** staleStatusGuard: archived, one warning line, counted, and the record is deleted without running its handler. */
  public async skipStale(fields: LogFields): Promise<void> {
    const archived = await this.archive('stale');
    if (archived.error !== undefined) {
      return this.fail(
        RecordFailureReason.HISTORY_STORE_FAILED,
        { ...fields, handled: 'stale' },
        { error: archived.error },
      );
    }
    this.pipeline.tally.record({ kind: 'stale' });
    this.pipeline.logger.warn(DecisionMessage.STALE_SKIPPED, {
      ...this.delivery,
      ...fields,
      outcome: 'stale',
      ...completionKept(archived),
    });
  }

  /** Writes the outcome to the history; says what went wrong instead of throwing. */
  private async archive(outcome: HistoryOutcomeName, reason?: RecordFailureReasonName): Promise<Archived> {
    const { history } = this.pipeline;
    if (history === undefined || this.entry === undefined) return {};
    try {
      const written = await history.write(
        this.entry.withOutcome({
          outcome,
          reason,
          attempts: this.receiveCount,
          durationMs: this.handlerMs,
          provenance: this.provenance,
          firstHandledAt: this.firstHandledAt,
        }),
      );
      return { written };
    } catch (error) {
      return { error: error ?? new Error('history write failed') };
    }
  }

  /** A forgery (queue-first): one warning line with its reason, counted, and the record is deleted. */
  public dropForgery(reason: string, fields: LogFields): void {
    this.pipeline.tally.record({ kind: 'forged', reason });
    this.pipeline.logger.warn(DecisionMessage.FORGED_DROPPED, {
      ...this.delivery,
      ...fields,
      outcome: 'forged',
      reason,
    });
  }

  public async fail(
    reason: RecordFailureReasonName,
    fields: LogFields,
    options: { readonly error?: unknown; readonly verificationReason?: RejectionReasonName } = {},
  ): Promise<never> {
    const archived = isArchivedFailure(reason) ? await this.archive('failed', reason) : {};
    const outcome: RecordOutcome = { kind: 'failed', reason, verificationReason: options.verificationReason };
    this.pipeline.tally.record(outcome);
    const message = DecisionMessage.FAILED[reason];
    const line: LogFields = { ...this.delivery, ...fields, outcome: outcome.kind, reason, ...completionKept(archived) };
    if (options.error !== undefined) line.error = options.error;
    if (archived.error !== undefined) line.historyError = archived.error;
    // A concurrent duplicate is expected and resolves itself; everything else needs a look.
    if (reason === RecordFailureReason.ALREADY_IN_PROGRESS) this.pipeline.logger.warn(message, line);
    else this.pipeline.logger.error(message, line);
    throw new RecordFailedError(reason, `${message} (${reason})`, { cause: options.error });
  }
}
