/*
 * Reconciliation: which events of Fluent's Event API are compared with the history, and how much one run may read.
 * Shared by `fluent-webhook reconcile`, the local runner and the deployed sweep.
 */

/**
 * What to list from Fluent (`GET /api/v4.1/event`) and how a listed event maps to a webhook's id. Each name is
 * listed on its own (Fluent's `name` filter takes one); the other filters apply to every name.
 */
export interface ReconciliationQuery {
  /** Event names, as the webhooks carry them. At least one. */
  readonly names: readonly string[];
  /** ISO 8601, on the listed event's `generatedOn`. */
  readonly from: string;
  readonly to: string;
  /** `ORCHESTRATION` (the default) or `ORCHESTRATION_AUDIT`. */
  readonly eventType?: string;
  /** An audit event's category, for example `ACTION`. */
  readonly category?: string;
  /** Only events in this status, for example `FAILED`. Default: any. */
  readonly eventStatus?: string;
  /** Only events of this retailer. */
  readonly retailerId?: string;
  /** Only events about entities of this type, for example `ORDER`. */
  readonly entityType?: string;
  /** The dotted path of the listed event's field that holds the webhook's `id`. @default 'id' */
  readonly idField?: string;
}

/** Fluent's two event types ("Using the Event API"). The default lists the events that a webhook carries. */
export const DEFAULT_RECONCILIATION_EVENT_TYPE = 'ORCHESTRATION';

/** Fluent's default page size for `GET /api/v4.1/event`. */
export const DEFAULT_EVENT_PAGE_SIZE = 100;
/** Fluent recommends "not more than 5000 events in a single request". */
export const MAX_EVENT_PAGE_SIZE = 5000;

/**
 * Where a listing of Fluent's events goes on: after the `generatedOn` of the last event it compared, rather than at a
 * page offset from the window's start, which skips events when the listing shifts between two pages (the oldest
 * events of a 30-day window age out of Fluent's 30 days while a nightly sweep pages through it). The next page is
 * listed from that instant on, so it starts with the events of that instant already compared (`seen`, skipped): none
 * generated at the same millisecond is missed, and none is compared twice.
 */
export interface EventListCursor {
  /** List from this `generatedOn` on (ISO 8601; Fluent's `from` includes it). Absent: the query's `from`. */
  readonly from?: string;
  /**
   * Fluent's `start` offset from `from`. 0, but while the order is not known yet (pages of one instant, later than
   * `from`), past 5,000 less a page of events generated at one instant, for a listing that is not oldest first, and
   * for a sweep checkpoint saved before the cursor existed.
   */
  readonly start: number;
  /**
   * The ids of the events generated at `from` that were compared already: listed again, skipped. Up to a page of
   * them, or more (up to 5,000 less a page) while more than a page of events at one instant is listed from it.
   */
  readonly seen?: readonly string[];
  /**
   * The `generatedOn` of the last event listed (ISO 8601): the next page may not start before it, and a page listed
   * by offset whose times rise past it shows the order as one of several instants does. Absent from cursors saved
   * before it existed.
   */
  readonly lastAt?: string;
  /**
   * A page listed several instants, oldest first, or rose past the page before: the listing is taken to be in
   * `generatedOn` order.
   */
  readonly oldestFirst?: boolean;
  /** A page came out of `generatedOn` order (or without it): the listing goes on by offset, as before the cursor. */
  readonly byOffset?: boolean;
}

/** Pages read per run at most (at the default 100 events a page, 200,000 events); the run stops incomplete past it. */
export const DEFAULT_RECONCILIATION_MAX_PAGES = 2000;
/** How long one run may list, by default; the run stops incomplete past it. */
export const DEFAULT_RECONCILIATION_RUN_SECONDS = 600;

/** The request id a backfilled event's queue message carries, so its decision line names the run. */
export function reconciliationRequestId(runId: string): string {
  return `reconciliation-${runId}`;
}
