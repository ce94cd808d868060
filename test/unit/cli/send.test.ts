import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { SAMPLES_DIR, sampleNames } from '../../../tools/cli/event-body';
import { runCli } from '../../../tools/cli/run-cli';
import { FluentEventSchema, FluentSignatureVerifier } from '../../../lambdas/core';
import { useTempDir } from '../../support/temp-dir';
import { testKeyPair } from '../../support/test-keys';

interface ReceivedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

describe('Command: send', () => {
  const temp = useTempDir();
  const keys = testKeyPair(1024, 'cli-send');
  const body = Buffer.from('{"id":"1","name":"Ünïcødé \\u00e9","accountId":"ACME"}\r\n', 'utf8');
  const verifier = new FluentSignatureVerifier({ publicKeys: [keys.parsed] });
  const received: ReceivedRequest[] = [];
  let statuses: number[] = [];
  let server: Server;
  let url: string;
  let keyPath: string;
  let bodyPath: string;

  beforeAll(async () => {
    keyPath = temp.path('private-key.pem');
    bodyPath = temp.path('event.json');
    writeFileSync(keyPath, keys.privateKeyPem);
    writeFileSync(bodyPath, body);
    // A stand-in receiver that records each request and answers with the next status in `statuses`.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.statusCode = statuses.shift() ?? 200;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ seen: received.length }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s3cret/fluent/orders`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received.length = 0;
    statuses = [];
  });

  it('POSTs the exact file bytes with both signatures, which verify, and prints the answer', async () => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli(['send', '--url', url, '--event', bodyPath, '--private-key', keyPath], io);

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(io.stdout()).toBe('[1/1] 200 OK {"seen":1}\n');
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/s3cret/fluent/orders' });
    expect(request?.body.equals(body)).toBe(true);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(verifier.verify(body, { 'fluent-signature': request?.headers['fluent-signature'] as string })).toMatchObject(
      { ok: true },
    );
    expect(verifier.verify(body, { 'flex.signature': request?.headers['flex.signature'] as string })).toMatchObject({
      ok: true,
      algorithm: 'md5',
    });
    expect(io.stderr()).not.toContain('s3cret');
  });

  it.each([
    ['sha512', 'fluent-signature', 'flex.signature'],
    ['md5', 'flex.signature', 'fluent-signature'],
  ])('sends only one header with --only %s', async (only, sent, left) => {
    // Act
    const code = await runCli(
      ['send', '--url', url, '--event', bodyPath, '--private-key', keyPath, '--only', only],
      bufferedIo(),
    );

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(received[0]?.headers[sent]).toEqual(expect.any(String));
    expect(received[0]?.headers[left]).toBeUndefined();
  });

  it('sends the same request N times with --repeat and exits 1 when any answer is not 2xx', async () => {
    // Prepare
    const io = bufferedIo();
    statuses = [200, 503, 202];

    // Act
    const code = await runCli(
      ['send', '--url', url, '--event', bodyPath, '--private-key', keyPath, '--repeat', '3'],
      io,
    );

    // Assess
    expect(code).toBe(ExitCode.FAILED);
    expect(
      io
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ').slice(0, 2).join(' ')),
    ).toEqual(['[1/3] 200', '[2/3] 503', '[3/3] 202']);
    expect(new Set(received.map((request) => request.headers['fluent-signature'])).size).toBe(1);
    expect(io.stderr()).toContain('1 of 3 attempt(s) did not get a 2xx answer.');
  });

  it('sends a sample by name, byte for byte as the file in samples/', async () => {
    // Act
    const code = await runCli(
      ['send', '--url', url, '--sample', 'return-order-created', '--private-key', keyPath],
      bufferedIo(),
    );

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(received[0]?.body.equals(readFileSync(join(SAMPLES_DIR, 'return-order-created.json')))).toBe(true);
  });

  it('gives the sample a fresh id with --new-id, signed anew, each run a different one', async () => {
    // Prepare
    const sample = JSON.parse(readFileSync(join(SAMPLES_DIR, 'order-status-change.json'), 'utf8')) as { id: string };
    const argv = ['send', '--url', url, '--sample', 'order-status-change', '--new-id', '--private-key', keyPath];
    const io = bufferedIo();

    // Act
    const codes = [await runCli(argv, io), await runCli(argv, bufferedIo())];

    // Assess
    expect(codes).toEqual([ExitCode.OK, ExitCode.OK]);
    const sent = received.map((request) => JSON.parse(request.body.toString('utf8')) as { id: string });
    expect(sent[0]?.id).not.toBe(sample.id);
    expect(sent[1]?.id).not.toBe(sent[0]?.id);
    expect(sent[0]).toEqual({ ...sample, id: sent[0]?.id });
    expect(io.stderr()).toContain(`new event id ${sent[0]?.id}`);
    for (const request of received) {
      expect(verifier.verify(request.body, request.headers as Record<string, string>)).toMatchObject({ ok: true });
    }
  });

  it('refuses --new-id for an event that is not a JSON object, and sends nothing', async () => {
    // Prepare
    const notJson = temp.path('not-json.txt');
    writeFileSync(notJson, 'id=1');
    const io = bufferedIo();

    // Act
    const code = await runCli(['send', '--url', url, '--event', notJson, '--new-id', '--private-key', keyPath], io);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stderr()).toMatch(/--new-id: the event is not JSON/);
    expect(received).toHaveLength(0);
  });

  it('exits 1 and says so when nothing answers', async () => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli(
      ['send', '--url', 'http://127.0.0.1:1/x/fluent/y', '--event', bodyPath, '--private-key', keyPath],
      io,
    );

    // Assess
    expect(code).toBe(ExitCode.FAILED);
    expect(io.stdout()).toMatch(/^\[1\/1\] no answer: /);
  });

  it.each([
    ['no --url', ['--event', 'EVENT', '--private-key', 'KEY'], '--url is required'],
    ['a URL that is not one', ['--url', 'not a url', '--event', 'EVENT', '--private-key', 'KEY'], 'not a URL'],
    ['an ftp URL', ['--url', 'ftp://127.0.0.1/x', '--event', 'EVENT', '--private-key', 'KEY'], 'http:// or https://'],
    [
      'neither --event nor --sample',
      ['--url', 'URL', '--private-key', 'KEY'],
      'exactly one of --event FILE and --sample NAME',
    ],
    [
      'both --event and --sample',
      ['--url', 'URL', '--event', 'EVENT', '--sample', 'order-status-change', '--private-key', 'KEY'],
      'exactly one of',
    ],
    [
      'an unknown sample',
      ['--url', 'URL', '--sample', 'nope', '--private-key', 'KEY'],
      'choose one of fulfilment-update, order-status-change, return-order-created',
    ],
    ['a missing event file', ['--url', 'URL', '--event', 'missing.json', '--private-key', 'KEY'], 'does not exist'],
    [
      'a file that is not a key',
      ['--url', 'URL', '--event', 'EVENT', '--private-key', 'EVENT'],
      'not a readable PEM private key',
    ],
    ['--only sha1', ['--url', 'URL', '--event', 'EVENT', '--private-key', 'KEY', '--only', 'sha1'], 'use sha512'],
    ['--repeat 0', ['--url', 'URL', '--event', 'EVENT', '--private-key', 'KEY', '--repeat', '0'], 'from 1 to 100'],
  ])('exits 2 without sending for %s', async (_name, argv, message) => {
    // Prepare
    const io = bufferedIo();
    const args = argv.map((arg) => ({ URL: url, EVENT: bodyPath, KEY: keyPath })[arg] ?? arg);

    // Act
    const code = await runCli(['send', ...args], io);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stderr()).toContain(message);
    expect(received).toHaveLength(0);
  });

  it("defaults to the local runner's key in LOCAL_DATA_DIR, and says how to get one when there is none", async () => {
    // Prepare
    const withKey = bufferedIo({ LOCAL_DATA_DIR: temp.path('data') });
    const withoutKey = bufferedIo({ LOCAL_DATA_DIR: temp.path('empty') });
    await runCli(['keygen', '--out', temp.path('data', 'keys'), '--bits', '1024'], bufferedIo());

    // Act
    const sent = await runCli(['send', '--url', url, '--event', bodyPath], withKey);
    const refused = await runCli(['send', '--url', url, '--event', bodyPath], withoutKey);

    // Assess
    expect(sent).toBe(ExitCode.OK);
    expect(refused).toBe(ExitCode.USAGE);
    expect(withoutKey.stderr()).toContain('npm start creates it');
  });
});

describe('Samples: samples/*.json', () => {
  it.each(sampleNames())('%s is a Fluent event for the sample account ACME', (name) => {
    // Act
    const parsed = FluentEventSchema.safeParse(JSON.parse(readFileSync(join(SAMPLES_DIR, `${name}.json`), 'utf8')));

    // Assess
    expect(parsed.success).toBe(true);
    expect(parsed.data?.accountId).toBe('ACME');
  });

  it('ships the three kinds of event with distinct ids', () => {
    // Act
    const ids = sampleNames().map(
      (name) => (JSON.parse(readFileSync(join(SAMPLES_DIR, `${name}.json`), 'utf8')) as { id: string }).id,
    );

    // Assess
    expect(sampleNames()).toEqual(['fulfilment-update', 'order-status-change', 'return-order-created']);
    expect(new Set(ids).size).toBe(3);
  });
});
