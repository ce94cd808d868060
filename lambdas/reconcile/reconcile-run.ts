import { webhookFromListedEvent } from '../core/listed-event';
import { DEFAULT_RECONCILIATION_EVENT_TYPE, EventListCursor, ReconciliationQuery } from '../contract/reconciliation';
import type { HistoryStore } from '../contract/history';
import type { FluentApi } from '../fluent-api/fluent-api-client';
import { EventListBounds, EventListEnd, FluentEventList } from '../fluent-api/fluent-event-list';

/** An event Fluent listed that the history has no delivery of. */
export interface ReconciliationGap {
  readonly id: string;
  readonly name: string;
  readonly entityRef?: string;
  readonly generatedOn?: string;
  /** Set when the event cannot be backfilled: what the listed event lacks. */
  readonly problem?: string;
}

/** Counts as a run goes; handed to `onProgress` after each page. */
export interface ReconciliationProgress {
  pages: number;
  listed: number;
  received: number;
  gaps: number;
  backfilled: number;
}

export interface ReconciliationReport extends ReconciliationProgress {
  readonly gapEvents: readonly ReconciliationGap[];
  /** Events of other names in an answer (Fluent should not list them; they are left alone). */
  readonly ignored: number;
  /** `complete` when every name was listed to its end; else the bound that stopped the run. */
  readonly end: EventListEnd;
  /** Gaps whose backfill failed: still gaps, the next run tries again. */
  readonly failed: ReadonlyArray<{ readonly id: string; readonly problem: string }>;
}

/** Hands one gap, as the flat webhook body, to the consumer (a queue of its own); resolves once it is queued. */
export type BackfillSink = (event: { readonly id: string; readonly body: string }) => Promise<void>;

export interface ReconciliationRun {
  readonly fluent: Pick<FluentApi, 'getEvents'>;
  readonly history: Pick<HistoryStore, 'entriesOf'>;
  readonly query: ReconciliationQuery;
  /** `cursor` applies to the first name only: where a run cut short stopped. */
  readonly bounds: EventListBounds;
  /** Absent: a dry run, nothing is sent. */
  readonly backfill?: BackfillSink;
  readonly onProgress?: (progress: Readonly<ReconciliationProgress>) => void;
  /**
   * Awaited once each page's gaps are handed over, with where the next page starts: a checkpoint saved here lets a
   * run that is cut off resume at the first event it had not compared.
   */
  readonly onPage?: (position: { readonly name: string; readonly next: EventListCursor }) => Promise<void>;
}

/**
 * Lists Fluent's events page by page, compares each page with the history by event id, and (unless a dry run)
 * hands each gap to the consumer once. An event delivered in any way (webhook, replay, an earlier reconciliation)
 * is received; so a second run over the same window finds no gap.
 */
export async function reconcile(run: ReconciliationRun): Promise<ReconciliationReport> {
  const progress: ReconciliationProgress = { pages: 0, listed: 0, received: 0, gaps: 0, backfilled: 0 };
  const gapEvents: ReconciliationGap[] = [];
  const failed: Array<{ id: string; problem: string }> = [];
  const seen = new Set<string>();
  const idField = run.query.idField;
  let ignored = 0;
  let end: EventListEnd = 'complete';
  for (const [index, name] of run.query.names.entries()) {
    const bounds = { ...run.bounds, cursor: index === 0 ? run.bounds.cursor : undefined };
    const list = new FluentEventList(run.fluent, filterFor(run.query, name), bounds);
    for await (const page of list) {
      progress.pages += 1;
      const mapped = [];
      for (const listed of page.results) {
        if (listed.name !== name) {
          ignored += 1;
          continue;
        }
        const webhook = webhookFromListedEvent(listed, idField);
        const id = webhook.id;
        if (id === undefined || seen.has(id)) {
          if (id === undefined) failed.push({ id: '(no id)', problem: webhook.ok ? '' : webhook.problem });
          continue;
        }
        seen.add(id);
        mapped.push({ listed, webhook, id });
      }
      progress.listed += mapped.length;
      const received = await receivedIds(
        run.history,
        mapped.map((entry) => entry.id),
      );
      for (const { listed, webhook, id } of mapped) {
        if (received.has(id)) {
          progress.received += 1;
          continue;
        }
        progress.gaps += 1;
        const gap = describeGap(listed, id, name, webhook.ok ? undefined : webhook.problem);
        gapEvents.push(gap);
        if (!webhook.ok) {
          failed.push({ id, problem: webhook.problem });
          continue;
        }
        if (run.backfill === undefined) continue;
        try {
          await run.backfill({ id, body: JSON.stringify(webhook.event) });
          progress.backfilled += 1;
        } catch (error) {
          failed.push({ id, problem: `could not queue it: ${(error as Error).message}` });
        }
      }
      run.onProgress?.(progress);
      await run.onPage?.({ name, next: page.next });
    }
    if (list.end !== 'complete') {
      end = list.end ?? 'complete';
      break;
    }
  }
  return { ...progress, gapEvents, ignored, end, failed };
}

function filterFor(query: ReconciliationQuery, name: string) {
  return {
    name,
    from: query.from,
    to: query.to,
    eventType: query.eventType ?? DEFAULT_RECONCILIATION_EVENT_TYPE,
    ...(query.category === undefined ? {} : { category: query.category }),
    ...(query.eventStatus === undefined ? {} : { eventStatus: query.eventStatus }),
    ...(query.retailerId === undefined ? {} : { retailerId: query.retailerId }),
    ...(query.entityType === undefined ? {} : { entityType: query.entityType }),
  };
}

/** The ids of a page the history has any delivery of (one query per id, keys and entry fields only). */
async function receivedIds(history: Pick<HistoryStore, 'entriesOf'>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const entries = await history.entriesOf(ids);
  return new Set(entries.map((entry) => entry.eventId));
}

function describeGap(
  listed: Readonly<Record<string, unknown>>,
  id: string,
  name: string,
  problem: string | undefined,
): ReconciliationGap {
  const context = typeof listed.context === 'object' && listed.context !== null ? listed.context : {};
  const entityRef = (context as Record<string, unknown>).entityRef;
  return {
    id,
    name,
    ...(typeof entityRef === 'string' ? { entityRef } : {}),
    ...(typeof listed.generatedOn === 'string' ? { generatedOn: listed.generatedOn } : {}),
    ...(problem === undefined ? {} : { problem }),
  };
}
