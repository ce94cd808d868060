import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, { types: string; default: string } | string>;
};
const mainPath = join(ROOT, manifest.main);
const BUILD_HINT = `${manifest.main} is missing: run "npm run build" (npm ci runs it through "prepare").`;

/** What a user's own Lambda needs from the package without any CDK part. */
const RUNTIME_EXPORTS = [
  'FluentSignatureVerifier',
  'parseFluentPublicKey',
  'parseFluentPublicKeys',
  'resolveKeySources',
  'signFluentPayload',
  'lookupHeader',
  'RejectionReason',
  'REJECTION_MESSAGES',
  'SignaturePolicy',
  'FLUENT_SIGNATURE_HEADER',
  'FLEX_SIGNATURE_HEADER',
  'FluentWebhookError',
  'ConfigurationError',
  'InvalidPublicKeyError',
];
const TYPE_EXPORTS = [
  'VerificationResult',
  'AcceptedSignature',
  'RejectedSignature',
  'FluentPublicKey',
  'FluentSignatureVerifierOptions',
  'RequestHeaders',
  'FluentEvent',
  'FluentEventHandlers',
  'FluentEventHandler',
  'FluentEventContext',
];

describe('Package main entry', () => {
  it('exists after the build', () => {
    // Assess
    expect({ exists: existsSync(mainPath), hint: BUILD_HINT }).toEqual({ exists: true, hint: BUILD_HINT });
  });

  it('exports the verifier and what it needs, and verifies a signed body', () => {
    // Prepare
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entry = require(mainPath) as typeof import('../../../lambdas');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const fluentKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const body = '{"id":"1"}';

    // Act
    const verifier = new entry.FluentSignatureVerifier({
      publicKeys: entry.parseFluentPublicKeys(entry.resolveKeySources(fluentKey)),
    });
    const result = verifier.verify(body, entry.signFluentPayload(body, privateKey));

    // Assess
    for (const name of RUNTIME_EXPORTS) expect(entry).toHaveProperty(name);
    expect(result).toMatchObject({ ok: true, header: 'fluent-signature' });
  });

  it('is the exports map\'s "." entry, with type declarations for the verifier, its results and the handler types', () => {
    // Act
    const declarations = readFileSync(join(ROOT, manifest.types), 'utf8');
    const coreDeclarations = readFileSync(join(ROOT, 'dist', 'lambdas', 'core', 'index.d.ts'), 'utf8');

    // Assess
    expect(manifest.exports['.']).toEqual({ types: `./${manifest.types}`, default: `./${manifest.main}` });
    for (const name of [...RUNTIME_EXPORTS, ...TYPE_EXPORTS]) {
      expect(`${declarations}${coreDeclarations}`).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(declarations).toMatch(/export type \{[^}]*FluentEventHandlers[^}]*\} from/);
  });
});
