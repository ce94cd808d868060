import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { FluentEvent } from '../core';
import type { FluentApi } from '../fluent-api';
import type { ProvenanceName } from '../contract/provenance';

/** Everything a handler gets besides the event itself. */
export interface FluentEventContext {
  /** Logs JSON lines that already carry eventId, eventName, route and messageId. */
  readonly logger: Logger;
  /** Add your own metrics (namespace FluentWebhookReceiver); they are published after each batch. */
  readonly metrics: Metrics;
  /** The exact bytes Fluent signed, for handlers that forward or archive the original. */
  readonly rawBody: Buffer;
  /** The path after the secret segment, without leading or trailing slashes: `orders/status`, or `''`. */
  readonly route: string;
  /** When the receiver accepted the webhook (ISO 8601). */
  readonly receivedAt: string;
  /** The API Gateway request id of the delivery; matches the receiver's log line. */
  readonly requestId: string;
  /** The SQS message id; matches the consumer's log lines and the DLQ. */
  readonly messageId: string;
  /** How many times SQS has handed this message out, 1 on the first attempt. */
  readonly receiveCount: number;
  /**
   * One value per Fluent event, the same for every delivery and copy of it: the id of the event's record in the
   * consumer's idempotency table (`fluent-event#` and the base64 MD5 of the event `id` as the consumer
   * de-duplicates on it, numeric ids apart from string ones). A handler normally runs once per event, but at least
   * once across crashes and timeouts: pass this key to the systems you call (an idempotency key, a conditional
   * write, a natural key) so that a second run changes nothing.
   */
  readonly idempotencyKey: string;
  /**
   * How the event came: `'webhook'` (Fluent delivered it), `'replay'` (`fluent-webhook replay` put an archived,
   * re-verified copy back) or `'reconciliation'` (backfilled from Fluent's Event API).
   */
  readonly provenance: ProvenanceName;
  /**
   * Calls Fluent back: `await fluent.sendEvent({ name: 'ReturnApproved', retailerId, entityType, entityRef })`,
   * `fluent.graphql(query, variables)`, `fluent.getEvents(filter)`. Authenticated, retried and bounded by this
   * handler's deadline. Every event it sends carries the webhook's event id as `attributes.sourceEventId` (unless
   * the handler set that attribute itself), so a repeated call can be recognised. Reading it without Fluent API
   * settings throws FluentNotConfiguredError, which names the settings to set.
   */
  readonly fluent: FluentApi;
}

/**
 * Does the work for one Fluent event. Resolve when done; throw (or reject) to fail the event: it is
 * retried after the queue's visibility timeout and lands in the dead-letter queue after maxReceiveCount tries.
 */
export type FluentEventHandler = (event: FluentEvent, context: FluentEventContext) => Promise<void>;

/**
 * Which handler runs for an event. The first match wins: `routes` (by the webhook's route), then
 * `events` (by the Fluent event name), then `default`. With no match, the UNHANDLED_EVENTS setting decides.
 */
export interface FluentEventHandlers {
  /** Keyed by route, for example `'orders/status'` for `https://<api>/<secret>/fluent/orders/status`. */
  readonly routes?: Readonly<Record<string, FluentEventHandler>>;
  /** Keyed by Fluent event name, for example `'OrderStatusChange'`. */
  readonly events?: Readonly<Record<string, FluentEventHandler>>;
  /** Runs for every event that no route or name claims. */
  readonly default?: FluentEventHandler;
}

/** How a handler was chosen, for the log line. */
export type HandlerMatch = 'route' | 'event' | 'default';
