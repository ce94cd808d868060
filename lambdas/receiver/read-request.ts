import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../core/constants';
import { lookupHeader, RequestHeaders } from '../core/headers';
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

/**
 * Both signature headers, found case-insensitively across `multiValueHeaders` and `headers`, under their
 * canonical names. The verifier and the queue message read this one record, so the consumer later verifies
 * exactly the values the receiver verified.
 */
export function readSignatureHeaders(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>,
): RequestHeaders {
  const found: Record<string, readonly string[]> = {};
  for (const name of [FLUENT_SIGNATURE_HEADER, FLEX_SIGNATURE_HEADER]) {
    const lookup = lookupHeader(name, event.multiValueHeaders, event.headers);
    if (lookup.present) found[name] = lookup.values;
  }
  return found;
}

/** The `{route+}` part of the path (API Gateway has already URL-decoded it). Never the secret segment. */
export function readRoute(event: Partial<Pick<APIGatewayProxyEvent, 'pathParameters'>>): string {
  return event.pathParameters?.route ?? '';
}

/** The first segment of a resource template when it is literal: the secret in `/<secret>/fluent/{route+}`. */
const SECRET_SEGMENT = /^\/([^/{}]+)\//;

/**
 * A SHA-256 per request would cost more than the rest of reading the request. A function sees only its stack's
 * resources (one per live secret, at most three), so a few entries hold them all; emptied when full, so odd
 * `resource` values from outside API Gateway cannot grow it.
 */
const MAX_CACHED_RESOURCES = 8;
const fingerprintsByResource = new Map<string, string>();

/**
 * Which path secret the request came in under, as its fingerprint: each live secret has its own resource, and
 * `event.resource` names the one matched (the stack's template, never what the client sent). Logged so a rotation
 * can watch the old secret's traffic end, without the log holding a secret. Undefined outside API Gateway.
 */
export function readPathSecretFingerprint(event: Partial<Pick<APIGatewayProxyEvent, 'resource'>>): string | undefined {
  const resource = event.resource;
  if (typeof resource !== 'string') return undefined;
  const cached = fingerprintsByResource.get(resource);
  if (cached !== undefined) return cached;
  const secret = SECRET_SEGMENT.exec(resource)?.[1];
  if (secret === undefined) return undefined;
  const fingerprint = pathSecretFingerprint(secret);
  if (fingerprintsByResource.size >= MAX_CACHED_RESOURCES) fingerprintsByResource.clear();
  fingerprintsByResource.set(resource, fingerprint);
  return fingerprint;
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
