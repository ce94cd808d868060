import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyInconsistentStateError } from '@aws-lambda-powertools/idempotency';
import { dynamoDbEventClaims } from '../../../lambdas/consumer/dynamodb-event-claims';
import type { ClaimAnswer, EventClaims } from '../../../lambdas/consumer/event-claims';
import { createHistoryMarkedRunOnce } from '../../../lambdas/consumer/history-marked-run-once';
import { lambdaContext } from './consumer-fixtures';

/*
 * The races dynalite cannot stage (the integration test covers every other branch on it): the record in the way gone
 * or freed between the refused claim and its read, and DynamoDB's answer carrying that record (dynalite's does not).
 */

/** Claims that answer as scripted, then take every claim. */
function scriptedClaims(...answers: ClaimAnswer[]): EventClaims & { claims: number } {
  const claims = {
    claims: 0,
    claim: async () => {
      claims.claims += 1;
      return answers.shift() ?? { taken: true };
    },
    release: async () => undefined,
    complete: async () => undefined,
  };
  return claims;
}

const noCompletions = { completionsOf: async () => [] };

describe('createHistoryMarkedRunOnce: a claim refused by a record that is then gone or free', () => {
  it('claims again when the record in the way was released before it could be read, and runs the work once', async () => {
    // Prepare
    const claims = scriptedClaims({ taken: false });
    const runOnce = createHistoryMarkedRunOnce(claims, noCompletions, 3600, lambdaContext());
    let runs = 0;

    // Act
    const result = await runOnce('evt-1', async () => void (runs += 1), { eventId: 'evt-1' });

    // Assess
    expect(result.duplicate).toBe(false);
    expect([claims.claims, runs]).toEqual([2, 1]);
  });

  it('claims again when the record in the way was in progress past its time by the time it was read', async () => {
    // Prepare
    const freed = { status: 'INPROGRESS', expiresAt: Date.now() / 1000 + 3600, inProgressUntil: Date.now() - 1 };
    const claims = scriptedClaims({ taken: false, holder: freed });
    const runOnce = createHistoryMarkedRunOnce(claims, noCompletions, 3600, lambdaContext());
    let runs = 0;

    // Act
    await runOnce('evt-1', async () => void (runs += 1), { eventId: 'evt-1' });

    // Assess
    expect([claims.claims, runs]).toEqual([2, 1]);
  });

  it('gives up as Powertools does (an inconsistent state: idempotency-store-failed) after three claims, running nothing', async () => {
    // Prepare
    const claims = scriptedClaims({ taken: false }, { taken: false }, { taken: false });
    const runOnce = createHistoryMarkedRunOnce(claims, noCompletions, 3600, lambdaContext());
    let runs = 0;

    // Act
    const attempt = runOnce('evt-1', async () => void (runs += 1), { eventId: 'evt-1' });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(IdempotencyInconsistentStateError);
    expect([claims.claims, runs]).toEqual([3, 0]);
  });
});

describe('dynamoDbEventClaims: DynamoDB returns the record in the way with the refusal', () => {
  it('reads the holder from the refusal and sends no GetItem', async () => {
    // Prepare
    const sent: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: {
            id: { S: 'fluent-event#x' },
            status: { S: 'COMPLETED' },
            expiration: { N: '1900000000' },
            data: { M: { handledAt: { S: '2026-12-07T08:00:00.000Z' } } },
          },
        });
      },
    } as unknown as DynamoDBClient;

    // Act
    const answer = await dynamoDbEventClaims(client, 'idempotency').claim({
      id: 'fluent-event#x',
      expiresAt: 1_900_000_000,
      inProgressUntil: Date.now() + 1000,
      now: Date.now(),
    });

    // Assess
    expect(answer).toEqual({
      taken: false,
      holder: { status: 'COMPLETED', expiresAt: 1_900_000_000, handledAt: '2026-12-07T08:00:00.000Z' },
    });
    expect(sent).toEqual(['PutItemCommand']);
  });
});
