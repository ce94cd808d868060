// An example for the local walkthrough (docs/local-development.md): the shipped handlers, plus a handler for
// returns whose downstream system is "down". Run it with LOCAL_HANDLERS_MODULE=handlers/examples/failing-returns.ts
// npm start and follow a returns event through its retries into the dead-letter queue.
import type { FluentEventHandlers } from 'fluent-webhook-receiver';
import { handlers as shippedHandlers } from '../index';

export const handlers: FluentEventHandlers = {
  ...shippedHandlers,
  events: {
    ...shippedHandlers.events,
    ReturnOrderCreated: async () => {
      // Throwing fails this event only: it is retried after the visibility timeout, then dead-lettered.
      throw new Error('the returns system is down');
    },
  },
};
