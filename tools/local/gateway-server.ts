import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { GATEWAY_ERROR_MESSAGE, GATEWAY_RESPONSES } from '../../lambdas/contract/gateway-responses';
import {
  GatewayRequest,
  GatewayStage,
  matchWebhookResource,
  WebhookResourceMatch,
  toApiGatewayProxyEvent,
  WEBHOOK_METHOD,
} from './api-gateway-event';
import type { ServiceIntegration } from './sqs-service-integration';
import { boundedLogValue } from '../../lambdas/contract/log-values';

/** API Gateway's payload limit for REST APIs (10 MB). */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** How much of an oversized body is read and dropped before the connection is cut. */
const DRAIN_LIMIT_BYTES = 8 * GATEWAY_MAX_BODY_BYTES;
/** API Gateway's default integration timeout. */
export const GATEWAY_INTEGRATION_TIMEOUT_MS = 29_000;
/**
 * How long a client may take to send its whole body. Fluent posts small bodies at once; a client that trickles one
 * (or stops half-way) would otherwise hold a connection, and a clean stop, for Node's default of 300 s.
 */
export const GATEWAY_BODY_TIMEOUT_MS = 10_000;
/** Connections held open at once; more are refused at once, so slow clients cannot take every socket. */
export const GATEWAY_MAX_CONNECTIONS = 256;

/** The proxy integration: the real verifying handler, invoked in-process. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** What the method integrates with: the verifying Lambda (verify-first) or an AWS service (queue-first). */
export type GatewayIntegration =
  | { readonly handler: ProxyHandler; readonly createContext: () => Context }
  | { readonly serviceIntegration: ServiceIntegration };

/** A request matched to a method of the API: the resource it matched and the method's integration. */
export interface RoutedRequest {
  readonly match: WebhookResourceMatch;
  readonly integration: GatewayIntegration;
}

/** How the API answers a response type it gives itself (its gateway responses): the status and the body. */
export type GatewayResponses = (
  answer: { readonly type: string; readonly statusCode: number; readonly message: string },
  requestId: string,
) => { readonly statusCode: number; readonly body: string };

/**
 * A Lambda proxy integration API Gateway may not invoke (no matching `AWS::Lambda::Permission`): API Gateway
 * answers 500 itself ("Execution failed due to configuration error: Invalid permissions on Lambda function").
 */
export class IntegrationConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrationConfigurationError';
  }
}

/**
 * Finds the method a request is for, from the API's resources (`fluent-webhook local --app`); undefined is API
 * Gateway's "no such resource or method".
 */
export type RouteRequest = (rawUrl: string, method: string) => RoutedRequest | undefined;

/** The stack's one resource under `stage.pathSecret` with one integration, or the routes of a template's API. */
export type GatewayServerOptions = (GatewayIntegration | { readonly routeRequest: RouteRequest }) & {
  /** @default the stack's gateway responses (`lambdas/contract/gateway-responses.ts`) */
  readonly gatewayResponses?: GatewayResponses;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly stage: GatewayStage;
  readonly logger: Logger;
  /** @default GATEWAY_INTEGRATION_TIMEOUT_MS */
  readonly integrationTimeoutMs?: number;
  /** @default GATEWAY_BODY_TIMEOUT_MS */
  readonly bodyTimeoutMs?: number;
  /** @default GATEWAY_MAX_CONNECTIONS */
  readonly maxConnections?: number;
  /** Told how each routed request was answered once its body arrived (the inspector's door verdicts). */
  readonly onAnswered?: (answered: AnsweredRequest) => void;
};

/** One webhook request and its answer. */
export interface AnsweredRequest {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly route?: string;
  /** The request body, or undefined when it was too large to keep. */
  readonly body?: Buffer;
  readonly status: number;
  readonly answerBody: string;
}

export interface GatewayServer {
  readonly port: number;
  /** Base URL, without the webhook path. */
  readonly origin: string;
  /**
   * Stops accepting connections, drops the requests whose body has not fully arrived (they get no answer, so no
   * 200), answers the ones being handled (each within the integration timeout), then closes every connection.
   */
  close(): Promise<void>;
}

