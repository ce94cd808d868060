import { join } from 'node:path';
import { startRunner } from '../stop-stack';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSEvent } from 'aws-lambda';
import { lockDataDir } from '../data-dir-lock';
import { DYNAMODB_DIR, SQS_DIR } from '../local-runner';
import { inspectQueueMessages } from '../inspect-queue';
import { startDynamoDbEmulator } from '../dynamodb-emulator';
import { EMULATOR_ACCOUNT_ID, startSqsEmulator } from '../sqs-emulator';
import { emulatorClientConfig } from '../local-aws-config';
import { startSqsPoller } from '../sqs-poller';
import { toSqsEventRecord } from '../sqs-event-records';
import { createLambdaContext } from '../lambda-context';
import { watchDeadLetterQueue } from '../dead-letter-watcher';
import { GatewayIntegration, IntegrationConfigurationError, startGatewayServer } from '../gateway-server';
import { decodePath, GatewayStage } from '../api-gateway-event';
import { sqsSendMessageIntegration } from '../sqs-service-integration';
import { readAssemblyStack } from './cloud-assembly';
import { CfnTemplate, CfnType, property, resourcesOfType } from './cloud-template';
import { resolveValue } from './intrinsics';
import { CallGuard, startCallGuard } from './aws-call-guard';
import { readTemplatePolicies, TemplatePolicies } from './template-policies';
import { LocalCloud, referencedLogicalId, TemplateResources } from './template-resources';
import { functionSpec, templateFunctions } from './template-functions';
import { LambdaProcess, startLambdaProcess } from './lambda-process';
import { matchResourcePath, readTemplateApi, TemplateApi, TemplateMethod } from './template-api';
import { apiInvokePermitted } from './lambda-permissions';
import { queueAttributes, tableDefinition } from './template-storage';

/** Lambda's lowest maximum concurrency for an SQS event source, used when the mapping sets none. */
const FIFO_DEFAULT_CONCURRENCY = 2;
/** Under the data folder, one folder per stack: never mixed with npm start's queues and table. */
export const APP_DATA_SUBDIR = 'app';

export interface AppRunnerOptions {
  /** The cloud assembly folder (`cdk.out`). */
  readonly assemblyDir: string;
  readonly stackName?: string;
  readonly host: string;
  readonly port: number;
  /** The stack's queues and tables are kept in `<dataDir>/<stack name>`. */
  readonly dataDir: string;
  readonly logger: Logger;
}

export interface AppRunner {
  readonly stackName: string;
  /** `http://127.0.0.1:<port>`: the API's methods are under it, without the stage (as in npm start). */
  readonly gatewayOrigin: string;
  /** The resource paths of the API's methods (`POST /{secret}/fluent/{route+}` with the secret). */
  readonly methods: readonly { readonly httpMethod: string; readonly resourcePath: string }[];
  readonly ingress: 'verify-first' | 'queue-first' | 'none';
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  /** Queue URLs (at the emulator itself, past the IAM guards) by logical id. */
  readonly queues: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<string, string>>;
  readonly functions: Readonly<Record<string, { handler: string; timeoutSeconds: number; memorySizeMb: number }>>;
  /** Things about the template the person starting the runner should know. */
  readonly notices: readonly string[];
  /** Stops everything; resolves with the messages left in each queue, kept in the data folder for the next start. */
  stop(): Promise<Record<string, number>>;
}

/**
 * `fluent-webhook local --app`: runs what a synthesized template describes, on 127.0.0.1. Queues, tables and buckets
 * are created in the emulators as the template defines them, each function's bundle runs in its own Node.js process
 * with its handler, timeout, memory and resolved environment, every SQS, DynamoDB and S3 call passes an IAM guard that
 * applies the template's policies, the event source mappings poll as configured, and the API is built from the
 * template's resources, methods, integrations, stage and gateway responses.
 */
