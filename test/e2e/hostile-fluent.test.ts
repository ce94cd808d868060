import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { TEST_FLUENT_ACCOUNT } from '../support/fluent-api-fixtures';
import {
  answerJson,
  bearerOf,
  echoTheForm,
  endlessBody,
  HostileFluent,
  HostileServer,
  redirectTo,
  startHostileFluent,
  startRecordingServer,
} from '../support/hostile-fluent';
import { AWKWARD_CREDENTIALS, encodingsOf } from '../support/hostile-fluent-fixture';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { REPO_ROOT, RunnerProcess, startRunnerProcess } from './local-runner-process';

const MAX_LOG_LINE_BYTES = 64 * 1024;
const MAX_RSS_GROWTH_BYTES = 300 * 1024 * 1024;
/** Endless answers the runner must cut off while webhooks keep arriving: 20 × the 10 MiB limit read in all. */
const ENDLESS_ANSWERS = 20;

/** The runner's resident memory, from /proc (Linux, where CI runs). */
function rssBytes(pid: number): number {
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kilobytes === undefined) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(kilobytes) * 1024;
}

describe('Program: npm start with FLUENT_API_URL pointed at a hostile Fluent', () => {
  const temp = useTempDir('hostile-fluent-e2e-');
  let fluent: HostileFluent;
  let attacker: HostileServer;
  let runner: RunnerProcess | undefined;

  beforeAll(async () => {
    fluent = await startHostileFluent({ client: AWKWARD_CREDENTIALS });
    attacker = await startRecordingServer();
  });
  afterAll(async () => {
    await runner?.stop();
    await fluent?.stop();
    await attacker?.stop();
  });

  it('hands no credential or token to another host or a log line, keeps lines short and memory bounded, and keeps accepting webhooks', async () => {
    // Prepare: first redirects, forms echoed back and a huge message holding the token, then endless answers
    fluent.script(
      'token',
      redirectTo(307, `${attacker.url}/oauth/token`),
      redirectTo(308, `${attacker.url}/oauth/token`),
      echoTheForm(400, 'as-sent'),
      echoTheForm(401, 'lower-case-escapes'),
      echoTheForm(400, 'json'),
      echoTheForm(400, 'plain-text'),
    );
    fluent.script(
      'api',
      redirectTo(302, `${attacker.url}/api/v4.1/event`),
      redirectTo(307, `${attacker.url}/api/v4.1/event/async`),
      answerJson(400, (request) => ({ message: `${bearerOf(request)} ${'q'.repeat(8 * 1024 * 1024)}` })),
      answerJson(422, (request) => ({ message: encodeURIComponent(`Bearer ${bearerOf(request)}`) })),
    );
    runner = await startRunnerProcess({
      LOCAL_DATA_DIR: temp.path('data'),
      LOCAL_HANDLERS_MODULE: join(REPO_ROOT, 'handlers', 'examples', 'return-order.ts'),
      VISIBILITY_TIMEOUT_SECONDS: '1',
      MAX_RECEIVE_COUNT: '1000',
      FLUENT_API_URL: fluent.url,
      FLUENT_API_ACCOUNT: TEST_FLUENT_ACCOUNT,
      FLUENT_CLIENT_ID: AWKWARD_CREDENTIALS.clientId,
      FLUENT_CLIENT_SECRET: AWKWARD_CREDENTIALS.clientSecret,
      FLUENT_USERNAME: AWKWARD_CREDENTIALS.username,
      FLUENT_PASSWORD: AWKWARD_CREDENTIALS.password,
    });
    const started = runner;
    const startRss = rssBytes(started.pid);
    let peakRss = startRss;
    const key = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
    const statuses: number[] = [];
    const postWebhook = async () => {
      const eventId = randomUUID();
      const body = fluentEventBody({
        id: eventId,
        name: 'ReturnOrderCreated',
        entityType: 'RETURN_ORDER',
        entityRef: `RET-${eventId.slice(0, 8)}`,
      });
      const response = await fetch(`${started.webhookBaseUrl}returns`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, key) },
        body,
      });
      statuses.push(response.status);
    };

    // Act: the scripted answers, used up by the handlers' calls and their retries
    for (let index = 0; index < 3; index += 1) await postWebhook();
    await waitUntil(() => fluent.scriptedLeft() === 0, 60_000, 'the hostile Fluent has given every scripted answer');
    await waitUntil(() => fluent.issuedTokens().length > 0, 30_000, 'a login got through after the refusals');
    // Then every API call gets an endless body; a webhook arrives each time the runner cuts one off
    fluent.always('api', endlessBody());
    let cut = fluent.streams().cut;
    while (cut < ENDLESS_ANSWERS) {
      await postWebhook();
      const before = cut;
      await waitUntil(
        () => {
          peakRss = Math.max(peakRss, rssBytes(started.pid));
          // Stop at once rather than let a runner that reads without bound take the machine's memory.
          if (peakRss - startRss >= MAX_RSS_GROWTH_BYTES)
            throw new Error(`The runner grew by ${peakRss - startRss} bytes.`);
          cut = fluent.streams().cut;
          return cut > before;
        },
        30_000,
        'the runner cuts off the next endless answer',
      );
    }

    // Assess: the webhooks were all accepted, and the attacker's host never heard from the runner
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(attacker.requests()).toEqual([]);
    expect(peakRss - startRss).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(fluent.streams().bytesWritten).toBeGreaterThan(ENDLESS_ANSWERS * 10 * 1024 * 1024);

    const lines = started.lines();
    const texts = lines.map((line) => JSON.stringify(line));
    expect(Math.max(...texts.map((text) => Buffer.byteLength(text)))).toBeLessThan(MAX_LOG_LINE_BYTES);
    const output = texts.join('\n');
    for (const value of [AWKWARD_CREDENTIALS.clientSecret, AWKWARD_CREDENTIALS.password]) {
      for (const form of encodingsOf(value)) expect(output).not.toContain(form);
    }
    for (const token of fluent.issuedTokens()) expect(output).not.toContain(token);
    // The hostile answers reached the handlers as the client's typed errors
    for (const name of ['FluentRedirectError', 'FluentAuthenticationError', 'FluentResponseTooLargeError']) {
      expect(output).toContain(name);
    }
  }, 180_000);
});
