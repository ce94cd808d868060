import { existsSync, readFileSync } from 'node:fs';
import type { HandlerRun } from '../e2e/fixtures/recording-handlers';

/** The runs the recording handlers wrote so far, in the order they finished. */
export function readHandlerRuns(file: string): HandlerRun[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HandlerRun);
}

/** What the runs say about ordering, judged from the handlers' own start and end times. */
export interface OrderingVerdict {
  /** Each order's sequence numbers in the order their handlers started. */
  readonly startedInOrder: Readonly<Record<string, number[]>>;
  /**
   * Times an order's next event (by start) started before its previous one had ended, or started ahead of an
   * event sent before it: what per-entity ordering must make zero.
   */
  readonly violations: number;
  /** Event ids whose handler ran more than once. */
  readonly ranTwice: readonly string[];
  /** Pairs of runs of different orders whose handlers were running at the same time. */
  readonly overlapsAcrossOrders: number;
}

export function judgeOrdering(runs: readonly HandlerRun[]): OrderingVerdict {
  const byOrder = new Map<string, HandlerRun[]>();
  for (const run of runs) byOrder.set(run.order, [...(byOrder.get(run.order) ?? []), run]);
  let violations = 0;
  const startedInOrder: Record<string, number[]> = {};
  for (const [order, orderRuns] of byOrder) {
    const started = [...orderRuns].sort((a, b) => a.start - b.start);
    startedInOrder[order] = started.map((run) => run.seq);
    for (let index = 1; index < started.length; index += 1) {
      const previous = started[index - 1] as HandlerRun;
      const next = started[index] as HandlerRun;
      if (next.start < previous.end || next.seq < previous.seq) violations += 1;
    }
  }
  const seen = new Map<string, number>();
  for (const run of runs) seen.set(run.eventId, (seen.get(run.eventId) ?? 0) + 1);
  let overlapsAcrossOrders = 0;
  for (const [index, a] of runs.entries()) {
    for (const b of runs.slice(index + 1)) {
      if (a.order !== b.order && a.start < b.end && b.start < a.end) overlapsAcrossOrders += 1;
    }
  }
  return {
    startedInOrder,
    violations,
    ranTwice: [...seen].filter(([, count]) => count > 1).map(([id]) => id),
    overlapsAcrossOrders,
  };
}
