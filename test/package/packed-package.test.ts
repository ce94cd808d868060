import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { offlineProject } from '../support/offline-lockfile';
import { useTempDir } from '../support/temp-dir';
import { startRunnerProcess } from '../e2e/local-runner-process';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Parameters<
  typeof offlineProject
>[1]['manifest'];
const ourLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Parameters<
  typeof offlineProject
>[0];
const PEERS = Object.keys(manifest.peerDependencies ?? {});
/** Logged by the user's handler; found in the consumer's bundle and in the local runner's log. */
const MARKER = 'packed-handler-marker-7f3a';
const SECRET = 'packedSecret_0123456789abcdefghijklmn';
const INSTALL_MS = 150_000;
const run = promisify(execFile);

/** What the packed-package test writes into the CDK app: the user's own handlers, in plain JavaScript. */
const HANDLERS_JS = `exports.handlers = {
  default: async (event, { logger }) => logger.info('${MARKER}', { eventId: event.id }),
};
`;

/**
 * A plain JavaScript CDK app, as `cdk init` leaves one after `npm install fluent-webhook-receiver`: the whole
 * pipeline in one line, on the app's own handlers. Synthesis bundles both Lambdas with esbuild in the app.
 */
const APP_JS = `const { join } = require('node:path');
const { App, Stack } = require('aws-cdk-lib');
const { FluentWebhooks, parseReceiverSettings } = require('fluent-webhook-receiver/cdk');
const app = new App();
const stack = new Stack(app, 'Packed');
const settings = parseReceiverSettings({ publicKeys: process.env.TEST_PUBLIC_KEY, accountIds: 'ACME' });
new FluentWebhooks(stack, 'Webhooks', { settings, pathSecret: process.env.TEST_PATH_SECRET, handlersEntry: join(__dirname, 'handlers.js') });
`;

/** Signs a body with a fresh key, verifies it and a tampered copy, and prints both answers. */
const VERIFY_CJS = `const { generateKeyPairSync } = require('node:crypto');
const lib = require('fluent-webhook-receiver');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const keys = lib.parseFluentPublicKeys(lib.resolveKeySources(publicKey.export({ type: 'spki', format: 'der' }).toString('base64')));
const verifier = new lib.FluentSignatureVerifier({ publicKeys: keys });
const headers = lib.signFluentPayload('{"id":"e1"}', privateKey);
console.log(JSON.stringify([verifier.verify('{"id":"e1"}', headers).ok, verifier.verify('{"id":"e2"}', headers).ok]));
`;
const VERIFY_ESM = `import { FluentSignatureVerifier, signFluentPayload, parseFluentPublicKeys, resolveKeySources } from 'fluent-webhook-receiver';
import { generateKeyPairSync } from 'node:crypto';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const keys = parseFluentPublicKeys(resolveKeySources(publicKey.export({ type: 'spki', format: 'der' }).toString('base64')));
console.log(JSON.stringify(new FluentSignatureVerifier({ publicKeys: keys }).verify('{}', signFluentPayload('{}', privateKey)).ok));
`;

