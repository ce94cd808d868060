import type { FluentStandIn } from '../../../tools/local/fluent-stand-in/fluent-stand-in';
import { startFluentStandIn } from '../../../tools/local/fluent-stand-in/fluent-stand-in';
import { TEST_FLUENT_ACCOUNT, TEST_FLUENT_CLIENT } from '../../support/fluent-api-fixtures';

describe("The Fluent stand-in's control endpoint and event list: bad input", () => {
  let standIn: FluentStandIn;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${standIn.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const bearer = async (): Promise<Record<string, string>> => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: TEST_FLUENT_CLIENT.clientId,
      client_secret: TEST_FLUENT_CLIENT.clientSecret,
    });
    const token = await call('POST', '/oauth/token', form.toString());
    return { authorization: `Bearer ${String(token.body.access_token)}` };
  };

  beforeEach(async () => {
    standIn = await startFluentStandIn({
      host: '127.0.0.1',
      port: 0,
      account: TEST_FLUENT_ACCOUNT,
      client: TEST_FLUENT_CLIENT,
      logger: { info: () => undefined, warn: () => undefined },
    });
  });
  afterEach(() => standIn.stop());

  it('refuses a batch of events with one bad entry, names it, and keeps none of the batch', async () => {
    // Act
    const answer = await call('POST', '/_stand-in/events', [
      { event: { name: 'A', entityType: 'ORDER', entityRef: 'HD_1' } },
      { event: { entityType: 'ORDER', entityRef: 'HD_2' }, webhook: 'sent' },
    ]);
    const listed = await call('GET', '/_stand-in/events');

    // Assess
    expect(answer).toEqual({ status: 400, body: { message: 'entries[1].event: missing name.' } });
    expect(listed.body.events).toEqual([]);
  });

  it.each([
    [
      { event: { name: 'A', entityType: 'ORDER', entityRef: 'X' }, webhook: 'maybe' },
      'entries[0].webhook: "sent" or "lost".',
    ],
    [
      { event: { name: 'A', entityType: 'ORDER', entityRef: 'X' }, generatedOn: 'yesterday' },
      /entries\[0\].generatedOn/,
    ],
    [{ event: { name: 'A', entityType: 'ORDER', entityRef: 'X' }, lost: true }, /unknown key "lost"/],
    ['not json', /entries\[0\]: an object/],
  ])('refuses the entry %j with a message that says what to send', async (entry, message) => {
    const answer = await call('POST', '/_stand-in/events', entry);
    expect(answer.status).toBe(400);
    expect(String(answer.body.message)).toMatch(message);
  });

  it.each([
    [{ orders: 'HD_1' }, 'orders must be an array of entities.'],
    [{ orders: [{ id: '1' }] }, 'orders[0] needs a "ref" (a non-empty string).'],
    [{ orders: [{ ref: 'HD_1', id: 1 }] }, "orders[0].id must be a string (Fluent's ids are strings in JSON)."],
    [
      { customers: [] },
      'unknown key "customers"; use orders, fulfilments, returnOrders, locations, synthesizeMissing.',
    ],
  ])('refuses GraphQL seed data %j and keeps what it had', async (data, message) => {
    const answer = await call('POST', '/_stand-in/graphql-data', data);
    const held = await call('GET', '/_stand-in/graphql-data');
    expect(answer).toEqual({ status: 400, body: { message } });
    expect((held.body.orders as unknown[]).length).toBe(1);
  });

  it('answers 400 to a list request with a count over 5,000 or a time that is not one', async () => {
    // Prepare
    const headers = await bearer();

    // Act
    const tooMany = await call('GET', '/api/v4.1/event?count=5001', undefined, headers);
    const badTime = await call('GET', '/api/v4.1/event?from=yesterday', undefined, headers);

    // Assess
    expect(tooMany).toEqual({ status: 400, body: { message: 'count must be a whole number from 0 to 5000.' } });
    expect(badTime).toEqual({ status: 400, body: { message: 'from and to must be ISO 8601 times.' } });
  });

  it('answers null for an unknown ref once told not to make entities up', async () => {
    // Prepare
    const headers = { ...(await bearer()), 'content-type': 'application/json' };
    await call('POST', '/_stand-in/graphql-data', { synthesizeMissing: false });

    // Act
    const answer = await call('POST', '/graphql', { query: '{ order(ref: "NOPE") { id } }' }, headers);

    // Assess
    expect(answer).toEqual({ status: 200, body: { data: { order: null } } });
  });
});
