import { randomUUID } from 'node:crypto';

/** An event a client posted to `/api/v4.1/event/async|sync`, as it arrived. */
export interface RecordedEvent {
  readonly id: string;
  readonly mode: 'async' | 'sync';
  readonly event: Readonly<Record<string, unknown>>;
  readonly receivedAt: string;
}

/** What became of a seeded event's webhook: `sent` (delivered), `lost` (never arrived); null for client-posted. */
export type WebhookFate = 'sent' | 'lost' | null;

/** An event the Event API lists: posted by a client, or seeded through the control API as "Fluent produced it". */
export interface ListedEvent {
  readonly id: string;
  /** The flat body (a webhook's shape). */
  readonly event: Readonly<Record<string, unknown>>;
  readonly webhook: WebhookFate;
  readonly generatedOn: string;
  readonly type: string;
  readonly category: string | null;
  readonly eventStatus: string;
}

/** Fluent's Event API: 100 per page unless `count` says otherwise, "not more than 5000" recommended. */
const DEFAULT_COUNT = 100;
export const MAX_LIST_COUNT = 5000;
/** Without `from`, Fluent lists the last 30 days. */
const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;

const present = (value: unknown): boolean =>
  (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';

/** Fluent's 400 for an event it cannot route: the message names the missing fields. */
export function checkStandInEvent(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The body must be a JSON event object.';
  const event = body as Record<string, unknown>;
  const missing = ['name', 'retailerId', 'entityType'].filter((field) => !present(event[field]));
  if (!present(event.entityRef) && !present(event.entityId)) missing.push('entityRef');
  return missing.length === 0 ? undefined : `Missing event fields: ${missing.join(', ')}.`;
}

/** How a client-posted event is listed. */
export function listedFromRecorded(recorded: RecordedEvent): ListedEvent {
  return {
    id: recorded.id,
    event: recorded.event,
    webhook: null,
    generatedOn: recorded.receivedAt,
    type: 'ORCHESTRATION',
    category: null,
    eventStatus: 'COMPLETE',
  };
}

/** How `GET /api/v4.1/event` shows an event: Fluent's nested form, entity fields under `context`. */
export function nestedEvent(listed: ListedEvent): Record<string, unknown> {
  const { event } = listed;
  const text = (value: unknown): string | undefined => (present(value) ? String(value) : undefined);
  return {
    id: listed.id,
    name: event.name,
    type: listed.type,
    accountId: event.accountId,
    retailerId: text(event.retailerId),
    category: listed.category,
    eventStatus: listed.eventStatus,
    generatedOn: listed.generatedOn,
    generatedBy: 'fluent-stand-in',
    source: null,
    context: {
      sourceEvents: [],
      entityType: event.entityType,
      entityId: text(event.entityId),
      entityRef: event.entityRef,
      entitySubtype: event.entitySubtype,
      rootEntityType: event.rootEntityType,
      rootEntityId: text(event.rootEntityId),
      rootEntityRef: event.rootEntityRef,
    },
    entityStatus: event.entityStatus,
    attributes: event.attributes ?? null,
  };
}

/**
 * Reads the body of `POST /_stand-in/events` (one entry or an array): each `{ event, webhook?, generatedOn?,
 * eventType?, category?, eventStatus? }`. Throws one message naming the first bad entry; nothing is kept then.
 */
export function parseSeededEvents(body: unknown, now: number): ListedEvent[] {
  const entries = Array.isArray(body) ? body : [body];
  if (entries.length > MAX_LIST_COUNT) throw new Error(`At most ${MAX_LIST_COUNT} entries per request.`);
  return entries.map((entry: unknown, index) => {
    const where = `entries[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error(`${where}: an object { "event": {…}, "webhook": "sent" | "lost" }.`);
    }
    const fields = entry as Record<string, unknown>;
    const known = ['event', 'webhook', 'generatedOn', 'eventType', 'category', 'eventStatus'];
    const unknown = Object.keys(fields).find((key) => !known.includes(key));
    if (unknown !== undefined) throw new Error(`${where}: unknown key "${unknown}"; use ${known.join(', ')}.`);
    const event = fields.event as Record<string, unknown> | undefined;
    const problem = checkSeededEvent(event);
    if (problem !== undefined) throw new Error(`${where}.event: ${problem}`);
    const webhook = fields.webhook ?? 'sent';
    if (webhook !== 'sent' && webhook !== 'lost') throw new Error(`${where}.webhook: "sent" or "lost".`);
    const optionalText = (name: string): string | undefined => {
      const value = fields[name];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where}.${name}: a non-empty string.`);
      return value;
    };
    const generatedOn = optionalText('generatedOn');
    if (generatedOn !== undefined && Number.isNaN(Date.parse(generatedOn))) {
      throw new Error(`${where}.generatedOn: an ISO 8601 time, e.g. 2026-12-06T10:00:00.000Z.`);
    }
    return {
      id: present(event!.id) ? String(event!.id) : randomUUID(),
      event: event!,
      webhook,
      generatedOn: generatedOn === undefined ? new Date(now).toISOString() : new Date(generatedOn).toISOString(),
      type: optionalText('eventType') ?? 'ORCHESTRATION',
      category: optionalText('category') ?? null,
      eventStatus: optionalText('eventStatus') ?? 'COMPLETE',
    };
  });
}

