import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhooks } from '../../lib/fluent-webhooks/fluent-webhooks';
import type { FluentWebhooksProps } from '../../lib/fluent-webhooks/fluent-webhooks-props';
import { readStackConfig } from '../../lib/stack/stack-config';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';

const settings = parseReceiverSettings({
  publicKeys: testKeyPair(1024, 'fluent-api-access').publicKeyBase64,
  accountIds: 'ACME',
});
const FLUENT_API = { apiUrl: 'https://acme.sandbox.api.fluentretail.com', account: 'ACME' };

function pipeline(props: Partial<FluentWebhooksProps>, build?: (stack: Stack) => Partial<FluentWebhooksProps>) {
  const app = tempApp();
  const stack = new Stack(app, 'FluentApiAccess', { env: { account: '123456789012', region: 'eu-west-1' } });
  const webhooks = new FluentWebhooks(stack, 'Webhooks', {
    settings,
    pathSecret: 'accessSecret_0123456789abcdefghijklm',
    ...props,
    ...build?.(stack),
  });
  return { app, stack, webhooks, template: Template.fromStack(stack) };
}

/** Every IAM statement in the template that mentions secretsmanager or kms, with the role it is attached to. */
function statementsAbout(template: Template, service: 'secretsmanager' | 'kms') {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith(`${service}:`)))
      .map((statement) => ({ roles: policy.Properties.Roles as unknown[], ...statement })),
  );
}

describe('Prop: fluentApi (the credentials secret for context.fluent)', () => {
  it('lets only the consumer read the named secret, with GetSecretValue and nothing else', () => {
    // Prepare
    const { stack, webhooks, template } = pipeline({ fluentApi: { ...FLUENT_API, secretName: 'fluent/sandbox/api' } });
    const consumerRole = stack.getLogicalId(webhooks.consumer.consumerRole.node.defaultChild as never);

    // Assess
    expect(statementsAbout(template, 'secretsmanager')).toEqual([
      {
        roles: [{ Ref: consumerRole }],
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:eu-west-1:123456789012:secret:fluent/sandbox/api-??????',
            ],
          ],
        },
      },
    ]);
  });

  it('gives the consumer the URL, the account and the secret name, and no credential', () => {
    // Prepare
    const { template } = pipeline({ fluentApi: { ...FLUENT_API, secretName: 'fluent/sandbox/api' } });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          FLUENT_API_URL: FLUENT_API.apiUrl,
          FLUENT_API_ACCOUNT: 'ACME',
          FLUENT_API_SECRET_ID: 'fluent/sandbox/api',
        }),
      },
    });
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/FLUENT_CLIENT_SECRET|FLUENT_PASSWORD|clientSecret/);
  });

  it('adds kms:Decrypt on the key of a secret under a customer-managed key, for the consumer only', () => {
    // Prepare
    const { stack, webhooks, template } = pipeline({}, (scope) => {
      const key = new kms.Key(scope, 'SecretKey', { enableKeyRotation: true });
      const secret = secretsmanager.Secret.fromSecretAttributes(scope, 'Imported', {
        secretCompleteArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fluent/prod/api-AbCdEf',
        encryptionKey: key,
      });
      return { fluentApi: { ...FLUENT_API, existingSecretObj: secret } };
    });
    const consumerRole = stack.getLogicalId(webhooks.consumer.consumerRole.node.defaultChild as never);

    // Assess
    const kmsStatements = statementsAbout(template, 'kms').filter((statement) =>
      JSON.stringify(statement.Resource).includes('SecretKey'),
    );
    expect(kmsStatements).toEqual([expect.objectContaining({ roles: [{ Ref: consumerRole }], Action: 'kms:Decrypt' })]);
    expect(statementsAbout(template, 'secretsmanager')).toEqual([
      expect.objectContaining({
        roles: [{ Ref: consumerRole }],
        Action: 'secretsmanager:GetSecretValue',
        Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fluent/prod/api-AbCdEf',
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          FLUENT_API_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fluent/prod/api-AbCdEf',
        }),
      },
    });
  });

  it('grants nothing on any secret without fluentApi', () => {
    // Assess
    expect(statementsAbout(pipeline({}).template, 'secretsmanager')).toEqual([]);
  });

  it('passes cdk-nag with the grant', () => {
    // Prepare
    const { app } = pipeline({ fluentApi: { ...FLUENT_API, secretName: 'fluent/sandbox/api' } });

    // Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it.each([
    [
      { ...FLUENT_API, apiUrl: 'http://acme.api.fluentretail.com', secretName: 's' },
      'fluentApi.apiUrl must be the https://',
    ],
    [{ ...FLUENT_API, account: ' ', secretName: 's' }, 'fluentApi.account must be the Fluent account id'],
    [{ ...FLUENT_API }, 'fluentApi.secretName is required: the Secrets Manager secret'],
  ])('refuses %j, naming the prop', (fluentApi, message) => {
    // Assess
    expect(() => pipeline({ fluentApi })).toThrow(message);
  });
});

describe('Context: fluentApiUrl, fluentApiAccount, fluentApiSecretName', () => {
  const BASE = {
    publicKeys: testKeyPair(1024, 'fluent-api-context').publicKeyBase64,
    accountIds: 'ACME',
    pathSecret: 'contextSecret_0123456789abcdefghijklm',
  };

  it('become the consumer fluentApi options of the environment', () => {
    // Prepare
    const app = tempApp({
      context: {
        ...BASE,
        environments: {
          sandbox: {
            fluentApiUrl: FLUENT_API.apiUrl,
            fluentApiAccount: 'ACME',
            fluentApiSecretName: 'fluent/sandbox/api',
          },
        },
      },
    });

    // Act
    const config = readStackConfig(app.node, 'sandbox', {});

    // Assess
    expect(config.consumerOptions.fluentApi).toEqual({ ...FLUENT_API, secretName: 'fluent/sandbox/api' });
  });

  it('names the missing setting in context terms', () => {
    // Prepare
    const app = tempApp({ context: { ...BASE, fluentApiUrl: FLUENT_API.apiUrl } });

    // Assess
    expect(() => readStackConfig(app.node, 'default', {})).toThrow(
      /fluentApiAccount must be the Fluent account id[\s\S]*fluentApiSecretName is required: the Secrets Manager secret/,
    );
  });
});
