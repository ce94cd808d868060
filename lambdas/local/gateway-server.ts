import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  GatewayRequest,
  GatewayStage,
  matchWebhookResource,
  toApiGatewayProxyEvent,
  WEBHOOK_METHOD,
} from './api-gateway-event';

/** API Gateway's payload limit for REST APIs (10 MB). */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** How much of an oversized body is read and dropped before the connection is cut. */
const DRAIN_LIMIT_BYTES = 8 * GATEWAY_MAX_BODY_BYTES;
/** API Gateway's default integration timeout. */
export const GATEWAY_INTEGRATION_TIMEOUT_MS = 29_000;

/** The proxy integration: the real verifying handler, invoked in-process. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly stage: GatewayStage;
  readonly handler: ProxyHandler;
  readonly createContext: () => Context;
  readonly logger: Logger;
  /** @default GATEWAY_INTEGRATION_TIMEOUT_MS */
  readonly integrationTimeoutMs?: number;
}

export interface GatewayServer {
  readonly port: number;
  /** Base URL, without the webhook path. */
  readonly origin: string;
  /** Stops accepting connections, answers the requests already in flight, then closes every connection. */
  close(): Promise<void>;
}

/** What API Gateway itself answers, without invoking the integration. */
interface GatewayAnswer {
  readonly statusCode: number;
  readonly message: string;
  readonly errorType?: string;
  readonly reason: string;
}

const MISSING_AUTHENTICATION_TOKEN: GatewayAnswer = {
  statusCode: 403,
  message: 'Missing Authentication Token',
  errorType: 'MissingAuthenticationTokenException',
  reason: 'no-such-resource-or-method',
};
const REQUEST_TOO_LONG: GatewayAnswer = { statusCode: 413, message: 'Request Too Long', reason: 'body-over-gateway-limit' };
const INTEGRATION_FAILED: GatewayAnswer = {
  statusCode: 502,
  message: 'Internal server error',
  errorType: 'InternalServerErrorException',
  reason: 'integration-failed',
};
const INTEGRATION_TIMED_OUT: GatewayAnswer = {
  statusCode: 504,
  message: 'Endpoint request timed out',
  errorType: 'IntegrationTimeout',
  reason: 'integration-timed-out',
};

/**
 * A local stand-in for the stack's REST API: one resource, `POST /<secret>/fluent/{route+}`, proxied to the
 * verifying handler as API Gateway does. Everything else gets API Gateway's own answers.
 */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const done = handleRequest(req, res, options).catch((error: unknown) => {
      options.logger.error('gateway failed to answer a request', { error: error as Error });
      if (!res.headersSent) writeAnswer(res, INTEGRATION_FAILED, 'unknown');
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://${options.host}:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, options: GatewayServerOptions): Promise<void> {
  const requestId = randomUUID();
  const receivedAt = new Date();
  const { stage, logger } = options;
  const match = matchWebhookResource(req.url ?? '/', stage.pathSecret);
  const logFields = { requestId, method: req.method, route: match?.route };

  if (match === undefined || req.method !== WEBHOOK_METHOD) {
    // Read and drop the body so the connection stays usable, as API Gateway does.
    req.resume();
    writeAnswer(res, MISSING_AUTHENTICATION_TOKEN, requestId);
    logger.warn('gateway refused request', { ...logFields, statusCode: 403, reason: MISSING_AUTHENTICATION_TOKEN.reason });
    return;
  }
  const body = await readBody(req, GATEWAY_MAX_BODY_BYTES);
  if (body === undefined) {
    res.setHeader('Connection', 'close');
    writeAnswer(res, REQUEST_TOO_LONG, requestId);
    res.once('finish', () => req.destroy());
    logger.warn('gateway refused request', { ...logFields, statusCode: 413, reason: REQUEST_TOO_LONG.reason });
    return;
  }

  const request: GatewayRequest = {
    method: req.method,
    rawUrl: req.url ?? '/',
    rawHeaders: req.rawHeaders,
    body,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    sourcePort: req.socket.remotePort ?? 0,
    localPort: req.socket.localPort ?? 0,
    requestId,
    receivedAt,
  };
  const event = toApiGatewayProxyEvent(request, match, stage);
  const outcome = await invokeWithTimeout(
    options.handler,
    event,
    options.createContext(),
    options.integrationTimeoutMs ?? GATEWAY_INTEGRATION_TIMEOUT_MS,
  );
  if ('answer' in outcome) {
    writeAnswer(res, outcome.answer, requestId);
    logger.error('gateway could not use the integration response', {
      ...logFields,
      statusCode: outcome.answer.statusCode,
      reason: outcome.answer.reason,
      error: outcome.error,
    });
    return;
  }
  writeProxyResult(res, outcome.result, requestId);
}

type InvokeOutcome =
  | { readonly result: APIGatewayProxyResult }
  | { readonly answer: GatewayAnswer; readonly error?: Error };

/** A thrown error, a malformed result or a timeout are what API Gateway turns into a 502 or 504. */
async function invokeWithTimeout(
  handler: ProxyHandler,
  event: APIGatewayProxyEvent,
  context: Context,
  timeoutMs: number,
): Promise<InvokeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<InvokeOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ answer: INTEGRATION_TIMED_OUT }), timeoutMs);
  });
  const invoked = handler(event, context).then(
    (result): InvokeOutcome =>
      isProxyResult(result)
        ? { result }
        : { answer: INTEGRATION_FAILED, error: new Error('The handler returned something that is not a proxy result.') },
    (error: unknown): InvokeOutcome => ({ answer: INTEGRATION_FAILED, error: error as Error }),
  );
  try {
    return await Promise.race([invoked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const { statusCode, body } = value as Record<string, unknown>;
  return Number.isInteger(statusCode) && (body === undefined || typeof body === 'string');
}

/**
 * Reads the whole body, or returns undefined when it is over `limit` bytes. An oversized body is read to
 * its end and dropped (up to a bound), so that the sender gets to read the 413 instead of a reset.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > DRAIN_LIMIT_BYTES) break;
    if (total <= limit) chunks.push(chunk as Buffer);
  }
  return total > limit ? undefined : Buffer.concat(chunks, total);
}

function writeProxyResult(res: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const headers = new Map<string, string[]>();
  for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, [String(value)]);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers.set(name, [...(headers.get(name) ?? []), ...values.map(String)]);
  }
  const hasContentType = [...headers.keys()].some((name) => name.toLowerCase() === 'content-type');
  if (!hasContentType) headers.set('Content-Type', ['application/json']);
  for (const [name, values] of headers) res.setHeader(name, values);
  setGatewayHeaders(res, requestId);
  res.statusCode = result.statusCode;
  res.end(Buffer.from(result.body ?? '', result.isBase64Encoded === true ? 'base64' : 'utf8'));
}

function writeAnswer(res: ServerResponse, answer: GatewayAnswer, requestId: string): void {
  res.statusCode = answer.statusCode;
  res.setHeader('Content-Type', 'application/json');
  if (answer.errorType !== undefined) res.setHeader('x-amzn-ErrorType', answer.errorType);
  setGatewayHeaders(res, requestId);
  res.end(JSON.stringify({ message: answer.message }));
}

function setGatewayHeaders(res: ServerResponse, requestId: string): void {
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('x-amz-apigw-id', requestId.replace(/-/g, '').slice(0, 16));
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
