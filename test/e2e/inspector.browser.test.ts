import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { testKeyPair } from '../support/test-keys';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { RUNS_FILE_ENV } from './fixtures/counting-handlers';
import { FAILING_EVENT_NAME } from './fixtures/inspector-handlers';
import { RunnerProcess, startRunnerProcess } from './local-runner-process';
import { inspectQueueMessages } from '../../tools/local/inspect-queue';
import { LOCAL_RESOURCE_NAMES } from '../../tools/local/local-config';

/** Debian's chromium package (.ci/run installs it); no browser is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT_MS = 60_000;

// At the file's top level: its folder (the runner's data, Chromium's profile) is removed after the describe's afterAll
// has closed Chromium and stopped the runner, not while they still write in it (ENOTEMPTY under load).
const temp = useTempDir('fluent-webhook-inspector-e2e-');

describe('Inspector page in headless Chromium against fluent-webhook local --handlers', () => {
  let runner: RunnerProcess;
  let browser: BrowserContext;
  let page: Page;
  let inspectorUrl: string;
  let sqsEndpoint: string;
  const requested: string[] = [];
  let navigations = 0;

  const runs = (): string[] =>
    existsSync(temp.path('runs.txt')) ? readFileSync(temp.path('runs.txt'), 'utf8').split('\n').filter(Boolean) : [];

  async function post(body: Buffer, privateKeyPem: string): Promise<number> {
    const response = await fetch(`${runner.webhookBaseUrl}orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
      body,
    });
    return response.status;
  }

  /** The rows of the events table as the page shows them: each row's cells' text. */
  const rows = (): Promise<string[][]> =>
    page.$$eval('#events tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
  /** The text of the row whose entityRef cell is `ref`, or undefined while there is none. */
  const rowText = async (ref: string): Promise<string | undefined> =>
    (await rows()).find((cells) => cells[2] === ref)?.join(' ');

  beforeAll(async () => {
    runner = await startRunnerProcess(
      {
        LOCAL_DATA_DIR: temp.path('data'),
        [RUNS_FILE_ENV]: temp.path('runs.txt'),
        // The failing event reaches the dead-letter queue after two attempts, a second apart.
        MAX_RECEIVE_COUNT: '2',
        VISIBILITY_TIMEOUT_SECONDS: '1',
        // The first call to the stand-in's API (genuine-1's callback) answers 503, so the client retries it.
        FLUENT_STAND_IN_FAULTS: 'unavailable:1',
      },
      60_000,
      { args: ['--handlers', join(__dirname, 'fixtures', 'inspector-handlers.ts')] },
    );
    const ready = await runner.waitForLine((line) => line.message === 'local receiver ready');
    inspectorUrl = String(ready.inspectorUrl);
    sqsEndpoint = String(ready.sqsEndpoint);
    // A fresh profile in the test's folder; Playwright adds --headless and its own automation flags.
    browser = await chromium.launchPersistentContext(temp.path('chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 720 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (request) => requested.push(request.url()));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.goto(inspectorUrl, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
  });

  it('listens on 127.0.0.1 only and names its address in the ready line', () => {
    expect(new URL(inspectorUrl).hostname).toBe('127.0.0.1');
  });

  it('shows two genuine events, a refused forgery and a failing event as they arrive, without a reload', async () => {
    const localKey = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
    const event = (id: string, entityRef: string, name = 'OrderStatusChange') =>
      fluentEventBody({ id, name, entityRef, rootEntityRef: entityRef, entityType: 'ORDER' });
    expect(await post(event('genuine-1', 'HD_GENUINE_1'), localKey)).toBe(200);
    // Alone first, so that its call back to Fluent is the one that meets the stand-in's 503.
    await waitUntil(
      async () => /processed/.test((await rowText('HD_GENUINE_1')) ?? ''),
      WAIT_MS,
      'the first event shows as processed',
    );
    expect(await post(event('genuine-2', 'HD_GENUINE_2'), localKey)).toBe(200);
    expect(await post(event('forged-1', 'HD_FORGED'), testKeyPair(2048, 'forger').privateKeyPem)).toBe(401);
    expect(await post(event('fails-1', 'HD_FAILS', FAILING_EVENT_NAME), localKey)).toBe(200);

    await waitUntil(
      async () =>
        /processed/.test((await rowText('HD_GENUINE_1')) ?? '') &&
        /processed/.test((await rowText('HD_GENUINE_2')) ?? '') &&
        /(failed|dead-lettered)handler-failed/.test((await rowText('HD_FAILS')) ?? '') &&
        /refused/.test((await rowText('HD_FORGED')) ?? ''),
      WAIT_MS,
      'the page shows every event with its outcome',
    );
    expect(await rowText('HD_FORGED')).toMatch(/invalid-signature|no-matching-key|signature/);
    expect(navigations).toBe(1);
    // Live through server-sent events (the page also polls every 10 s, in case the stream is down).
    expect(requested.some((url) => new URL(url).pathname === '/api/stream')).toBe(true);
  }, 90_000);

  it('opens an event to its body, signature and log lines, and replays it so that the handler runs again', async () => {
    const index = (await rows()).findIndex((cells) => cells[2] === 'HD_GENUINE_1');
    await page.locator('#events tbody tr').nth(index).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#details:not([hidden]) #body', { timeout: WAIT_MS });
    const detailsText = await page.$eval('#details', (node) => node.textContent ?? '');
    expect(detailsText).toContain('"entityRef": "HD_GENUINE_1"');
    expect(detailsText).toContain('fluent-signature');
    expect(detailsText).toMatch(/Key fingerprint/);

    // The calls its handler made to Fluent, as the client saw them: the token, then the event sent back, which met
    // one 503 and was retried.
    const calls = await page.$$eval('#fluent-calls tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')),
    );
    expect(calls.map((cells) => cells[0])).toEqual(['token', 'sendEvent']);
    const [operation, status, statuses, retries] = calls[1]!;
    expect({ operation, status, statuses, retries }).toEqual({
      operation: 'sendEvent',
      status: expect.stringMatching(/^20\d$/),
      statuses: expect.stringMatching(/^503 → 20\d$/),
      retries: '1',
    });
    expect(detailsText).not.toMatch(/local-client-secret|Bearer/);
    // Its log lines include the WARN line of the retried call (Powertools prints WARN and ERROR to stderr).
    expect(await page.$eval('#logs', (node) => node.textContent ?? '')).toMatch(/"next":"retry"/);

    await page.click('#replay');
    await waitUntil(() => runs().includes('genuine-1 replay'), WAIT_MS, 'the replayed event ran its handler again');
    await waitUntil(
      async () => (await rows()).some((cells) => cells[2] === 'HD_GENUINE_1' && cells[6] === 'replay'),
      WAIT_MS,
      'the replay shows in the list',
    );
  }, 90_000);

  it('shows the failing event dead-lettered exactly while its message is in the DLQ, until a redrive from the page', async () => {
    const deadLetterIds = async (): Promise<string[]> =>
      (await inspectQueueMessages(sqsEndpoint, LOCAL_RESOURCE_NAMES.deadLetterQueue)).map((m) => m.messageId);
    /** The outcome cell of the row with this key (eventId/messageId). */
    const outcomeOf = async (key: string): Promise<string | undefined> =>
      (
        await page.$$eval(`#events tbody tr[data-key="${key}"] td:nth-child(6) .pill`, (nodes) =>
          nodes.map((node) => node.textContent ?? ''),
        )
      ).at(0);
    const failsRow = async (): Promise<string | undefined> =>
      page.$$eval('#events tbody tr', (trs) =>
        trs
          .filter((tr) => tr.children[2]?.textContent === 'HD_FAILS' && /dead-lettered/.test(tr.textContent ?? ''))
          .map((tr) => tr.getAttribute('data-key') ?? '')
          .at(0),
      );
    await waitUntil(async () => (await failsRow()) !== undefined, WAIT_MS, 'the failing event shows dead-lettered');
    const key = (await failsRow())!;
    const messageId = key.split('/')[1]!;
    expect(await deadLetterIds()).toContain(messageId);
    // docs/images/inspector.png: every kind of row, and genuine-1's details with its calls to Fluent.
    await page.screenshot({ path: temp.path('inspector.png') });
    if (process.env.INSPECTOR_SCREENSHOT !== undefined) {
      await page.screenshot({ path: process.env.INSPECTOR_SCREENSHOT });
    }

    await page.click('#redrive');
    await waitUntil(
      async () => !(await deadLetterIds()).includes(messageId) && (await outcomeOf(key)) === 'failed',
      WAIT_MS,
      'the redriven message has left the DLQ and its row no longer says dead-lettered',
    );
  }, 90_000);

  it('requested nothing outside this machine', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).hostname !== '127.0.0.1')).toEqual([]);
  });
});
