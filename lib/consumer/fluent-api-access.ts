import type { ConfigurationProblem } from '../../lambdas/core/errors';
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { FluentApiEnv } from '../../lambdas/contract/environment';
import type { FluentApiProps } from './fluent-api-props';

/** The one Secrets Manager action the consumer needs on the credentials secret. */
export const FLUENT_SECRET_ACTIONS = ['secretsmanager:GetSecretValue'];

/** Every problem with `fluentApi`, as sentences naming the prop; empty when fine or absent. */
export function findFluentApiProblems(fluentApi: FluentApiProps | undefined): ConfigurationProblem[] {
  if (fluentApi === undefined) return [];
  const problems: ConfigurationProblem[] = [];
  const { apiUrl, account, secretName, existingSecretObj } = fluentApi;
  if (typeof apiUrl !== 'string' || (!Token.isUnresolved(apiUrl) && !isHttpsUrl(apiUrl))) {
    problems.push({
      setting: 'fluentApi.apiUrl',
      message:
        'must be the https:// API base URL of the account, for example https://acme.sandbox.api.fluentretail.com.',
    });
  }
  if (typeof account !== 'string' || account.trim() === '') {
    problems.push({
      setting: 'fluentApi.account',
      message: 'must be the Fluent account id (sent as the fluent.account header).',
    });
  }
  const named = secretName !== undefined && secretName.trim() !== '';
  if (!named && existingSecretObj === undefined) {
    problems.push({
      setting: 'fluentApi.secretName',
      message: 'is required: the Secrets Manager secret with the Fluent API credentials (or give existingSecretObj).',
    });
  } else if (named && existingSecretObj !== undefined) {
    problems.push({
      setting: 'fluentApi.existingSecretObj',
      message: 'and secretName exclude each other: give one secret with the credentials.',
    });
  }
  return problems;
}

/**
 * Lets `fn` (the consumer) read the credentials secret and nothing else: GetSecretValue on that secret's ARN, and
 * kms:Decrypt on its key when it has a customer-managed one. Returns the environment the client reads.
 */
export function grantFluentApiAccess(
  scope: Construct,
  fn: lambda.IFunction,
  fluentApi: FluentApiProps,
): { secret: secretsmanager.ISecret; environment: Record<string, string> } {
  const secret =
    fluentApi.existingSecretObj ??
    secretsmanager.Secret.fromSecretNameV2(scope, 'FluentApiSecret', fluentApi.secretName ?? '');
  // Not secret.grantRead: that adds DescribeSecret, which the client never calls. A secret known by name only has
  // no full ARN: Secrets Manager appends six random characters, which the policy must allow (as CDK's grants do).
  const resource = secret.secretFullArn ?? `${secret.secretArn}-??????`;
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: FLUENT_SECRET_ACTIONS, resources: [resource] }));
  secret.encryptionKey?.grantDecrypt(fn);
  return {
    secret,
    environment: {
      [FluentApiEnv.API_URL]: fluentApi.apiUrl,
      [FluentApiEnv.ACCOUNT]: fluentApi.account,
      // A name-only import has a partial ARN ending in -??????, which GetSecretValue cannot take: use the name.
      [FluentApiEnv.SECRET_ID]: fluentApi.existingSecretObj?.secretFullArn ?? secret.secretName,
    },
  };
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}
