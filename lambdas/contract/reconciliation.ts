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

/** Pages read per run at most (at the default 100 events a page, 200,000 events); the run stops incomplete past it. */
export const DEFAULT_RECONCILIATION_MAX_PAGES = 2000;
/** How long one run may list, by default; the run stops incomplete past it. */
export const DEFAULT_RECONCILIATION_RUN_SECONDS = 600;

/** The request id a backfilled event's queue message carries, so its decision line names the run. */
export function reconciliationRequestId(runId: string): string {
  return `reconciliation-${runId}`;
}
