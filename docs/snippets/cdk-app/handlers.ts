// Quoted in docs/library.md: the handlers module the stack bundles into the consumer (handlersEntry). It records
// each return in the stack's table, which the stack granted the consumer's role.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FluentEventHandlers } from 'fluent-webhook-receiver';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handlers: FluentEventHandlers = {
  events: {
    // Runs at most once per Fluent event id; throw to have the event retried, then dead-lettered.
    ReturnOrderCreated: async (event, { logger, receivedAt }) => {
      await documents.send(
        new PutCommand({
          TableName: process.env.RETURNS_TABLE,
          Item: { orderRef: event.entityRef, eventId: event.id, receivedAt },
        }),
      );
      logger.info('return recorded', { orderRef: event.entityRef });
    },
  },
};
