import {
  GatewayRequest,
  GatewayStage,
  matchWebhookResource,
  toApiGatewayProxyEvent,
} from '../../../tools/local/api-gateway-event';

const SECRET = 'k3y-Segment_0123456789abcdefghijklmnop';
const STAGE: GatewayStage = { stage: 'local', apiId: 'local', accountId: '000000000000', pathSecret: SECRET };

function gatewayRequest(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'POST',
    rawUrl: `/${SECRET}/fluent/orders`,
    rawHeaders: ['Host', '127.0.0.1:3000', 'Content-Type', 'application/json'],
    body: Buffer.from('{"id":"e1"}'),
    sourceIp: '127.0.0.1',
    sourcePort: 50123,
    localPort: 3000,
    requestId: '0b5c3a2e-6f1d-4e8a-9c7b-2d4f6a8b0c1e',
    receivedAt: new Date('2026-11-29T01:02:03.004Z'),
    ...overrides,
  };
}

function eventFor(overrides: Partial<GatewayRequest> = {}) {
  const request = gatewayRequest(overrides);
  const match = matchWebhookResource(request.rawUrl, SECRET);
  if (match === undefined) throw new Error(`test request ${request.rawUrl} does not match`);
  return toApiGatewayProxyEvent(request, match, STAGE);
}

describe('Function: matchWebhookResource', () => {
  it.each([
    [`/${SECRET}/fluent/orders`, 'orders'],
    [`/${SECRET}/fluent/orders/status`, 'orders/status'],
    [`/${SECRET}/fluent/orders?debug=1`, 'orders'],
    [`/${SECRET}/fluent/order%20status`, 'order status'],
  ])('matches %s with route %j', (url, route) => {
    // Act
    const match = matchWebhookResource(url, SECRET);

    // Assess
    expect(match).toEqual({
      resource: `/${SECRET}/fluent/{route+}`,
      path: url.split('?')[0]!.replace('%20', ' '),
      route,
    });
  });

  it.each([
    ['the root', '/'],
    ['no route', `/${SECRET}/fluent`],
    ['an empty route', `/${SECRET}/fluent/`],
    ['an empty segment in the route', `/${SECRET}/fluent/orders//status`],
    ['another secret', '/not-the-secret/fluent/orders'],
    ['the secret in another case', `/${SECRET.toUpperCase()}/fluent/orders`],
    ['another literal segment', `/${SECRET}/other/orders`],
    ['no secret', '/fluent/orders'],
  ])('does not match %s', (_name, url) => {
    // Act
    const match = matchWebhookResource(url, SECRET);

    // Assess
    expect(match).toBeUndefined();
  });
});

describe('Function: toApiGatewayProxyEvent', () => {
  it('builds the REST proxy event with the resource, path, route and request context', () => {
    // Act
    const event = eventFor({ rawUrl: `/${SECRET}/fluent/orders/status` });

    // Assess
    expect(event).toMatchObject({
      resource: `/${SECRET}/fluent/{route+}`,
      path: `/${SECRET}/fluent/orders/status`,
      httpMethod: 'POST',
      pathParameters: { route: 'orders/status' },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      stageVariables: null,
      requestContext: {
        requestId: '0b5c3a2e-6f1d-4e8a-9c7b-2d4f6a8b0c1e',
        stage: 'local',
        resourcePath: `/${SECRET}/fluent/{route+}`,
        path: `/local/${SECRET}/fluent/orders/status`,
        httpMethod: 'POST',
        requestTime: '29/Nov/2026:01:02:03 +0000',
        requestTimeEpoch: Date.parse('2026-11-29T01:02:03.004Z'),
        identity: { sourceIp: '127.0.0.1' },
      },
    });
  });

  it('passes the body base64-encoded with isBase64Encoded, as binaryMediaTypes */* does, byte for byte', () => {
    // Prepare
    const body = Buffer.from('{"name":"Ünïcode \\u00e9","x":"\uFFFF"}\r\n', 'utf8');

    // Act
    const event = eventFor({ body });

    // Assess
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(body)).toBe(true);
  });

  it('passes an empty body as null, not base64', () => {
    // Act
    const event = eventFor({ body: Buffer.alloc(0) });

    // Assess
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
  });

  it("keeps the sender's header casing, the last value in headers and all of them in multiValueHeaders", () => {
    // Prepare
    const rawHeaders = [
      'Host',
      'h',
      'Fluent-Signature',
      'first',
      'flex.signature',
      'md5',
      'fluent-signature',
      'second',
    ];

    // Act
    const event = eventFor({ rawHeaders });

    // Assess
    expect(event.headers['Fluent-Signature']).toBe('second');
    expect(event.multiValueHeaders['Fluent-Signature']).toEqual(['first', 'second']);
    expect(event.headers['flex.signature']).toBe('md5');
    expect(event.headers['fluent-signature']).toBeUndefined();
  });

  it("adds the X-Forwarded-* headers API Gateway sets, extending a sender's X-Forwarded-For chain", () => {
    // Prepare
    const rawHeaders = ['X-Forwarded-For', '203.0.113.7', 'X-Forwarded-Proto', 'https'];

    // Act
    const event = eventFor({ rawHeaders });

    // Assess
    expect(event.headers).toMatchObject({
      'X-Forwarded-For': '203.0.113.7, 127.0.0.1',
      'X-Forwarded-Port': '3000',
      'X-Forwarded-Proto': 'http',
    });
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.multiValueHeaders['X-Forwarded-Proto']).toEqual(['http']);
  });

  it('parses the query string into single and multi-valued parameters', () => {
    // Act
    const event = eventFor({ rawUrl: `/${SECRET}/fluent/orders?a=1&a=2&b=x%20y` });

    // Assess
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x y' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x y'] });
  });
});
