import { createHash } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { DeduplicationKey } from '../core';

/**
 * Prefix of every idempotency key (`fluent-event#<hash of the event's DeduplicationKey>`). Fixed rather than the
 * Powertools default (the function name), so renaming or replacing the consumer keeps its memory of events.
 */
export const IDEMPOTENCY_KEY_PREFIX = 'fluent-event';

/**
 * The id of an event's record in the idempotency table, `fluent-event#<base64 MD5 of the JSON of its
 * DeduplicationKey>`, as Powertools Idempotency derives it (default `md5` hash, no JMESPath): one value per event,
 * whichever delivery or copy of it is being handled. Handlers get it as `context.idempotencyKey`. For a run key of a
 * `replay --reprocess` run, the JSON has its fields in the order Powertools sorts them (by name: `event`, `replayRun`),
 * so that the consumer's own claims (history-marked-run-once.ts) and Powertools' records share one id.
 */
export function idempotencyKeyFor(key: RunKey): string {
  const reprocess = reprocessOf(key);
  const payload = reprocess === undefined ? key : { event: reprocess.event, replayRun: reprocess.replayRun };
  return `${IDEMPOTENCY_KEY_PREFIX}#${createHash('md5').update(JSON.stringify(payload)).digest('base64')}`;
}

/** What the idempotency table stores for a handled event, and so what a duplicate gets back. */
interface HandledMarker {
  readonly handledAt: string;
}

export interface RunOnceResult {
  /** True when an earlier delivery of this event id already completed, so `work` did not run. */
  readonly duplicate: boolean;
  /** When the delivery that did the work finished (ISO 8601). */
  readonly handledAt: string;
}

/** What `RunOnce` de-duplicates on: the event's key, or the event's key within one `replay --reprocess` run. */
export type RunKey = DeduplicationKey | ReprocessKey;
// A type, not an interface: Powertools takes a run key as a JSON value, which an interface cannot be shown to be.
export type ReprocessKey = { readonly replayRun: string; readonly event: DeduplicationKey };

/** The `replay --reprocess` run and event a run key names, or undefined for a plain event's key. */
export function reprocessOf(key: RunKey): ReprocessKey | undefined {
  return typeof key === 'object' && 'replayRun' in key ? key : undefined;
}

/**
 * Runs `work` once per event id while the process lives through it (at least once across crashes: a process that
 * dies after `work` but before the record is completed leaves it to run again). Throws IdempotencyAlreadyInProgressError while another
 * delivery of the same id is running, other Idempotency*Errors when the table fails, and whatever `work` threw.
 * `recordedAs`: the event's id in the history, when this delivery's outcome is written there (a history-marked
 * RunOnce reads it; Powertools' ignores it).
 */
export type RunOnce = (
  eventKey: RunKey,
  work: () => Promise<void>,
  recordedAs?: { readonly eventId: string },
) => Promise<RunOnceResult>;

/**
 * Builds a {@link RunOnce} over Powertools Idempotency for one invocation. The Lambda context bounds the
 * in-progress lock: if this invocation dies mid-handler, a retry may take the event over once its time is up.
 */
export function createRunOnce(
  persistenceStore: BasePersistenceLayer,
  expiresAfterSeconds: number,
  lambdaContext: Context,
): RunOnce {
  const config = new IdempotencyConfig({
    expiresAfterSeconds,
    // Powertools calls this only when it returns a stored result instead of running the function.
    responseHook: (response) => ({ ...(response as object), duplicate: true }),
  });
  config.registerLambdaContext(lambdaContext);
  const once = makeIdempotent(
    async (_eventKey: RunKey, work: () => Promise<void>): Promise<HandledMarker> => {
      await work();
      return { handledAt: new Date().toISOString() };
    },
    { persistenceStore, config, keyPrefix: IDEMPOTENCY_KEY_PREFIX },
  );
  return async (eventKey, work) => {
    const result = (await once(eventKey, work)) as HandledMarker & { duplicate?: boolean };
    return { duplicate: result.duplicate === true, handledAt: result.handledAt };
  };
}
