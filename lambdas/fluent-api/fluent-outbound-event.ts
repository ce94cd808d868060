import { FluentEventInvalidError } from './fluent-api-errors';

/**
 * An event to post to Fluent's Event API. `name` selects the ruleset; the entity is named by `entityRef` (new
 * entities) or `entityId` (legacy). Other fields Fluent knows may be added.
 */
export interface FluentOutboundEvent {
  /** The event name: selects the ruleset that runs. */
  readonly name: string;
  /** The retailer the entity belongs to. */
  readonly retailerId: string | number;
  /** The entity's type: `ORDER`, `RETURN_ORDER`, ... */
  readonly entityType: string;
  /** The entity's reference (new entities). */
  readonly entityRef?: string;
  /** The entity's id (legacy). */
  readonly entityId?: string | number;
  /** The entity's subtype, when its workflow has one. */
  readonly entitySubtype?: string;
  /** The type of the entity's root (an order, for a fulfilment). */
  readonly rootEntityType?: string;
  /** The reference of the entity's root. */
  readonly rootEntityRef?: string;
  /** The id of the entity's root. */
  readonly rootEntityId?: string | number;
  /** The Fluent account; Fluent takes the token's when absent. */
  readonly accountId?: string;
  /** The event's attributes, which the ruleset reads. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Fluent's event `meta` block, passed as given. */
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** `async` (the default, recommended by Fluent) queues the event; `sync` runs the workflow and reports its status. */
export type SendEventMode = 'async' | 'sync';

/** How to send an event. */
export interface SendEventOptions {
  /** @default 'async' */
  readonly mode?: SendEventMode;
}

/** What Fluent answered to an event. */
export interface SendEventResult {
  /** The event's id, when Fluent gave one (the async endpoint often does not). */
  readonly id?: string;
  /** Sync only: the workflow's outcome, for example `COMPLETE`. */
  readonly eventStatus?: string;
  /** Sync only: the entity the event ran against. */
  readonly entityId?: string;
  /** The whole answer, as Fluent sent it. */
  readonly body: unknown;
}

const nonEmpty = (value: unknown): boolean =>
  (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value));

/** Throws {@link FluentEventInvalidError} naming every field Fluent would refuse the event for. */
export function checkOutboundEvent(event: FluentOutboundEvent): void {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new FluentEventInvalidError(
      'sendEvent needs an event object with name, retailerId, entityType and entityRef.',
    );
  }
  const problems: string[] = [];
  for (const field of ['name', 'retailerId', 'entityType'] as const) {
    if (!nonEmpty(event[field])) problems.push(`${field} is missing`);
  }
  if (!nonEmpty(event.entityRef) && !nonEmpty(event.entityId)) problems.push('entityRef (or entityId) is missing');
  const attributes = event.attributes as unknown;
  if (
    attributes !== undefined &&
    (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
  ) {
    problems.push('attributes must be an object');
  }
  if (problems.length > 0) {
    const which = nonEmpty(event.name) ? ` ${String(event.name)}` : '';
    throw new FluentEventInvalidError(`The event${which} was not sent: ${problems.join('; ')}.`);
  }
}

/** The fields of a sync or async answer that the caller may need, read leniently (numbers become strings). */
export function sendEventResult(body: unknown): SendEventResult {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  const id = text(fields.id) ?? text(fields.eventId);
  const eventStatus = text(fields.eventStatus);
  const entityId = text(fields.entityId);
  return {
    ...(id === undefined ? {} : { id }),
    ...(eventStatus === undefined ? {} : { eventStatus }),
    ...(entityId === undefined ? {} : { entityId }),
    body,
  };
}

/**
 * Filters of `GET /api/v4.1/event` ("Using the Event API"); entity fields are matched under `context.` as Fluent
 * names them. Every filter given must match.
 */
export interface FluentEventFilter {
  /** Events of this name. */
  readonly name?: string;
  /** `ORCHESTRATION` or `ORCHESTRATION_AUDIT` (listed as `type`). */
  readonly eventType?: string;
  /** An audit event's category, for example `ACTION`. */
  readonly category?: string;
  /** PENDING, NO_MATCH, FAILED, SUCCESS, SCHEDULED or COMPLETE. */
  readonly eventStatus?: string;
  /** Events of this retailer. */
  readonly retailerId?: string;
  /** The event with this id. */
  readonly eventId?: string;
  /** Events about entities of this type, for example `ORDER`. */
  readonly entityType?: string;
  /** Events about the entity with this reference. */
  readonly entityRef?: string;
  /** Events about the entity with this id. */
  readonly entityId?: string;
  /** Events about entities under a root of this type. */
  readonly rootEntityType?: string;
  /** Events about entities under the root with this reference. */
  readonly rootEntityRef?: string;
  /** Events about entities under the root with this id. */
  readonly rootEntityId?: string;
  /** ISO 8601; Fluent looks 30 days back when it is absent. */
  readonly from?: string;
  /** ISO 8601: events up to this time. */
  readonly to?: string;
  /** The first result to return (paging). */
  readonly start?: number;
  /** How many results to return at most (paging). */
  readonly count?: number;
}

/** One page of events as Fluent lists them (entity fields nested under `context`). */
export interface FluentEventPage {
  /** The first result's position. */
  readonly start?: number;
  /** How many results this page holds. */
  readonly count?: number;
  /** Whether more pages follow. */
  readonly hasMore?: boolean;
  /** The events, as Fluent lists them. */
  readonly results: ReadonlyArray<Record<string, unknown>>;
}

/** Each filter's query parameter, in the order they are sent. */
const FILTER_PARAMETERS: ReadonlyArray<readonly [keyof FluentEventFilter, string]> = [
  ['name', 'name'],
  ['eventType', 'eventType'],
  ['category', 'category'],
  ['eventStatus', 'eventStatus'],
  ['retailerId', 'retailerId'],
  ['eventId', 'eventId'],
  ['entityType', 'context.entityType'],
  ['entityRef', 'context.entityRef'],
  ['entityId', 'context.entityId'],
  ['rootEntityType', 'context.rootEntityType'],
  ['rootEntityRef', 'context.rootEntityRef'],
  ['rootEntityId', 'context.rootEntityId'],
  ['from', 'from'],
  ['to', 'to'],
  ['start', 'start'],
  ['count', 'count'],
];

/** The query string for a filter. */
export function eventFilterQuery(filter: FluentEventFilter): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [field, parameter] of FILTER_PARAMETERS) {
    const value = filter[field];
    if (value !== undefined) query[parameter] = String(value);
  }
  return query;
}

export function eventPage(body: unknown): FluentEventPage {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const results = Array.isArray(fields.results)
    ? fields.results.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    : [];
  return {
    ...(typeof fields.start === 'number' ? { start: fields.start } : {}),
    ...(typeof fields.count === 'number' ? { count: fields.count } : {}),
    ...(typeof fields.hasMore === 'boolean' ? { hasMore: fields.hasMore } : {}),
    results,
  };
}
