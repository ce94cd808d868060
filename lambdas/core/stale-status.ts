import type { ConfigurationProblem } from './errors';
import type { FluentEvent } from './fluent-event-rules';
import { entityKey } from './ordering-keys';

/**
 * The stale-status guard's configuration: for each entity type, its statuses from earliest to latest
 * (`{ "ORDER": ["CREATED", "BOOKED", "PICKED", "SHIPPED", "COMPLETE"] }`). An event whose `entityStatus` comes
 * before the last status processed for its entity is stale: skipped, logged and counted, never handled.
 */
export type StatusOrder = Readonly<Record<string, readonly string[]>>;

/** The most statuses all types together may list: the order travels in the consumer's environment (4 KB in all). */
export const MAX_STATUS_ORDER_CHARS = 2048;

/** Where an event stands in its type's order: the entity, its status and the status's place; undefined when unjudged. */
export interface StatusPosition {
  /** The entity itself (`ACME/ORDER/HD_1`, see `entityKey`). */
  readonly entity: string;
  readonly status: string;
  /** 0 for the type's first status. */
  readonly rank: number;
}

/**
 * The position of an event's status, or undefined when the guard does not judge it: no order for its type, no
 * `entityStatus`, or a status the order does not list (handled as usual, and not remembered).
 */
export function statusPosition(order: StatusOrder, event: FluentEvent): StatusPosition | undefined {
  const statuses = Object.hasOwn(order, event.entityType) ? order[event.entityType] : undefined;
  if (statuses === undefined || typeof event.entityStatus !== 'string') return undefined;
  const rank = statuses.indexOf(event.entityStatus);
  return rank < 0 ? undefined : { entity: entityKey(event), status: event.entityStatus, rank };
}

/**
 * Reads a status order from configuration: an object, or its JSON text (from `-c` or an environment variable).
 * Returns the problems, each naming `setting`, instead of throwing.
 */
export function readStatusOrder(
  setting: string,
  value: unknown,
): { readonly order?: StatusOrder; readonly problems: ConfigurationProblem[] } {
  const problem = (message: string) => ({ problems: [{ setting, message }] });
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      return problem(
        'is not JSON; give an object of entity type to its statuses, earliest first: {"ORDER":["CREATED","BOOKED","SHIPPED"]}.',
      );
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return problem(
      'must be an object of entity type to its statuses, earliest first: {"ORDER":["CREATED","BOOKED","SHIPPED"]}.',
    );
  }
  const problems: ConfigurationProblem[] = [];
  for (const [type, statuses] of Object.entries(parsed)) {
    const valid =
      Array.isArray(statuses) &&
      statuses.length >= 2 &&
      statuses.every((status) => typeof status === 'string' && status !== '') &&
      new Set(statuses).size === statuses.length;
    if (!valid) {
      problems.push({
        setting: `${setting}.${type}`,
        message: 'must list at least two different, non-empty statuses, earliest first.',
      });
    }
  }
  if (Object.keys(parsed).length === 0)
    problems.push({ setting, message: 'lists no entity type; leave it unset to turn the guard off.' });
  const size = JSON.stringify(parsed).length;
  if (size > MAX_STATUS_ORDER_CHARS) {
    problems.push({
      setting,
      message: `is ${size} characters as JSON; at most ${MAX_STATUS_ORDER_CHARS} fit in the consumer's environment.`,
    });
  }
  return problems.length > 0 ? { problems } : { order: parsed as StatusOrder, problems };
}
