import { idText } from './id-text';

/**
 * A Fluent webhook event (Fluent's `webhook-notification.json`, plus fields seen in real deliveries). Ids that
 * arrived as JSON numbers are given as their text as sent. Unknown fields are kept.
 */
export interface FluentEvent {
  /** The event's id, unique per event: what the consumer de-duplicates on. */
  id: string;
  /** The event name, for example `OrderStatusChange`. */
  name: string;
  /** The Fluent account the event belongs to (checked against the allow-list). */
  accountId: string;
  /** The retailer the event belongs to. */
  retailerId: string;
  /** The id of the entity the event is about. */
  entityId: string;
  /** The reference of the entity the event is about (an order's ref, for example). */
  entityRef: string;
  /** The entity's type: `ORDER`, `FULFILMENT`, `RETURN_ORDER`, ... */
  entityType: string;
  /** The entity's subtype, when it has one. */
  entitySubtype?: string;
  /** The entity's status when the event was sent. */
  entityStatus?: string;
  /** The event type Fluent gives, when it gives one. */
  type?: string;
  /** The id of the entity's root (an order, for a fulfilment). */
  rootEntityId?: string;
  /** The reference of the entity's root. */
  rootEntityRef?: string;
  /** The type of the entity's root. */
  rootEntityType?: string;
  /** The event's attributes, as Fluent sent them. */
  attributes?: unknown;
  [field: string]: unknown;
}

/**
 * What an event is de-duplicated on: the id's text as sent, and whether it was sent as a JSON number. A string id
 * keys on its text alone (as it always has); a numeric id keys on `{ number: text }`, so `77` and `"77"` stay apart.
 */
export type DeduplicationKey =
  | string
  | {
      /** The text of an id sent as a JSON number. */
      readonly number: string;
    };

/** How each top-level field is judged. Order: the order problems are named in. */
const FIELD_RULES = {
  /** The de-duplication key: a blank one would make every such event a duplicate of the first. */
  id: 'event-id',
  name: 'non-empty-string',
  accountId: 'id',
  retailerId: 'id',
  entityId: 'id',
  entityRef: 'string',
  entityType: 'non-empty-string',
  entitySubtype: 'optional-id',
  entityStatus: 'optional-id',
  type: 'optional-id',
  rootEntityId: 'optional-id',
  rootEntityRef: 'optional-id',
  rootEntityType: 'optional-id',
} as const satisfies Record<string, 'event-id' | 'id' | 'optional-id' | 'string' | 'non-empty-string'>;

type FieldName = keyof typeof FIELD_RULES;
const FIELDS = Object.keys(FIELD_RULES) as FieldName[];

export type FluentEventReading =
  | { readonly ok: true; readonly event: FluentEvent; readonly deduplicationKey: DeduplicationKey }
  | { readonly ok: false; readonly invalidFields: readonly string[] };

/**
 * Judges a parsed JSON object as a Fluent event, without a schema library (the verifying Lambda runs this on every
 * request, and its bundle stays small): the one set of rules the receiver, the consumer and `FluentEventSchema` use.
 * `sourceText` is the JSON the object came from, so numeric ids keep their text; without it a numeric id must be a
 * safe integer. Never throws.
 */
export function readFluentEvent(object: Readonly<Record<string, unknown>>, sourceText?: string): FluentEventReading {
  const event: Record<string, unknown> = { ...object };
  const invalidFields: string[] = [];
  for (const field of FIELDS) {
    const value = object[field];
    const rule = FIELD_RULES[field];
    if (rule === 'string' || rule === 'non-empty-string') {
      if (typeof value !== 'string' || (rule === 'non-empty-string' && value.length === 0)) invalidFields.push(field);
      continue;
    }
    if (rule === 'optional-id' && value === undefined) continue;
    const text = idText(object, field, sourceText);
    if (text === undefined || (rule === 'event-id' && text.trim().length === 0)) invalidFields.push(field);
    else event[field] = text;
  }
  if (invalidFields.length > 0) return { ok: false, invalidFields };
  const id = event.id as string;
  return {
    ok: true,
    event: event as FluentEvent,
    deduplicationKey: typeof object.id === 'number' ? { number: id } : id,
  };
}

/** The one message for an object that is not a Fluent event; it names fields, never their values. */
export function invalidEventMessage(invalidFields: readonly string[]): string {
  return `The body is not a Fluent event: missing or invalid ${invalidFields.join(', ')}.`;
}
