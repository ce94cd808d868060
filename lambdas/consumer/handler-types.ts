import type { FluentEvent } from '../core/fluent-event-rules';
import type { FluentApi } from '../fluent-api/fluent-api-client';
import type { ProvenanceName } from '../contract/provenance';

// The logger and the metrics a handler gets are Powertools' Logger and Metrics. They are typed here by what a
// handler calls, not by Powertools' classes: those types import the aws-lambda types, and the package's main entry
// must type-check in a project that has neither (no skipLibCheck, no @types/aws-lambda).

/** A log line's message: text, or an object with a `message` and more fields. */
export type HandlerLogMessage =
  | string
  | {
      /** The line's message. */
      readonly message: string;
      readonly [field: string]: unknown;
    };

/** What a handler logs with: Powertools' Logger, whose JSON lines already carry the event's ids. */
export interface HandlerLogger {
  /** Logs at DEBUG, shown when the function's log level allows it. */
  debug(message: HandlerLogMessage, ...extra: unknown[]): void;
  /** Logs at INFO: `logger.info('order shipped', { orderRef })`. */
  info(message: HandlerLogMessage, ...extra: unknown[]): void;
  /** Logs at WARN. */
  warn(message: HandlerLogMessage, ...extra: unknown[]): void;
  /** Logs at ERROR; pass the error as the second argument to log its stack. */
  error(message: HandlerLogMessage, ...extra: unknown[]): void;
  /** Adds fields to every later line of this invocation. */
  appendKeys(attributes: Readonly<Record<string, unknown>>): void;
  /** Removes fields added with {@link HandlerLogger.appendKeys}. */
  removeKeys(keys: string[]): void;
}

/** What a handler counts with: Powertools' Metrics, published as CloudWatch metrics after each batch. */
export interface HandlerMetrics {
  /** Adds a value: `metrics.addMetric('ShipmentNoticesSent', MetricUnit.Count, 1)` (a CloudWatch unit name). */
  addMetric(name: string, unit: string, value: number): void;
  /** Adds a dimension to the metrics of this batch. */
  addDimension(name: string, value: string): void;
  /** Adds a field to the metrics log line that is not a dimension. */
  addMetadata(key: string, value: string): void;
}

/** Everything a handler gets besides the event itself. */
export interface FluentEventContext {
  /** Logs JSON lines that already carry eventId, eventName, route and messageId. */
  readonly logger: HandlerLogger;
  /** Add your own metrics (namespace FluentWebhookReceiver); they are published after each batch. */
  readonly metrics: HandlerMetrics;
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
