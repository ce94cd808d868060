import {
  Clock,
  FluentApiError,
  FluentResponseTooLargeError,
  FluentTimeoutError,
  FluentUnavailableError,
  MAX_RESPONSE_BYTES,
  MIN_RETRY_WAIT_MS,
  SYSTEM_CLOCK,
} from '../../lambdas/fluent-api';
import { returnApproved } from '../support/fluent-api-fixtures';
import { endlessBody, rateLimited, slowDrip } from '../support/hostile-fluent';
import { HostileFixture, startHostileFixture } from '../support/hostile-fluent-fixture';
import { waitUntil } from '../support/wait-until';

/**
 * libuv compares timers with its loop time, which may lag the clock by a few ms, so a timer can fire that much
 * before the full wait has passed by `Date.now()`.
 */
const TIMER_SLACK_MS = 10;

describe('Class: FluentApiClient, against a hostile Fluent on 127.0.0.1: answers it must not trust', () => {
  let fixture: HostileFixture;
  beforeEach(async () => {
    fixture = await startHostileFixture();
  });
  afterEach(async () => {
    await fixture.stop();
  });

  const apiRequests = () => fixture.fluent.requests().filter((request) => !request.url.startsWith('/oauth'));

  describe('response size (item 4)', () => {
    it('an endless body on an API call: read up to the limit, the connection closed, a typed error, no retry', async () => {
      // Prepare
      const client = fixture.client();
      await client.tokenInfo();
      fixture.fluent.always('api', endlessBody());

      // Act
      const error = await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(FluentResponseTooLargeError);
      expect(error).toBeInstanceOf(FluentApiError);
      expect(error).toMatchObject({ operation: 'sendEvent', status: 200, limitBytes: MAX_RESPONSE_BYTES, attempts: 1 });
      await waitUntil(() => fixture.fluent.streams().cut === 1, 5000, 'the hostile Fluent sees the connection closed');
      expect(apiRequests()).toHaveLength(1);
      expect(fixture.attempts.at(-1)).toMatchObject({ operation: 'sendEvent', status: '200', next: 'fail' });
    });

    it('an endless body from the token endpoint, even one that announces its size: refused the same way', async () => {
      // Prepare: a Content-Length far past the limit is refused before reading
      fixture.fluent.script('token', (request, response) => {
        response.setHeader('content-length', String(1024 ** 3));
        return endlessBody()(request, response);
      });
      fixture.fluent.script('token', endlessBody(400));
      const client = fixture.client();

      // Act
      const announced = await client.tokenInfo().catch((thrown: unknown) => thrown);
      const unannounced = await client.tokenInfo().catch((thrown: unknown) => thrown);

      // Assess
      expect(announced).toMatchObject({ name: 'FluentResponseTooLargeError', operation: 'token', status: 200 });
      expect(unannounced).toMatchObject({ name: 'FluentResponseTooLargeError', operation: 'token', status: 400 });
      await waitUntil(() => fixture.fluent.streams().cut === 2, 5000, 'both connections closed');
      expect(fixture.fluent.requests()).toHaveLength(2);
    });

    it('a slow-drip body past the call’s deadline: a typed timeout, and the connection closed', async () => {
      // Prepare: the test clock stands still, so the real abort signal (the call's 1.5 s) ends the read
      const client = fixture.client({ callTimeoutMs: 1500 });
      await client.tokenInfo();
      fixture.fluent.always('api', slowDrip(50));

      // Act
      const error = await client.getEvents().catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(FluentTimeoutError);
      expect(error).toMatchObject({ operation: 'getEvents' });
      expect(fixture.attempts.at(-1)).toMatchObject({ operation: 'getEvents', status: 'timeout', next: 'fail' });
      await waitUntil(() => fixture.fluent.streams().cut === 1, 5000, 'the drip is cut off');
    });

    it('a slow-drip body past one attempt’s time, with the call’s time left: retried like any timeout, then done', async () => {
      // Prepare
      const client = fixture.client({ callTimeoutMs: 20_000, attemptTimeoutMs: 400 });
      await client.tokenInfo();
      fixture.fluent.script('api', slowDrip(50));

      // Act
      const result = await client.sendEvent(returnApproved());

      // Assess
      expect(result.body).toMatchObject({ eventStatus: 'PENDING' });
      const sends = fixture.attempts.filter((record) => record.operation === 'sendEvent');
      expect(sends.map((record) => `${record.status}:${record.next}`)).toEqual(['timeout:retry', '200:done']);
      expect(apiRequests()).toHaveLength(2);
    });

    it('keeps dripping on every attempt: a typed timeout after the last one', async () => {
      // Prepare
      const client = fixture.client({ callTimeoutMs: 20_000, attemptTimeoutMs: 300, maxAttempts: 3 });
      await client.tokenInfo();
      fixture.fluent.always('api', slowDrip(50));

      // Act
      const error = await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(FluentTimeoutError);
      expect(error).toMatchObject({ attempts: 3 });
      expect(apiRequests()).toHaveLength(3);
    });
  });

  describe('Retry-After (item 6)', () => {
    /** The real clock, with the jitter at its low end: every wait is the shortest the client allows. */
    const realClock: Clock = { ...SYSTEM_CLOCK, random: () => 0 };
    const gaps = () => {
      const times = apiRequests().map((request) => request.at);
      return times.slice(1).map((time, index) => time - (times[index] as number));
    };

    it.each([['-1'], ['0'], ['Thu, 01 Jan 1970 00:00:00 GMT'], ['garbage'], ['1.5'], ['']])(
      'Retry-After "%s": three attempts, at least the minimum back-off apart',
      async (retryAfter) => {
        // Prepare
        const client = fixture.client({ clock: realClock, maxAttempts: 3 });
        await client.tokenInfo();
        fixture.fluent.always('api', rateLimited(retryAfter));

        // Act
        const error = await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

        // Assess
        expect(error).toBeInstanceOf(FluentUnavailableError);
        expect(error).toMatchObject({ status: 429, attempts: 3 });
        expect(apiRequests()).toHaveLength(3);
        for (const gap of gaps()) expect(gap).toBeGreaterThanOrEqual(MIN_RETRY_WAIT_MS - TIMER_SLACK_MS);
      },
    );

    it.each([['86400'], ['99999999999999999999999'], ['Fri, 31 Dec 9999 23:59:59 GMT']])(
      'Retry-After "%s", past the call’s deadline: a typed timeout at once, without waiting',
      async (retryAfter) => {
        // Prepare
        const client = fixture.client({ callTimeoutMs: 5000 });
        await client.tokenInfo();
        fixture.fluent.always('api', rateLimited(retryAfter));

        // Act
        const error = await client.sendEvent(returnApproved()).catch((thrown: unknown) => thrown);

        // Assess
        expect(error).toBeInstanceOf(FluentTimeoutError);
        expect(error).toMatchObject({ status: 429, attempts: 1 });
        expect((error as Error).message).not.toContain('Infinity');
        expect(fixture.clock.sleeps).toEqual([]);
        expect(apiRequests()).toHaveLength(1);
      },
    );
  });
});
