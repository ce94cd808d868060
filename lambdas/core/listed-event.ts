import { readFluentEvent } from './fluent-event-rules';

/*
 * Fluent's Event API (`GET /api/v4.1/event`) lists an event with its entity fields nested under `context`; a webhook
 * body is flat. Reconciliation hands a handler the webhook shape, so that a backfilled event looks like a delivered
 * one and only `context.provenance` tells them apart. Field by field (docs/reconciliation.md has the same table):
 *
 *   webhook field     listed event field                       note
 *   id                id (or the field `idField` names)       text; a numeric id becomes its decimal text
 *   name              name
 *   accountId         accountId
 *   retailerId        retailerId                              text
 *   entityId          context.entityId (else entityId)        text
 *   entityRef         context.entityRef (else entityRef)
 *   entityType        context.entityType (else entityType)
 *   entitySubtype     context.entitySubtype (else entitySubtype)  often absent from a listed event
 *   entityStatus      entityStatus
 *   rootEntityId      context.rootEntityId (else rootEntityId) text
 *   rootEntityRef     context.rootEntityRef (else ...)
 *   rootEntityType    context.rootEntityType (else ...)
 *   attributes        attributes
 *
 * Not carried over: the listed event's `type` (ORCHESTRATION or ORCHESTRATION_AUDIT, not a webhook's `type` such as
 * NORMAL), `category`, `eventStatus`, `generatedOn`, `generatedBy`, `source` and `context.sourceEvents`. A webhook
 * may have fields a listed event lacks: `type`, `meta`, `trailLogs`, `errorLogs`, and often `entitySubtype`.
 *
 * The id is text because that is how Fluent's webhooks send it: its webhook schema types `id` as a string (numeric
 * ids arrive as strings), and the consumer de-duplicates `77` and `"77"` as two events (DeduplicationKey). So a
 * backfill keyed as text is a duplicate of its webhook, and the other way round, however the listing types the id.
 */

/** The flat fields a webhook body has, in the order a backfilled body lists them; the entity ones are nested. */
const TOP_LEVEL_FIELDS = ['name', 'accountId', 'retailerId'] as const;
const CONTEXT_FIELDS = ['entityId', 'entityRef', 'entityType', 'entitySubtype'] as const;
const STATUS_FIELDS = ['entityStatus'] as const;
const ROOT_CONTEXT_FIELDS = ['rootEntityId', 'rootEntityRef', 'rootEntityType'] as const;

/** The field of a listed event that holds the webhook's `id` unless told otherwise. */
export const DEFAULT_LISTED_ID_FIELD = 'id';

export type WebhookFromListedEvent =
  | { readonly ok: true; readonly id: string; readonly event: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly id: string | undefined; readonly problem: string };

/**
 * Maps one listed event onto the flat webhook body a handler gets. `idField` is a dotted path into the listed
 * event (default `id`). Refuses, naming the fields, an event the consumer would refuse as malformed. Never throws.
 */
export function webhookFromListedEvent(
  listed: Readonly<Record<string, unknown>>,
  idField: string = DEFAULT_LISTED_ID_FIELD,
): WebhookFromListedEvent {
  const id = scalarText(valueAt(listed, idField));
  if (id === undefined || id.trim() === '') {
    return { ok: false, id: undefined, problem: `the listed event has no ${idField}` };
  }
  const nested = isRecord(listed.context) ? listed.context : {};
  const event: Record<string, unknown> = { id };
  for (const field of TOP_LEVEL_FIELDS) put(event, field, listed[field]);
  for (const field of CONTEXT_FIELDS) put(event, field, nested[field] ?? listed[field]);
  for (const field of STATUS_FIELDS) put(event, field, listed[field]);
  for (const field of ROOT_CONTEXT_FIELDS) put(event, field, nested[field] ?? listed[field]);
  if (isRecord(listed.attributes) || Array.isArray(listed.attributes)) event.attributes = listed.attributes;
  const reading = readFluentEvent(event);
  if (!reading.ok) {
    return {
      ok: false,
      id,
      problem: `the listed event lacks what a webhook needs: ${reading.invalidFields.join(', ')}`,
    };
  }
  return { ok: true, id, event };
}

function put(event: Record<string, unknown>, field: string, value: unknown): void {
  const text = scalarText(value);
  if (text !== undefined) event[field] = text;
}

/** Strings as they are; finite numbers as their decimal text (webhooks send ids as strings); anything else: absent. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function valueAt(object: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split('.')) {
    if (!isRecord(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
