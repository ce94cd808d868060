import { request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  GATEWAY_MAX_BODY_BYTES,
  GatewayServer,
  ProxyHandler,
  startGatewayServer,
} from '../../../tools/local/gateway-server';
import { createLambdaContext } from '../../../tools/local/lambda-context';

const SECRET = 'k3y-Segment_0123456789abcdefghijklmnop';

describe('Function: startGatewayServer', () => {
  const events: APIGatewayProxyEvent[] = [];
  let answer: ProxyHandler = async () => ({ statusCode: 200, body: '{"ok":true}' });
  let gateway: GatewayServer;

  beforeAll(async () => {
    gateway = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      stage: { stage: 'local', apiId: 'local', accountId: '000000000000', pathSecret: SECRET },
      handler: (event, context) => {
        events.push(event);
        return answer(event, context);
      },
      createContext: () =>
        createLambdaContext({
          functionName: 'test',
          timeoutSeconds: 10,
          memorySizeMb: 128,
          region: 'us-east-1',
          accountId: '000000000000',
        }),
      logger: new Logger({ logLevel: 'SILENT' }),
      integrationTimeoutMs: 300,
    });
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    events.length = 0;
    answer = async () => ({ statusCode: 200, body: '{"ok":true}' });
  });

  const url = (path: string): string => `${gateway.origin}${path}`;

  it('proxies a POST on the webhook resource to the handler and returns its answer', async () => {
    // Prepare
    answer = async () => ({
      statusCode: 401,
      headers: { 'X-Reason': 'bad' },
      multiValueHeaders: { 'X-Many': ['a', 'b'] },
      body: '{"no":1}',
    });

    // Act
    const response = await fetch(url(`/${SECRET}/fluent/orders`), { method: 'POST', body: '{"id":"e1"}' });

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ no: 1 });
    expect(response.headers.get('x-reason')).toBe('bad');
    expect(response.headers.get('x-many')).toBe('a, b');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-amzn-requestid')).toBe(events[0]?.requestContext.requestId);
    expect(events).toHaveLength(1);
    expect(Buffer.from(events[0]?.body ?? '', 'base64').toString()).toBe('{"id":"e1"}');
  });

  it("hands over header names in the sender's casing", async () => {
    // Act
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url(`/${SECRET}/fluent/orders`), { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.setHeader('Fluent-Signature', 'abc');
      req.setHeader('flex.signature', 'def');
      req.end('{}');
    });

    // Assess
    expect(status).toBe(200);
    expect(events[0]?.headers).toMatchObject({ 'Fluent-Signature': 'abc', 'flex.signature': 'def' });
  });

  it.each([
    ['another path', 'POST', '/somewhere/else'],
    ['another secret', 'POST', '/0123456789abcdefghijklmnopqrstuvwxyz/fluent/orders'],
    ['no route', 'POST', `/${SECRET}/fluent/`],
    ['GET on the webhook resource', 'GET', `/${SECRET}/fluent/orders`],
    ['PUT on the webhook resource', 'PUT', `/${SECRET}/fluent/orders`],
    ['OPTIONS on the webhook resource', 'OPTIONS', `/${SECRET}/fluent/orders`],
  ])(
    "answers 404 not-found for %s without invoking the handler, as the stack's API does",
    async (_name, method, path) => {
      // Act
      const response = await fetch(url(path), {
        method,
        ...(method === 'GET' || method === 'OPTIONS' ? {} : { body: '{}' }),
      });

      // Assess
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: 'not-found',
        message: 'No such endpoint.',
        requestId: response.headers.get('x-amzn-requestid'),
      });
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(events).toHaveLength(0);
    },
  );

  it("answers 413 for a body over API Gateway's 10 MB without invoking the handler", async () => {
    // Act
    const response = await fetch(url(`/${SECRET}/fluent/orders`), {
      method: 'POST',
      body: Buffer.alloc(GATEWAY_MAX_BODY_BYTES + 1, 0x20),
    });

    // Assess
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'request-refused', message: 'Request Too Long' });
    expect(events).toHaveLength(0);
  });

  it('passes a body of exactly 10 MB to the handler', async () => {
    // Act
    const response = await fetch(url(`/${SECRET}/fluent/orders`), {
      method: 'POST',
      body: Buffer.alloc(GATEWAY_MAX_BODY_BYTES, 0x20),
    });

    // Assess
    expect(response.status).toBe(200);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toHaveLength(GATEWAY_MAX_BODY_BYTES);
  });

  it.each<[string, ProxyHandler, number, string]>([
    ['throws', async () => Promise.reject(new Error('boom')), 502, 'Internal server error'],
    [
      'returns no status code',
      async () => ({ body: 'x' }) as unknown as APIGatewayProxyResult,
      502,
      'Internal server error',
    ],
    ['does not answer in time', () => new Promise(() => undefined), 504, 'Endpoint request timed out'],
  ])('answers as API Gateway does when the handler %s', async (_name, handler, status, message) => {
    // Prepare
    answer = handler;

    // Act
    const response = await fetch(url(`/${SECRET}/fluent/orders`), { method: 'POST', body: '{}' });

    // Assess
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: 'gateway-error', message });
  });

  it('decodes a base64 result body', async () => {
    // Prepare
    answer = async () => ({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { 'Content-Type': 'text/plain' },
      body: Buffer.from('hello').toString('base64'),
    });

    // Act
    const response = await fetch(url(`/${SECRET}/fluent/orders`), { method: 'POST', body: '{}' });

    // Assess
    expect(await response.text()).toBe('hello');
    expect(response.headers.get('content-type')).toBe('text/plain');
  });
});

