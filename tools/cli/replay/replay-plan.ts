import { HistoryOutcome, HistoryRecord } from '../../../lambdas/contract/history';
import { Provenance } from '../../../lambdas/contract/provenance';

/** One event to put back on the queue: the delivery whose archived copy is replayed. */
export interface ReplayCandidate {
  readonly eventId: string;
  /** The delivery whose archived copy is replayed: the first one Fluent made, else the first of any. */
  readonly source: HistoryRecord;
  /** Processed before (by any delivery), and when the last time was. */
  readonly processedAt?: string;
}

/** Why an event is left out before anything is sent. */
export interface ReplaySkip {
  readonly eventId: string;
  readonly why: string;
}

export interface ReplayPlan {
  readonly candidates: readonly ReplayCandidate[];
  readonly skipped: readonly ReplaySkip[];
}

export interface ReplayPlanOptions {
  /** `--reprocess`: the run's id; each event is handled once more within it. */
  readonly replayRun?: string;
  /** The consumer's de-duplication window, in seconds. */
  readonly windowSeconds: number;
  readonly now: number;
}

/**
 * Groups the selected deliveries by event and decides what to replay. Without `--reprocess`, an event processed longer
 * ago than the de-duplication window is left out: the consumer no longer remembers it and would run it again, which
 * only `--reprocess` asks for. With a resumed run, an event that run already handled is left out (it was sent; a copy
 * still queued is a duplicate within the run anyway).
 */
export function planReplay(records: readonly HistoryRecord[], options: ReplayPlanOptions): ReplayPlan {
  const byEvent = new Map<string, HistoryRecord[]>();
  for (const record of records) byEvent.set(record.eventId, [...(byEvent.get(record.eventId) ?? []), record]);
  const candidates: ReplayCandidate[] = [];
  const skipped: ReplaySkip[] = [];
  for (const [eventId, deliveries] of byEvent) {
    const source = deliveries.find((record) => record.provenance === Provenance.WEBHOOK) ?? deliveries[0];
    if (source === undefined) continue;
    const processed = deliveries
      .filter((record) => record.outcome === HistoryOutcome.PROCESSED)
      .map((record) => record.decidedAt)
      .sort();
    const processedAt = processed[processed.length - 1];
    if (options.replayRun !== undefined) {
      const doneInRun = deliveries.some(
        (record) =>
          record.replayRun === options.replayRun &&
          (record.outcome === HistoryOutcome.PROCESSED || record.outcome === HistoryOutcome.DUPLICATE),
      );
      if (doneInRun) {
        skipped.push({ eventId, why: `already handled in run ${options.replayRun}` });
        continue;
      }
    } else if (processedAt !== undefined && options.now - Date.parse(processedAt) > options.windowSeconds * 1000) {
      skipped.push({
        eventId,
        why: `processed ${processedAt}, longer ago than the de-duplication window (${options.windowSeconds} s): the consumer would run it again; pass --reprocess to mean that`,
      });
      continue;
    }
    candidates.push({ eventId, source, ...(processedAt === undefined ? {} : { processedAt }) });
  }
  candidates.sort((a, b) => a.source.receivedAt.localeCompare(b.source.receivedAt));
  return { candidates, skipped };
}
