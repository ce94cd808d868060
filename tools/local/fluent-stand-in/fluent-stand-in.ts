import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FluentCredentials } from '../../../lambdas/fluent-api';
import { DEFAULT_STAND_IN_DATA } from './stand-in-default-data';
import { parseStandInData, StandInData, StandInStore } from './stand-in-data';
import {
  checkStandInEvent,
  ListedEvent,
  listedFromRecorded,
  listEvents,
  nestedEvent,
  parseSeededEvents,
  RecordedEvent,
} from './stand-in-events';
import { firstFieldOf, StandInGraphQL } from './stand-in-graphql';
import { Fault, FaultKind, FaultQueue, parseFaults, RequestTarget } from './stand-in-faults';
import { StandInTokens } from './stand-in-tokens';

/**
 * The control endpoint's path prefix: `GET …/received`, `POST|DELETE …/faults`, `GET|POST|DELETE …/events` (what
 * the Event API lists, and which webhooks were lost), `GET|POST|DELETE …/graphql-data` (what GraphQL answers from).
 */
export const CONTROL_PATH = '/_stand-in';
/** Tokens live this long unless told otherwise: short, so a local run exercises renewal. */
export const DEFAULT_STAND_IN_TOKEN_SECONDS = 300;
const MAX_BODY_BYTES = 1024 * 1024;

/** What the stand-in logs; a Powertools Logger fits. */
export interface StandInLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface FluentStandInOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The account the `fluent.account` header must name. */
  readonly account: string;
  /** The one client (and, for the password grant, user) it accepts. */
  readonly client: FluentCredentials;
  /** @default DEFAULT_STAND_IN_TOKEN_SECONDS */
  readonly tokenLifetimeSeconds?: number;
  /** Faults to apply from the start. */
  readonly faults?: readonly Fault[];
  /** What GraphQL answers from, on top of the built-in sample entities. @default none */
  readonly data?: StandInData;
  readonly logger: StandInLogger;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RecordedGraphQL {
  readonly query: string;
  readonly variables: unknown;
  readonly receivedAt: string;
}

/** Everything the stand-in has received, for tests and for `GET /_stand-in/received`. */
export interface StandInReceived {
  readonly events: readonly RecordedEvent[];
  readonly graphql: readonly RecordedGraphQL[];
  readonly tokensIssued: number;
}

export interface FluentStandIn {
  /** The base URL to use as FLUENT_API_URL. */
  readonly url: string;
  received(): StandInReceived;
  addFaults(faults: readonly Fault[]): void;
  clearFaults(): void;
  /** Seeds events the Event API lists, as `POST /_stand-in/events` does (throws on a bad entry). */
  seedEvents(entries: unknown): readonly ListedEvent[];
  /** Adds or replaces GraphQL entities, as `POST /_stand-in/graphql-data` does (throws on bad data). */
  seedData(data: unknown): void;
  stop(): Promise<void>;
}

/**
 * A small Fluent API on 127.0.0.1 that Fluent's own SDK accepts: `/oauth/token`, `/api/v4.1/event/async|sync`,
 * `GET /api/v4.1/event[/id]` and `/graphql` (executed by a GraphQL engine against {@link STAND_IN_SCHEMA_SDL}).
 * It checks what Fluent checks, records and logs every event and GraphQL call, and misbehaves on request (see
 * {@link FaultKind}).
 */
