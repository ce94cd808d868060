import { parseFluentEvent, readFluentEvent } from '../../../lambdas/core';
import { webhookFromListedEvent } from '../../../lambdas/core/listed-event';
import { fluentEvent } from '../../support/factories';

/** An event as Fluent's Event API lists it ("Using the Event API"): entity fields nested under `context`. */
const listed = (overrides: Record<string, unknown> = {}) => ({
  id: '6a1f0c9e-2b7d-4c55-9e0a-3f1d2c4b5a69',
  name: 'OrderStatusChange',
  type: 'ORCHESTRATION',
  accountId: 'ACME',
  retailerId: 1,
  category: null,
  eventStatus: 'COMPLETE',
  generatedOn: '2026-12-01T10:00:00.000Z',
  generatedBy: 'rubix',
  source: null,
  context: {
    sourceEvents: [],
    entityType: 'ORDER',
    entityId: 123,
    entityRef: 'HD_123',
    rootEntityType: 'ORDER',
    rootEntityId: '123',
    rootEntityRef: 'HD_123',
  },
  entityStatus: 'SHIPPED',
  attributes: { trackingNumber: 'TRK123' },
  ...overrides,
});

describe('webhookFromListedEvent', () => {
  it('flattens a listed event into the webhook a handler gets, ids as text, listing-only fields left out', () => {
    // Act
    const mapped = webhookFromListedEvent(listed());

    // Assess
    const { type: _type, entitySubtype: _subtype, ...webhook } = fluentEvent();
    expect(mapped).toEqual({ ok: true, id: webhook.id, event: webhook });
    if (mapped.ok) expect(readFluentEvent(mapped.event).ok).toBe(true);
  });

  it('takes the id from the field idField names, a dotted path', () => {
    // Act
    const mapped = webhookFromListedEvent(listed({ source: { webhookId: 'w-7' } }), 'source.webhookId');

    // Assess
    expect(mapped).toMatchObject({ ok: true, id: 'w-7', event: { id: 'w-7' } });
  });

  it.each([
    ['a number', 77, '77'],
    ['a string of digits', '77', '77'],
    ['a fraction', 77.5, '77.5'],
  ])(
    'backfills an id listed as %s as text, so the backfilled body is keyed as its webhook (id sent as text) is',
    (_case, listedId, text) => {
      // Act
      const mapped = webhookFromListedEvent(listed({ id: listedId }));
      const backfilled = parseFluentEvent(Buffer.from(mapped.ok ? JSON.stringify(mapped.event) : ''));
      const webhook = parseFluentEvent(Buffer.from(JSON.stringify({ ...fluentEvent(), id: text })));

      // Assess
      expect(mapped).toMatchObject({ ok: true, id: text, event: { id: text } });
      expect(backfilled).toMatchObject({ ok: true, deduplicationKey: text });
      expect(webhook).toMatchObject({ ok: true, deduplicationKey: text });
    },
  );

  it('reads flat entity fields when a listed event has no context', () => {
    // Act
    const mapped = webhookFromListedEvent(
      listed({ context: undefined, entityType: 'FULFILMENT', entityId: '9', entityRef: 'F_9' }),
    );

    // Assess
    expect(mapped).toMatchObject({ ok: true, event: { entityType: 'FULFILMENT', entityId: '9', entityRef: 'F_9' } });
  });

  it.each([
    ['no id', listed({ id: undefined }), 'the listed event has no id'],
    ['a blank id', listed({ id: '  ' }), 'the listed event has no id'],
    ['an object id', listed({ id: { nested: true } }), 'the listed event has no id'],
    [
      'no entity',
      listed({ context: { entityType: 'ORDER' } }),
      'the listed event lacks what a webhook needs: entityId, entityRef',
    ],
  ])('refuses %s, naming what is missing', (_case, event, problem) => {
    // Act
    const mapped = webhookFromListedEvent(event);

    // Assess
    expect(mapped).toMatchObject({ ok: false, problem });
  });
});
