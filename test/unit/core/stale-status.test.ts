import { readStatusOrder, statusPosition } from '../../../lambdas/core';
import { fluentEvent } from '../../support/factories';

const ORDER = { ORDER: ['CREATED', 'BOOKED', 'SHIPPED', 'COMPLETE'] };

describe('Function: statusPosition', () => {
  it('places an event’s status in its type’s order, on its own entity', () => {
    // Act / Assess
    expect(statusPosition(ORDER, fluentEvent({ entityStatus: 'BOOKED' }))).toEqual({
      entity: 'ACME/ORDER/HD_123',
      status: 'BOOKED',
      rank: 1,
    });
  });

  it.each([
    ['a type without an order', { entityType: 'FULFILMENT' }],
    ['no entityStatus', { entityStatus: undefined }],
    ['a status the order does not list', { entityStatus: 'ON_HOLD' }],
    ['a type named like an Object member', { entityType: 'constructor' }],
  ])('does not judge %s', (_case, overrides) => {
    // Act / Assess
    expect(statusPosition(ORDER, fluentEvent(overrides))).toBeUndefined();
  });
});

describe('Function: readStatusOrder', () => {
  it('takes an object, or its JSON text', () => {
    // Act / Assess
    expect(readStatusOrder('staleStatusGuard', ORDER)).toEqual({ order: ORDER, problems: [] });
    expect(readStatusOrder('staleStatusGuard', JSON.stringify(ORDER))).toEqual({ order: ORDER, problems: [] });
  });

  it.each([
    ['text that is not JSON', '{ORDER:', /staleStatusGuard is not JSON/],
    ['a list', '["CREATED"]', /staleStatusGuard must be an object of entity type to its statuses/],
    ['one status', { ORDER: ['CREATED'] }, /staleStatusGuard\.ORDER must list at least two different/],
    ['a repeated status', { ORDER: ['A', 'B', 'A'] }, /staleStatusGuard\.ORDER must list at least two different/],
    ['an empty status', { ORDER: ['A', ''] }, /staleStatusGuard\.ORDER must list at least two different/],
    ['no type', {}, /staleStatusGuard lists no entity type/],
    ['more than fits the environment', { ORDER: Array.from({ length: 300 }, (_, i) => `STATUS_${i}`) }, /at most 2048/],
  ])('refuses %s, naming the setting', (_case, value, message) => {
    // Act
    const { order, problems } = readStatusOrder('staleStatusGuard', value);

    // Assess
    expect(order).toBeUndefined();
    expect(problems.map((problem) => `${problem.setting} ${problem.message}`).join('\n')).toMatch(message);
  });
});
