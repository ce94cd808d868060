// An example handler map, type-checked with the rest of the code and quoted in docs/handlers.md.
// To use it, copy what you need into ../index.ts (the file the consumer loads).
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FluentEventHandler, FluentEventHandlers } from 'fluent-webhook-receiver';
import { logEvent } from '../../lambdas/consumer/log-event';

/** Where the (invented) warehouse system takes shipment notices. */
const WAREHOUSE_URL = process.env.WAREHOUSE_URL ?? 'https://warehouse.example.com/shipment-notices';

export const notifyWarehouse: FluentEventHandler = async (event, { logger, metrics, receivedAt }) => {
  if (event.entityStatus !== 'SHIPPED') return; // Resolving without work still marks the event as handled.

  const response = await fetch(WAREHOUSE_URL, {
    method: 'POST',
    // The Fluent event id makes a repeat harmless downstream too (see "Idempotency" in docs/handlers.md).
    headers: { 'content-type': 'application/json', 'idempotency-key': event.id },
    body: JSON.stringify({ orderRef: event.entityRef, retailerId: event.retailerId, shippedAt: receivedAt }),
  });
  if (!response.ok) {
    // Throwing fails this event only: SQS retries it, and after maxReceiveCount attempts it waits in the DLQ.
    throw new Error(`The warehouse answered ${response.status} to the shipment notice for ${event.entityRef}.`);
  }
  metrics.addMetric('ShipmentNoticesSent', MetricUnit.Count, 1);
  logger.info('shipment notice sent', { orderRef: event.entityRef });
};

export const handlers: FluentEventHandlers = {
  routes: {
    'orders/shipped': notifyWarehouse, // a Fluent webhook rule posting to https://<api>/<secret>/fluent/orders/shipped
  },
  events: {
    OrderStatusChange: notifyWarehouse,
  },
  default: logEvent,
};
