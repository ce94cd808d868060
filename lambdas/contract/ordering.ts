import type { ConfigurationProblem } from '../core/errors';
import { namedChoice } from './named-choice';
import { RuntimeEnv } from './environment';
import { Ingress } from './ingress';

/**
 * Whether webhooks of one entity are handled one after another. One name for the construct prop, the `ordering`
 * context key, the verifying Lambda's `ORDERING` environment variable and `ORDERING=per-entity npm start`.
 * - `unordered`: a standard queue; a batch's records run concurrently. Fastest and cheapest.
 * - `per-entity`: FIFO queues, one message group per root entity (see `messageGroupId` in lambdas/core): the events
 *   of one order run strictly one after another, in the order they were accepted; different orders in parallel.
 */
const ORDERING_ENV = RuntimeEnv.ORDERING;

/** Whether webhooks of one entity are handled one after another (see above). */
export const Ordering = {
  /** A standard queue; a batch's records run concurrently. */
  UNORDERED: 'unordered',
  /** FIFO queues, one message group per root entity: one order's events run one after another. */
  PER_ENTITY: 'per-entity',
} as const;
/** One of the {@link Ordering} names. */
export type OrderingName = (typeof Ordering)[keyof typeof Ordering];

export const DEFAULT_ORDERING: OrderingName = Ordering.UNORDERED;
const choice = namedChoice(Ordering, DEFAULT_ORDERING);
export const ORDERING_NAMES: readonly OrderingName[] = choice.names;

/** SQS's rule: a FIFO queue's name ends with this. */
export const FIFO_QUEUE_SUFFIX = '.fifo';

export function isOrderingName(value: unknown): value is OrderingName {
  return choice.is(value);
}

/** The problem with an ordering setting named `setting`, or undefined when it is fine (or unset). */
export function orderingProblem(setting: string, value: unknown): ConfigurationProblem | undefined {
  return choice.problem(setting, value);
}

/**
 * The `ORDERING` environment variable the stack sets on the verifying Lambda; unset means unordered. A wrong value
 * fails the cold start (Fluent retries, nothing is queued) rather than sending to a queue of the other kind.
 */
export function readOrdering(env: Readonly<Record<string, string | undefined>>): OrderingName {
  return choice.fromEnv(env, ORDERING_ENV, 'ordering');
}

/**
 * per-entity ordering needs the verifying Lambda at the door: the FIFO message group comes from the body, and
 * API Gateway's mapping template cannot compute it exactly (docs/security.md, "Ordering and the queue-first door").
 * The problem names `setting`; undefined when the pair is fine.
 */
export function orderingIngressProblem(
  setting: string,
  ordering: unknown,
  ingress: unknown,
): ConfigurationProblem | undefined {
  if (ordering !== Ordering.PER_ENTITY || ingress !== Ingress.QUEUE_FIRST) return undefined;
  return {
    setting,
    message:
      'is per-entity, which queue-first cannot do: the FIFO message group must come from the body (account, root entity type and ref), and API Gateway\'s mapping template can neither read it as the consumer does (its base64 decoding and JSON parser do not keep non-UTF-8 bytes, duplicate keys or numeric ids as sent) nor bound it (no hash function for refs SQS refuses as a group id). Use verify-first with per-entity, or queue-first unordered (docs/security.md, "Ordering and the queue-first door").',
  };
}
