import type { FluentEventHandler } from './handler-types';

/**
 * The default handler: logs what the event is about, never its body or attributes (which may hold
 * personal data). Replace it in `handlers/index.ts` once real handlers exist.
 */
export const logEvent: FluentEventHandler = async (event, { logger, receivedAt }) => {
  logger.info('Fluent event received', {
    accountId: event.accountId,
    retailerId: event.retailerId,
    entityType: event.entityType,
    entitySubtype: event.entitySubtype,
    entityId: event.entityId,
    entityRef: event.entityRef,
    entityStatus: event.entityStatus,
    receivedAt,
  });
};
