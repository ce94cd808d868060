import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { pathSecretFingerprint } from '../core/path-secret-fingerprint';
import { idText } from '../core/id-text';
import { boundedLogValue } from '../contract/log-values';

/**
 * Size of the body in bytes without decoding it, so an oversized request costs no allocation.
 * With `binaryMediaTypes: ['*\/*']` API Gateway always sends the body base64-encoded.
 */
export function bodyByteLength(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): number {
  if (event.body === null || event.body === undefined) return 0;
  return Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The exact bytes the sender posted: what the signature covers. */
export function readRawBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The `{route+}` part of the path (API Gateway has already URL-decoded it). Never the secret segment. */
export function readRoute(event: Partial<Pick<APIGatewayProxyEvent, 'pathParameters'>>): string {
  return event.pathParameters?.route ?? '';
}

/** The first segment of a resource template when it is literal: the secret in `/<secret>/fluent/{route+}`. */
const SECRET_SEGMENT = /^\/([^/{}]+)\//;

/**
 * Which path secret the request came in under, as its fingerprint: each live secret has its own resource, and
 * `event.resource` names the one matched (the stack's template, never what the client sent). Logged so a rotation
 * can watch the old secret's traffic end, without the log holding a secret. Undefined outside API Gateway.
 */
export function readPathSecretFingerprint(event: Partial<Pick<APIGatewayProxyEvent, 'resource'>>): string | undefined {
  if (typeof event.resource !== 'string') return undefined;
  const secret = SECRET_SEGMENT.exec(event.resource)?.[1];
  return secret === undefined ? undefined : pathSecretFingerprint(secret);
}

/** API Gateway's request id; the Lambda request id or a fresh UUID when called outside API Gateway. */
export function readRequestId(
  event: Partial<Pick<APIGatewayProxyEvent, 'requestContext'>>,
  context?: Pick<Context, 'awsRequestId'>,
): string {
  const fromGateway = (event.requestContext as Partial<APIGatewayProxyEvent['requestContext']> | undefined)?.requestId;
  if (typeof fromGateway === 'string' && fromGateway.length > 0) return fromGateway;
  return context?.awsRequestId ?? randomUUID();
}

/**
 * The event id when the parsed body has one, as sent and cut to a loggable length: logged so a decision can be
 * traced back to Fluent's event.
 */
export function readEventId(json: {
  readonly object: Readonly<Record<string, unknown>>;
  readonly text: string;
}): string | undefined {
  const id = idText(json.object, 'id', json.text);
  return id === undefined || id.length === 0 ? undefined : boundedLogValue(id);
}