describe('Package: the packed tarball, installed offline into fresh projects', () => {
  const temp = useTempDir('fluent-webhook-packed-');
  const cdkApp = (...parts: string[]) => temp.path('cdk-app', ...parts);
  const verifierOnly = (...parts: string[]) => temp.path('verifier-only', ...parts);

  /** Runs a program in a project folder and returns what it did; never throws. */
  function inProject(dir: string, program: string, args: readonly string[], env: Record<string, string> = {}) {
    const result = spawnSync(program, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  const fluentWebhook = (dir: string, ...args: string[]) =>
    inProject(dir, process.execPath, [join(dir, 'node_modules', '.bin', 'fluent-webhook'), ...args]);

  /** One `npm pack`, shared; then both projects install from npm's cache at once. */
  beforeAll(async () => {
    if (!existsSync(join(ROOT, manifest.main as string))) {
      throw new Error(`${manifest.main} is missing: run "npm run build" first (npm test does).`);
    }
    const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', temp.path()], {
      cwd: ROOT,
    });
    const tarball = temp.path(packed.stdout.trim().split('\n').at(-1)!);
    await Promise.all(
      [
        { dir: cdkApp(), alsoInstall: PEERS },
        { dir: verifierOnly(), alsoInstall: [] },
      ].map(async ({ dir, alsoInstall }) => {
        mkdirSync(dir, { recursive: true });
        const project = offlineProject(ourLock, {
          tarball,
          tarballSpec: `file:${relative(dir, tarball)}`,
          manifest,
          alsoInstall,
        });
        writeFileSync(join(dir, 'package.json'), JSON.stringify(project.manifest, null, 2));
        writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(project.lock, null, 2));
        await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir });
      }),
    );
  }, INSTALL_MS);

  it('lets a plain JavaScript CDK app synthesize FluentWebhooks from fluent-webhook-receiver/cdk on its own handlers', () => {
    // Prepare
    writeFileSync(cdkApp('handlers.js'), HANDLERS_JS);
    writeFileSync(cdkApp('app.js'), APP_JS);

    // Act
    const synth = inProject(cdkApp(), process.execPath, ['app.js'], {
      TEST_PUBLIC_KEY: publicKeyOf(cdkApp()),
      TEST_PATH_SECRET: SECRET,
      CDK_OUTDIR: cdkApp('cdk.out'),
    });

    // Assess: the consumer bundle holds the app's handler around the installed engine; no example handler.
    expect({ code: synth.code, stderr: synth.code === 0 ? '' : synth.stderr }).toEqual({ code: 0, stderr: '' });
    const consumer = bundleOf(cdkApp('cdk.out'), 'Consumer');
    expect(consumer.code).toContain(MARKER);
    expect(consumer.sources).toContain('../../handlers.js');
    expect(consumer.sources).toContain(
      '../../node_modules/fluent-webhook-receiver/lambdas/consumer/create-lambda-consumer-handler.ts',
    );
    expect(consumer.code).not.toContain('order status changed');
    expect(bundleOf(cdkApp('cdk.out'), 'Receiver').sources).toContain(
      '../../node_modules/fluent-webhook-receiver/lambdas/receiver/handler.ts',
    );
  });

  it('runs the installed CLI without the peers: --version, keygen, sign and verify; local asks for the peers', () => {
    // Prepare
    writeFileSync(verifierOnly('event.json'), '{"id":"e1","accountId":"ACME"}');

    // Act
    const version = fluentWebhook(verifierOnly(), '--version');
    const keygen = fluentWebhook(verifierOnly(), 'keygen', '--out', 'keys', '--bits', '1024');
    const signed = fluentWebhook(
      verifierOnly(),
      'sign',
      '--private-key',
      'keys/private-key.pem',
      '--body-file',
      'event.json',
    );
    const signature = /^fluent-signature: (\S+)$/m.exec(signed.stdout)?.[1] ?? '';
    const verify = (body: string) =>
      fluentWebhook(
        verifierOnly(),
        'verify',
        '--public-key',
        'keys/public-key.b64',
        '--body-file',
        body,
        '--fluent-signature',
        signature,
      );
    writeFileSync(verifierOnly('tampered.json'), '{"id":"e2","accountId":"ACME"}');
    const [valid, tampered] = [verify('event.json'), verify('tampered.json')];

    const local = fluentWebhook(verifierOnly(), 'local');

    // Assess
    expect(version).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('run "npm install aws-cdk-lib constructs" first');
    expect([keygen.code, signed.code, valid.code, tampered.code]).toEqual([0, 0, 0, 1]);
    expect(valid.stdout).toMatch(/^Valid: fluent-signature \(SHA512withRSA\) matches key sha256:/);
  });

  it('verifies with require() and import of fluent-webhook-receiver when the peers are not installed', () => {
    // Act
    const required = inProject(verifierOnly(), process.execPath, ['-e', VERIFY_CJS]);
    const imported = inProject(verifierOnly(), process.execPath, ['--input-type=module', '-e', VERIFY_ESM]);

    // Assess
    expect(PEERS.filter((peer) => existsSync(verifierOnly('node_modules', peer)))).toEqual([]);
    expect(required).toMatchObject({ code: 0, stdout: '[true,false]\n' });
    expect(imported).toMatchObject({ code: 0, stdout: 'true\n' });
  });

  it("runs `fluent-webhook local --handlers` from the installed package on the app's own handlers", async () => {
    // Prepare: the app's handlers (written by the synth test, again here so this test stands alone).
    writeFileSync(cdkApp('handlers.js'), HANDLERS_JS);
    const runner = await startRunnerProcess({}, 30_000, {
      cli: cdkApp('node_modules', '.bin', 'fluent-webhook'),
      cwd: cdkApp(),
      args: ['--handlers', 'handlers.js'],
    });

    try {
      // Act: the installed `send` signs a sample with the runner's key, both found in the app's .local folder.
      const sent = await run(
        process.execPath,
        [
          cdkApp('node_modules', '.bin', 'fluent-webhook'),
          'send',
          '--url',
          `${runner.webhookBaseUrl}orders`,
          '--sample',
          'order-status-change',
        ],
        { cwd: cdkApp() },
      );
      const handled = await runner.waitForLine((line) => line.message === MARKER);

      // Assess
      expect(sent.stdout).toMatch(/^\[1\/1\] 200 /);
      expect(handled).toMatchObject({ eventId: expect.any(String) });
      expect(existsSync(cdkApp('.local', 'keys', 'private-key.pem'))).toBe(true);
    } finally {
      expect(await runner.stop()).toBe(0);
    }
  });
});

/** A fresh public key in Fluent's base64 format, made with the installed CLI. */
function publicKeyOf(dir: string): string {
  const keygen = spawnSync(
    process.execPath,
    [
      join(dir, 'node_modules', '.bin', 'fluent-webhook'),
      'keygen',
      '--out',
      join(dir, 'keys'),
      '--bits',
      '1024',
      '--force',
    ],
    { encoding: 'utf8' },
  );
  if (keygen.status !== 0) throw new Error(`keygen failed: ${keygen.stderr}`);
  return readFileSync(join(dir, 'keys', 'public-key.b64'), 'utf8').trim();
}

/** The code and source list of the bundle of the Lambda whose logical id contains `role`. */
function bundleOf(outdir: string, role: string): { code: string; sources: string[] } {
  const templateFile = readdirSync(outdir).find((file) => file.endsWith('.template.json'))!;
  const template = JSON.parse(readFileSync(join(outdir, templateFile), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
  };
  const [, fn] = Object.entries(template.Resources).find(
    ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.includes(role),
  )!;
  const assetDir = join(outdir, `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
  return {
    code: readFileSync(join(assetDir, 'index.js'), 'utf8'),
    sources: (JSON.parse(readFileSync(join(assetDir, 'index.js.map'), 'utf8')) as { sources: string[] }).sources,
  };
}