/**
 * Something API Gateway answers itself, without (or instead of) the integration: its response type, and the
 * status and message it uses unless the API customises that type.
 */
interface GatewayAnswer {
  readonly type: string;
  readonly statusCode: number;
  readonly message: string;
  readonly errorType: string;
}

const UNKNOWN_RESOURCE_OR_METHOD: GatewayAnswer = {
  type: 'MISSING_AUTHENTICATION_TOKEN',
  statusCode: 403,
  message: 'Missing Authentication Token',
  errorType: 'MissingAuthenticationTokenException',
};
const REQUEST_TOO_LARGE: GatewayAnswer = {
  type: 'REQUEST_TOO_LARGE',
  statusCode: 413,
  message: 'Request Too Long',
  errorType: 'RequestTooLongException',
};
const INTEGRATION_FAILED: GatewayAnswer = {
  type: 'INTEGRATION_FAILURE',
  statusCode: 502,
  message: 'Internal server error',
  errorType: 'InternalServerErrorException',
};
const UNSUPPORTED_MEDIA_TYPE: GatewayAnswer = {
  type: 'UNSUPPORTED_MEDIA_TYPE',
  statusCode: 415,
  message: 'Unsupported Media Type',
  errorType: 'UnsupportedMediaTypeException',
};
const API_CONFIGURATION_ERROR: GatewayAnswer = {
  type: 'API_CONFIGURATION_ERROR',
  statusCode: 500,
  message: 'Internal server error',
  errorType: 'InternalServerErrorException',
};
const INTEGRATION_TIMED_OUT: GatewayAnswer = {
  type: 'INTEGRATION_TIMEOUT',
  statusCode: 504,
  message: 'Endpoint request timed out',
  errorType: 'IntegrationTimeout',
};

