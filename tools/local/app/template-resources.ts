import { createHash } from 'node:crypto';
import { FIFO_QUEUE_SUFFIX } from '../../../lambdas/contract/ordering';
import { CfnTemplate, CfnType, property } from './cloud-template';
import { ResolveContext, ResolvedResource, UnresolvableReference } from './intrinsics';

/** Where the runner pretends to be: one account and region, as the emulators name their ARNs. */
export interface LocalCloud {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
}

/** A queue as the template defines it, with the name CloudFormation would give it. */
export interface TemplateQueue {
  readonly logicalId: string;
  readonly queueName: string;
  readonly queueArn: string;
}

/**
 * The names, `Ref` values and attributes of the resources the runner creates or stands in for, as CloudFormation
 * would give them: a resource's own name property, else `<stack>-<logical id>` (CloudFormation adds a random
 * suffix; locally the name is stable, so the data folder keeps the queues across starts; a queue's, a table's and a
 * bucket's are cut to fit their service's rules: {@link generatedQueueName}, {@link generatedTableName},
 * {@link generatedBucketName}).
 * A queue's `Ref` is its URL, so it depends on the endpoint the caller is given: see {@link resolveContextFor}.
 */
export class TemplateResources {
  readonly queues: readonly TemplateQueue[];
  /** The queues kept under the name an earlier version gave them ({@link legacyGeneratedQueueName}). */
  readonly legacyQueues: readonly TemplateQueue[];
  private readonly fixed = new Map<string, ResolvedResource>();

  /**
   * `queueExists` tells whether the SQS emulator already holds a queue of that name (restored from the data folder):
   * a queue an earlier version created under its legacy generated name keeps that name while no queue has the new one,
   * so the messages it holds (its dead letters too) are still received.
   */
  constructor(
    private readonly template: CfnTemplate,
    readonly cloud: LocalCloud,
    queueExists: (queueName: string) => boolean = () => false,
  ) {
    const { region, accountId, stackName } = cloud;
    const queues: TemplateQueue[] = [];
    const legacyQueues: TemplateQueue[] = [];
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      /** The resource's own name property, else the name CloudFormation would generate (`generate`). */
      const named = (nameProperty: string, generate = () => `${stackName}-${logicalId}`): string => {
        const given = property(resource, nameProperty);
        return typeof given === 'string' ? given : generate();
      };
      switch (resource.Type) {
        case CfnType.QUEUE: {
          const fifo = String(property(resource, 'FifoQueue')) === 'true';
          let kept = false;
          const queueName = named('QueueName', () => {
            const generated = generatedQueueName(stackName, logicalId, fifo);
            const legacy = legacyGeneratedQueueName(stackName, logicalId, fifo);
            kept = legacy !== generated && queueExists(legacy) && !queueExists(generated);
            return kept ? legacy : generated;
          });
          const queue = { logicalId, queueName, queueArn: `arn:aws:sqs:${region}:${accountId}:${queueName}` };
          queues.push(queue);
          if (kept) legacyQueues.push(queue);
          break;
        }
        case CfnType.TABLE: {
          const name = named('TableName', () => generatedTableName(stackName, logicalId));
          this.fixed.set(logicalId, {
            ref: name,
            attributes: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${name}` },
          });
          break;
        }
        case CfnType.BUCKET: {
          const name = named('BucketName', () => generatedBucketName(stackName, logicalId));
          this.fixed.set(logicalId, {
            ref: name,
            attributes: {
              Arn: `arn:aws:s3:::${name}`,
              DomainName: `${name}.s3.amazonaws.com`,
              RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
            },
          });
          break;
        }
        case CfnType.ROLE: {
          const name = named('RoleName');
          const path = typeof property(resource, 'Path') === 'string' ? String(property(resource, 'Path')) : '/';
          this.fixed.set(logicalId, {
            ref: name,
            attributes: { Arn: `arn:aws:iam::${accountId}:role${path}${name}`, RoleId: `AROALOCAL${logicalId}` },
          });
          break;
        }
        case CfnType.FUNCTION: {
          const name = named('FunctionName');
          this.fixed.set(logicalId, {
            ref: name,
            attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${name}` },
          });
          break;
        }
        case CfnType.LOG_GROUP: {
          const name = named('LogGroupName');
          this.fixed.set(logicalId, {
            ref: name,
            attributes: { Arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}:*` },
          });
          break;
        }
        case CfnType.REST_API:
          this.fixed.set(logicalId, { ref: localId(logicalId), attributes: { RootResourceId: 'root' } });
          break;
        case CfnType.API_RESOURCE:
        case CfnType.API_DEPLOYMENT:
          this.fixed.set(logicalId, { ref: localId(logicalId), attributes: {} });
          break;
        case CfnType.API_STAGE:
          this.fixed.set(logicalId, { ref: named('StageName'), attributes: {} });
          break;
        default:
          break;
      }
    }
    this.queues = queues;
    this.legacyQueues = legacyQueues;
  }

  /** The queue whose logical id, ARN or URL this is. */
  queue(reference: string): TemplateQueue | undefined {
    return this.queues.find(
      (queue) =>
        queue.logicalId === reference || queue.queueArn === reference || reference.endsWith(`/${queue.queueName}`),
    );
  }

  /**
   * What references resolve to for a caller that reaches SQS through `sqsEndpoint` (a queue's `Ref` is its URL
   * there). Parameters resolve to their defaults; an SSM parameter has none locally.
   */
  resolveContextFor(sqsEndpoint: string): ResolveContext {
    const { region, accountId, stackName } = this.cloud;
    const resources = new Map(this.fixed);
    for (const queue of this.queues) {
      const queueUrl = `${sqsEndpoint}/${accountId}/${queue.queueName}`;
      resources.set(queue.logicalId, {
        ref: queueUrl,
        attributes: { Arn: queue.queueArn, QueueName: queue.queueName, QueueUrl: queueUrl },
      });
    }
    const parameters: Record<string, string> = {};
    for (const [name, parameter] of Object.entries(this.template.Parameters ?? {})) {
      if (parameter.Default !== undefined && !String(parameter.Type).startsWith('AWS::SSM::')) {
        parameters[name] = String(parameter.Default);
      }
    }
    return {
      pseudoParameters: {
        'AWS::Region': region,
        'AWS::AccountId': accountId,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackName': stackName,
        'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/local`,
      },
      parameters,
      resources,
    };
  }
}

/** The logical id a `Ref` or `Fn::GetAtt` names, when the value is one: the role of a function, say. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { Ref: ref, 'Fn::GetAtt': getAtt } = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof ref === 'string') return ref;
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Resolves what it can and leaves a placeholder that matches nothing where it cannot (a log group's ARN in a policy). */
export function resolveLeniently(value: unknown, resolve: (value: unknown) => unknown): unknown {
  try {
    return resolve(value);
  } catch (error) {
    if (!(error instanceof UnresolvableReference)) throw error;
  }
  if (Array.isArray(value)) return value.map((item) => resolveLeniently(item, resolve));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0]?.[0] === 'Ref' || entries[0]?.[0].startsWith('Fn::'))) {
    return `unresolved:${JSON.stringify(value)}`;
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveLeniently(item, resolve)]));
}

