import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FluentCredentials } from '../../lambdas/fluent-api';

/** One request a hostile server received, whole: what a test searches for leaked credentials. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** `Date.now()` when the request arrived. */
  readonly at: number;
}

/** How a hostile server answers one request. It may stream, stall or never end. */
export type HostileAnswer = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface HostileServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>`, as a redirect error names it. */
  readonly host: string;
  /** Every request received so far. */
  requests(): readonly RecordedRequest[];
  /** Everything received (paths, headers, bodies) as one string, to search for a credential. */
  everything(): string;
  /** Closes every connection (an endless answer too) and the server. */
  stop(): Promise<void>;
}

/** The largest request body recorded; the client sends far less. */
const MAX_RECORDED_BODY_BYTES = 1024 * 1024;

/**
 * Starts a server on 127.0.0.1 that records everything it receives and answers with `answer`: the attacker's
 * "other host" a redirect points at. By default it answers like a token endpoint, handing out a token, and accepts
 * anything else: a client that followed it would carry on, which is what an attacker wants.
 */
export async function startRecordingServer(answer: HostileAnswer = attackerAnswer): Promise<HostileServer> {
  const received: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    void readRequest(request).then(async (recorded) => {
      received.push(recorded);
      try {
        await answer(recorded, response);
      } catch {
        response.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests: () => received,
    everything: () => JSON.stringify(received),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What the attacker's host answers: a token to the token endpoint, "accepted" to anything else. */
const attackerAnswer: HostileAnswer = (request, response) => {
  if (request.url.startsWith('/oauth/token')) {
    return sendJson(response, 200, { access_token: 'attacker-token', token_type: 'bearer', expires_in: 3600 });
  }
  return sendJson(response, 200, { id: 'attacker-event', eventStatus: 'COMPLETE', data: {} });
};

export type HostileRoute = 'token' | 'api';

/** One token request, as the hostile Fluent judged it. */
export interface TokenRequestRecord {
  readonly grant: string | null;
  /** Whether it carried the right `client_id` and `client_secret`. */
  readonly clientAuthenticated: boolean;
  readonly granted: boolean;
}

export interface HostileFluent extends HostileServer {
  /** Answers the next requests on `route` (the token endpoint, or any API call) with `answers`, in order, once each. */
  script(route: HostileRoute, ...answers: HostileAnswer[]): void;
  /** Answers every request on `route` with `answer` from now on (after any scripted ones). */
  always(route: HostileRoute, answer: HostileAnswer): void;
  /** How many scripted answers have not been used yet. */
  scriptedLeft(): number;
  /** Every token request and what it got. */
  tokenRequests(): readonly TokenRequestRecord[];
  /** The access tokens it issued. */
  issuedTokens(): readonly string[];
  /** Endless or slow answers whose connection the client closed, and the bytes written to them in all. */
  streams(): { readonly cut: number; readonly bytesWritten: number };
}

export interface HostileFluentOptions {
  readonly client: FluentCredentials;
  /** `expires_in` of the tokens it issues. @default 3600 */
  readonly tokenLifetimeSeconds?: number;
}

/**
 * A Fluent API on 127.0.0.1 that a test turns hostile. Unscripted, it behaves like Fluent: the token endpoint
 * checks the client (on a refresh too, as OAuth 2.0 has a confidential client authenticate) and the user, and API
 * calls need a token it issued. Scripted answers (the builders below) redirect, echo the form, stream without end,
 * drip, or rate-limit with odd `Retry-After` values.
 */
export async function startHostileFluent(options: HostileFluentOptions): Promise<HostileFluent> {
  const scripted: Record<HostileRoute, HostileAnswer[]> = { token: [], api: [] };
  const standing: Partial<Record<HostileRoute, HostileAnswer>> = {};
  const tokenRequests: TokenRequestRecord[] = [];
  const accessTokens: string[] = [];
  const refreshTokens = new Set<string>();
  const streams = { cut: 0, bytesWritten: 0 };

  const honestToken: HostileAnswer = (request, response) => {
    const form = new URLSearchParams(request.body);
    const grant = form.get('grant_type');
    const clientAuthenticated =
      form.get('client_id') === options.client.clientId && form.get('client_secret') === options.client.clientSecret;
    const refuse = (status: number, error: string): void => {
      tokenRequests.push({ grant, clientAuthenticated, granted: false });
      sendJson(response, status, { error, error_description: 'refused by the hostile Fluent' });
    };
    if (!clientAuthenticated) return refuse(401, 'invalid_client');
    if (grant === 'refresh_token' && !refreshTokens.delete(form.get('refresh_token') ?? '')) {
      return refuse(400, 'invalid_grant');
    }
    if (
      grant === 'password' &&
      (form.get('username') !== options.client.username || form.get('password') !== options.client.password)
    ) {
      return refuse(400, 'invalid_grant');
    }
    const accessToken = `hostile-access-${randomBytes(18).toString('base64url')}`;
    const refreshToken = `hostile-refresh-${randomBytes(18).toString('base64url')}`;
    accessTokens.push(accessToken);
    refreshTokens.add(refreshToken);
    tokenRequests.push({ grant, clientAuthenticated, granted: true });
    sendJson(response, 200, {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: options.tokenLifetimeSeconds ?? 3600,
      scope: 'api',
    });
  };
  const honestApi: HostileAnswer = (request, response) => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (token === undefined || !accessTokens.includes(token)) return sendJson(response, 401, { message: 'no token' });
    if (request.url.startsWith('/graphql')) return sendJson(response, 200, { data: { ok: true } });
    if (request.method === 'GET') return sendJson(response, 200, { start: 1, count: 0, hasMore: false, results: [] });
    return sendJson(response, 200, { id: randomBytes(8).toString('hex'), eventStatus: 'PENDING' });
  };

  const server = await startRecordingServer(async (request, response) => {
    const route: HostileRoute = request.url.startsWith('/oauth/token') ? 'token' : 'api';
    const answer = scripted[route].shift() ?? standing[route] ?? (route === 'token' ? honestToken : honestApi);
    response.once('close', () => {
      if (!response.writableEnded) streams.cut += 1;
    });
    const write = response.write.bind(response);
    response.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      streams.bytesWritten += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      return write(chunk, ...rest);
    }) as typeof response.write;
    await answer(request, response);
  });
  return {
    ...server,
    script: (route, ...answers) => scripted[route].push(...answers),
    always: (route, answer) => (standing[route] = answer),
    scriptedLeft: () => scripted.token.length + scripted.api.length,
    tokenRequests: () => tokenRequests,
    issuedTokens: () => accessTokens,
    streams: () => ({ ...streams }),
  };
}

/** A redirect to `location` (a URL on another host, usually), with an empty body. */
export function redirectTo(status: number, location: string): HostileAnswer {
  return (_request, response) => {
    response.writeHead(status, { location, 'content-length': '0' });
    response.end();
  };
}

/** How a token endpoint might echo the form it received back in its error. */
export type FormEcho = 'as-sent' | 'lower-case-escapes' | 'url-encoded' | 'json' | 'base64' | 'plain-text';

/**
 * Refuses with `status` and the request's form echoed in every field an error could quote (`error`,
 * `error_description`, `message`), encoded as `echo` says, padded so a naive cut would still show it.
 */
export function echoTheForm(status: number, echo: FormEcho): HostileAnswer {
  return (request, response) => {
    const form = new URLSearchParams(request.body);
    const values = [...form.entries()];
    const text = {
      'as-sent': () => request.body,
      'lower-case-escapes': () => request.body.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      'url-encoded': () => values.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&'),
      json: () => JSON.stringify(Object.fromEntries(values)).slice(1, -1),
      base64: () => values.map(([name, value]) => `${name}:${Buffer.from(value).toString('base64')}`).join(' '),
      'plain-text': () => request.body,
    }[echo]();
    if (echo === 'plain-text') {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(`Bad request: ${text}`);
      return;
    }
    sendJson(response, status, { error: text, error_description: `Bad credentials in ${text}`, message: text });
  };
}

/** A 200 whose body never ends: 64 KiB chunks as fast as the client reads, until the client closes. */
export function endlessBody(status = 200): HostileAnswer {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  return (_request, response) =>
    new Promise<void>((resolve) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.write('{"data":"');
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk));
        if (response.destroyed) resolve();
        else response.once('drain', pump);
      };
      response.once('close', resolve);
      pump();
    });
}

/** A 200 whose body arrives one byte every `intervalMs`, never ending, until the client closes. */
export function slowDrip(intervalMs: number): HostileAnswer {
  return (_request, response) =>
    new Promise<void>((resolve) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":"');
      const timer = setInterval(() => response.write('x'), intervalMs);
      response.once('close', () => {
        clearInterval(timer);
        resolve();
      });
    });
}

/** A 429 with `Retry-After: value` exactly as given (it may be `-1`, `0`, a date gone by, garbage). */
export function rateLimited(retryAfter: string): HostileAnswer {
  return (_request, response) => sendJson(response, 429, { message: 'slow down' }, { 'retry-after': retryAfter });
}

/** Any status and JSON body; `body` may be built from the request (to echo its token, say). */
export function answerJson(
  status: number,
  body: Readonly<Record<string, unknown>> | ((request: RecordedRequest) => unknown),
): HostileAnswer {
  return (request, response) => sendJson(response, status, typeof body === 'function' ? body(request) : body);
}

/** The bearer token a request carried, for answers that echo it. */
export function bearerOf(request: RecordedRequest): string {
  return String(request.headers.authorization ?? '').replace(/^Bearer /, '');
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

async function readRequest(request: IncomingMessage): Promise<RecordedRequest> {
  const at = Date.now();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_RECORDED_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return {
    method: request.method ?? '',
    url: request.url ?? '',
    headers: request.headers,
    body: Buffer.concat(chunks).toString('utf8'),
    at,
  };
}