/**
 * A local stand-in for the stack's REST API: one resource, `POST /<secret>/fluent/{route+}`, proxied to the
 * verifying handler as API Gateway does, or (queue-first) handed to the SQS service integration. Everything else
 * gets API Gateway's own answers.
 */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const inFlight = new Map<Promise<void>, InFlightRequest>();
  let stopping = false;
  const server = createServer((req, res) => {
    const request: InFlightRequest = { req, readingBody: true, stopping: () => stopping };
    const done = handleRequest(request, res, options).catch((error: unknown) => {
      options.logger.error('gateway failed to answer a request', { error: error as Error });
      if (!res.headersSent) writeAnswer(res, INTEGRATION_FAILED, 'unknown', options.gatewayResponses);
    });
    inFlight.set(done, request);
    void done.finally(() => inFlight.delete(done));
  });
  server.maxConnections = options.maxConnections ?? GATEWAY_MAX_CONNECTIONS;
  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://${options.host}:${port}`,
    close: async () => {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // A body still arriving is never waited for: its request has not reached the receiver, so nothing is lost.
      for (const request of inFlight.values()) if (request.readingBody) request.req.destroy();
      await Promise.allSettled([...inFlight.keys()]);
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A request the gateway holds; `readingBody` until its whole body has arrived. */
interface InFlightRequest {
  readonly req: IncomingMessage;
  readingBody: boolean;
  readonly stopping: () => boolean;
}

/** One log line per request the gateway refuses itself, as API Gateway's access log has them. Never the path: it holds the secret. */
function refuse(
  res: ServerResponse,
  answer: GatewayAnswer,
  fields: Record<string, unknown>,
  options: GatewayServerOptions,
): string {
  const written = writeAnswer(res, answer, String(fields.requestId), options.gatewayResponses);
  options.logger.warn('gateway refused request', { ...fields, status: res.statusCode, reason: answer.type });
  return written;
}

async function handleRequest(
  request: InFlightRequest,
  res: ServerResponse,
  options: GatewayServerOptions,
): Promise<void> {
  const { req } = request;
  const requestId = randomUUID();
  const receivedAt = new Date();
  const { stage, logger } = options;
  const route = 'routeRequest' in options ? options.routeRequest : stackRoute(options, options.stage);
  const routed = route(req.url ?? '/', req.method ?? '');
  const logFields = { requestId, method: boundedLogValue(req.method), route: boundedLogValue(routed?.match.route) };
  const answered = (answerBody: string, body?: Buffer): void =>
    options.onAnswered?.({
      requestId,
      receivedAt,
      route: routed?.match.route,
      body,
      status: res.statusCode,
      answerBody,
    });

  if (routed === undefined) {
    // Read and drop the body so the connection stays usable, as API Gateway does.
    req.resume();
    refuse(res, UNKNOWN_RESOURCE_OR_METHOD, logFields, options);
    return;
  }
  const body = await readBody(req, GATEWAY_MAX_BODY_BYTES, options.bodyTimeoutMs ?? GATEWAY_BODY_TIMEOUT_MS);
  request.readingBody = false;
  if (body === TOO_LARGE) {
    res.setHeader('Connection', 'close');
    answered(refuse(res, REQUEST_TOO_LARGE, logFields, options));
    res.once('finish', () => req.destroy());
    return;
  }
  if (!Buffer.isBuffer(body)) {
    // One line, no stack: a client going away is an event of the client's, not a failure of ours.
    logger.warn('gateway dropped a request whose body did not arrive', {
      ...logFields,
      reason: request.stopping() ? 'stopping' : body.reason,
      bodyBytesReceived: body.bytesReceived,
    });
    req.destroy();
    return;
  }

  const gatewayRequest: GatewayRequest = {
    method: req.method ?? WEBHOOK_METHOD,
    rawUrl: req.url ?? '/',
    rawHeaders: req.rawHeaders,
    body,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    sourcePort: req.socket.remotePort ?? 0,
    localPort: req.socket.localPort ?? 0,
    requestId,
    receivedAt,
  };
  const timeoutMs = options.integrationTimeoutMs ?? GATEWAY_INTEGRATION_TIMEOUT_MS;
  const { match, integration } = routed;
  const outcome =
    'serviceIntegration' in integration
      ? await withTimeout(callService(integration.serviceIntegration, gatewayRequest, match), timeoutMs)
      : await withTimeout(
          invokeProxy(
            integration.handler,
            toApiGatewayProxyEvent(gatewayRequest, match, stage),
            integration.createContext(),
          ),
          timeoutMs,
        );
  if ('answer' in outcome && outcome.answer === UNSUPPORTED_MEDIA_TYPE) {
    answered(refuse(res, outcome.answer, logFields, options), body);
    return;
  }
  if ('answer' in outcome) {
    answered(writeAnswer(res, outcome.answer, requestId, options.gatewayResponses), body);
    logger.error('gateway could not use the integration response', {
      ...logFields,
      status: res.statusCode,
      reason: outcome.answer.type,
      error: outcome.error,
    });
    return;
  }
  writeProxyResult(res, outcome.result, requestId);
  answered(outcome.result.isBase64Encoded === true ? '' : (outcome.result.body ?? ''), body);
}

/** The stack's one method: `POST /<secret>/fluent/{route+}`, integrated as the options say. */
function stackRoute(integration: GatewayIntegration, stage: GatewayStage): RouteRequest {
  return (rawUrl, method) => {
    const match = matchWebhookResource(rawUrl, stage.pathSecret);
    return match === undefined || method !== WEBHOOK_METHOD ? undefined : { match, integration };
  };
}

type InvokeOutcome =
  { readonly result: APIGatewayProxyResult } | { readonly answer: GatewayAnswer; readonly error?: Error };

/** A thrown error or a malformed result are what API Gateway turns into a 502. */
function invokeProxy(handler: ProxyHandler, event: APIGatewayProxyEvent, context: Context): Promise<InvokeOutcome> {
  return handler(event, context).then(
    (result): InvokeOutcome =>
      isProxyResult(result)
        ? { result }
        : {
            answer: INTEGRATION_FAILED,
            error: new Error('The handler returned something that is not a proxy result.'),
          },
    (error: unknown): InvokeOutcome => ({
      answer: error instanceof IntegrationConfigurationError ? API_CONFIGURATION_ERROR : INTEGRATION_FAILED,
      error: error as Error,
    }),
  );
}

/** A service that could not be reached is an integration failure: 5xx from API Gateway itself. */
function callService(
  integration: ServiceIntegration,
  request: GatewayRequest,
  match: WebhookResourceMatch,
): Promise<InvokeOutcome> {
  return integration(request, match).then(
    (outcome): InvokeOutcome => ('result' in outcome ? outcome : { answer: UNSUPPORTED_MEDIA_TYPE }),
    (error: unknown): InvokeOutcome => ({ answer: INTEGRATION_FAILED, error: error as Error }),
  );
}

/** An integration slower than API Gateway waits for is answered 504. */
async function withTimeout(outcome: Promise<InvokeOutcome>, timeoutMs: number): Promise<InvokeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<InvokeOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ answer: INTEGRATION_TIMED_OUT }), timeoutMs);
  });
  try {
    return await Promise.race([outcome, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const { statusCode, body } = value as Record<string, unknown>;
  return Number.isInteger(statusCode) && (body === undefined || typeof body === 'string');
}

const TOO_LARGE = Symbol('too large');
/** Why a body did not arrive: the client went away (or was cut at a stop), or took longer than the body timeout. */
interface IncompleteBody {
  readonly reason: 'aborted' | 'body-timeout';
  readonly bytesReceived: number;
}

/**
 * Reads the whole body within `timeoutMs`. An oversized body is read to its end and dropped (up to a bound), so
 * that the sender gets to read the 413 instead of a reset. A body that stops arriving is incomplete.
 */
async function readBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<Buffer | typeof TOO_LARGE | IncompleteBody> {
  const chunks: Buffer[] = [];
  let total = 0;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    req.destroy();
  }, timeoutMs);
  try {
    for await (const chunk of req) {
      total += (chunk as Buffer).length;
      if (total > DRAIN_LIMIT_BYTES) break;
      if (total <= limit) chunks.push(chunk as Buffer);
    }
  } catch {
    return { reason: timedOut ? 'body-timeout' : 'aborted', bytesReceived: total };
  } finally {
    clearTimeout(timer);
  }
  if (!req.complete && total <= DRAIN_LIMIT_BYTES) {
    return { reason: timedOut ? 'body-timeout' : 'aborted', bytesReceived: total };
  }
  return total > limit ? TOO_LARGE : Buffer.concat(chunks, total);
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

/**
 * Answers as the stack's API does: its gateway responses (`lambdas/contract/gateway-responses.ts`) customise a response type
 * directly, or through DEFAULT_4XX / DEFAULT_5XX, into the receiver's JSON error shape.
 */
function writeAnswer(
  res: ServerResponse,
  answer: GatewayAnswer,
  requestId: string,
  gatewayResponses: GatewayResponses = stackGatewayResponses,
): string {
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('x-amzn-ErrorType', answer.errorType);
  setGatewayHeaders(res, requestId);
  const { statusCode, body } = gatewayResponses(answer, requestId);
  res.statusCode = statusCode;
  res.end(body);
  return body;
}

/** The stack's gateway responses, as `lambdas/contract/gateway-responses.ts` defines them. */
function stackGatewayResponses(
  answer: Parameters<GatewayResponses>[0],
  requestId: string,
): ReturnType<GatewayResponses> {
  const statusClass = answer.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX';
  const custom =
    GATEWAY_RESPONSES.find((response) => response.responseType === answer.type) ??
    GATEWAY_RESPONSES.find((response) => response.responseType === statusClass);
  if (custom === undefined) return { statusCode: answer.statusCode, body: JSON.stringify({ message: answer.message }) };
  // The template's message is VTL: a JSON string literal, or API Gateway's own message as a JSON string.
  const message = custom.message === GATEWAY_ERROR_MESSAGE ? answer.message : (JSON.parse(custom.message) as string);
  return {
    statusCode: custom.statusCode === undefined ? answer.statusCode : Number(custom.statusCode),
    body: JSON.stringify({ error: custom.error, message, requestId }),
  };
}

function setGatewayHeaders(res: ServerResponse, requestId: string): void {
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('x-amz-apigw-id', requestId.replace(/-/g, '').slice(0, 16));
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const advice =
        error.code === 'EADDRINUSE'
          ? ' Stop what uses it, or choose another port with PORT=<port> (0 picks a free one).'
          : '';
      reject(
        new Error(`The local gateway could not listen on ${host}:${port}: ${error.message}.${advice}`, {
          cause: error,
        }),
      );
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
