import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnResource, CfnType, NamedResource, property, resourcesOfType, CfnTemplate } from './cloud-template';
import { resolveString, resolveValue, ResolveContext, UnresolvableReference } from './intrinsics';
import type { FunctionSpec } from './lambda-process';
import { LocalCloud, referencedLogicalId } from './template-resources';

/** Lambda's defaults when the template leaves them out. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_SIZE_MB = 128;
/** The emulators accept any credentials; the guard in front of them knows the caller by its endpoint. */
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } as const;

/** A function of the template and the role it runs as. */
export interface TemplateFunction {
  readonly logicalId: string;
  readonly resource: CfnResource;
  readonly roleLogicalId: string | undefined;
}

/** The template's functions; a function that is not Node.js, or whose role is not in the template, cannot run here. */
export function templateFunctions(template: CfnTemplate): TemplateFunction[] {
  return resourcesOfType(template, CfnType.FUNCTION).map(({ logicalId, resource }: NamedResource) => ({
    logicalId,
    resource,
    roleLogicalId: referencedLogicalId(property(resource, 'Role')),
  }));
}

/**
 * A function as it runs locally: its bundle from the asset folder, its handler, timeout and memory, and its
 * environment resolved as the caller `context` sees the resources (queue URLs through its IAM guard), plus what the
 * Lambda runtime sets. Throws naming every reference it cannot resolve and anything else that stops it running.
 */
export function functionSpec(
  fn: TemplateFunction,
  assemblyDir: string,
  cloud: LocalCloud,
  context: ResolveContext,
  awsEndpoint: string,
): FunctionSpec {
  const { logicalId, resource } = fn;
  const problems: string[] = [];
  const runtime = String(property(resource, 'Runtime'));
  if (!runtime.startsWith('nodejs')) problems.push(`its Runtime ${runtime} is not Node.js`);
  const codeDir = assetDir(resource, assemblyDir);
  if (codeDir === undefined) problems.push('its Code is not an asset folder of this cloud assembly');
  const environment: Record<string, string> = {};
  const variables = (property(resource, 'Environment') as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
  for (const [name, value] of Object.entries(variables ?? {})) {
    try {
      const resolved = resolveValue(value, context);
      if (resolved !== undefined) environment[name] = resolveString(resolved, context);
    } catch (error) {
      if (!(error instanceof UnresolvableReference)) throw error;
      problems.push(`environment variable ${name}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new Error(`Function ${logicalId} cannot run locally: ${problems.join('; ')}.`);

  const functionName = resolveString({ Ref: logicalId }, context);
  const memorySizeMb = Number(property(resource, 'MemorySize') ?? DEFAULT_MEMORY_SIZE_MB);
  return {
    logicalId,
    functionName,
    functionArn: resolveString({ 'Fn::GetAtt': [logicalId, 'Arn'] }, context),
    handler: String(property(resource, 'Handler') ?? 'index.handler'),
    codeDir: codeDir as string,
    timeoutSeconds: Number(property(resource, 'Timeout') ?? DEFAULT_TIMEOUT_SECONDS),
    memorySizeMb,
    environment: {
      PATH: process.env.PATH ?? '',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      AWS_REGION: cloud.region,
      AWS_DEFAULT_REGION: cloud.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      LAMBDA_TASK_ROOT: codeDir as string,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...LOCAL_CREDENTIALS,
      AWS_ENDPOINT_URL_SQS: awsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: awsEndpoint,
      // fauxqs answers S3 on the SQS endpoint; an IP-address endpoint makes the SDK address buckets path-style.
      AWS_ENDPOINT_URL_S3: awsEndpoint,
      ...environment,
    },
  };
}

/** The folder `cdk synth` staged the function's code in: named by the asset metadata, or by the S3 key's hash. */
function assetDir(resource: CfnResource, assemblyDir: string): string | undefined {
  const metadataPath = resource.Metadata?.['aws:asset:path'];
  const s3Key = (property(resource, 'Code') as { S3Key?: unknown } | undefined)?.S3Key;
  const candidates = [
    typeof metadataPath === 'string' ? join(assemblyDir, metadataPath) : undefined,
    typeof s3Key === 'string' ? join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`) : undefined,
  ];
  return candidates.find((dir) => dir !== undefined && existsSync(dir));
}
