import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ReceiverReasonName } from './receiver-outcomes';

function jsonResponse(statusCode: number, body: object): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** 200 once the message is queued. Small on purpose: Fluent only needs the status. */
export function acceptedResponse(requestId: string): APIGatewayProxyResult {
  return jsonResponse(200, { status: 'accepted', requestId });
}

/** A refusal: the reason, a fixed explanation and the request id. Never any part of the request body. */
export function errorResponse(
  statusCode: number,
  reason: ReceiverReasonName,
  message: string,
  requestId: string,
): APIGatewayProxyResult {
  return jsonResponse(statusCode, { error: reason, message, requestId });
}