export async function startFluentStandIn(options: FluentStandInOptions): Promise<FluentStandIn> {
  const now = options.now ?? Date.now;
  const tokens = new StandInTokens(
    options.account,
    options.client,
    options.tokenLifetimeSeconds ?? DEFAULT_STAND_IN_TOKEN_SECONDS,
    now,
  );
  const faults = new FaultQueue();
  faults.add(options.faults ?? []);
  const events: RecordedEvent[] = [];
  /** What the Event API lists: client-posted events and seeded ones, by id (a seeded id given again replaces). */
  const listed = new Map<string, ListedEvent>();
  const graphql: RecordedGraphQL[] = [];
  const store = new StandInStore(DEFAULT_STAND_IN_DATA);
  if (options.data !== undefined) store.seed(options.data);
  const graphqlEngine = new StandInGraphQL(store);
  const seedEvents = (entries: unknown): readonly ListedEvent[] => {
    const parsed = parseSeededEvents(entries, now());
    for (const entry of parsed) {
      listed.delete(entry.id); // a re-seeded id moves to its new place in arrival order
      listed.set(entry.id, entry);
    }
    return parsed;
  };
  const seedData = (data: unknown): void => store.seed(parseStandInData(data));
  const { logger } = options;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const body = await readBody(request);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const route = `${request.method} ${url.pathname}`;

    if (url.pathname.startsWith(`${CONTROL_PATH}/`)) return control(route, body, send);
    if (body === undefined) return send(413, { message: 'Request body too large.' });

    const target: RequestTarget =
      url.pathname === '/oauth/token'
        ? 'token'
        : url.pathname === '/graphql'
          ? 'graphql'
          : url.pathname.startsWith('/api/v4.1/event')
            ? 'event'
            : 'api';
    const fault = faults.take(target);
    if (fault !== undefined) logger.warn('fluent stand-in misbehaving on purpose', { fault: fault.kind, route });
    if (fault?.kind === FaultKind.STALL) return; // no answer; the client's timeout ends it, or the stop does
    if (fault?.kind === FaultKind.RATE_LIMITED) {
      return send(429, { message: 'Too many requests' }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    }
    if (fault?.kind === FaultKind.UNAVAILABLE) return send(503, { message: 'Service unavailable' });
    if (fault?.kind === FaultKind.BAD_REQUEST) return send(400, { message: 'Bad request (stand-in fault)' });

    if (target === 'token') {
      if (request.method !== 'POST') return send(405, { message: 'POST the token request.' });
      if (url.search !== '') {
        // Fluent "supports but does not recommend" query parameters; the stand-in refuses them to catch leaks.
        return send(400, {
          error: 'invalid_request',
          error_description: 'Send the parameters in the body, not the URL.',
        });
      }
      if (fault?.kind === FaultKind.REFUSE_TOKEN) {
        return send(401, { error: 'invalid_client', error_description: 'Bad client credentials' });
      }
      const answer = tokens.grant(new URLSearchParams(body), headerOf(request, 'fluent.account'));
      logger.info('fluent stand-in token request', {
        grantType: new URLSearchParams(body).get('grant_type'),
        status: answer.status,
      });
      return send(answer.status, answer.body);
    }

    if (fault?.kind === FaultKind.UNAUTHORIZED) {
      tokens.revokeAll();
      return send(401, { message: 'Unauthorized' });
    }
    if (!tokens.accepts(headerOf(request, 'authorization'))) {
      return send(401, { message: 'Unauthorized: missing, unknown or expired bearer token' });
    }
    const correlationId = headerOf(request, 'x-correlation-id');

    if (
      request.method === 'POST' &&
      (url.pathname === '/api/v4.1/event/async' || url.pathname === '/api/v4.1/event/sync')
    ) {
      const parsed = parseJson(body);
      const problem = checkStandInEvent(parsed);
      if (problem !== undefined) return send(400, { message: problem });
      const mode = url.pathname.endsWith('/sync') ? 'sync' : 'async';
      const recorded: RecordedEvent = {
        id: randomUUID(),
        mode,
        event: parsed as Record<string, unknown>,
        receivedAt: new Date(now()).toISOString(),
      };
      events.push(recorded);
      listed.set(recorded.id, listedFromRecorded(recorded));
      logger.info('fluent stand-in received event', {
        mode,
        name: recorded.event.name,
        entityType: recorded.event.entityType,
        entityRef: recorded.event.entityRef ?? recorded.event.entityId,
        correlationId,
        attributes: recorded.event.attributes,
      });
      if (mode === 'async') return send(200, { id: recorded.id });
      return send(200, {
        eventId: recorded.id,
        entityId: String(recorded.event.entityId ?? recorded.event.entityRef),
        eventStatus: 'COMPLETE',
      });
    }
    if (request.method === 'GET' && url.pathname === '/api/v4.1/event') {
      const answer = listEvents([...listed.values()], url.searchParams, now());
      return send(answer.status, answer.body);
    }
    if (request.method === 'GET' && url.pathname.startsWith('/api/v4.1/event/')) {
      const found = listed.get(decodeURIComponent(url.pathname.slice('/api/v4.1/event/'.length)));
      return found === undefined ? send(404, { message: 'No event with this id.' }) : send(200, nestedEvent(found));
    }
    if (request.method === 'POST' && url.pathname === '/graphql') {
      const parsed = parseJson(body) as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
      if (typeof parsed?.query !== 'string' || parsed.query.trim() === '') {
        return send(400, { errors: [{ message: 'The body needs a GraphQL query.' }] });
      }
      const variables = parsed.variables ?? undefined;
      if (variables !== undefined && (typeof variables !== 'object' || Array.isArray(variables))) {
        return send(400, { errors: [{ message: 'variables must be a JSON object.' }] });
      }
      graphql.push({ query: parsed.query, variables: parsed.variables, receivedAt: new Date(now()).toISOString() });
      const field = await firstFieldOf(parsed.query);
      logger.info('fluent stand-in received graphql', { field, correlationId, variables: parsed.variables });
      if (fault?.kind === FaultKind.GRAPHQL_ERRORS) {
        return send(200, { data: null, errors: [{ message: `Stand-in fault: ${field} failed` }] });
      }
      const result = await graphqlEngine.execute({
        query: parsed.query,
        variables: variables as Record<string, unknown> | null | undefined,
        operationName: typeof parsed.operationName === 'string' ? parsed.operationName : undefined,
      });
      return send(200, result);
    }
    return send(404, { message: `The stand-in has no ${route}.` });
  };

  const control = (route: string, body: string | undefined, send: (status: number, payload: unknown) => void): void => {
    /** Runs a change whose input may be bad: 400 with its one message, nothing changed. */
    const change = (apply: () => unknown): void => {
      if (body === undefined) return send(413, { message: 'Request body too large.' });
      try {
        return send(200, apply());
      } catch (error) {
        return send(400, { message: (error as Error).message });
      }
    };
    if (route === `GET ${CONTROL_PATH}/events`) {
      return send(200, {
        events: [...listed.values()].map((entry) => ({
          id: entry.id,
          webhook: entry.webhook,
          listed: nestedEvent(entry),
          event: entry.event,
        })),
      });
    }
    if (route === `POST ${CONTROL_PATH}/events`) {
      return change(() => {
        const seeded = seedEvents(parseJson(body ?? ''));
        logger.info('fluent stand-in events seeded', { count: seeded.length });
        return {
          events: seeded.map(({ id, event, webhook, generatedOn }) => ({ id, name: event.name, webhook, generatedOn })),
        };
      });
    }
    if (route === `DELETE ${CONTROL_PATH}/events`) {
      for (const [id, entry] of listed) if (entry.webhook !== null) listed.delete(id);
      return send(200, { events: [] });
    }
    if (route === `GET ${CONTROL_PATH}/graphql-data`) return send(200, store.snapshot());
    if (route === `POST ${CONTROL_PATH}/graphql-data`) {
      return change(() => {
        seedData(parseJson(body ?? ''));
        return store.snapshot();
      });
    }
    if (route === `DELETE ${CONTROL_PATH}/graphql-data`) {
      store.clear();
      return send(200, store.snapshot());
    }
    if (route === `GET ${CONTROL_PATH}/received`) {
      return send(200, { events, graphql, tokensIssued: tokens.issued, faults: faults.pending() });
    }
    if (route === `DELETE ${CONTROL_PATH}/faults`) {
      faults.clear();
      return send(200, { faults: [] });
    }
    if (route === `POST ${CONTROL_PATH}/faults`) {
      try {
        faults.add(parseFaults(parseJson(body ?? '')));
      } catch (error) {
        return send(400, { message: (error as Error).message });
      }
      logger.info('fluent stand-in faults set', { faults: faults.pending() });
      return send(200, { faults: faults.pending() });
    }
    return send(404, {
      message: `Use GET ${CONTROL_PATH}/received, POST|DELETE ${CONTROL_PATH}/faults, GET|POST|DELETE ${CONTROL_PATH}/events or ${CONTROL_PATH}/graphql-data.`,
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.warn('fluent stand-in failed to answer', { error: (error as Error).message });
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    received: () => ({ events: [...events], graphql: [...graphql], tokensIssued: tokens.issued }),
    addFaults: (list) => faults.add(list),
    clearFaults: () => faults.clear(),
    seedEvents,
    seedData,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as text; undefined when it is over the limit. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
