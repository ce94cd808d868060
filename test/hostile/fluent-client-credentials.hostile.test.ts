import {
  FluentApiError,
  FluentAuthenticationError,
  FluentGraphQLError,
  FluentRedirectError,
  MAX_MESSAGE_CHARS,
} from '../../lambdas/fluent-api';
import { bufferedIo } from '../../tools/cli/cli-io';
import { ExitCode } from '../../tools/cli/command';
import { runCli } from '../../tools/cli/run-cli';
import { returnApproved, TEST_FLUENT_ACCOUNT } from '../support/fluent-api-fixtures';
import { answerJson, bearerOf, echoTheForm, FormEcho, redirectTo } from '../support/hostile-fluent';
import {
  AWKWARD_CREDENTIALS,
  encodingsOf,
  everythingIn,
  HostileFixture,
  startHostileFixture,
} from '../support/hostile-fluent-fixture';

const CREDENTIAL_VALUES = [AWKWARD_CREDENTIALS.clientSecret, AWKWARD_CREDENTIALS.password];

describe('Class: FluentApiClient, against a hostile Fluent on 127.0.0.1: credentials and tokens stay home', () => {
  let fixture: HostileFixture;
  beforeEach(async () => {
    fixture = await startHostileFixture();
  });
  afterEach(async () => {
    await fixture.stop();
  });

  const expectNothingLeaked = (text: string, ...tokens: string[]) => {
    for (const value of CREDENTIAL_VALUES) for (const form of encodingsOf(value)) expect(text).not.toContain(form);
    for (const token of tokens) expect(text).not.toContain(token);
  };

  describe('redirects (item 1)', () => {
    it.each([301, 302, 303, 307, 308])(
      'a %i from the token endpoint to another host: a typed error naming the host, and the other host receives nothing',
      async (status) => {
        // Prepare: the other host would hand out a token to whoever logs in there
        fixture.fluent.script('token', redirectTo(status, `${fixture.attacker.url}/oauth/token?leak=query-part`));

        // Act
        const error = await fixture
          .client()
          .sendEvent(returnApproved())
          .catch((thrown: unknown) => thrown);

        // Assess
        expect(error).toBeInstanceOf(FluentRedirectError);
        expect(error).toBeInstanceOf(FluentApiError);
        expect(error).toMatchObject({ operation: 'token', status, locationHost: fixture.attacker.host, attempts: 1 });
        expect((error as Error).message).toContain(`${status}, a redirect to ${fixture.attacker.host}`);
        expect(everythingIn(error)).not.toContain('query-part');
        expect(fixture.attacker.requests()).toEqual([]);
        // Never retried, and no call made with the other host's token
        expect(fixture.fluent.requests()).toHaveLength(1);
        expect(fixture.attempts.map((record) => `${record.status}:${record.next}`)).toEqual([`${status}:fail`]);
      },
    );

    it.each([302, 307])(
      'a %i on an API call: the event never reaches the other host and its answer is never taken as Fluent’s',
      async (status) => {
        // Prepare
        const client = fixture.client();
        await client.tokenInfo();
        fixture.fluent.script('api', redirectTo(status, `${fixture.attacker.url}/api/v4.1/event/async`));

        // Act
        const error = await client
          .sendEvent(returnApproved({ entityRef: 'RET-REDIRECTED' }))
          .catch((thrown: unknown) => thrown);

        // Assess
        expect(error).toBeInstanceOf(FluentRedirectError);
        expect(error).toMatchObject({ operation: 'sendEvent', status, locationHost: fixture.attacker.host });
        expect(fixture.attacker.requests()).toEqual([]);
        expect(fixture.fluent.requests().filter((request) => request.url.startsWith('/api'))).toHaveLength(1);
      },
    );

    it('a redirect with no Location, or an unreadable one, is refused the same way', async () => {
      // Prepare
      fixture.fluent.script('token', (_request, response) => {
        response.writeHead(307).end();
      });
      fixture.fluent.script('api', redirectTo(308, 'http://[not a host'));
      const client = fixture.client();

      // Act
      const noLocation = await client.tokenInfo().catch((thrown: unknown) => thrown);
      const unreadable = await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

      // Assess
      expect(noLocation).toMatchObject({ name: 'FluentRedirectError', locationHost: '(no Location header)' });
      expect(unreadable).toMatchObject({
        name: 'FluentRedirectError',
        locationHost: '(an unreadable Location header)',
      });
    });
  });

  describe('GraphQL and other answers quoting the token (item 2)', () => {
    it('an 8 MB GraphQL error message holding the bearer token four times: redacted and bounded', async () => {
      // Prepare
      const client = fixture.client();
      const filler = 'y'.repeat(2 * 1024 * 1024);
      fixture.fluent.script(
        'api',
        answerJson(200, (request) => {
          const token = bearerOf(request);
          return { errors: [{ message: [token, filler, token, filler, token, filler, token, filler].join(' ') }] };
        }),
      );

      // Act
      const error = (await client.graphql('query { orders { edges { node { id } } } }').catch((thrown) => thrown)) as
        FluentGraphQLError | undefined;

      // Assess
      expect(error).toBeInstanceOf(FluentGraphQLError);
      const token = fixture.fluent.issuedTokens()[0] as string;
      expectNothingLeaked(everythingIn(error), token);
      expect(error?.messages).toHaveLength(1);
      expect(error?.messages[0]?.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 1);
      expect(error?.messages[0]).toMatch(/^\[redacted\] y+…$/);
      expect(everythingIn(error).length).toBeLessThan(8 * 1024);
    });

    it('thousands of GraphQL errors, and ones that are not strings: at most a few, each bounded', async () => {
      // Prepare
      const client = fixture.client();
      fixture.fluent.script(
        'api',
        answerJson(200, (request) => ({
          errors: Array.from({ length: 5000 }, (_, index) =>
            index % 2 === 0 ? { message: `bad ${bearerOf(request)} ${'z'.repeat(1000)}` } : { code: 'z'.repeat(1000) },
          ),
        })),
      );

      // Act
      const error = (await client.graphql('query { x }').catch((thrown: unknown) => thrown)) as FluentGraphQLError;

      // Assess
      expect(error.messages).toHaveLength(11);
      expect(error.messages.at(-1)).toBe('(and 4990 more)');
      expect(error.message.length).toBeLessThan(12 * (MAX_MESSAGE_CHARS + 2) + 100);
      expectNothingLeaked(everythingIn(error), fixture.fluent.issuedTokens()[0] as string);
    });

    it.each([
      ['sendEvent', 400],
      ['getEvents', 500],
      ['graphql', 422],
    ])(
      '%s refused with %i and a message that holds the token at the cut: nothing of it shows',
      async (operation, status) => {
        // Prepare: the token starts 5 characters before the 300-character bound, URL-encoded and lower-cased too
        const client = fixture.client({ maxAttempts: 1 });
        fixture.fluent.script(
          'api',
          answerJson(status, (request) => {
            const token = bearerOf(request);
            return {
              message: `${'m'.repeat(MAX_MESSAGE_CHARS - 5)}${token} ${encodeURIComponent(token).toLowerCase()}`,
            };
          }),
        );
        const call = {
          sendEvent: () => client.sendEvent(returnApproved()),
          getEvents: () => client.getEvents(),
          graphql: () => client.graphql('mutation { x }'),
        }[operation] as () => Promise<unknown>;

        // Act
        const error = (await call().catch((thrown: unknown) => thrown)) as FluentApiError;

        // Assess
        expect(error).toBeInstanceOf(FluentApiError);
        const token = fixture.fluent.issuedTokens()[0] as string;
        expect(everythingIn(error)).not.toContain(token.slice(0, 'hostile-access-'.length + 4));
        expect(error.fluentMessage?.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 1);
      },
    );
  });

  describe('the login form echoed back (item 3)', () => {
    const echoes: FormEcho[] = ['as-sent', 'lower-case-escapes', 'url-encoded', 'json', 'base64', 'plain-text'];

    it.each(echoes)('echoed %s in a refusal: no encoding of the secret or password in the error', async (echo) => {
      // Prepare
      fixture.fluent.always('token', echoTheForm(400, echo));

      // Act
      const error = await fixture
        .client()
        .sendEvent(returnApproved())
        .catch((thrown: unknown) => thrown);

      // Assess: the error keeps the status and the correlation id, and drops Fluent's text
      expect(error).toBeInstanceOf(FluentAuthenticationError);
      expect(error).toMatchObject({ status: 400, correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expectNothingLeaked(everythingIn(error));
      expectNothingLeaked(JSON.stringify(fixture.attempts));
    });

    it('keeps a short OAuth error code, the one part of a token refusal worth quoting', async () => {
      // Prepare
      fixture.fluent.always('token', answerJson(401, { error: 'invalid_client', error_description: 'x' }));

      // Act
      const error = await fixture
        .client()
        .tokenInfo()
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toMatchObject({ name: 'FluentAuthenticationError', status: 401, fluentMessage: 'invalid_client' });
      expect((error as Error).message).toContain('Fluent refused the login (401: invalid_client)');
    });

    it.each(echoes)('`fluent-webhook fluent token` against a form echoed %s prints no encoding of it', async (echo) => {
      // Prepare
      fixture.fluent.always('token', echoTheForm(401, echo));
      const io = bufferedIo({
        FLUENT_API_URL: fixture.fluent.url,
        FLUENT_API_ACCOUNT: TEST_FLUENT_ACCOUNT,
        FLUENT_CLIENT_ID: AWKWARD_CREDENTIALS.clientId,
        FLUENT_CLIENT_SECRET: AWKWARD_CREDENTIALS.clientSecret,
        FLUENT_USERNAME: AWKWARD_CREDENTIALS.username,
        FLUENT_PASSWORD: AWKWARD_CREDENTIALS.password,
      });

      // Act
      const code = await runCli(['fluent', 'token'], io);

      // Assess
      expect(code).toBe(ExitCode.FAILED);
      expect(io.stderr()).toMatch(/^FluentAuthenticationError: Fluent refused the login \(401\)/);
      expectNothingLeaked(io.stdout() + io.stderr());
    });
  });

  describe('token refresh (item 5)', () => {
    it('refreshes with client_id and client_secret in the body: 20 renewals, 20 token requests, no fallback login', async () => {
      // Prepare: 120 s tokens, renewed 12 s early; this Fluent refuses a refresh without the client's credentials
      await fixture.stop();
      fixture = await startHostileFixture(120);
      const client = fixture.client();

      // Act
      for (let index = 0; index < 20; index += 1) {
        await client.sendEvent(returnApproved({ entityRef: `RET-${index}` }));
        fixture.clock.advance(110_000);
      }

      // Assess
      const requests = fixture.fluent.tokenRequests();
      expect(requests).toHaveLength(20);
      expect(requests[0]).toEqual({ grant: 'password', clientAuthenticated: true, granted: true });
      expect(requests.slice(1).every((request) => request.grant === 'refresh_token' && request.granted)).toBe(true);
      expect(fixture.fluent.requests().some((request) => request.url.includes('client_secret'))).toBe(false);
    });
  });
});
