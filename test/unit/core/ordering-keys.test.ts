import { entityKey, messageDeduplicationId, messageGroupId } from '../../../lambdas/core';
import { fluentEvent } from '../../support/factories';

/** SQS's rule for MessageGroupId and MessageDeduplicationId. */
const SQS_FIFO_ID = /^[!-~]{1,128}$/;

describe('Function: messageGroupId', () => {
  it('keys an event on its account and root entity, readable when SQS takes it as it is', () => {
    // Act / Assess
    expect(messageGroupId(fluentEvent({ entityType: 'FULFILMENT', entityRef: 'F_1' }))).toBe('ACME/ORDER/HD_123');
  });

  it('puts every event of one order in one group, whatever entity it is about', () => {
    // Prepare
    const order = fluentEvent({
      entityType: 'ORDER',
      entityRef: 'HD_9',
      rootEntityType: 'ORDER',
      rootEntityRef: 'HD_9',
    });
    const fulfilment = fluentEvent({ entityType: 'FULFILMENT', entityRef: 'F_9', rootEntityRef: 'HD_9' });
    const orderWithoutRoot = fluentEvent({
      entityType: 'ORDER',
      entityRef: 'HD_9',
      rootEntityType: undefined,
      rootEntityRef: undefined,
    });

    // Act / Assess
    expect(new Set([order, fulfilment, orderWithoutRoot].map(messageGroupId))).toEqual(new Set(['ACME/ORDER/HD_9']));
  });

  it.each([
    ['no root fields', { rootEntityType: undefined, rootEntityRef: undefined }],
    ['an empty root ref', { rootEntityRef: '' }],
    ['a root ref without its type', { rootEntityType: undefined }],
  ])('falls back to the entity itself with %s', (_case, root) => {
    // Act / Assess
    expect(messageGroupId(fluentEvent({ entityType: 'LOCATION', entityRef: 'LOC_1', ...root }))).toBe(
      'ACME/LOCATION/LOC_1',
    );
  });

  it('keeps accounts apart', () => {
    // Act / Assess
    expect(messageGroupId(fluentEvent({ accountId: 'OTHER' }))).not.toBe(messageGroupId(fluentEvent()));
  });

  it.each([
    ['a ref longer than SQS allows', { rootEntityRef: 'R'.repeat(200) }],
    ['a ref with a space', { rootEntityRef: 'HD 123' }],
    ['a ref with letters outside ASCII', { rootEntityRef: 'Bestellung-Größe' }],
    ['a ref holding the separator', { rootEntityRef: 'HD/123' }],
  ])('hashes %s into a bounded id SQS takes', (_case, overrides) => {
    // Act
    const id = messageGroupId(fluentEvent(overrides));

    // Assess
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(id).toMatch(SQS_FIFO_ID);
  });

  it('never lets two different entities share a group through the separator', () => {
    // Prepare: the same text once joined, once inside one part.
    const a = fluentEvent({ accountId: 'A', rootEntityType: 'B/C', rootEntityRef: 'D' });
    const b = fluentEvent({ accountId: 'A/B', rootEntityType: 'C', rootEntityRef: 'D' });

    // Act / Assess
    expect(messageGroupId(a)).not.toBe(messageGroupId(b));
  });
});

describe('Function: entityKey', () => {
  it('keys the entity itself, not its root', () => {
    // Act / Assess
    expect(entityKey(fluentEvent({ entityType: 'FULFILMENT', entityRef: 'F_1' }))).toBe('ACME/FULFILMENT/F_1');
  });
});

describe('Function: messageDeduplicationId', () => {
  it('is the event id as sent when SQS takes it', () => {
    // Act / Assess
    expect(messageDeduplicationId('6a1f0c9e-2b7d-4c55-9e0a-3f1d2c4b5a69')).toBe('6a1f0c9e-2b7d-4c55-9e0a-3f1d2c4b5a69');
  });

  it.each([
    ['an id longer than 128 characters', 'x'.repeat(129)],
    ['an id with a space', 'event 1'],
    ['an id outside ASCII', 'événement'],
  ])('hashes %s', (_case, id) => {
    // Act / Assess
    expect(messageDeduplicationId(id)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keeps a numeric id apart from the same digits sent as a string', () => {
    // Act / Assess
    expect(messageDeduplicationId({ number: '77' })).toMatch(/^sha256:/);
    expect(messageDeduplicationId({ number: '77' })).not.toBe(messageDeduplicationId('77'));
  });
});
