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
/** What a CDK app installs besides the package: the CDK itself, and the emulators `fluent-webhook local` asks for. */
const CDK_APP_INSTALLS = ['aws-cdk-lib', 'constructs', 'dynalite', 'fauxqs', 'light-my-request', 'velocityjs'];
/** The most a verifier-only install may take (`npm install fluent-webhook-receiver --omit=optional`). */
const MAX_VERIFIER_ONLY_KB = 15 * 1024;
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** Logged by the user's handler; found in the consumer's bundle and in the local runner's log. */
const MARKER = 'packed-handler-marker-7f3a';
const SECRET = 'packedSecret_0123456789abcdefghijklmn';
const INSTALL_MS = 300_000;
/** tsc on aws-cdk-lib's declarations, and the local runner's start, on a busy 2-core machine. */
const SLOW_TEST_MS = 240_000;
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
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const { FluentWebhooks, parseReceiverSettings } = require('fluent-webhook-receiver/cdk');
const app = new App();
const stack = new Stack(app, 'Packed');
const settings = parseReceiverSettings({ publicKeys: process.env.TEST_PUBLIC_KEY, accountIds: 'ACME' });
const webhooks = new FluentWebhooks(stack, 'Webhooks', { settings, pathSecret: process.env.TEST_PATH_SECRET, handlersEntry: join(__dirname, 'handlers.js') });
const table = new dynamodb.TableV2(stack, 'Returns', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
table.grantReadWriteData(webhooks);
`;

/** Signs a body with a fresh key, verifies it (one call, from the key text) and a tampered copy, prints both answers. */
const VERIFY_CJS = `const { generateKeyPairSync } = require('node:crypto');
const lib = require('fluent-webhook-receiver');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const verifier = new lib.FluentSignatureVerifier({ publicKeys: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') });
const headers = lib.signFluentPayload('{"id":"e1"}', privateKey);
console.log(JSON.stringify([verifier.verify('{"id":"e1"}', headers).ok, verifier.verify('{"id":"e2"}', headers).ok]));
`;
const VERIFY_ESM = `import { FluentSignatureVerifier, signFluentPayload } from 'fluent-webhook-receiver';
import { generateKeyPairSync } from 'node:crypto';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const verifier = new FluentSignatureVerifier({ publicKeys: [publicKey.export({ type: 'spki', format: 'pem' })] });
console.log(JSON.stringify(verifier.verify('{}', signFluentPayload('{}', privateKey)).ok));
`;

/**
 * A TypeScript user of the main entry: the one-call verifier, a handlers map on the handler types, the Fluent
 * client's error classes. Type-checked without skipLibCheck, in a project without aws-lambda's types.
 */
const MAIN_ENTRY_TS = `import { FluentApiError, FluentRequestError, FluentSignatureVerifier } from 'fluent-webhook-receiver';
import type { FluentApi, FluentEventContext, FluentEventHandlers, VerificationResult } from 'fluent-webhook-receiver';

const verifier = new FluentSignatureVerifier({ publicKeys: process.env.FLUENT_PUBLIC_KEYS ?? '' });
export const result: VerificationResult = verifier.verify('{}', { 'fluent-signature': 'x' });

async function approve(fluent: FluentApi, ref: string): Promise<void> {
  try {
    await fluent.sendEvent({ name: 'ReturnApproved', retailerId: '1', entityType: 'RETURN_ORDER', entityRef: ref });
  } catch (error) {
    if (error instanceof FluentRequestError) return;
    if (error instanceof FluentApiError) throw new Error(\`Fluent said \${error.status}\`, { cause: error });
    throw error;
  }
}

export const handlers: FluentEventHandlers = {
  events: {
    ReturnOrderCreated: async (event, context: FluentEventContext) => {
      context.logger.info('return', { ref: event.entityRef });
      await approve(context.fluent, event.entityRef ?? event.id);
    },
  },
};
`;

/** A tsconfig for one module-resolution mode, with Node's types from this repository (the user's own, in life). */
function tsconfig(options: Record<string, unknown>, files: readonly string[]): string {
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022'],
    strict: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    ...options,
  };
  return JSON.stringify({ compilerOptions, files }, null, 2);
}

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
        { dir: cdkApp(), alsoInstall: CDK_APP_INSTALLS, omit: [] },
        { dir: verifierOnly(), alsoInstall: [], omit: ['--omit=optional'] },
      ].map(async ({ dir, alsoInstall, omit }) => {
        mkdirSync(dir, { recursive: true });
        const project = offlineProject(ourLock, {
          tarball,
          tarballSpec: `file:${relative(dir, tarball)}`,
          manifest,
          alsoInstall,
        });
        writeFileSync(join(dir, 'package.json'), JSON.stringify(project.manifest, null, 2));
        writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(project.lock, null, 2));
        await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', ...omit], { cwd: dir });
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
    // Assess: the S3 client, for large bodies only, is bundled in the app too, as a file of its own next to index.js.
    expect(consumer.files).toEqual(['index.js', 'index.js.map', 'lazy-s3-client.js', 'lazy-s3-client.js.map']);
    expect(consumer.sources.filter((source) => source.includes('@aws-sdk/client-s3'))).toEqual([]);
    const receiver = bundleOf(cdkApp('cdk.out'), 'Receiver');
    expect(receiver.sources).toContain('../../node_modules/fluent-webhook-receiver/lambdas/receiver/handler.ts');
    expect(receiver.files).toEqual(['index.js', 'index.js.map']);
    // table.grantReadWriteData(webhooks): the table's actions on the consumer's role.
    expect(grantsOn(cdkApp('cdk.out'), 'Returns', 'ConsumerRole')).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem']),
    );
  });

  it(
    "type-checks the docs' stack and handlers against /cdk under node10 and both entries under nodenext",
    async () => {
      // Prepare: the files docs/library.md quotes, as a user copies them into a CDK app.
      mkdirSync(cdkApp('src'), { recursive: true });
      for (const file of ['app.ts', 'webhooks-stack.ts', 'handlers.ts']) {
        writeFileSync(cdkApp('src', file), readFileSync(join(ROOT, 'docs', 'snippets', 'cdk-app', file)));
      }
      writeFileSync(
        cdkApp('src', 'both-entries.mts'),
        "import { FluentWebhooks, Ingress } from 'fluent-webhook-receiver/cdk';\nimport { FluentSignatureVerifier } from 'fluent-webhook-receiver';\nexport const parts = [FluentWebhooks, Ingress.QUEUE_FIRST, FluentSignatureVerifier];\n",
      );
      const files = ['src/app.ts', 'src/webhooks-stack.ts', 'src/handlers.ts'];
      writeFileSync(
        cdkApp('tsconfig.node10.json'),
        tsconfig({ module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true }, files),
      );
      writeFileSync(
        cdkApp('tsconfig.nodenext.json'),
        tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true }, ['src/both-entries.mts']),
      );

      // Act
      const checks = await Promise.all(['node10', 'nodenext'].map((mode) => typeCheck(cdkApp(), mode)));

      // Assess
      expect(checks).toEqual([
        { mode: 'node10', errors: '' },
        { mode: 'nodenext', errors: '' },
      ]);
    },
    SLOW_TEST_MS,
  );

  it('runs the installed CLI in a verifier-only install: --version, keygen, sign, verify; the commands that need more say what to install', () => {
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
    const redrive = fluentWebhook(verifierOnly(), 'redrive', '--dlq-url', 'http://127.0.0.1:9/queue/dlq');
    const history = fluentWebhook(verifierOnly(), 'history', '--stack', 'Webhooks');
    const replay = fluentWebhook(verifierOnly(), 'replay', '--dry-run');
    const reconcile = fluentWebhook(verifierOnly(), 'reconcile', '--from', '2026-01-01', '--to', '2026-01-02');

    // Assess
    expect(version).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
    const peers = (names: string[]) => names.map((name) => `${name}@${manifest.peerDependencies![name]}`).join(' ');
    expect(local).toMatchObject({ code: 1, stdout: '' });
    expect(local.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(
        `run "npm install --include=optional --save-dev ${peers(['dynalite', 'fauxqs', 'light-my-request', 'velocityjs'])}"`,
      ),
    ]);
    expect(redrive.code).toBe(1);
    expect(redrive.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('(@aws-sdk/client-sqs); run "npm install --include=optional"'),
    ]);
    expect(
      [history, replay, reconcile].map(({ code, stderr }) => ({ code, lines: stderr.trim().split('\n') })),
    ).toEqual(
      [
        "the stack's history needs packages this project has not installed (@aws-sdk/client-cloudformation, ",
        'fluent-webhook replay needs packages this project has not installed (@aws-sdk/client-sqs); ',
        'fluent-webhook reconcile needs packages this project has not installed (@aws-sdk/client-sqs, ',
      ].map((start) => ({ code: 1, lines: [expect.stringContaining(start)] })),
    );
    expect([keygen.code, signed.code, valid.code, tampered.code]).toEqual([0, 0, 0, 1]);
    expect(valid.stdout).toMatch(/^Valid: fluent-signature \(SHA512withRSA\) matches key sha256:/);
  });

  it('verifies in one call with require() and import of fluent-webhook-receiver in a verifier-only install', () => {
    // Act
    const required = inProject(verifierOnly(), process.execPath, ['-e', VERIFY_CJS]);
    const imported = inProject(verifierOnly(), process.execPath, ['--input-type=module', '-e', VERIFY_ESM]);

    // Assess
    expect(PEERS.filter((peer) => existsSync(verifierOnly('node_modules', peer)))).toEqual([]);
    expect(required).toMatchObject({ code: 0, stdout: '[true,false]\n' });
    expect(imported).toMatchObject({ code: 0, stdout: 'true\n' });
  });

  it('installs the verifier alone with --omit=optional: zod and the package, no install script, at most 15 MB', () => {
    // Act
    const installed = installedPackages(verifierOnly('node_modules'));
    const kilobytes = Number(/^\d+/.exec(inProject(verifierOnly(), 'du', ['-sk', 'node_modules']).stdout)?.[0]);

    // Assess
    expect(installed.map((pkg) => pkg.name).sort()).toEqual([manifest.name, 'zod']);
    expect(installed.filter((pkg) => pkg.runsScripts).map((pkg) => pkg.name)).toEqual([]);
    expect(kilobytes).toBeLessThanOrEqual(MAX_VERIFIER_ONLY_KB);
  });

  it('ships what its README links to: every relative link resolves in the installed package, LICENSE too', () => {
    // Prepare
    const installedRoot = verifierOnly('node_modules', manifest.name);
    const readme = readFileSync(join(installedRoot, 'README.md'), 'utf8');

    // Act
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((link) => link[1]!)
      .filter((target) => !/^[a-z]+:/.test(target));
    const missing = targets.filter((target) => !existsSync(join(installedRoot, target)));

    // Assess
    expect(targets.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(readFileSync(join(installedRoot, 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  it(
    'type-checks the main entry without skipLibCheck under node10, node16 and bundler, CommonJS and ESM',
    async () => {
      // Prepare
      writeFileSync(verifierOnly('check.ts'), MAIN_ENTRY_TS);
      writeFileSync(verifierOnly('check.mts'), MAIN_ENTRY_TS);
      const modes = {
        node10: tsconfig({ module: 'commonjs', moduleResolution: 'node10' }, ['check.ts']),
        node16: tsconfig({ module: 'node16', moduleResolution: 'node16' }, ['check.mts']),
        bundler: tsconfig({ module: 'esnext', moduleResolution: 'bundler' }, ['check.ts']),
      };
      for (const [mode, config] of Object.entries(modes)) writeFileSync(verifierOnly(`tsconfig.${mode}.json`), config);

      // Act
      const checks = await Promise.all(Object.keys(modes).map((mode) => typeCheck(verifierOnly(), mode)));

      // Assess
      expect(checks).toEqual(Object.keys(modes).map((mode) => ({ mode, errors: '' })));
    },
    SLOW_TEST_MS,
  );

  it(
    "runs `fluent-webhook local --handlers` from the installed package on the app's own handlers",
    async () => {
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
    },
    SLOW_TEST_MS,
  );
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

/** The code, source list and asset files of the bundle of the Lambda whose logical id contains `role`. */
function bundleOf(outdir: string, role: string): { code: string; sources: string[]; files: string[] } {
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
    files: readdirSync(assetDir).sort(),
  };
}

/** Runs the repository's tsc on `tsconfig.<mode>.json` in a project; the errors, or '' when it type-checks. */
async function typeCheck(dir: string, mode: string): Promise<{ mode: string; errors: string }> {
  try {
    await run(process.execPath, [TSC, '-p', `tsconfig.${mode}.json`], { cwd: dir });
    return { mode, errors: '' };
  } catch (error) {
    const { stdout, message } = error as { stdout?: string; message: string };
    return { mode, errors: stdout || message };
  }
}

/** Every installed package (nested ones too), and whether npm ran a script for it at install. */
function installedPackages(nodeModules: string): Array<{ name: string; runsScripts: boolean }> {
  const found: Array<{ name: string; runsScripts: boolean }> = [];
  for (const entry of existsSync(nodeModules) ? readdirSync(nodeModules) : []) {
    if (entry.startsWith('.')) continue;
    const folders = entry.startsWith('@')
      ? readdirSync(join(nodeModules, entry)).map((name) => join(nodeModules, entry, name))
      : [join(nodeModules, entry)];
    for (const folder of folders) {
      const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
        name: string;
        scripts?: Record<string, string>;
      };
      const scripts = ['preinstall', 'install', 'postinstall'].filter((name) => pkg.scripts?.[name] !== undefined);
      // npm runs node-gyp for a binding.gyp even without an install script.
      found.push({ name: pkg.name, runsScripts: scripts.length > 0 || existsSync(join(folder, 'binding.gyp')) });
      found.push(...installedPackages(join(folder, 'node_modules')));
    }
  }
  return found;
}

/** The IAM actions the template grants on the resource whose logical id contains `resource`, to `role`. */
function grantsOn(outdir: string, resource: string, role: string): string[] {
  const templateFile = readdirSync(outdir).find((file) => file.endsWith('.template.json'))!;
  const template = JSON.parse(readFileSync(join(outdir, templateFile), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const policies = Object.values(template.Resources).filter(
    (entry) => entry.Type === 'AWS::IAM::Policy' && JSON.stringify(entry.Properties.Roles).includes(role),
  );
  const statements = policies.flatMap(
    (policy) =>
      (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> })
        .Statement,
  );
  return statements
    .filter((statement) => JSON.stringify(statement.Resource).includes(resource))
    .flatMap((statement) => statement.Action);
}