function checkSeededEvent(event: Record<string, unknown> | undefined): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'the flat webhook body, an object.';
  const missing = ['name', 'entityType'].filter((field) => !present(event[field]));
  if (!present(event.entityRef) && !present(event.entityId)) missing.push('entityRef');
  return missing.length === 0 ? undefined : `missing ${missing.join(', ')}.`;
}

/** The filters `GET /api/v4.1/event` applies, each an exact match on one field of the nested form. */
const EXACT_FILTERS: Readonly<Record<string, (nested: Record<string, unknown>) => unknown>> = {
  name: (nested) => nested.name,
  eventType: (nested) => nested.type,
  eventStatus: (nested) => nested.eventStatus,
  category: (nested) => nested.category,
  retailerId: (nested) => nested.retailerId,
  eventId: (nested) => nested.id,
  ...Object.fromEntries(
    ['entityType', 'entityRef', 'entityId', 'rootEntityType', 'rootEntityRef', 'rootEntityId'].map((field) => [
      `context.${field}`,
      (nested: Record<string, unknown>) => (nested.context as Record<string, unknown>)[field],
    ]),
  ),
};

export interface EventPageAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Answers `GET /api/v4.1/event`: the filters above, `from`/`to` on `generatedOn` (the last 30 days when `from` is
 * absent), oldest first, paged with `start` (0-based) and `count`, `hasMore` when another page follows.
 */
export function listEvents(all: readonly ListedEvent[], query: URLSearchParams, now: number): EventPageAnswer {
  const bad = (message: string): EventPageAnswer => ({ status: 400, body: { message } });
  const whole = (name: string, fallback: number, max: number): number | undefined => {
    const text = query.get(name);
    if (text === null) return fallback;
    const value = Number(text);
    return Number.isInteger(value) && value >= 0 && value <= max ? value : undefined;
  };
  const start = whole('start', 0, Number.MAX_SAFE_INTEGER);
  if (start === undefined) return bad('start must be a whole number, 0 or more.');
  const count = whole('count', DEFAULT_COUNT, MAX_LIST_COUNT);
  if (count === undefined) return bad(`count must be a whole number from 0 to ${MAX_LIST_COUNT}.`);
  const time = (name: string, fallback: number): number | undefined => {
    const text = query.get(name);
    if (text === null) return fallback;
    const value = Date.parse(text);
    return Number.isNaN(value) ? undefined : value;
  };
  const from = time('from', now - DEFAULT_WINDOW_MS);
  const to = time('to', Number.POSITIVE_INFINITY);
  if (from === undefined || to === undefined) return bad('from and to must be ISO 8601 times.');

  const filters = Object.entries(EXACT_FILTERS).filter(([param]) => query.has(param));
  const matching = all
    .map((listed, order) => ({ listed, order, nested: nestedEvent(listed), at: Date.parse(listed.generatedOn) }))
    .filter(
      ({ nested, at }) => at >= from && at <= to && filters.every(([p, read]) => String(read(nested)) === query.get(p)),
    )
    .sort((a, b) => a.at - b.at || a.order - b.order);
  const page = matching.slice(start, start + count);
  return {
    status: 200,
    body: { start, count: page.length, hasMore: start + count < matching.length, results: page.map((m) => m.nested) },
  };
}
