import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FluentWebhookStack } from '../../lib/stack/fluent-webhook-stack';
import { testKeyPair } from './test-keys';

/**
 * The templates the stack can take: the default door, queue-first, and the default door with everything optional
 * on (the WAF web ACL, the Fluent API client and the scheduled reconciliation sweep).
 */
export const TEMPLATE_VARIANTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  default: {},
  'queue-first': { ingress: 'queue-first' },
  'waf-sweep': {
    enableWaf: true,
    fluentApiUrl: 'https://acme.sandbox.api.fluentretail.com',
    fluentApiAccount: 'ACME',
    fluentApiSecretName: 'fluent/sandbox/api',
    reconciliationSweep: { names: ['OrderStatusChange'] },
  },
};

export interface SynthesizedVariant {
  readonly variant: string;
  readonly stackName: string;
  readonly templateFile: string;
  readonly template: { Resources: Record<string, { Type: string }> };
}

/**
 * Synthesizes every {@link TEMPLATE_VARIANTS} as `FluentWebhookStack` into one cloud assembly in `outdir`, as
 * `cdk synth` would (real esbuild bundles, CloudFormation validation on), each as its own stack
 * (`FluentWebhooks-<variant>`) configured through context: the test key, account ACME, one path secret.
 */
export function synthesizeTemplateVariants(outdir: string): SynthesizedVariant[] {
  const app = new App({
    outdir,
    context: {
      publicKeys: testKeyPair(1024, 'template-variants').publicKeyBase64,
      accountIds: 'ACME',
      pathSecret: 'variantSecret_0123456789abcdefghijkl',
    },
  });
  const stacks = Object.entries(TEMPLATE_VARIANTS).map(([variant, context]) => {
    // Context set on a scope of its own reaches only the stack under it.
    const scope = new Construct(app, variant);
    for (const [key, value] of Object.entries(context)) scope.node.setContext(key, value);
    return {
      variant,
      stack: new FluentWebhookStack(scope, 'Stack', {
        environmentName: variant,
        stackName: `FluentWebhooks-${variant}`,
        processEnv: {},
      }),
    };
  });
  const assembly = app.synth();
  return stacks.map(({ variant, stack }) => {
    const templateFile = join(assembly.directory, assembly.getStackArtifact(stack.artifactId).templateFile);
    return {
      variant,
      stackName: stack.stackName,
      templateFile,
      template: JSON.parse(readFileSync(templateFile, 'utf8')) as SynthesizedVariant['template'],
    };
  });
}
