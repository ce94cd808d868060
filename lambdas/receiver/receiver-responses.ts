import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ReceiverReasonName } from './receiver-outcomes';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** 200 once the message is queued. Small on purpose: Fluent only needs the status. */
export function acceptedResponse(requestId: string): APIGatewayProxyResult {
  // Written out, as JSON.stringify would write the object, because every accepted request builds it.
  return {
    statusCode: 200,
    headers: { ...JSON_HEADERS },
    body: `{"status":"accepted","requestId":${JSON.stringify(requestId)}}`,
  };
}

/** A refusal: the reason, a fixed explanation and the request id. Never any part of the request body. */
export function errorResponse(
  statusCode: number,
  reason: ReceiverReasonName,
  message: string,
  requestId: string,
): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify({ error: reason, message, requestId }) };
}
