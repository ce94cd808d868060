import type { FluentEventHandler } from '../../../lambdas/consumer/handler-types';
import { normaliseRoute, selectHandler } from '../../../lambdas/consumer/select-handler';

describe('Function: selectHandler', () => {
  const byRoute: FluentEventHandler = async () => undefined;
  const byName: FluentEventHandler = async () => undefined;
  const fallback: FluentEventHandler = async () => undefined;
  const handlers = { routes: { 'orders/status': byRoute }, events: { OrderStatusChange: byName }, default: fallback };

  it.each([
    ['a route match, whatever the name', 'orders/status', 'Anything', byRoute, 'route'],
    ['a route given with slashes around it', '/orders/status/', 'Anything', byRoute, 'route'],
    ['an event name when no route matches', 'returns', 'OrderStatusChange', byName, 'event'],
    ['the default when neither matches', 'returns', 'ReturnCreated', fallback, 'default'],
    ['the default for names of Object.prototype members', 'constructor', 'toString', fallback, 'default'],
  ])('picks %s', (_case, route, eventName, handler, matchedBy) => {
    // Act
    const selected = selectHandler(handlers, route, eventName);

    // Assess
    expect(selected).toEqual({ handler, matchedBy });
  });

  it('finds nothing when no entry matches and there is no default', () => {
    // Act
    const selected = selectHandler({ events: { OrderCreated: byName } }, 'orders', 'hasOwnProperty');

    // Assess
    expect(selected).toBeUndefined();
  });
});

describe('Function: normaliseRoute', () => {
  it.each([
    ['orders/status', 'orders/status'],
    ['//orders/status//', 'orders/status'],
    ['', ''],
    ['/', ''],
  ])('turns %j into %j', (route, expected) => {
    // Act
    const normalised = normaliseRoute(route);

    // Assess
    expect(normalised).toBe(expected);
  });
});
