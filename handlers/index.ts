// Your code goes here: map a webhook's route or a Fluent event name to the function that handles it.
// Precedence: routes, then events, then default. Delete `default` to let UNHANDLED_EVENTS decide what happens
// to the rest (ignore: logged and dropped; fail: retried, then the dead-letter queue).
// A handler runs once per Fluent event id in normal operation, and at least once across crashes and timeouts:
// make side effects safe to repeat (context.idempotencyKey). Throw to fail the event: it is retried, then
// dead-lettered.
import type { FluentEventHandlers } from 'fluent-webhook-receiver';
import { logEvent } from '../lambdas/consumer/log-event';

export const handlers: FluentEventHandlers = {
  routes: {
    // 'orders/status': async (event, { logger }) => { ... },  // https://<api>/<secret>/fluent/orders/status
  },
  events: {
    OrderStatusChange: async (event, { logger }) => {
      logger.info('order status changed', { orderRef: event.entityRef, status: event.entityStatus });
    },
  },
  default: logEvent,
};
