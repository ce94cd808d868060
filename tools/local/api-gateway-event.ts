import type { APIGatewayProxyEvent } from 'aws-lambda';
import { FLUENT_PATH_SEGMENT } from '../../lambdas/contract/deployment';

/** The one method the stack's REST API defines. */
export const WEBHOOK_METHOD = 'POST';
/** The greedy path parameter's name, as in the stack's `/{secret}/fluent/{route+}`. */
export const ROUTE_PARAMETER = 'route';

/** An HTTP request as it reached the local gateway: everything API Gateway would put in the proxy event. */
export interface GatewayRequest {
  readonly method: string;
  /** The request target as sent (path and query string), not decoded. */
  readonly rawUrl: string;
  /** Node's `req.rawHeaders`: names with the sender's casing, in order, alternating with values. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly sourcePort: number;
  readonly localPort: number;
  readonly requestId: string;
  readonly receivedAt: Date;
}

/** Where the API lives, as the stage and API ids API Gateway puts in `requestContext`. */
export interface GatewayStage {
  readonly stage: string;
  readonly apiId: string;
  readonly accountId: string;
  readonly pathSecret: string;
}

/** The resource a request matched: the stack's only resource, and its `{route+}` value. */
export interface WebhookResourceMatch {
  /** The resource as API Gateway names it: the secret is a literal segment of it. */
  readonly resource: string;
  readonly path: string;
  readonly route: string;
}

/**
 * Matches a request path against `/<secret>/fluent/{route+}` as API Gateway does: literal segments compare
 * exactly (case-sensitive), and the greedy parameter needs at least one non-empty segment.
 */
export function matchWebhookResource(rawUrl: string, pathSecret: string): WebhookResourceMatch | undefined {
  const path = decodePath(rawUrl.split('?', 1)[0] ?? '');
  const prefix = `/${pathSecret}/${FLUENT_PATH_SEGMENT}/`;
  if (!path.startsWith(prefix)) return undefined;
  const route = path.slice(prefix.length);
  if (route.length === 0 || route.split('/').some((segment) => segment.length === 0)) return undefined;
  return { resource: `/${pathSecret}/${FLUENT_PATH_SEGMENT}/{${ROUTE_PARAMETER}+}`, path, route };
}

/**
 * Builds the REST API (v1) Lambda proxy event AWS sends for a request, with `binaryMediaTypes` `*\/*`: header
 * names keep the sender's casing, `headers` holds the last value of a repeated header and `multiValueHeaders`
 * all of them, and a non-empty body arrives base64 with `isBase64Encoded: true` whatever its content type.
 */
export function toApiGatewayProxyEvent(
  request: GatewayRequest,
  match: WebhookResourceMatch,
  stage: GatewayStage,
): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = gatewayHeaders(request);
  const { single: queryStringParameters, multi: multiValueQueryStringParameters } = queryParameters(request.rawUrl);
  const hasBody = request.body.length > 0;
  return {
    resource: match.resource,
    path: match.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: { [ROUTE_PARAMETER]: match.route },
    stageVariables: null,
    body: hasBody ? request.body.toString('base64') : null,
    isBase64Encoded: hasBody,
    requestContext: {
      accountId: stage.accountId,
      apiId: stage.apiId,
      authorizer: undefined,
      domainName: headers.Host ?? headers.host ?? `127.0.0.1:${request.localPort}`,
      domainPrefix: stage.apiId,
      extendedRequestId: request.requestId.replace(/-/g, '').slice(0, 16),
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: lastHeaderValue(request.rawHeaders, 'user-agent') ?? null,
        userArn: null,
      },
      path: `/${stage.stage}${match.path}`,
      protocol: 'HTTP/1.1',
      requestId: request.requestId,
      requestTime: formatRequestTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt.getTime(),
      resourceId: 'local0',
      resourcePath: match.resource,
      stage: stage.stage,
    },
  };
}

/** API Gateway adds the X-Forwarded-* headers (keeping a sender's X-Forwarded-For chain) and a trace id. */
function gatewayHeaders(request: GatewayRequest): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const multiValueHeaders: Record<string, string[]> = {};
  const namesByLowerCase = new Map<string, string>();
  const add = (name: string, value: string): void => {
    const existing = namesByLowerCase.get(name.toLowerCase());
    if (existing === undefined) {
      namesByLowerCase.set(name.toLowerCase(), name);
      multiValueHeaders[name] = [value];
    } else {
      multiValueHeaders[existing]!.push(value);
    }
  };
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    // The gateway sets these itself below.
    if (/^x-forwarded-(port|proto)$/i.test(name)) continue;
    add(name, request.rawHeaders[index + 1]!);
  }
  const forwardedFor = namesByLowerCase.get('x-forwarded-for');
  if (forwardedFor === undefined) {
    add('X-Forwarded-For', request.sourceIp);
  } else {
    const chain = multiValueHeaders[forwardedFor]!;
    chain[chain.length - 1] = `${chain[chain.length - 1]}, ${request.sourceIp}`;
  }
  add('X-Forwarded-Port', String(request.localPort));
  add('X-Forwarded-Proto', 'http');
  add('X-Amzn-Trace-Id', traceId(request));

  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(multiValueHeaders)) headers[name] = values[values.length - 1]!;
  return { headers, multiValueHeaders };
}

function queryParameters(rawUrl: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  const queryIndex = rawUrl.indexOf('?');
  if (queryIndex < 0 || queryIndex === rawUrl.length - 1) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawUrl.slice(queryIndex + 1))) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

function lastHeaderValue(rawHeaders: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() === name) found = rawHeaders[index + 1];
  }
  return found;
}

/** API Gateway hands the Lambda a decoded path. A malformed escape stays as sent, as it cannot be decoded. */
export function decodePath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.requestTime` format: `29/Nov/2026:01:02:03 +0000`. */
function formatRequestTime(date: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

function traceId(request: GatewayRequest): string {
  const epochHex = Math.floor(request.receivedAt.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epochHex}-${request.requestId.replace(/-/g, '').slice(0, 24)}`;
}
