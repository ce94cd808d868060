// Closing the loop: Fluent tells us a return order was created, our returns system decides, and the handler
// reports the decision back to Fluent as a ReturnApproved event (Fluent's advice: answer the webhook at once,
// do the work, report the result as a new event). Type-checked with the rest of the code; quoted in docs/handlers.md.
// To use it, copy what you need into ../index.ts (the file the consumer loads).
//
// Idempotency, step by step:
// - The consumer runs a handler once per Fluent event id in normal operation. A webhook Fluent delivers twice runs
//   once. Across crashes and timeouts it runs at least once: a consumer killed after the handler returned, before
//   its completion was recorded, runs it again.
// - And one run can fail half-way: the post to Fluent may have reached Fluent even though we saw a timeout, or
//   something after it may throw. The event is then retried and every step runs again. So each step must be
//   harmless to repeat:
//   1. The returns system gets the Fluent event id as its idempotency key: asked twice, it decides once and
//      answers the same decision again.
//   2. Before posting, the handler asks Fluent whether a ReturnApproved carrying this event id (attribute
//      sourceEventId, which context.fluent adds to every event a handler sends) already exists for the return,
//      and posts only if not.
//   3. What can still slip through (Fluent has not listed the first post yet when the retry asks) carries the
//      same sourceEventId, so the workflow's rule for ReturnApproved can ignore a return that is already approved.
import { randomUUID } from 'node:crypto';
import type {
  FluentApi,
  FluentEvent,
  FluentEventHandler,
  FluentEventHandlers,
  FluentEventPage,
} from 'fluent-webhook-receiver';

/** The (invented) returns system's answer. */
export interface ReturnDecision {
  readonly approved: boolean;
  readonly approvalId: string;
  readonly reason?: string;
}

/** The returns system: decides once per idempotency key, however often it is asked. */
export interface ReturnsSystem {
  decide(request: { returnRef: string; retailerId: string; idempotencyKey: string }): Promise<ReturnDecision>;
}

/** Set RETURNS_SYSTEM_URL to call a real one; without it, a stand-in in memory approves every return. */
export function returnsSystemFromEnv(url = process.env.RETURNS_SYSTEM_URL): ReturnsSystem {
  if (url === undefined || url === '') return inMemoryReturnsSystem();
  return {
    async decide(request) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
        body: JSON.stringify({ returnRef: request.returnRef, retailerId: request.retailerId }),
        signal: AbortSignal.timeout(5000),
      });
      // Throwing fails the event: it is retried, and each step above is safe to repeat.
      if (!response.ok) throw new Error(`The returns system answered ${response.status} for ${request.returnRef}.`);
      return (await response.json()) as ReturnDecision;
    },
  };
}

/** A returns system stand-in: approves everything, and answers a repeated key with the decision it made first. */
export function inMemoryReturnsSystem(): ReturnsSystem {
  const decisions = new Map<string, ReturnDecision>();
  return {
    async decide({ idempotencyKey }) {
      const decision = decisions.get(idempotencyKey) ?? { approved: true, approvalId: randomUUID() };
      decisions.set(idempotencyKey, decision);
      return decision;
    },
  };
}

export const RETURN_APPROVED = 'ReturnApproved';

/** Whether Fluent already lists a ReturnApproved that this webhook's event caused. */
function alreadyReported(page: FluentEventPage, sourceEventId: string): boolean {
  return page.results.some((listed) => {
    const attributes = listed.attributes;
    // Listed events carry attributes as an object or as [{ name, value }]; accept both.
    if (Array.isArray(attributes)) {
      return attributes.some((entry) => entry?.name === 'sourceEventId' && entry?.value === sourceEventId);
    }
    return (attributes as Record<string, unknown> | undefined)?.sourceEventId === sourceEventId;
  });
}

// #region send-event
/** Tells Fluent the return is approved: one call on `context.fluent`; token, retries and timeouts are its job. */
async function reportApproval(fluent: FluentApi, event: FluentEvent, approvalId: string): Promise<void> {
  await fluent.sendEvent({
    name: RETURN_APPROVED,
    retailerId: event.retailerId,
    entityType: 'RETURN_ORDER',
    entityRef: event.entityRef,
    attributes: { approvalId, sourceEventId: event.id },
  });
}
// #endregion

export function createReturnOrderHandler(returns: ReturnsSystem): FluentEventHandler {
  return async (event, { fluent, logger }) => {
    if (event.entityType !== 'RETURN_ORDER') return;
    const decision = await returns.decide({
      returnRef: event.entityRef,
      retailerId: event.retailerId,
      idempotencyKey: event.id,
    });
    if (!decision.approved) {
      logger.info('return not approved', { returnRef: event.entityRef, reason: decision.reason });
      return;
    }
    const earlier = await fluent.getEvents({ entityRef: event.entityRef, name: RETURN_APPROVED });
    if (alreadyReported(earlier, event.id)) {
      logger.info('return approval already reported to Fluent', { returnRef: event.entityRef });
      return;
    }
    await reportApproval(fluent, event, decision.approvalId);
    logger.info('return approval reported to Fluent', { returnRef: event.entityRef, approvalId: decision.approvalId });
  };
}

const returnOrderCreated = createReturnOrderHandler(returnsSystemFromEnv());

export const handlers: FluentEventHandlers = {
  routes: {
    returns: returnOrderCreated, // a Fluent webhook rule posting to https://<api>/<secret>/fluent/returns
  },
  events: {
    ReturnOrderCreated: returnOrderCreated,
  },
};
