import type { ConfigurationProblem } from '../core/errors';
import { namedChoice } from './named-choice';
import { RuntimeEnv } from './environment';

/**
 * How webhooks come through the door. One name for the construct prop, the `ingress` context key, the consumer's
 * `INGRESS` environment variable and `INGRESS=queue-first npm start`.
 * - `verify-first`: API Gateway → verifying Lambda (401/403 at the door) → SQS → consumer, which verifies again.
 * - `queue-first`: API Gateway → SQS directly (a service integration, no Lambda at the door) → consumer, the only
 *   judge: a message that fails the signature or the allow-list is a forgery, dropped and counted.
 */
const INGRESS_ENV = RuntimeEnv.INGRESS;

/** How webhooks come through the door (see above). */
export const Ingress = {
  /** API Gateway, then the verifying Lambda (401/403 at the door), then the queue. */
  VERIFY_FIRST: 'verify-first',
  /** API Gateway straight into the queue; the consumer is the only judge. */
  QUEUE_FIRST: 'queue-first',
} as const;
/** One of the {@link Ingress} names. */
export type IngressName = (typeof Ingress)[keyof typeof Ingress];

export const DEFAULT_INGRESS: IngressName = Ingress.VERIFY_FIRST;
const choice = namedChoice(Ingress, DEFAULT_INGRESS);
export const INGRESS_NAMES: readonly IngressName[] = choice.names;

export function isIngressName(value: unknown): value is IngressName {
  return choice.is(value);
}

/**
 * The `INGRESS` environment variable the stack sets on the consumer; unset means verify-first. A wrong value fails
 * the consumer's start (messages wait in the queue) rather than guessing which mode would drop forgeries.
 */
export function readIngress(env: Readonly<Record<string, string | undefined>>): IngressName {
  return choice.fromEnv(env, INGRESS_ENV, 'ingress');
}

/** The problem with an ingress setting named `setting`, or undefined when it is fine (or unset). */
export function ingressProblem(setting: string, value: unknown): ConfigurationProblem | undefined {
  return choice.problem(setting, value);
}