export async function startAppRunner(options: AppRunnerOptions): Promise<AppRunner> {
  const { host, logger } = options;
  const stack = readAssemblyStack(options.assemblyDir, options.stackName);
  const { template } = stack;
  return startRunner(logger, 'app runner', async (stopActions, saved) => {
    const dataDir = join(options.dataDir, stack.stackName);
    const lock = lockDataDir(dataDir);
    stopActions.push(async () => lock.release());
    const dynamoDb = await startDynamoDbEmulator({ host, path: join(dataDir, DYNAMODB_DIR) });
    stopActions.push(() => dynamoDb.stop());
    const sqs = await startSqsEmulator({ host, dataDir: join(dataDir, SQS_DIR) });
    stopActions.push(() => sqs.close());
    const cloud: LocalCloud = { stackName: stack.stackName, region: sqs.region, accountId: EMULATOR_ACCOUNT_ID };
    const restoredQueues = new Set(await sqs.queueNames());
    const resources = new TemplateResources(template, cloud, (name) => restoredQueues.has(name));
    for (const { logicalId, queueName } of resources.legacyQueues) {
      logger.warn('queue kept under its earlier name, which AWS would refuse (longer than 80 characters)', {
        queue: logicalId,
        queueName,
      });
    }
    const direct = resources.resolveContextFor(sqs.endpoint);
    const resolve = (value: unknown) => resolveValue(value, direct);

    const tables: Record<string, string> = {};
    for (const { logicalId, resource } of resourcesOfType(template, CfnType.TABLE)) {
      const definition = tableDefinition(logicalId, resource, resolve);
      await dynamoDb.createTable(definition);
      tables[logicalId] = String(definition.TableName);
    }
    for (const { logicalId } of resourcesOfType(template, CfnType.BUCKET)) {
      await sqs.createBucket(String(resolve({ Ref: logicalId })));
    }
    const queues: Record<string, string> = {};
    // Dead-letter queues first: a redrive policy names an existing queue.
    const ordered = [...resources.queues].sort(
      (a, b) => Number(hasRedrive(template, a.logicalId)) - Number(hasRedrive(template, b.logicalId)),
    );
    for (const queue of ordered) {
      const created = await sqs.createQueue(
        queue.queueName,
        queueAttributes(template.Resources![queue.logicalId]!, resolve),
      );
      queues[queue.logicalId] = created.queueUrl;
    }
    stopActions.push(async () => {
      for (const queue of resources.queues)
        saved[queue.queueName] = (await inspectQueueMessages(sqs.endpoint, queue.queueName)).length;
    });
    for (const dlq of deadLetterQueueNames(template, resolve, resources)) {
      const watcher = watchDeadLetterQueue(sqs.endpoint, dlq, logger);
      stopActions.push(async () => watcher.stop());
    }

    const policies = readTemplatePolicies(template, resolve, (reference) => resources.queue(reference)?.queueArn);
    const guards = new Map<string, Promise<CallGuard>>();
    const guardFor = (roleLogicalId: string | undefined): Promise<CallGuard> => {
      const key = roleLogicalId ?? '';
      let guard = guards.get(key);
      if (guard === undefined) {
        guard = startCallGuard({
          host,
          role: {
            logicalId: roleLogicalId ?? '(no role in the template)',
            roleArn:
              roleLogicalId === undefined
                ? 'arn:aws:iam::000000000000:role/unknown'
                : String(resolve({ 'Fn::GetAtt': [roleLogicalId, 'Arn'] })),
            identityPolicies: roleLogicalId === undefined ? [] : policies.identityPolicies(roleLogicalId),
          },
          sqsEndpoint: sqs.endpoint,
          dynamoDbEndpoint: dynamoDb.endpoint,
          region: cloud.region,
          accountId: cloud.accountId,
          resourcePolicy: policies.resourcePolicy,
          logger,
        });
        guards.set(key, guard);
        stopActions.push(async () => (await guard!).close());
      }
      return guard;
    };

    const processes = new Map<string, { process: LambdaProcess; roleLogicalId: string | undefined }>();
    const problems: string[] = [];
    for (const fn of templateFunctions(template)) {
      const guard = await guardFor(fn.roleLogicalId);
      try {
        const spec = functionSpec(
          fn,
          stack.assemblyDir,
          cloud,
          resources.resolveContextFor(guard.endpoint),
          guard.endpoint,
        );
        const started = startLambdaProcess(spec, logger);
        stopActions.push(() => started.stop());
        processes.set(fn.logicalId, { process: started, roleLogicalId: fn.roleLogicalId });
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (problems.length > 0) throw new Error(problems.join(' '));
    const processFor = (reference: string): LambdaProcess | undefined =>
      [...processes.values()].find(
        ({ process }) =>
          process.spec.logicalId === reference ||
          process.spec.functionName === reference ||
          process.spec.functionArn === reference,
      )?.process;

    for (const { logicalId, resource } of resourcesOfType(template, CfnType.EVENT_SOURCE_MAPPING)) {
      if (property(resource, 'Enabled') === false) continue;
      const queue = resources.queue(String(resolve(property(resource, 'EventSourceArn'))));
      const target = processFor(
        referencedLogicalId(property(resource, 'FunctionName')) ?? String(resolve(property(resource, 'FunctionName'))),
      );
      if (queue === undefined || target === undefined) {
        throw new Error(`Event source mapping ${logicalId} names a queue or function the template does not define.`);
      }
      const guard = await guardFor(processes.get(target.spec.logicalId)?.roleLogicalId);
      const scaling = property(resource, 'ScalingConfig') as { MaximumConcurrency?: number } | undefined;
      const sqsClient = new SQSClient(emulatorClientConfig(guard.endpoint, cloud.region));
      const poller = startSqsPoller({
        sqsClient,
        queueUrl: `${guard.endpoint}/${cloud.accountId}/${queue.queueName}`,
        queueArn: queue.queueArn,
        region: cloud.region,
        batchSize: Number(property(resource, 'BatchSize') ?? 10),
        reportBatchItemFailures: ((property(resource, 'FunctionResponseTypes') ?? []) as string[]).includes(
          'ReportBatchItemFailures',
        ),
        handler: (event: SQSEvent) => target.invoke(event) as Promise<void>,
        createContext: () => createLambdaContext({ ...target.spec, region: cloud.region, accountId: cloud.accountId }),
        toRecord: toSqsEventRecord,
        // A FIFO queue: batches per message group, concurrently up to the mapping's maximum, as Lambda does.
        ...(queue.queueName.endsWith('.fifo')
          ? { messageGroups: { maxConcurrency: Number(scaling?.MaximumConcurrency ?? FIFO_DEFAULT_CONCURRENCY) } }
          : {}),
        logger,
      });
      stopActions.push(async () => {
        await poller.stop();
        sqsClient.destroy();
      });
    }

    const api = readTemplateApi(template);
    let gatewayOrigin = '';
    let ingress: AppRunner['ingress'] = 'none';
    if (api !== undefined) {
      const apiId = String(resolve({ Ref: api.logicalId }));
      const stage: GatewayStage = { stage: api.stageName, apiId, accountId: cloud.accountId, pathSecret: '' };
      const routes: Array<{ method: TemplateMethod; integration: GatewayIntegration }> = [];
      for (const method of api.methods) {
        const integration = await methodIntegration(method, {
          api,
          apiId,
          stage,
          cloud,
          resolve,
          resources,
          template,
          policies,
          guardFor,
          processFor,
          logger,
        });
        ingress = 'handler' in integration ? 'verify-first' : 'queue-first';
        routes.push({ method, integration });
      }
      const gateway = await startGatewayServer({
        host,
        port: options.port,
        stage,
        logger,
        gatewayResponses: api.gatewayResponses,
        routeRequest: (rawUrl, httpMethod) => {
          const path = decodePath(rawUrl.split('?', 1)[0] ?? '');
          for (const { method, integration } of routes) {
            if (method.httpMethod !== httpMethod && method.httpMethod !== 'ANY') continue;
            const matched = matchResourcePath(method.resourcePath, path);
            if (matched !== undefined)
              return { match: { resource: method.resourcePath, path, route: matched.route }, integration };
          }
          return undefined;
        },
      });
      stopActions.push(() => gateway.close());
      gatewayOrigin = gateway.origin;
    }

    return {
      stackName: stack.stackName,
      gatewayOrigin,
      methods: (api?.methods ?? []).map(({ httpMethod, resourcePath }) => ({ httpMethod, resourcePath })),
      ingress,
      sqsEndpoint: sqs.endpoint,
      dynamoDbEndpoint: dynamoDb.endpoint,
      queues,
      tables,
      functions: Object.fromEntries(
        [...processes.values()].map(({ process: { spec } }) => [
          spec.logicalId,
          { handler: spec.handler, timeoutSeconds: spec.timeoutSeconds, memorySizeMb: spec.memorySizeMb },
        ]),
      ),
      // Only the roles something runs as: the API's logging role, say, is AWS's business.
      notices: policies.notEvaluated
        .filter(({ roleLogicalId }) => guards.has(roleLogicalId))
        .map(
          ({ roleLogicalId, policyArn }) =>
            `role ${roleLogicalId}: managed policy ${policyArn} is not in the template, so it grants nothing locally`,
        ),
    };
  });
}

interface IntegrationInputs {
  readonly api: TemplateApi;
  readonly apiId: string;
  readonly stage: GatewayStage;
  readonly cloud: LocalCloud;
  readonly resolve: (value: unknown) => unknown;
  readonly resources: TemplateResources;
  readonly template: CfnTemplate;
  readonly policies: TemplatePolicies;
  readonly guardFor: (roleLogicalId: string | undefined) => Promise<CallGuard>;
  readonly processFor: (reference: string) => LambdaProcess | undefined;
  readonly logger: Logger;
}

/**
 * A method's integration as the template defines it: a Lambda proxy (invoked only if an `AWS::Lambda::Permission`
 * lets API Gateway), or SQS through the integration's role, with the template's own mapping templates.
 */
async function methodIntegration(method: TemplateMethod, inputs: IntegrationInputs): Promise<GatewayIntegration> {
  const { integration } = method;
  const uri = String(inputs.resolve(integration.Uri));
  const type = String(integration.Type);
  if (type === 'AWS_PROXY' && /:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.test(uri)) {
    const functionArn = /functions\/(.+)\/invocations$/.exec(uri)![1]!;
    const target = inputs.processFor(functionArn);
    if (target === undefined)
      throw new Error(`Method ${method.logicalId} integrates a function the template does not define.`);
    const { cloud, apiId, stage, template, resolve, logger } = inputs;
    return {
      handler: async (event: APIGatewayProxyEvent) => {
        const sourceArn = `arn:aws:execute-api:${cloud.region}:${cloud.accountId}:${apiId}/${stage.stage}/${event.httpMethod}${event.path}`;
        if (!apiInvokePermitted(template, resolve, target.spec, sourceArn, cloud.accountId)) {
          logger.error('Execution failed due to configuration error: Invalid permissions on Lambda function', {
            function: target.spec.logicalId,
            missing: `an AWS::Lambda::Permission for apigateway.amazonaws.com to lambda:InvokeFunction whose SourceArn matches ${event.httpMethod} on this resource`,
          });
          throw new IntegrationConfigurationError('Invalid permissions on Lambda function');
        }
        return (await target.invoke(event)) as APIGatewayProxyResult;
      },
      createContext: () => createLambdaContext({ ...target.spec, region: cloud.region, accountId: cloud.accountId }),
    };
  }
  const sqsPath = /:sqs:path\/[^/]+\/(.+)$/.exec(uri);
  if (type === 'AWS' && sqsPath !== null) {
    const queue = inputs.resources.queue(`/${sqsPath[1]}`);
    const roleLogicalId = referencedLogicalId(integration.Credentials);
    if (queue === undefined || roleLogicalId === undefined) {
      throw new Error(
        `Method ${method.logicalId} sends to SQS without a queue and a role (Credentials) of the template.`,
      );
    }
    if (integration.PassthroughBehavior !== 'NEVER') {
      throw new Error(`Method ${method.logicalId}: only PassthroughBehavior NEVER is run locally.`);
    }
    const guard = await inputs.guardFor(roleLogicalId);
    const responses = (integration.IntegrationResponses ?? []) as Array<{
      SelectionPattern?: string;
      StatusCode: string;
      ResponseTemplates?: Record<string, string>;
    }>;
    return {
      serviceIntegration: sqsSendMessageIntegration({
        sqsClient: new SQSClient({ ...emulatorClientConfig(guard.endpoint, inputs.cloud.region), maxAttempts: 1 }),
        queueUrl: `${guard.endpoint}/${inputs.cloud.accountId}/${queue.queueName}`,
        stage: inputs.stage,
        mapping: {
          requestTemplates: (integration.RequestTemplates ?? {}) as Record<string, string>,
          responses: responses.map((response) => ({
            ...(response.SelectionPattern === undefined ? {} : { selectionPattern: response.SelectionPattern }),
            statusCode: Number(response.StatusCode),
            template: response.ResponseTemplates?.['application/json'] ?? '',
          })),
        },
      }),
    };
  }
  throw new Error(`Method ${method.logicalId}: a ${type} integration with ${uri} is not run locally.`);
}

function hasRedrive(template: CfnTemplate, logicalId: string): boolean {
  return template.Resources?.[logicalId]?.Properties?.RedrivePolicy !== undefined;
}

/** The queues some redrive policy moves messages to: watched, so a dead-lettered event shows in the log. */
function deadLetterQueueNames(
  template: CfnTemplate,
  resolve: (value: unknown) => unknown,
  resources: TemplateResources,
): string[] {
  return resourcesOfType(template, CfnType.QUEUE).flatMap(({ resource }) => {
    const redrive = resolve(property(resource, 'RedrivePolicy')) as { deadLetterTargetArn?: string } | undefined;
    const target =
      redrive?.deadLetterTargetArn === undefined ? undefined : resources.queue(redrive.deadLetterTargetArn);
    return target === undefined ? [] : [target.queueName];
  });
}
