import type { FluentEventHandler, FluentEventHandlers, HandlerMatch } from './handler-types';

export interface SelectedHandler {
  readonly handler: FluentEventHandler;
  readonly matchedBy: HandlerMatch;
}

/** Route as the handlers map keys it: no leading or trailing slashes. */
export function normaliseRoute(route: string): string {
  return route.replace(/^\/+|\/+$/g, '');
}

/** Picks the handler for an event: by route, then by event name, then the default; undefined when none fits. */
export function selectHandler(
  handlers: FluentEventHandlers,
  route: string,
  eventName: string,
): SelectedHandler | undefined {
  const byRoute = ownEntry(handlers.routes, normaliseRoute(route));
  if (byRoute !== undefined) return { handler: byRoute, matchedBy: 'route' };
  const byName = ownEntry(handlers.events, eventName);
  if (byName !== undefined) return { handler: byName, matchedBy: 'event' };
  if (handlers.default !== undefined) return { handler: handlers.default, matchedBy: 'default' };
  return undefined;
}

/** Own keys only: an event named `constructor` or `toString` must not find Object.prototype's. */
function ownEntry(
  map: Readonly<Record<string, FluentEventHandler>> | undefined,
  key: string,
): FluentEventHandler | undefined {
  if (map === undefined || !Object.prototype.hasOwnProperty.call(map, key)) return undefined;
  return map[key];
}
