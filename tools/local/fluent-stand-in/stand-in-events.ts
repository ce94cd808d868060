/** An event the stand-in accepted, as it arrived. */
export interface RecordedEvent {
  readonly id: string;
  readonly mode: 'async' | 'sync';
  readonly event: Readonly<Record<string, unknown>>;
  readonly receivedAt: string;
}

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

/** How `GET /api/v4.1/event` shows an event: entity fields under `context`. */
export function readBackEvent(recorded: RecordedEvent): Record<string, unknown> {
  const { event } = recorded;
  return {
    id: recorded.id,
    name: event.name,
    type: 'NORMAL',
    accountId: event.accountId,
    retailerId: event.retailerId,
    eventStatus: 'COMPLETE',
    generatedOn: recorded.receivedAt,
    context: {
      entityType: event.entityType,
      entityRef: event.entityRef,
      entityId: event.entityId,
      rootEntityType: event.rootEntityType,
      rootEntityRef: event.rootEntityRef,
    },
    attributes: event.attributes,
  };
}

/** Fluent's filters: `context.entityRef`, `context.rootEntityRef`, `name`, `eventStatus`, `from`, `to`. */
export function matchesFilter(recorded: RecordedEvent, query: URLSearchParams): boolean {
  const { event } = recorded;
  const equal = (param: string, value: unknown): boolean => {
    const wanted = query.get(param);
    return wanted === null || wanted === String(value);
  };
  const from = query.get('from');
  const to = query.get('to');
  return (
    equal('context.entityRef', event.entityRef) &&
    equal('context.rootEntityRef', event.rootEntityRef) &&
    equal('name', event.name) &&
    equal('eventStatus', 'COMPLETE') &&
    (from === null || recorded.receivedAt >= from) &&
    (to === null || recorded.receivedAt <= to)
  );
}