describe('Function: startGatewayServer close()', () => {
  it('answers a request in flight before it resolves, and refuses new connections after', async () => {
    // Prepare
    let release: () => void = () => undefined;
    let invoked: () => void = () => undefined;
    const wasInvoked = new Promise<void>((resolve) => (invoked = resolve));
    const gateway = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      stage: { stage: 'local', apiId: 'local', accountId: '000000000000', pathSecret: SECRET },
      handler: () => {
        invoked();
        return new Promise((resolve) => (release = () => resolve({ statusCode: 200, body: '{"late":true}' })));
      },
      createContext: () =>
        createLambdaContext({
          functionName: 'test',
          timeoutSeconds: 10,
          memorySizeMb: 128,
          region: 'us-east-1',
          accountId: '000000000000',
        }),
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const inFlight = fetch(`${gateway.origin}/${SECRET}/fluent/orders`, { method: 'POST', body: '{}' });
    await wasInvoked;

    // Act
    const closing = gateway.close();
    release();
    const response = await inFlight;
    await closing;
    const after = await fetch(`${gateway.origin}/${SECRET}/fluent/orders`, { method: 'POST', body: '{}' }).then(
      (res) => res.status,
      (error: Error) => error.message,
    );

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ late: true });
    expect(after).toBe('fetch failed');
  });
});

describe('Function: startGatewayServer, with slow and vanishing clients', () => {
  const logged: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const record =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      logged.push({ level, message, fields });
  const logger = { info: record('INFO'), warn: record('WARN'), error: record('ERROR') } as unknown as Logger;
  let handled = 0;
  let gateway: GatewayServer;

  beforeAll(async () => {
    gateway = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      stage: { stage: 'local', apiId: 'local', accountId: '000000000000', pathSecret: SECRET },
      handler: async () => {
        handled += 1;
        return { statusCode: 200, body: '{}' };
      },
      createContext: () =>
        createLambdaContext({
          functionName: 'test',
          timeoutSeconds: 10,
          memorySizeMb: 128,
          region: 'us-east-1',
          accountId: '000000000000',
        }),
      logger,
      bodyTimeoutMs: 300,
      maxConnections: 3,
    });
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    logged.length = 0;
    handled = 0;
  });

  /** Opens a connection and sends the head of a POST announcing `length` bytes, then `sent` of them. */
  async function halfSent(
    length: number,
    sent: number,
  ): Promise<{ socket: Socket; answer: () => string; closed: Promise<void> }> {
    const socket = connect(gateway.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST /${SECRET}/fluent/orders HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`);
    socket.write('x'.repeat(sent));
    return { socket, answer: () => answer, closed };
  }

  it('drops a request whose body does not arrive within the body timeout: no answer, one WARN line', async () => {
    // Act
    const slow = await halfSent(100, 10);
    await slow.closed;

    // Assess
    expect(slow.answer()).toBe('');
    expect(handled).toBe(0);
    expect(logged).toEqual([
      {
        level: 'WARN',
        message: 'gateway dropped a request whose body did not arrive',
        fields: expect.objectContaining({ reason: 'body-timeout', bodyBytesReceived: 10, route: 'orders' }),
      },
    ]);
  });

  it('logs a client that goes away mid-body once, at WARN, without a stack', async () => {
    // Prepare
    const gone = await halfSent(100, 10);

    // Act
    gone.socket.destroy();
    await gone.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(handled).toBe(0);
    expect(logged).toEqual([
      {
        level: 'WARN',
        message: 'gateway dropped a request whose body did not arrive',
        fields: expect.objectContaining({ reason: 'aborted' }),
      },
    ]);
    expect(JSON.stringify(logged)).not.toMatch(/stack/i);
  });

  it('refuses connections over the cap at once and keeps the open ones', async () => {
    // Prepare
    const open = await Promise.all([halfSent(100, 0), halfSent(100, 0), halfSent(100, 0)]);

    // Act
    const extra = connect(gateway.port, '127.0.0.1');
    extra.on('error', () => undefined);
    await new Promise<void>((resolve) => extra.once('close', () => resolve()));

    // Assess
    expect(open.map(({ socket }) => socket.destroyed)).toEqual([false, false, false]);
    for (const { socket } of open) socket.destroy();
  });
});
