import { FluentClient } from '@fluentcommerce/fc-connect-sdk';
import type { FluentStandIn } from '../../tools/local/fluent-stand-in/fluent-stand-in';
import { startFluentStandIn } from '../../tools/local/fluent-stand-in/fluent-stand-in';
import { TEST_FLUENT_ACCOUNT, TEST_FLUENT_CLIENT } from '../support/fluent-api-fixtures';

/**
 * Fluent's own npm SDK as the client, with nothing added (no fluent.account header, its own token handling): what
 * works against the stand-in here works against Fluent, in the shapes Fluent answers.
 */
describe("the local Fluent stand-in, driven by Fluent's own SDK", () => {
  let standIn: FluentStandIn;
  let sdk: FluentClient;
  let tokenRequests: unknown[];
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

  beforeEach(async () => {
    tokenRequests = [];
    standIn = await startFluentStandIn({
      host: '127.0.0.1',
      port: 0,
      account: TEST_FLUENT_ACCOUNT,
      client: TEST_FLUENT_CLIENT,
      tokenLifetimeSeconds: 120,
      logger: {
        info: (message, fields) => {
          if (message === 'fluent stand-in token request') tokenRequests.push(fields);
        },
        warn: () => undefined,
      },
    });
    sdk = new FluentClient(
      {
        baseUrl: standIn.url,
        retailerId: '1',
        clientId: TEST_FLUENT_CLIENT.clientId,
        clientSecret: TEST_FLUENT_CLIENT.clientSecret,
        username: TEST_FLUENT_CLIENT.username,
        password: TEST_FLUENT_CLIENT.password,
        // The SDK renews a token this many seconds before it expires: 120 of 120 makes its next call refresh.
        retryConfig: { tokenExpiryBufferSeconds: 120, maxRetries: 0 },
      },
      quiet as never,
    );
  });

  afterEach(() => standIn.stop());

  it('gets a token, then renews it with a refresh that carries no scope', async () => {
    // Act
    await sdk.getEvents({ count: 1 });
    await sdk.getEvents({ count: 1 });

    // Assess: one login and one refresh, no refusal and no fallback login
    expect(tokenRequests).toEqual([
      { grantType: 'password', status: 200 },
      { grantType: 'refresh_token', status: 200 },
    ]);
  });

  it('sends an async and a sync event and finds both in the event list, nested as Fluent lists them', async () => {
    // Prepare
    const event = { entityType: 'RETURN_ORDER', entityRef: 'RTN_HD_5012_1', rootEntityType: 'RETURN_ORDER' };

    // Act
    const asyncAnswer = await sdk.sendEvent({ ...event, name: 'ReturnApproved' }, 'async');
    const syncAnswer = await sdk.sendEvent({ ...event, name: 'ReturnRefunded' }, 'sync');
    const page = await sdk.getEvents({ 'context.entityRef': 'RTN_HD_5012_1', count: 1 });
    const next = await sdk.getEvents({ 'context.entityRef': 'RTN_HD_5012_1', count: 1, start: 1 });

    // Assess
    expect(asyncAnswer).toMatchObject({ success: true, statusCode: 200, id: expect.any(String) });
    expect(syncAnswer).toMatchObject({ success: true, statusCode: 200, eventStatus: 'COMPLETE' });
    expect(page).toMatchObject({ start: 0, count: 1, hasMore: true });
    expect(page.results[0]).toMatchObject({
      id: asyncAnswer.id,
      name: 'ReturnApproved',
      retailerId: '1',
      context: { entityType: 'RETURN_ORDER', entityRef: 'RTN_HD_5012_1', rootEntityType: 'RETURN_ORDER' },
    });
    expect(next).toMatchObject({ start: 1, count: 1, hasMore: false });
    expect(next.results[0]).toMatchObject({ name: 'ReturnRefunded', id: syncAnswer.eventId });
  });

  it('answers a GraphQL query in the shape the query asks for, from seeded data', async () => {
    // Prepare
    standIn.seedData({
      orders: [{ id: '900', ref: 'HD_900', type: 'CC', status: 'BOOKED', attributes: [] }],
      fulfilments: [{ id: '901', ref: 'F_900', status: 'CREATED', orderRef: 'HD_900', fromLocationRef: 'DC_SYDNEY' }],
    });
    const query = `query OrderByRef($ref: [String]) {
      orders(ref: $ref, first: 1) {
        edges { node { id ref status type fulfilments { edges { node { ref status fromLocation { ref name } } } } } }
        pageInfo { hasNextPage }
      }
    }`;

    // Act
    const answer = await sdk.graphql({ query, variables: { ref: ['HD_900'] } });

    // Assess
    expect(answer.data).toEqual({
      orders: {
        edges: [
          {
            node: {
              id: '900',
              ref: 'HD_900',
              status: 'BOOKED',
              type: 'CC',
              fulfilments: {
                edges: [
                  {
                    node: {
                      ref: 'F_900',
                      status: 'CREATED',
                      fromLocation: { ref: 'DC_SYDNEY', name: 'Sydney distribution centre' },
                    },
                  },
                ],
              },
            },
          },
        ],
        pageInfo: { hasNextPage: false },
      },
    });
  });

  it('applies a mutation, and reports a query Fluent would refuse as a GraphQL error', async () => {
    // Prepare
    const mutation = `mutation Ship($input: UpdateOrderInput!) { updateOrder(input: $input) { id status } }`;

    // Act
    const updated = await sdk.graphql({ query: mutation, variables: { input: { id: '5012', status: 'COMPLETE' } } });
    const read = await sdk.graphql({ query: '{ orderById(id: "5012") { ref status } }' });
    const refused = await sdk
      .graphql({ query: '{ orders { edges { node { notAField } } } }' })
      .catch((error: unknown) => error);

    // Assess
    expect(updated.data).toEqual({ updateOrder: { id: '5012', status: 'COMPLETE' } });
    expect(read.data).toEqual({ orderById: { ref: 'HD_5012', status: 'COMPLETE' } });
    expect((refused as Error).message).toMatch(/Cannot query field "notAField" on type "Order"/);
  });

  it('lists the events it is told Fluent produced, lost webhooks included, with Fluent filters', async () => {
    // Prepare
    const body = (id: string, name: string) => ({
      id,
      name,
      accountId: TEST_FLUENT_ACCOUNT,
      retailerId: '1',
      entityId: '5012',
      entityRef: 'HD_5012',
      entityType: 'ORDER',
      rootEntityRef: 'HD_5012',
      rootEntityType: 'ORDER',
    });
    standIn.seedEvents([
      { event: body('e-1', 'OrderShipped'), webhook: 'sent', generatedOn: new Date(Date.now() - 60_000).toISOString() },
      { event: body('e-2', 'OrderShipped'), webhook: 'lost' },
      { event: body('e-3', 'OrderCancelled'), webhook: 'sent' },
    ]);

    // Act
    const shipped = await sdk.getEvents({ name: 'OrderShipped', 'context.rootEntityRef': 'HD_5012' });
    const control = (await (await fetch(`${standIn.url}/_stand-in/events`)).json()) as {
      events: Array<{ id: string; webhook: string }>;
    };

    // Assess
    expect(shipped.results.map((event: { id: string }) => event.id)).toEqual(['e-1', 'e-2']);
    expect(shipped.results[1]).toMatchObject({ type: 'ORCHESTRATION', eventStatus: 'COMPLETE' });
    expect(control.events.filter((event) => event.webhook === 'lost').map((event) => event.id)).toEqual(['e-2']);
  });
});
