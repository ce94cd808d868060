import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A path secret as the stack would configure it; it must never show up in logs or responses. */
export const PATH_SECRET = 'pathSecret-do-not-log-0123456789abcdefXYZ';

export interface GatewayEventOptions {
  readonly body?: Buffer | string | null;
  /** @default true (API Gateway with binaryMediaTypes `*\/*` always base64-encodes) */
  readonly base64?: boolean;
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  /** @default 'orders' */
  readonly route?: string | null;
  /** @default 'req-0001' */
  readonly requestId?: string;
  /** The secret path segment the request came in under. @default PATH_SECRET */
  readonly pathSecret?: string;
}

/** A REST API Lambda proxy event for POST /{secret}/fluent/{route+}, shaped as API Gateway sends it. */
export function gatewayEvent(options: GatewayEventOptions = {}): APIGatewayProxyEvent {
  const base64 = options.base64 ?? true;
  const raw = options.body ?? null;
  const body = raw === null ? null : base64 ? Buffer.from(raw).toString('base64') : raw.toString();
  const headers = options.headers ?? {};
  const route = options.route === undefined ? 'orders' : options.route;
  const secret = options.pathSecret ?? PATH_SECRET;
  const path = `/${secret}/fluent/${route ?? ''}`;
  return {
    body,
    isBase64Encoded: base64,
    headers,
    multiValueHeaders:
      options.multiValueHeaders ?? Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    httpMethod: 'POST',
    path,
    resource: `/${secret}/fluent/{route+}`,
    pathParameters: route === null ? null : { route },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: options.requestId ?? 'req-0001',
      path: `/webhooks${path}`,
      resourcePath: `/${secret}/fluent/{route+}`,
      httpMethod: 'POST',
      stage: 'webhooks',
    } as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
}
