import { IncomingMessage, request } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import type { InspectorApi } from '../../../tools/local/inspector/inspector-api';
import { InspectorServer, startInspectorServer } from '../../../tools/local/inspector/inspector-server';
import { ChangeFeed } from '../../../tools/local/inspector/change-feed';
import { waitUntil } from '../../support/wait-until';

/** Raw HTTP, so the test sets the headers a browser (or another site's page) would, Host included. */
function call(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(options.path ?? '/', url),
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('inspector server: reads for its own address only, actions from its own page only', () => {
  let server: InspectorServer;
  const actions: string[] = [];
  const api: InspectorApi = {
    list: async () => ({ rows: [], samples: [], since: '' }),
    details: async () => ({}),
    rawBody: async () => ({ fileName: 'x.json', body: Buffer.from('{}') }),
    act: async (action) => {
      actions.push(action);
      return { done: action };
    },
  };
  let token: string;
  const changes = new ChangeFeed();

  beforeAll(async () => {
    server = await startInspectorServer({
      host: '127.0.0.1',
      api,
      logger: new Logger({ logLevel: 'SILENT' }),
      changes,
    });
    const page = await call(server.url, {});
    token = /name="inspector-token" content="([^"]+)"/.exec(page.body)![1]!;
  });
  afterAll(() => server.close());
  beforeEach(() => actions.splice(0));

  const action = (headers: Record<string, string>, body = '{}') =>
    call(server.url, { method: 'POST', path: '/api/actions/redrive', headers, body });

  it('serves the page with a policy that keeps every resource on this server', async () => {
    const page = await call(server.url, {});
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const answer = await call(server.url, { path: '/api/events', headers: { Host: 'attacker.example:80' } });
    expect(answer.status).toBe(421);
  });

  it('runs an action sent as JSON with the token from the same origin', async () => {
    const origin = new URL(server.url).origin;
    const answer = await action({
      'Content-Type': 'application/json',
      'X-Inspector-Token': token,
      Origin: origin,
      'Sec-Fetch-Site': 'same-origin',
    });
    expect(answer.status).toBe(200);
    expect(actions).toEqual(['redrive']);
  });

  it.each([
    ['a form content type', { 'Content-Type': 'text/plain' }, true, 415],
    ['no token', { 'Content-Type': 'application/json' }, false, 403],
    ['another site', { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' }, true, 403],
    ['another origin', { 'Content-Type': 'application/json', Origin: 'http://attacker.example' }, true, 403],
  ])('refuses an action with %s and runs nothing', async (_what, headers, withToken, status) => {
    const answer = await action({ ...(withToken ? { 'X-Inspector-Token': token } : {}), ...headers });
    expect(answer.status).toBe(status);
    expect(actions).toEqual([]);
  });

  it('refuses a state change by GET and a body that is not a JSON object', async () => {
    expect((await call(server.url, { path: '/api/actions/redrive' })).status).toBe(404);
    const answer = await action({ 'Content-Type': 'application/json', 'X-Inspector-Token': token }, '[1]');
    expect(answer.status).toBe(400);
    expect(actions).toEqual([]);
  });

  it('streams one message to the page for changes that come together, and one for each later change (server-sent events)', async () => {
    // Prepare: the stream, read as a browser's EventSource would, and a count of the feed's notifications. Each
    // notification writes its message before the next, on one connection: the stream's order is the feed's.
    let received = '';
    const messages = () => received.match(/data: changed\n\n/g)?.length ?? 0;
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      request(new URL('/api/stream', server.url), (res) => resolve(res))
        .on('error', reject)
        .end(),
    );
    response.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    await waitUntil(() => received.includes('retry:'), 10_000, 'the stream has opened');
    let notifications = 0;
    const unsubscribe = changes.subscribe(() => (notifications += 1));

    // Act: three changes together; once their message has arrived, one more.
    changes.changed();
    changes.changed();
    changes.changed();
    await waitUntil(() => messages() >= 1, 10_000, 'the first change reached the stream');
    changes.changed();
    await waitUntil(() => notifications >= 2 && messages() === notifications, 10_000, 'the later change reached it');

    // Assess: a feed that notified once per change would have sent the three first (each before the later one).
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(notifications).toBe(2);
    expect(messages()).toBe(2);
    unsubscribe();
    response.destroy();
  });
});
