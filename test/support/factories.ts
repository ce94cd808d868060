import { FluentEvent } from '../../lambdas/core';
import type { HistoryEntry, HistoryRecord } from '../../lambdas/contract/history';

/** A representative Fluent event (values invented); override any field. */
export function fluentEvent(overrides: Partial<FluentEvent> & Record<string, unknown> = {}): FluentEvent {
  return {
    id: '6a1f0c9e-2b7d-4c55-9e0a-3f1d2c4b5a69',
    name: 'OrderStatusChange',
    accountId: 'ACME',
    retailerId: '1',
    entityId: '123',
    entityRef: 'HD_123',
    entityType: 'ORDER',
    entitySubtype: 'HD',
    entityStatus: 'SHIPPED',
    type: 'NORMAL',
    rootEntityId: '123',
    rootEntityRef: 'HD_123',
    rootEntityType: 'ORDER',
    attributes: { trackingNumber: 'TRK123' },
    ...overrides,
  };
}

/** The event as the exact bytes Fluent would send. */
export function fluentEventBody(overrides: Partial<FluentEvent> & Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify(fluentEvent(overrides)), 'utf8');
}

/**
 * A fulfilment update of about 2 KB (the size docs/cost-and-limits.md prices the history at): an order's customer,
 * address and fifteen lines, `n` varying the refs and values so that events of a run differ as real ones do.
 */
export function twoKilobyteEventBody(id: string, n = 0): Buffer {
  const lines = Array.from({ length: 15 }, (_, line) => ({
    ref: `L_${5012 + n}_${line + 1}`,
    productRef: `SKU-${1000 + ((line * 37 + n) % 900)}`,
    quantity: 1 + (line % 3),
    price: Number((9.95 + line * 3.1 + (n % 7)).toFixed(2)),
    status: 'ALLOCATED',
  }));
  return fluentEventBody({
    id,
    name: 'FulfilmentStatusUpdate',
    entityId: String(8820 + n),
    entityRef: `F_HD_${5012 + n}_1`,
    entityType: 'FULFILMENT',
    entitySubtype: 'HD_WH',
    entityStatus: 'PACKED',
    rootEntityId: String(5012 + n),
    rootEntityRef: `HD_${5012 + n}`,
    attributes: {
      locationRef: 'DC_SYDNEY',
      deliveryType: 'STANDARD',
      customer: {
        ref: `C_${77120 + n}`,
        firstName: 'Alex',
        lastName: 'Nguyen',
        email: `alex.nguyen${n}@example.com`,
        phone: '+61 2 9000 0000',
      },
      address: { street: '12 George Street', city: 'Sydney', state: 'NSW', postcode: '2000', country: 'AU' },
      lines,
    },
  });
}

/** What the history's index says of a record (`HistoryStore.entries`): to compare with what a listing read. */
export function historyEntryOf(record: HistoryRecord): HistoryEntry {
  const { eventId, messageId, receivedAt, name, accountId, outcome } = record;
  return { eventId, messageId, receivedAt, name, accountId, outcome };
}