/** As long as the random suffix CloudFormation gives a generated name. */
const NAME_HASH_LENGTH = 12;
/** SQS's queue name rules: 1-80 characters, letters, digits, hyphens and underscores, `.fifo` (counted) for FIFO. */
export const QUEUE_NAME_MAX_LENGTH = 80;
/** DynamoDB's table name rules: 3-255 characters, letters, digits, underscores, hyphens and dots. */
const TABLE_NAME_MAX_LENGTH = 255;
/** S3's bucket name rules: 3-63 characters, lower-case letters, digits and hyphens, a letter or digit at each end. */
const BUCKET_NAME_MAX_LENGTH = 63;

/**
 * The queue name CloudFormation would generate, made stable: `<stack>-<logical id>` (and `.fifo` for a FIFO queue)
 * when that is a valid queue name; else a readable prefix cut to fit, a hash and the suffix ({@link stableName}).
 */
export function generatedQueueName(stackName: string, logicalId: string, fifo: boolean): string {
  const whole = `${stackName}-${logicalId}`;
  const readable = whole.replace(/[^A-Za-z0-9_-]+/g, '-');
  const suffix = fifo ? FIFO_QUEUE_SUFFIX : '';
  return stableName(stackName, logicalId, readable, readable === whole, QUEUE_NAME_MAX_LENGTH, suffix);
}

/**
 * The name the runner gave a queue before {@link generatedQueueName} cut long names to fit: `<stack>-<logical id>`
 * (and `.fifo`) whatever its length (fauxqs does not check it). A data folder of then may hold messages under it.
 */
export function legacyGeneratedQueueName(stackName: string, logicalId: string, fifo: boolean): string {
  return `${stackName}-${logicalId}${fifo ? FIFO_QUEUE_SUFFIX : ''}`;
}

/** The table name CloudFormation would generate, made stable, as {@link generatedQueueName} for DynamoDB's rules. */
export function generatedTableName(stackName: string, logicalId: string): string {
  const whole = `${stackName}-${logicalId}`;
  const readable = whole.replace(/[^A-Za-z0-9_.-]+/g, '-');
  return stableName(stackName, logicalId, readable, readable === whole, TABLE_NAME_MAX_LENGTH);
}

/**
 * The bucket name CloudFormation would generate, made stable: `<stack>-<logical id>` lower-cased when that is a valid
 * bucket name; else, as CloudFormation does, a readable prefix of it cut to fit plus a suffix ({@link stableName}).
 */
export function generatedBucketName(stackName: string, logicalId: string): string {
  const readable = `${stackName}-${logicalId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return stableName(stackName, logicalId, readable, readable.length >= 3, BUCKET_NAME_MAX_LENGTH);
}

/**
 * `readable` and `suffix` when `readable` is valid as it is (`keep`) and they fit in `maxLength`; else, as
 * CloudFormation does with a name too long, a readable prefix cut to fit and a suffix, here a hash of the stack name
 * and logical id instead of a random one: every start finds the resource (and its data) of the last, and resources
 * whose names share the cut prefix stay apart. Then `suffix`, which a queue's type needs (`.fifo`).
 */
function stableName(
  stackName: string,
  logicalId: string,
  readable: string,
  keep: boolean,
  maxLength: number,
  suffix = '',
): string {
  if (keep && readable.length + suffix.length <= maxLength) return `${readable}${suffix}`;
  const hash = createHash('sha256').update(`${stackName}\0${logicalId}`).digest('hex').slice(0, NAME_HASH_LENGTH);
  const prefix = readable.slice(0, maxLength - suffix.length - NAME_HASH_LENGTH - 1).replace(/-+$/, '');
  return `${prefix === '' ? hash : `${prefix}-${hash}`}${suffix}`;
}

/** A stable id in the shape API Gateway gives (10 lowercase characters) from a logical id. */
function localId(logicalId: string): string {
  return logicalId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 10)
    .padEnd(10, '0');
}
