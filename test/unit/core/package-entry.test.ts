import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, { types: string; default: string } | string>;
};
const BUILD_HINT = `${manifest.main} is missing: run "npm run build" (npm ci runs it through "prepare").`;

/**
 * The public surface, name by name: what a user can import is a decision, so adding or removing a name fails here
 * until this list (and the reference, `npm run docs:api`) says so too.
 */
const SURFACE = {
  '.': {
    runtime: [
      'AllowListRejection',
      'BodyProblem',
      'ConfigurationError',
      'FLEX_SIGNATURE_HEADER',
      'FLUENT_SIGNATURE_HEADER',
      'FluentApiError',
      'FluentAuthenticationError',
      'FluentEventInvalidError',
      'FluentGraphQLError',
      'FluentNotConfiguredError',
      'FluentRedirectError',
      'FluentRequestError',
      'FluentResponseTooLargeError',
      'FluentSignatureVerifier',
      'FluentTimeoutError',
      'FluentUnavailableError',
      'FluentWebhookError',
      'InvalidPublicKeyError',
      'Provenance',
      'RejectionReason',
      'SignatureAlgorithm',
      'SignatureHeader',
      'SignaturePolicy',
      'checkAllowList',
      'parseFluentEvent',
      'parseFluentPublicKeys',
      'resolveKeySources',
      'signFluentPayload',
    ],
    types: [
      'AcceptedSignature',
      'AllowList',
      'AllowListDecision',
      'AllowListRejectionName',
      'BodyProblemName',
      'ConfigurationProblem',
      'DeduplicationKey',
      'FluentApi',
      'FluentCallFacts',
      'FluentEvent',
      'FluentEventContext',
      'FluentEventFilter',
      'FluentEventHandler',
      'FluentEventHandlers',
      'FluentEventPage',
      'FluentOutboundEvent',
      'FluentPublicKey',
      'FluentPublicKeyInput',
      'FluentPublicKeysInput',
      'FluentSignatureHeaders',
      'FluentSignatureVerifierOptions',
      'HandlerLogMessage',
      'HandlerLogger',
      'HandlerMetrics',
      'HeaderValue',
      'KeySource',
      'ParsedEvent',
      'ProvenanceName',
      'RejectedSignature',
      'RejectionReasonName',
      'RequestHeaders',
      'SendEventMode',
      'SendEventOptions',
      'SendEventResult',
      'SignatureAlgorithmName',
      'SignatureHeaderName',
      'SignaturePolicyName',
      'VerificationResult',
    ],
  },
  './cdk': {
    runtime: [
      'FluentWebhookConsumer',
      'FluentWebhookMonitoring',
      'FluentWebhookReceiver',
      'FluentWebhookReconciliationSweep',
      'FluentWebhooks',
      'Ingress',
      'Ordering',
      'UnhandledEventPolicy',
      'WebhookFirewall',
      'parseReceiverSettings',
    ],
    types: [
      'FluentApiProps',
      'FluentWebhookAlarms',
      'FluentWebhookConsumerOptions',
      'FluentWebhookConsumerProps',
      'FluentWebhookMonitoringOptions',
      'FluentWebhookMonitoringProps',
      'FluentWebhookReceiverProps',
      'FluentWebhookReconciliationSweepProps',
      'FluentWebhooksProps',
      'IngressName',
      'OrderingName',
      'RawReceiverSettings',
      'RawSettingValue',
      'ReceiverSettings',
      'ReconciliationQueues',
      'ReconciliationSweepSettings',
      'SettingKey',
      'UnhandledEventPolicyName',
      'WebhookFirewallProps',
    ],
  },
} as const;

function entryOf(subpath: keyof typeof SURFACE): { types: string; default: string } {
  return manifest.exports[subpath] as { types: string; default: string };
}

/**
 * Every name the entry's declarations export. The entries are explicit lists (`export { a } from`, no `export *`),
 * so reading the export statements is enough, and far quicker than type-checking aws-cdk-lib's declarations.
 */
function declaredNames(declarations: string): string[] {
  const source = ts.createSourceFile(declarations, readFileSync(declarations, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) => {
    if (!ts.isExportDeclaration(statement)) return [];
    const clause = statement.exportClause;
    if (clause === undefined || !ts.isNamedExports(clause)) throw new Error(`${declarations}: export * is not curated`);
    return clause.elements.map((element) => element.name.text);
  });
}

describe('Package entries', () => {
  it('exist after the build', () => {
    // Assess
    const main = join(ROOT, manifest.main);
    expect({ exists: existsSync(main), hint: BUILD_HINT }).toEqual({ exists: true, hint: BUILD_HINT });
  });

  it.each(Object.keys(SURFACE) as Array<keyof typeof SURFACE>)(
    'export exactly the curated names from %s, values at runtime and types in the declarations',
    (subpath) => {
      // Prepare
      const { types, default: main } = entryOf(subpath);
      const expected = SURFACE[subpath];

      // Act
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const runtime = Object.keys(require(join(ROOT, main)) as object).filter((name) => name !== '__esModule');
      const declared = declaredNames(join(ROOT, types));

      // Assess
      expect(runtime.sort()).toEqual([...expected.runtime].sort());
      expect(declared.sort()).toEqual([...expected.runtime, ...expected.types].sort());
    },
  );

  it('verifies a signed body in one call through the built main entry', () => {
    // Prepare
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entry = require(join(ROOT, manifest.main)) as typeof import('../../../lambdas');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const fluentKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const body = '{"id":"1"}';

    // Act
    const verifier = new entry.FluentSignatureVerifier({ publicKeys: fluentKey });
    const result = verifier.verify(body, entry.signFluentPayload(body, privateKey));

    // Assess
    expect(manifest.exports['.']).toEqual({ types: `./${manifest.types}`, default: `./${manifest.main}` });
    expect(result).toMatchObject({ ok: true, header: 'fluent-signature' });
  });
});
