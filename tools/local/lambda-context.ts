import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** What the local runner says about a function it invokes in-process. */
export interface LocalFunction {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly region: string;
  readonly accountId: string;
}

/**
 * A Lambda `Context` for one in-process invocation. Powertools reads `getRemainingTimeInMillis` (the
 * idempotency in-progress expiry) and `awsRequestId` (log lines), so both behave as in Lambda.
 */
export function createLambdaContext(fn: LocalFunction, now: () => number = Date.now): Context {
  const deadline = now() + fn.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:${fn.accountId}:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memorySizeMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
