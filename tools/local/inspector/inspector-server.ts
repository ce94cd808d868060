import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import { PACKAGE_ROOT } from '../../../lambdas/contract/package-root';
import type { InspectorApi } from './inspector-api';
import { InspectorRequestError } from './inspector-request-error';
import type { ChangeFeed } from './change-feed';

/** The page's files: plain HTML, CSS and JS, served as they are (see CONTRIBUTING.md for why no framework). */
export const INSPECTOR_PAGE_DIR = join(PACKAGE_ROOT, 'tools', 'local', 'inspector', 'page');
/** The largest action body read; every action takes a few fields. */
const MAX_ACTION_BYTES = 16 * 1024;
const TOKEN_HEADER = 'x-inspector-token';
/** A comment line this often keeps an idle stream open through anything that cuts quiet connections. */
const STREAM_HEARTBEAT_MS = 15_000;

const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/inspector.css': { file: 'inspector.css', type: 'text/css; charset=utf-8' },
  '/inspector.js': { file: 'inspector.js', type: 'text/javascript; charset=utf-8' },
};

/** Nothing the page loads or sends may leave this server: the browser enforces it from this header. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface InspectorServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The inspector page and its JSON API on `host` (the runner's 127.0.0.1). Reads answer only requests addressed to
 * this host and port by name (a DNS-rebinding page cannot read them); actions are POSTs that need the run's token
 * (only the page served here has it), a JSON content type (which a plain cross-site form cannot send) and, when the
 * browser says, a same-origin Origin and Sec-Fetch-Site.
 */
export async function startInspectorServer(options: {
  readonly host: string;
  readonly port?: number;
  readonly api: InspectorApi;
  readonly logger: Logger;
  /** When given, `GET /api/stream` tells the page (server-sent events) each time what it shows may have changed. */
  readonly changes?: ChangeFeed;
}): Promise<InspectorServer> {
  const token = randomBytes(24).toString('base64url');
  const page = readFileSync(join(INSPECTOR_PAGE_DIR, 'index.html'), 'utf8').replace('__INSPECTOR_TOKEN__', token);
  const assets = Object.fromEntries(
    Object.entries(STATIC_FILES).map(([path, { file, type }]) => [
      path,
      { type, body: readFileSync(join(INSPECTOR_PAGE_DIR, file)) },
    ]),
  );
  let origin = '';
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const known = error instanceof InspectorRequestError;
      if (!known) options.logger.error('inspector failed to answer a request', { error: error as Error });
      if (!res.headersSent) {
        sendJson(res, known ? error.status : 500, { error: known ? error.message : 'internal error; see the log' });
      } else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const host = req.headers.host ?? '';
    if (`http://${host}` !== origin && `http://${host.replace(/^localhost:/, `${options.host}:`)}` !== origin) {
      throw new InspectorRequestError(421, `This server answers only ${origin}.`);
    }
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', page);
      const asset = assets[url.pathname];
      if (asset !== undefined) return send(res, 200, asset.type, asset.body);
      if (url.pathname === '/api/events') return sendJson(res, 200, await options.api.list(url.searchParams));
      if (url.pathname === '/api/stream' && options.changes !== undefined) return stream(res, options.changes);
      if (url.pathname === '/api/event') return sendJson(res, 200, await options.api.details(url.searchParams));
      if (url.pathname === '/api/event/body') {
        const raw = await options.api.rawBody(url.searchParams);
        res.setHeader('Content-Disposition', `attachment; filename="${raw.fileName}"`);
        return send(res, 200, 'application/octet-stream', raw.body);
      }
      throw new InspectorRequestError(404, `No such page: ${url.pathname}.`);
    }
    if (req.method !== 'POST') throw new InspectorRequestError(405, 'Use GET to read and POST for actions.');
    checkAction(req, token, origin);
    const input = await readJson(req);
    const action = url.pathname.replace(/^\/api\/actions\//, '');
    return sendJson(res, 200, await options.api.act(action, input));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://${options.host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Server-sent events: one `changed` message each time the list may have changed (the page then reads it), and a
 * comment line now and then while nothing does. The browser reconnects by itself after `retry` ms when it drops.
 */
function stream(res: ServerResponse, changes: ChangeFeed): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  const unsubscribe = changes.subscribe(() => res.write('data: changed\n\n'));
  const heartbeat = setInterval(() => res.write(': still here\n\n'), STREAM_HEARTBEAT_MS);
  heartbeat.unref();
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}

/** A cross-site page can make the browser POST here; it cannot read the token, nor send JSON without a preflight. */
function checkAction(req: IncomingMessage, token: string, origin: string): void {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') {
    throw new InspectorRequestError(415, 'Actions take Content-Type: application/json.');
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    throw new InspectorRequestError(403, 'Actions are accepted from the inspector page only (Sec-Fetch-Site).');
  }
  if (req.headers.origin !== undefined && req.headers.origin !== origin) {
    throw new InspectorRequestError(403, 'Actions are accepted from the inspector page only (Origin).');
  }
  const given = Buffer.from(String(req.headers[TOKEN_HEADER] ?? ''));
  const wanted = Buffer.from(token);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new InspectorRequestError(403, 'Actions need the token of this run: reload the inspector page.');
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_ACTION_BYTES)
      throw new InspectorRequestError(413, `Action bodies are at most ${MAX_ACTION_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw new InspectorRequestError(400, 'The action body must be a JSON object.');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
