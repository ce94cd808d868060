import {
  FluentApiError,
  FluentAuthenticationError,
  FluentEventInvalidError,
  FluentGraphQLError,
  FluentRequestError,
  FluentTimeoutError,
  FluentUnavailableError,
} from '../../../lambdas/fluent-api';
import { FaultKind } from '../../../tools/local/fluent-stand-in/stand-in-faults';
import {
  returnApproved,
  StandInFixture,
  startStandInFixture,
  TEST_FLUENT_CLIENT,
} from '../../support/fluent-api-fixtures';

describe('Class: FluentApiClient, against the Fluent stand-in over HTTP on 127.0.0.1', () => {
  let fixture: StandInFixture;

  beforeEach(async () => {
    fixture = await startStandInFixture();
  });
  afterEach(async () => {
    await fixture.standIn.stop();
  });

  const statuses = () => fixture.attempts.map((record) => `${record.operation}:${record.status}:${record.next}`);

  it('logs in once and uses that one token for many calls', async () => {
    // Prepare
    const client = fixture.client();

    // Act
    for (let index = 0; index < 5; index += 1) await client.sendEvent(returnApproved({ entityRef: `RET-${index}` }));

    // Assess
    expect(fixture.standIn.received().tokensIssued).toBe(1);
    expect(fixture.standIn.received().events.map((recorded) => recorded.event.entityRef)).toEqual([
      'RET-0',
      'RET-1',
      'RET-2',
      'RET-3',
      'RET-4',
    ]);
  });

  it('uses the password grant with a username, client_credentials without, scope=api and the account header', async () => {
    // Prepare
    const withUser = fixture.client();
    const clientOnly = fixture.client({
      credentials: {
        load: async () => ({ clientId: TEST_FLUENT_CLIENT.clientId, clientSecret: TEST_FLUENT_CLIENT.clientSecret }),
      },
    });

    // Act
    const passwordToken = await withUser.tokenInfo();
    const clientToken = await clientOnly.tokenInfo();

    // Assess
    expect(passwordToken).toEqual({ grant: 'password', scope: 'api', tokenType: 'bearer', expiresInSeconds: 120 });
    expect(clientToken.grant).toBe('client_credentials');
  });

  it('renews the token shortly before it expires, without waiting for a 401', async () => {
    // Prepare
    const client = fixture.client();
    await client.sendEvent(returnApproved());

    // Act: 110 s into a 120 s token (renewed 12 s early), still valid at the stand-in
    fixture.clock.advance(110_000);
    await client.sendEvent(returnApproved());

    // Assess
    expect(fixture.standIn.received().tokensIssued).toBe(2);
    expect(statuses()).toEqual(['token:200:done', 'sendEvent:200:done', 'token:200:done', 'sendEvent:200:done']);
  });

  it('lets concurrent callers share one token request', async () => {
    // Prepare
    const client = fixture.client();

    // Act
    await Promise.all(
      Array.from({ length: 10 }, (_, index) => client.sendEvent(returnApproved({ entityRef: `R${index}` }))),
    );

    // Assess
    expect(fixture.standIn.received().tokensIssued).toBe(1);
    expect(fixture.standIn.received().events).toHaveLength(10);
  });

  it('gets a new token once and retries when a call is answered 401 mid-stream', async () => {
    // Prepare
    const client = fixture.client();
    await client.sendEvent(returnApproved({ entityRef: 'first' }));
    fixture.standIn.addFaults([{ kind: FaultKind.UNAUTHORIZED }]);

    // Act
    await client.sendEvent(returnApproved({ entityRef: 'second' }));

    // Assess
    expect(statuses()).toEqual([
      'token:200:done',
      'sendEvent:200:done',
      'sendEvent:401:refresh-token',
      'token:200:done',
      'sendEvent:200:done',
    ]);
    expect(fixture.standIn.received().events.map((recorded) => recorded.event.entityRef)).toEqual(['first', 'second']);
  });

  it('stops with FluentAuthenticationError when a fresh token is answered 401 too: no loop', async () => {
    // Prepare
    const client = fixture.client();
    fixture.standIn.addFaults([{ kind: FaultKind.UNAUTHORIZED, times: 10 }]);

    // Act
    const error = await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(FluentAuthenticationError);
    expect(error).toMatchObject({ status: 401, operation: 'sendEvent' });
    expect(fixture.attempts.filter((record) => record.operation === 'sendEvent')).toHaveLength(2);
    expect(fixture.standIn.received().events).toHaveLength(0);
  });

  it('waits as Retry-After says after a 429, then succeeds', async () => {
    // Prepare
    const client = fixture.client();
    fixture.standIn.addFaults([{ kind: FaultKind.RATE_LIMITED, retryAfterSeconds: 7 }]);

    // Act
    await client.sendEvent(returnApproved());

    // Assess
    expect(fixture.clock.sleeps).toEqual([7000]);
    expect(statuses()).toEqual(['token:200:done', 'sendEvent:429:retry', 'sendEvent:200:done']);
    expect(fixture.standIn.received().events).toHaveLength(1);
  });

  it('backs off exponentially (with jitter) after 503s, then succeeds', async () => {
    // Prepare
    const client = fixture.client();
    fixture.standIn.addFaults([{ kind: FaultKind.UNAVAILABLE, times: 3 }]);

    // Act
    await client.sendEvent(returnApproved());

    // Assess: random() is 0.5, so each wait is 3/4 of its doubling ceiling
    expect(fixture.clock.sleeps).toEqual([375, 750, 1500]);
    expect(fixture.standIn.received().events).toHaveLength(1);
  });

  it('gives up with FluentUnavailableError after the last attempt', async () => {
    // Prepare
    const client = fixture.client({ maxAttempts: 3 });
    fixture.standIn.addFaults([{ kind: FaultKind.UNAVAILABLE, times: 5 }]);

    // Act
    const error = await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(FluentUnavailableError);
    expect(error).toMatchObject({ status: 503, attempts: 3, fluentMessage: 'Service unavailable' });
  });

  it('raises a 400 at once as FluentRequestError with the status, Fluent message and correlation id', async () => {
    // Prepare
    const client = fixture.client();
    fixture.standIn.addFaults([{ kind: FaultKind.BAD_REQUEST }]);

    // Act
    const error = (await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown)) as FluentRequestError;

    // Assess
    expect(error).toBeInstanceOf(FluentRequestError);
    expect(error).toBeInstanceOf(FluentApiError);
    expect(error).toMatchObject({ name: 'FluentRequestError', status: 400, attempts: 1, operation: 'sendEvent' });
    expect(error.fluentMessage).toBe('Bad request (stand-in fault)');
    expect(error.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fixture.clock.sleeps).toEqual([]);
  });

  it('fails cleanly, without waiting, when a retry would outlive the Lambda invocation', async () => {
    // Prepare
    const api = fixture.client().forInvocation({ remainingTimeMs: () => 3000 });
    fixture.standIn.addFaults([{ kind: FaultKind.RATE_LIMITED, retryAfterSeconds: 10 }]);

    // Act
    const error = await api.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(FluentTimeoutError);
    expect(error).toMatchObject({ status: 429, operation: 'sendEvent' });
    expect(fixture.clock.sleeps).toEqual([]);
    expect(fixture.standIn.received().events).toHaveLength(0);
  });

  it('aborts an attempt that gets no answer within the remaining time', async () => {
    // Prepare: the test clock stands still, so the real abort signal (the remaining time) ends the attempt
    const api = fixture.client().forInvocation({ remainingTimeMs: () => 800 });
    await fixture.client().tokenInfo();
    fixture.standIn.addFaults([{ kind: FaultKind.STALL }]);

    // Act
    const error = await api.graphql('query { orders { edges { node { id } } } }').catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(FluentTimeoutError);
    expect(fixture.attempts.at(-1)).toMatchObject({ operation: 'graphql', status: 'timeout', next: 'fail' });
  });

  it('refuses a call outright once no time is left', async () => {
    // Prepare
    const api = fixture.client().forInvocation({ remainingTimeMs: () => 100 });

    // Act
    const error = await api.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(FluentTimeoutError);
    expect(fixture.standIn.received()).toMatchObject({ events: [], tokensIssued: 0 });
  });

  it('reads the credentials again after a refused login (a rotated secret), and logs in with them', async () => {
    // Prepare
    const loads: Array<boolean | undefined> = [];
    const client = fixture.client({
      credentials: {
        load: async (options) => {
          loads.push(options?.fresh);
          return TEST_FLUENT_CLIENT;
        },
      },
    });
    fixture.standIn.addFaults([{ kind: FaultKind.REFUSE_TOKEN }]);

    // Act
    await client.sendEvent(returnApproved());

    // Assess
    expect(loads).toEqual([false, true]);
    expect(fixture.standIn.received().events).toHaveLength(1);
  });

  it('falls back to a full login when the refresh token is refused', async () => {
    // Prepare
    const client = fixture.client();
    await client.sendEvent(returnApproved());
    fixture.clock.advance(110_000);
    fixture.standIn.addFaults([{ kind: FaultKind.REFUSE_TOKEN }]);

    // Act
    await client.sendEvent(returnApproved());

    // Assess: refresh refused (401), then the password login
    expect(statuses().filter((status) => status.startsWith('token'))).toEqual([
      'token:200:done',
      'token:401:fail',
      'token:200:done',
    ]);
    expect(fixture.standIn.received().events).toHaveLength(2);
  });

  it('raises FluentAuthenticationError when the login stays refused, and never repeats it more than once', async () => {
    // Prepare
    const client = fixture.client();
    fixture.standIn.addFaults([{ kind: FaultKind.REFUSE_TOKEN, times: 10 }]);

    // Act
    const error = (await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown)) as Error;

    // Assess
    expect(error).toBeInstanceOf(FluentAuthenticationError);
    expect(error.message).toContain('check the client id and secret');
    expect(fixture.attempts.filter((record) => record.operation === 'token')).toHaveLength(2);
  });

  it('never puts a credential or token into an error or an attempt record', async () => {
    // Prepare: a wrong password, echoed back by a (hypothetical) chatty server
    const wrong = { ...TEST_FLUENT_CLIENT, password: 'wrong-password-Yy55-secret' };
    const client = fixture.client({ credentials: { load: async () => wrong } });
    const held = fixture.client();
    await held.sendEvent(returnApproved());
    const token = await held.accessToken();

    // Act
    const error = (await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown)) as FluentApiError;

    // Assess
    const everything = JSON.stringify([error.message, { ...error }, error.stack, fixture.attempts]);
    for (const secret of [wrong.clientSecret, wrong.password, TEST_FLUENT_CLIENT.password, token]) {
      expect(everything).not.toContain(secret);
    }
    expect(error).toBeInstanceOf(FluentAuthenticationError);
  });

  it('retries a refused connection, then gives up with FluentUnavailableError', async () => {
    // Prepare
    await fixture.standIn.stop();
    const client = fixture.client({ maxAttempts: 3 });

    // Act
    const error = await client.tokenInfo().catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(FluentUnavailableError);
    expect(fixture.clock.sleeps).toHaveLength(2);
    expect(fixture.attempts.map((record) => record.status)).toEqual(['network', 'network', 'network']);
  });

  it('posts sync events and returns the workflow status', async () => {
    // Act
    const result = await fixture
      .client()
      .sendEvent(returnApproved({ entityId: '77', entityRef: undefined }), { mode: 'sync' });

    // Assess
    expect(result).toMatchObject({ eventStatus: 'COMPLETE', entityId: '77', id: expect.any(String) });
    expect(fixture.standIn.received().events[0]?.mode).toBe('sync');
  });

  it.each([
    [{ name: '' }, 'name is missing'],
    [{ retailerId: undefined }, 'retailerId is missing'],
    [{ entityType: ' ' }, 'entityType is missing'],
    [{ entityRef: undefined }, 'entityRef (or entityId) is missing'],
  ])('refuses to send an event with %j before any request', async (overrides, problem) => {
    // Act
    const error = await fixture
      .client()
      .sendEvent(returnApproved(overrides))
      .catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(FluentEventInvalidError);
    expect((error as Error).message).toContain(problem);
    expect(fixture.attempts).toEqual([]);
  });

  it('returns GraphQL data and raises FluentGraphQLError with Fluent messages on errors', async () => {
    // Prepare
    const client = fixture.client();
    const mutation = 'mutation ($input: UpdateOrderInput!) { updateOrder(input: $input) { id } }';

    // Act
    const data = await client.graphql<{ updateOrder: { id: string } }>(mutation, { input: { id: '1' } });
    fixture.standIn.addFaults([{ kind: FaultKind.GRAPHQL_ERRORS }]);
    const error = await client.graphql(mutation).catch((thrown: unknown) => thrown);

    // Assess
    expect(data.updateOrder.id).toEqual(expect.any(String));
    expect(error).toBeInstanceOf(FluentGraphQLError);
    expect((error as FluentGraphQLError).messages).toEqual(['Stand-in fault: updateOrder failed']);
    expect(fixture.standIn.received().graphql.map((call) => call.variables)).toEqual([{ input: { id: '1' } }, {}]);
  });

  it("lists events with Fluent's filters", async () => {
    // Prepare
    const client = fixture.client();
    await client.sendEvent(returnApproved({ entityRef: 'A' }));
    await client.sendEvent(returnApproved({ entityRef: 'B' }));

    // Act
    const page = await client.getEvents({ entityRef: 'B', name: 'ReturnApproved' });

    // Assess
    expect(page.results).toHaveLength(1);
    expect(page.results[0]).toMatchObject({ name: 'ReturnApproved', context: { entityRef: 'B' } });
  });
});
