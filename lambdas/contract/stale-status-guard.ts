import { ConfigurationError } from '../core/errors';
import { readStatusOrder, type StatusOrder } from '../core/stale-status';
import { RuntimeEnv } from './environment';

/**
 * The stale-status guard keeps the last status processed for each entity in the idempotency table, under keys
 * `entity-status#<account>/<type>/<ref>` (see `entityKey`), apart from Powertools' `fluent-event#…` records.
 */
export const ENTITY_STATUS_KEY_PREFIX = 'entity-status#';
/** The attributes of such an item besides the key and the expiry. */
export const EntityStatusAttribute = {
  STATUS: 'entityStatus',
  RANK: 'statusRank',
  EVENT_ID: 'eventId',
} as const;

/**
 * The status order from `STALE_STATUS_GUARD` (JSON), which the stack sets on the consumer from its
 * `staleStatusGuard` setting; undefined when unset (the guard is off). A wrong value fails the consumer's start.
 */
export function readStaleStatusGuard(env: Readonly<Record<string, string | undefined>>): StatusOrder | undefined {
  const text = env[RuntimeEnv.STALE_STATUS_GUARD]?.trim() || undefined;
  if (text === undefined) return undefined;
  const { order, problems } = readStatusOrder(RuntimeEnv.STALE_STATUS_GUARD, text);
  if (order === undefined) {
    const lines = problems.map((problem) => `${problem.setting} ${problem.message}`).join(' ');
    throw new ConfigurationError(`${lines} The stack sets it from its staleStatusGuard setting.`, { problems });
  }
  return order;
}
