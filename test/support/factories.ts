import { FluentEvent } from '../../lambdas/core';

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
