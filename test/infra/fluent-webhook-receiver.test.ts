import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { pathSecretFingerprint } from '../../lambdas/core/path-secret-fingerprint';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhookReceiver, FluentWebhookReceiverProps } from '../../lib/receiver/fluent-webhook-receiver';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';

const SECRET = 'Zq3xV9-kT_4mWp7sLr2YbN8cHd5FgJ6a';
/** The secret a rotation adds next to {@link SECRET}. */
const NEW_SECRET = 'newSecret_Wq8Lp2Xv7Tn4Rb9Mk3Hc6Jd5Fg';
const settings = parseReceiverSettings({
  publicKeys: testKeyPair(1024, 'receiver-infra').publicKeyBase64,
  accountIds: 'ACME,BETA',
  retailerIds: '1',
});

/** The consumer's role as a receiver built alone is told it: the queues' policies deny reading to everyone else. */
const CONSUMER_ROLE = 'arn:aws:iam::123456789012:role/fluent-webhooks-consumer';

/**
 * A stack holding one receiver, whose queues the consumer's role may read; template tests skip esbuild and the
 * built-in CloudFormation validation (speed).
 */
function receiverStack(props: Partial<FluentWebhookReceiverProps> = {}) {
  const app = tempApp();
  const stack = new Stack(app, 'ReceiverTest');
  const secret = 'pathSecrets' in props ? {} : { pathSecret: SECRET };
  const receiver = new FluentWebhookReceiver(stack, 'Receiver', { settings, ...secret, ...props });
  receiver.allowReadingFromQueue(CONSUMER_ROLE);
  return { app, stack, receiver, template: Template.fromStack(stack) };
}

/**
 * Where in the template a string occurs, as paths like `Resources.<id>.Properties.PathPart`: keys (logical ids
 * included) and values alike.
 */
function placesOf(template: Template, needle: string): string[] {
  const places: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      if (node.includes(needle)) places.push(path);
    } else if (Array.isArray(node)) {
      node.forEach((child, index) => walk(child, `${path}[${index}]`));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key.includes(needle)) places.push(`${path}.<key ${key}>`);
        walk(child, `${path}.${key}`);
      }
    }
  };
  walk(template.toJSON(), '$');
  return places;
}

/** The web ACL statements that admit a path prefix, and POST. */
function uriPrefixMatch(searchString: string) {
  return {
    ByteMatchStatement: {
      FieldToMatch: { UriPath: {} },
      PositionalConstraint: 'STARTS_WITH',
      SearchString: searchString,
      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
    },
  };
}
const POST_MATCH = {
  ByteMatchStatement: {
    FieldToMatch: { Method: {} },
    PositionalConstraint: 'EXACTLY',
    SearchString: 'POST',
    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
  },
};

/** The logical id of each API resource, keyed by its path from the root (`/<secret>/fluent/{route+}`). */
function resourceIdsByPath(template: Template): Record<string, string> {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const pathOf = (id: string): string => {
    const { PathPart, ParentId } = resources[id]?.Properties as { PathPart: string; ParentId: { Ref?: string } };
    return `${ParentId.Ref === undefined ? '' : pathOf(ParentId.Ref)}/${PathPart}`;
  };
  return Object.fromEntries(Object.keys(resources).map((id) => [pathOf(id), id]));
}

/** `{ Ref: <logical id> }` of a construct's CloudFormation resource (one the mode under test must have). */
function refOf(stack: Stack, construct: IConstruct | undefined): { Ref: string } {
  if (construct === undefined) throw new Error('The receiver has no such construct in this mode.');
  const element = (construct.node.defaultChild ?? construct) as unknown as { logicalId: string };
  return { Ref: stack.resolve(element.logicalId) as string };
}
function arnOf(stack: Stack, construct: IConstruct | undefined): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [refOf(stack, construct).Ref, 'Arn'] };
}

describe('Class: FluentWebhookReceiver', () => {
  const { stack, receiver, template } = receiverStack({ environmentName: 'production' });
  const api = refOf(stack, receiver.api);

  describe('API Gateway', () => {
    it('is one regional REST API that passes every body to the Lambda as bytes', () => {
      // Assess
      template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: 'fluent-webhooks-production',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        BinaryMediaTypes: ['*/*'],
      });
    });

    it('has exactly the resources /{secret}/fluent/{route+}, each under the one before', () => {
      // Assess
      const resources = Object.entries(template.findResources('AWS::ApiGateway::Resource'));
      expect(resources).toHaveLength(3);
      const byPart = Object.fromEntries(
        resources.map(([id, resource]) => [
          resource.Properties.PathPart as string,
          { id, parent: resource.Properties.ParentId },
        ]),
      );
      expect(Object.keys(byPart).sort()).toEqual([SECRET, 'fluent', '{route+}'].sort());
      expect(byPart[SECRET]?.parent).toEqual({ 'Fn::GetAtt': [api.Ref, 'RootResourceId'] });
      expect(byPart.fluent?.parent).toEqual({ Ref: byPart[SECRET]?.id });
      expect(byPart['{route+}']?.parent).toEqual({ Ref: byPart.fluent?.id });
    });

    it('has exactly one method: POST on {route+}, authorization NONE, a Lambda proxy integration to the receiver', () => {
      // Assess
      template.resourceCountIs('AWS::ApiGateway::Method', 1);
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        AuthorizationType: 'NONE',
        ResourceId: refOf(stack, receiver.webhookResource),
        RestApiId: api,
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: { 'Fn::Join': ['', Match.arrayWith([arnOf(stack, receiver.receiverFunction), '/invocations'])] },
        },
      });
    });

    it('lets API Gateway invoke the Lambda only for POSTs to this API on the deployed stage, with no secret in the statement', () => {
      // Assess
      template.resourceCountIs('AWS::Lambda::Permission', 1);
      const [permission] = Object.values(template.findResources('AWS::Lambda::Permission'));
      expect(permission?.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: arnOf(stack, receiver.receiverFunction),
      });
      const sourceArn = permission?.Properties.SourceArn['Fn::Join'][1] as unknown[];
      expect(sourceArn).toContainEqual(api);
      expect(sourceArn.at(-2)).toEqual(refOf(stack, receiver.api.deploymentStage));
      expect(sourceArn.at(-1)).toBe('/POST/*');
    });

    it('throttles the stage, logs execution errors without data, and writes JSON access logs without the path', () => {
      // Assess
      template.resourceCountIs('AWS::ApiGateway::Stage', 1);
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'webhooks',
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: 500,
            ThrottlingBurstLimit: 1000,
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          },
        ],
        AccessLogSetting: { DestinationArn: arnOf(stack, receiver.accessLogGroup), Format: Match.anyValue() },
      });
      const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
      const format = stage?.Properties.AccessLogSetting.Format as string;
      expect(JSON.parse(format)).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        sourceIp: '$context.identity.sourceIp',
      });
      expect(format).not.toMatch(/\$context\.(path|resourcePath)/);
    });

    it('answers unknown paths and methods itself with a JSON 404, and other refusals in the same JSON shape', () => {
      // Assess
      template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 3);
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
        StatusCode: '404',
        ResponseTemplates: {
          'application/json': '{"error":"not-found","message":"No such endpoint.","requestId":"$context.requestId"}',
        },
      });
      for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
        template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
          ResponseType: type,
          StatusCode: Match.absent(),
          ResponseTemplates: {
            'application/json': Match.stringLikeRegexp('"message":\\$context\\.error\\.messageString'),
          },
        });
      }
    });

    it('sets up the account role API Gateway writes execution logs with, and keeps it', () => {
      // Assess
      template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
    });

    it('holds the secret only as the path part of its resource: no logical id, output, permission or log format has it', () => {
      // Assess
      const [secretResourceId] =
        Object.entries(template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: SECRET } }))[0] ??
        [];
      expect(placesOf(template, SECRET)).toEqual([`$.Resources.${secretResourceId}.Properties.PathPart`]);
      expect(secretResourceId).toContain(`Secret${pathSecretFingerprint(SECRET)}`);
      expect(stack.resolve(receiver.webhookUrlTemplate)).toEqual({
        'Fn::Join': ['', expect.arrayContaining(['/<secret>/fluent/<route>'])],
      });
      expect(receiver.pathSecretFingerprints).toEqual([pathSecretFingerprint(SECRET)]);
    });
  });

  describe('verifying Lambda', () => {
    it('runs Node.js 24 on arm64 with its own role and log group, 512 MB, 10 s, no reserved concurrency', () => {
      // Assess
      template.resourceCountIs('AWS::Lambda::Function', 1);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 10,
        Role: arnOf(stack, receiver.receiverRole),
        LoggingConfig: { LogGroup: refOf(stack, receiver.receiverLogGroup) },
        ReservedConcurrentExecutions: Match.absent(),
      });
    });

    it('gets its settings, the queue URL, the environment name and source maps through its environment', () => {
      // Assess
      const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]?.Properties.Environment
        .Variables;
      expect(variables).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        FLUENT_PUBLIC_KEYS: settings.publicKeys[0]?.spkiBase64,
        SIGNATURE_POLICY: 'prefer-sha512',
        FLUENT_ACCOUNT_IDS: 'ACME,BETA',
        FLUENT_RETAILER_IDS: '1',
        UNHANDLED_EVENTS: 'ignore',
        IDEMPOTENCY_EXPIRY_SECONDS: '1296000',
        ENVIRONMENT_NAME: 'production',
        QUEUE_URL: refOf(stack, receiver.queue),
      });
    });

    it('keeps its log groups (Lambda, access, execution) for a month and when the stack is deleted', () => {
      // Assess
      template.resourceCountIs('AWS::Logs::LogGroup', 3);
      template.allResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    });

    it("creates the stage's execution log group under API Gateway's own name before the stage, so it has a retention", () => {
      // Assess
      const executionLogGroupId = refOf(stack, receiver.executionLogGroup).Ref;
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', refOf(stack, receiver.api), '/webhooks']] },
        RetentionInDays: 30,
      });
      template.hasResource('AWS::ApiGateway::Stage', { DependsOn: Match.arrayWith([executionLogGroupId]) });
    });

    it('may only write its own logs and send messages to its own queue', () => {
      // Assess
      const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes(refOf(stack, receiver.receiverRole).Ref),
      );
      expect(policies.map((policy) => policy.Properties.PolicyDocument)).toEqual([
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: arnOf(stack, receiver.receiverLogGroup),
            },
            { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack, receiver.queue) },
          ],
        },
      ]);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        },
        ManagedPolicyArns: Match.absent(),
        Policies: Match.absent(),
      });
    });

    it('grants nothing on a wildcard resource anywhere in the stack', () => {
      // Assess
      const documents = [
        ...Object.values(template.findResources('AWS::IAM::Policy')).map((policy) => policy.Properties.PolicyDocument),
        ...Object.values(template.findResources('AWS::SQS::QueuePolicy'))
          .map((policy) => policy.Properties.PolicyDocument)
          .map((document) => ({
            Statement: document.Statement.filter((statement: { Effect: string }) => statement.Effect === 'Allow'),
          })),
      ];
      const resources = documents.flatMap((document) =>
        document.Statement.flatMap((statement: { Resource: unknown }) => [statement.Resource].flat()),
      );
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.filter((resource) => typeof resource === 'string' && resource.includes('*'))).toEqual([]);
    });
  });

  describe('queues', () => {
    it('encrypts the queue, refuses non-TLS requests, carries 1 MiB for 14 days, and is ready for a 30 s consumer', () => {
      // Assess
      template.resourceCountIs('AWS::SQS::Queue', 2);
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MaximumMessageSize: 1048576,
        MessageRetentionPeriod: 1209600,
        VisibilityTimeout: 180,
        RedrivePolicy: { deadLetterTargetArn: arnOf(stack, receiver.deadLetterQueue as sqs.Queue), maxReceiveCount: 5 },
      });
    });

    it('gives the dead-letter queue the same protections', () => {
      // Assess
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MaximumMessageSize: 1048576,
        MessageRetentionPeriod: 1209600,
        RedrivePolicy: Match.absent(),
      });
      for (const queue of [receiver.queue, receiver.deadLetterQueue as sqs.Queue]) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [refOf(stack, queue)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Action: 'sqs:*',
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                Resource: arnOf(stack, queue),
              },
            ]),
          },
        });
      }
    });
  });

  describe('who may send', () => {
    it('denies sqs:SendMessage on the queue to every principal but the verifying Lambda', () => {
      // Assess
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [refOf(stack, receiver.queue)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'OnlyTheReceiverSends',
              Action: 'sqs:SendMessage',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Resource: arnOf(stack, receiver.queue),
              Condition: { ArnNotLike: { 'aws:PrincipalArn': [arnOf(stack, receiver.receiverRole)] } },
            },
          ]),
        },
      });
    });

    it('denies sqs:SendMessage on the dead-letter queue to every principal (SQS moves messages there itself)', () => {
      // Assess
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [refOf(stack, receiver.deadLetterQueue as sqs.Queue)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'NobodySendsToTheDeadLetterQueue',
              Action: 'sqs:SendMessage',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Resource: arnOf(stack, receiver.deadLetterQueue as sqs.Queue),
            },
          ]),
        },
      });
    });

    it('lets the redrive operators listed in queueSenderArns, and senders added later, send to the queue', () => {
      // Act
      const operator = 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*Operations*';
      const built = { stack: new Stack(tempApp(), 'SendersTest') } as { stack: Stack; receiver: FluentWebhookReceiver };
      built.receiver = new FluentWebhookReceiver(built.stack, 'Receiver', {
        settings,
        pathSecret: SECRET,
        queueSenderArns: [operator],
        queueReaderArns: [CONSUMER_ROLE],
      });
      built.receiver.allowSendingToQueue('arn:aws:iam::123456789012:role/apigateway-to-sqs');

      // Assess
      Template.fromStack(built.stack).hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'OnlyTheReceiverSends',
              Condition: {
                ArnNotLike: {
                  'aws:PrincipalArn': [
                    arnOf(built.stack, built.receiver.receiverRole),
                    operator,
                    'arn:aws:iam::123456789012:role/apigateway-to-sqs',
                  ],
                },
              },
            }),
          ]),
        },
      });
    });

    it('lets only the source queue redrive into the dead-letter queue when the queue has a name', () => {
      // Act
      const named = receiverStack({ queueProps: { queueName: 'fluent-webhooks-prod' } }).template;

      // Assess
      const [allow] = Object.values(named.findResources('AWS::SQS::Queue'))
        .map((queue) => queue.Properties.RedriveAllowPolicy)
        .filter((policy) => policy !== undefined);
      expect(allow).toEqual({ redrivePermission: 'byQueue', sourceQueueArns: [expect.anything()] });
      expect(JSON.stringify(allow.sourceQueueArns[0])).toMatch(/:sqs:.*:fluent-webhooks-prod"\]\]\}$/);
      expect(
        Object.values(template.findResources('AWS::SQS::Queue')).map((q) => q.Properties.RedriveAllowPolicy),
      ).toEqual([undefined, undefined]);
    });

    it('keeps both queues when the stack is deleted, unless told otherwise', () => {
      // Act
      const throwaway = receiverStack({
        queueProps: { removalPolicy: RemovalPolicy.DESTROY },
        deadLetterQueueProps: { removalPolicy: RemovalPolicy.DESTROY },
      }).template;

      // Assess
      expect(Object.values(template.findResources('AWS::SQS::Queue')).map((queue) => queue.DeletionPolicy)).toEqual([
        'Retain',
        'Retain',
      ]);
      expect(Object.values(throwaway.findResources('AWS::SQS::Queue')).map((queue) => queue.DeletionPolicy)).toEqual([
        'Delete',
        'Delete',
      ]);
    });
  });

  describe('who may read', () => {
    const readStatement = (queue: sqs.IQueue, readers: unknown[]) => ({
      Queues: [refOf(stack, queue as sqs.Queue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'OnlyTheConsumerReads',
            Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: arnOf(stack, queue as sqs.Queue),
            Condition: { ArnNotLike: { 'aws:PrincipalArn': readers } },
          },
        ]),
      },
    });

    it('denies receiving, hiding and deleting messages on both queues to every principal but the readers', () => {
      // Assess
      template.hasResourceProperties('AWS::SQS::QueuePolicy', readStatement(receiver.queue, [CONSUMER_ROLE]));
      template.hasResourceProperties(
        'AWS::SQS::QueuePolicy',
        readStatement(receiver.deadLetterQueue as sqs.Queue, [CONSUMER_ROLE]),
      );
    });

    it('lets the redrive roles listed in queueReaderArns read both queues too', () => {
      // Act
      const operator = 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*Operations*';
      const built = receiverStack({ queueReaderArns: [operator] });

      // Assess
      const readers = Object.values(built.template.findResources('AWS::SQS::QueuePolicy')).map(
        (policy) =>
          (policy.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Condition?: unknown }>).find(
            (statement) => statement.Sid === 'OnlyTheConsumerReads',
          )?.Condition,
      );
      expect(readers).toEqual([
        { ArnNotLike: { 'aws:PrincipalArn': [operator, CONSUMER_ROLE] } },
        { ArnNotLike: { 'aws:PrincipalArn': [operator, CONSUMER_ROLE] } },
      ]);
    });

    it('fails synthesis, naming the fix, when nobody may read the queues', () => {
      // Prepare
      const stack = new Stack(tempApp(), 'NoReaderTest');
      new FluentWebhookReceiver(stack, 'Receiver', { settings, pathSecret: SECRET });

      // Act & Assess
      expect(() => Template.fromStack(stack)).toThrow(
        /Nobody may read the queue[\s\S]*receiver\.allowReadingFromQueue\(consumer\.consumerRole\.roleArn\)/,
      );
    });
  });

  it('sets no web ACL unless asked', () => {
    // Assess
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it('passes cdk-nag AwsSolutions, acknowledging only the findings its design answers, each with its reason', () => {
    // Prepare
    const { app, stack: nagged } = receiverStack();

    // Act
    const findings = unacknowledgedNagFindings(app);

    // Assess
    expect(findings).toEqual([]);
    const acknowledgedOn = (construct: IConstruct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        // Keys carry the rule kind first (`Annotation::AwsSolutions-APIG4`).
        .map(([key, reason]) => ({ id: key.slice(key.indexOf('::') + 2), reason }));
    const acknowledged = nagged.node.findAll().flatMap(acknowledgedOn);
    expect(acknowledged.map((rule) => rule.id).sort()).toEqual(
      [
        'AwsSolutions-APIG2',
        'AwsSolutions-APIG3',
        'AwsSolutions-APIG4',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      ].sort(),
    );
    for (const rule of acknowledged) expect(rule.reason.length).toBeGreaterThan(60);
    expect(acknowledgedOn(nagged)).toEqual([]);
  });
});

describe('Class: FluentWebhookReceiver with several path secrets (a rotation)', () => {
  const { app, stack, receiver, template } = receiverStack({ pathSecrets: [NEW_SECRET, SECRET], enableWaf: true });
  const fingerprints = [pathSecretFingerprint(NEW_SECRET), pathSecretFingerprint(SECRET)];

  it('has exactly /{secret}/fluent/{route+} for each secret, under the root', () => {
    // Assess
    expect(Object.keys(resourceIdsByPath(template)).sort()).toEqual(
      [
        `/${NEW_SECRET}`,
        `/${NEW_SECRET}/fluent`,
        `/${NEW_SECRET}/fluent/{route+}`,
        `/${SECRET}`,
        `/${SECRET}/fluent`,
        `/${SECRET}/fluent/{route+}`,
      ].sort(),
    );
    for (const secret of [NEW_SECRET, SECRET]) {
      template.hasResourceProperties('AWS::ApiGateway::Resource', {
        PathPart: secret,
        ParentId: { 'Fn::GetAtt': [refOf(stack, receiver.api).Ref, 'RootResourceId'] },
      });
    }
  });

  it('has exactly one method per secret: POST on its {route+}, authorization NONE, into the one verifying Lambda', () => {
    // Assess
    const routeIds = resourceIdsByPath(template);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((method) => method.Properties.ResourceId)).toEqual([
      { Ref: routeIds[`/${NEW_SECRET}/fluent/{route+}`] },
      { Ref: routeIds[`/${SECRET}/fluent/{route+}`] },
    ]);
    for (const method of methods) {
      expect(method.Properties).toMatchObject({
        HttpMethod: 'POST',
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: { 'Fn::Join': ['', expect.arrayContaining([arnOf(stack, receiver.receiverFunction), '/invocations'])] },
        },
      });
    }
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(receiver.webhookMethods.map((method) => refOf(stack, method))).toEqual(
      Object.keys(template.findResources('AWS::ApiGateway::Method')).map((id) => ({ Ref: id })),
    );
    expect(refOf(stack, receiver.webhookResource)).toEqual({ Ref: routeIds[`/${NEW_SECRET}/fluent/{route+}`] });
  });

  it('lets API Gateway invoke the Lambda through one stage-scoped permission for both', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    const [permission] = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect((permission?.Properties.SourceArn['Fn::Join'][1] as unknown[]).at(-1)).toBe('/POST/*');
  });

  it('admits POSTs under either secret through the web ACL, still rate-limited first', () => {
    // Assess
    const rules = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0]?.Properties.Rules as Array<{
      Name: string;
      Statement: unknown;
    }>;
    expect(rules.map((rule) => rule.Name)).toEqual(['RateLimitPerSourceIp', 'AllowSecretWebhookPath']);
    expect(rules[1]?.Statement).toEqual({
      AndStatement: {
        Statements: [
          {
            OrStatement: {
              Statements: [
                uriPrefixMatch(`/webhooks/${NEW_SECRET}/fluent/`),
                uriPrefixMatch(`/webhooks/${SECRET}/fluent/`),
              ],
            },
          },
          POST_MATCH,
        ],
      },
    });
  });

  it.each([
    ['the new secret', NEW_SECRET],
    ['the old secret', SECRET],
  ])('holds %s only as the path part of its resource and in the web ACL match', (_case, secret) => {
    // Assess
    const [resourceId] = Object.keys(
      template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: secret } }),
    );
    const [webAclId] = Object.keys(template.findResources('AWS::WAFv2::WebACL'));
    const position = secret === NEW_SECRET ? 0 : 1;
    expect(placesOf(template, secret)).toEqual([
      `$.Resources.${resourceId}.Properties.PathPart`,
      `$.Resources.${webAclId}.Properties.Rules[0].Statement.RateBasedStatement.ScopeDownStatement.OrStatement.Statements[${position}].ByteMatchStatement.SearchString`,
      `$.Resources.${webAclId}.Properties.Rules[1].Statement.AndStatement.Statements[0].OrStatement.Statements[${position}].ByteMatchStatement.SearchString`,
    ]);
  });

  it("names each tree by its secret's fingerprint and exposes the fingerprints in order, current first", () => {
    // Assess
    expect(receiver.pathSecretFingerprints).toEqual(fingerprints);
    const routeIds = resourceIdsByPath(template);
    expect(routeIds[`/${NEW_SECRET}`]).toContain(`Secret${fingerprints[0]}`);
    expect(routeIds[`/${SECRET}`]).toContain(`Secret${fingerprints[1]}`);
  });

  it("keeps each secret's logical ids while other secrets are added and removed, so a rotation never replaces a live path", () => {
    // Prepare: before (old only), during (this stack), after (new only).
    const before = resourceIdsByPath(receiverStack({ pathSecret: SECRET }).template);
    const after = resourceIdsByPath(receiverStack({ pathSecrets: [NEW_SECRET] }).template);
    const during = resourceIdsByPath(template);

    // Assess
    const treeOf = (ids: Record<string, string>, secret: string) =>
      Object.entries(ids).filter(([path]) => path.startsWith(`/${secret}`));
    expect(treeOf(during, SECRET)).toEqual(treeOf(before, SECRET));
    expect(treeOf(during, NEW_SECRET)).toEqual(treeOf(after, NEW_SECRET));
    expect(treeOf(before, SECRET)).toHaveLength(3);
    expect(treeOf(after, NEW_SECRET)).toHaveLength(3);
  });

  it('passes cdk-nag AwsSolutions with both methods acknowledged', () => {
    // Act & Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });
});

describe('Class: FluentWebhookReceiver options', () => {
  it('applies throttling, retention, reserved concurrency and the consumer timeout it is given', () => {
    // Act
    const { template } = receiverStack({
      throttlingRateLimit: 5,
      throttlingBurstLimit: 10,
      logRetention: logs.RetentionDays.ONE_WEEK,
      receiverFunctionProps: { reservedConcurrentExecutions: 20, memorySize: 1024 },
      consumerTimeout: Duration.seconds(45),
      maxReceiveCount: 3,
      stageName: 'fluent',
      apiGatewayCloudWatchRole: false,
    });

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'fluent',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })],
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 20,
      MemorySize: 1024,
      Runtime: 'nodejs24.x',
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 270,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('lets the Lambda use a customer-managed queue key for sending, and nothing more on it', () => {
    // Prepare
    const app = tempApp();
    const stack = new Stack(app, 'KeyTest');
    const key = new kms.Key(stack, 'QueueKey', { enableKeyRotation: true });

    // Act
    const receiver = new FluentWebhookReceiver(stack, 'Receiver', {
      settings,
      pathSecret: SECRET,
      queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key },
      queueReaderArns: [CONSUMER_ROLE],
    });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: arnOf(stack, key),
      RedrivePolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [refOf(stack, receiver.receiverRole)],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack, receiver.queue) },
          { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: arnOf(stack, key) },
        ],
      },
    });
  });

  it('sends to an existing queue without creating queues of its own', () => {
    // Prepare
    const app = tempApp();
    const stack = new Stack(app, 'ExistingQueueTest');
    const queue = sqs.Queue.fromQueueArn(stack, 'Existing', 'arn:aws:sqs:eu-west-1:123456789012:my-webhooks');

    // Act
    const receiver = new FluentWebhookReceiver(stack, 'Receiver', {
      settings,
      pathSecret: SECRET,
      existingQueueObj: queue,
    });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 0);
    expect(receiver.deadLetterQueue).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:123456789012:my-webhooks' },
        ]),
      },
    });
  });

  it('puts a web ACL on the stage that admits POSTs under the secret path and rate-limits each source IP', () => {
    // Act
    const { app, stack, receiver, template } = receiverStack({ enableWaf: true, wafRateLimit: 2000 });

    // Assess
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Block: {} },
      Rules: [
        {
          Name: 'RateLimitPerSourceIp',
          Priority: 0,
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              Limit: 2000,
              AggregateKeyType: 'IP',
              EvaluationWindowSec: 300,
              // Only requests carrying the secret path count, so traffic without it cannot use up Fluent's allowance.
              ScopeDownStatement: uriPrefixMatch(`/webhooks/${SECRET}/fluent/`),
            },
          },
          VisibilityConfig: Match.objectLike({ SampledRequestsEnabled: false }),
        },
        {
          Name: 'AllowSecretWebhookPath',
          Priority: 1,
          Action: { Allow: {} },
          Statement: {
            AndStatement: {
              Statements: [uriPrefixMatch(`/webhooks/${SECRET}/fluent/`), POST_MATCH],
            },
          },
          VisibilityConfig: Match.objectLike({ SampledRequestsEnabled: false }),
        },
      ],
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: arnOf(stack, receiver.firewall?.webAcl as IConstruct),
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith(['/stages/', refOf(stack, receiver.api.deploymentStage)])] },
    });
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it('leaves the dead-letter queue out when asked', () => {
    // Act
    const { template, receiver } = receiverStack({ deployDeadLetterQueue: false });

    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.absent() });
    expect(receiver.deadLetterQueue).toBeUndefined();
  });
});

describe('Function: validateFluentWebhookReceiverProps (through the constructor)', () => {
  const build = (props: Partial<FluentWebhookReceiverProps>) => () => receiverStack(props);
  const existing = (stack: Stack) => sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:eu-west-1:123456789012:q');

  it.each<[string, Partial<FluentWebhookReceiverProps>, RegExp]>([
    ['a missing secret', { pathSecret: '' }, /pathSecret is missing.*Run `npx fluent-webhook secret`/],
    [
      'a short secret',
      { pathSecret: 'short-secret' },
      /pathSecret is 12 characters; use at least 32\. Run `npx fluent-webhook secret`/,
    ],
    [
      'a secret that is not URL-safe',
      { pathSecret: `${'a'.repeat(32)}/..` },
      /pathSecret may hold only the URL-safe characters/,
    ],
    [
      'a secret too long for the WAF rule',
      { pathSecret: 'a'.repeat(129) },
      /pathSecret is 129 characters; use at most 128/,
    ],
    [
      'a comma-separated list as pathSecret',
      { pathSecret: `${SECRET},${NEW_SECRET}` },
      /pathSecret holds a comma, but a secret is one URL-safe path segment\. .*FluentWebhookReceiver takes them as pathSecrets/,
    ],
    [
      'no secret at all',
      { pathSecret: undefined },
      /pathSecret is missing: the webhook URL needs a secret path segment/,
    ],
    [
      'both pathSecret and pathSecrets',
      { pathSecret: SECRET, pathSecrets: [NEW_SECRET] },
      /pathSecrets and pathSecret exclude each other/,
    ],
    [
      'an empty pathSecrets',
      { pathSecrets: [] },
      /pathSecrets is empty: the webhook URL needs a secret path segment\. Run `npx fluent-webhook secret`/,
    ],
    [
      'more than 3 live secrets',
      { pathSecrets: [SECRET, NEW_SECRET, `${SECRET}3`, `${SECRET}4`] },
      /pathSecrets holds 4 secrets; keep at most 3 live at once\. Remove the oldest/,
    ],
    [
      'a secret listed twice',
      { pathSecrets: [SECRET, NEW_SECRET, SECRET] },
      /pathSecrets repeats secret 1 as secret 3; list each secret once/,
    ],
    [
      'a short secret among several',
      { pathSecrets: [SECRET, 'short-secret'] },
      /pathSecrets secret 2 of 2 is 12 characters; use at least 32\. Run `npx fluent-webhook secret`/,
    ],
    [
      'a secret among several that is not URL-safe',
      { pathSecrets: [`${SECRET}+/`, NEW_SECRET] },
      /pathSecrets secret 1 of 2 may hold only the URL-safe characters/,
    ],
    [
      'a WAF match string over 200 bytes for the longest secret',
      { enableWaf: true, stageName: 's'.repeat(70), pathSecrets: [SECRET, 'b'.repeat(128)] },
      /stageName makes the WAF match string `\/<stage>\/<secret>\/fluent\/` 208 bytes long; AWS WAF allows 200/,
    ],
    [
      'a queue reader that is not an IAM principal ARN',
      { queueReaderArns: ['fluent-webhooks-consumer'] },
      /queueReaderArns holds "fluent-webhooks-consumer", which is not an IAM principal ARN/,
    ],
    [
      'queue readers next to a brought-in queue',
      {
        existingQueueObj: sqs.Queue.fromQueueArn(new Stack(), 'Q', 'arn:aws:sqs:eu-west-1:123456789012:q'),
        queueReaderArns: [CONSUMER_ROLE],
      },
      /queueReaderArns applies to the queues the construct creates; with existingQueueObj, put the deny statements/,
    ],
    [
      'a zero rate',
      { throttlingRateLimit: 0 },
      /throttlingRateLimit is 0; use a number of requests per second above 0/,
    ],
    ['a negative rate', { throttlingRateLimit: -5 }, /throttlingRateLimit is -5/],
    ['a fractional burst', { throttlingBurstLimit: 2.5 }, /throttlingBurstLimit is 2.5; use a whole number/],
    ['a zero burst', { throttlingBurstLimit: 0 }, /throttlingBurstLimit is 0/],
    ['a maxReceiveCount of 0', { maxReceiveCount: 0 }, /maxReceiveCount is 0; use a whole number from 1 to 1000/],
    [
      'a smaller queue message size',
      { queueProps: { maxMessageSizeBytes: 262144 } },
      /queueProps\.maxMessageSizeBytes is 262144; it must stay 1048576/,
    ],
    [
      'an unencrypted queue',
      { queueProps: { encryption: sqs.QueueEncryption.UNENCRYPTED } },
      /queueProps\.encryption cannot be UNENCRYPTED/,
    ],
    [
      'a queue without TLS enforcement',
      { deadLetterQueueProps: { enforceSSL: false } },
      /deadLetterQueueProps\.enforceSSL cannot be turned off/,
    ],
    [
      'a visibility timeout under 6x the consumer timeout',
      { queueProps: { visibilityTimeout: Duration.seconds(60) } },
      /queueProps\.visibilityTimeout is 60 s; it must be at least 6x consumerTimeout \(180 s\)/,
    ],
    [
      'a DLQ that keeps messages for less time than the queue',
      { deadLetterQueueProps: { retentionPeriod: Duration.days(4) } },
      /deadLetterQueueProps\.retentionPeriod \(345600 s\) is shorter than the queue's \(1209600 s\)/,
    ],
    [
      'a dead-letter queue in queueProps',
      { queueProps: { deadLetterQueue: { queue: {} as sqs.IQueue, maxReceiveCount: 1 } } },
      /queueProps\.deadLetterQueue is wired by the construct/,
    ],
    [
      'DLQ props without a DLQ',
      { deployDeadLetterQueue: false, maxReceiveCount: 3 },
      /maxReceiveCount is set but deployDeadLetterQueue is false/,
    ],
    [
      'a receiver timeout over 29 s',
      { receiverFunctionProps: { timeout: Duration.seconds(30) } },
      /receiverFunctionProps\.timeout is 30 s; use 1 to 29 s/,
    ],
    [
      'a reserved concurrency of 0',
      { receiverFunctionProps: { reservedConcurrentExecutions: 0 } },
      /reservedConcurrentExecutions is 0; use a whole number of at least 1/,
    ],
    [
      'an old runtime',
      { receiverFunctionProps: { runtime: lambda.Runtime.NODEJS_20_X } },
      /receiverFunctionProps\.runtime is nodejs20\.x; use nodejs22\.x or nodejs24\.x/,
    ],
    [
      'a wired function prop',
      { receiverFunctionProps: { handler: 'other.handler' } },
      /receiverFunctionProps\.handler is set by the construct/,
    ],
    [
      'a WAF rate limit under 10',
      { enableWaf: true, wafRateLimit: 5 },
      /wafRateLimit is 5; AWS WAF takes a whole number of requests per 5 minutes from 10/,
    ],
    ['a WAF rate limit without the WAF', { wafRateLimit: 500 }, /wafRateLimit is set but enableWaf is not true/],
    ['a bad stage name', { stageName: 'web hooks' }, /stageName "web hooks" may hold only/],
    [
      'a consumer timeout over 15 minutes',
      { consumerTimeout: Duration.seconds(901) },
      /consumerTimeout is 901 s; Lambda allows 1 to 900 s/,
    ],
  ])('refuses %s', (_case, props, message) => {
    // Act & Assess
    expect(build(props)).toThrow(message);
  });

  it('refuses queue settings next to an existing queue', () => {
    // Prepare
    const app = tempApp();
    const stack = new Stack(app, 'Conflict');

    // Act & Assess
    expect(
      () =>
        new FluentWebhookReceiver(stack, 'Receiver', {
          settings,
          pathSecret: SECRET,
          existingQueueObj: existing(stack),
          queueProps: {},
          maxReceiveCount: 2,
        }),
    ).toThrow(
      /queueProps and existingQueueObj exclude each other[\s\S]*maxReceiveCount and existingQueueObj exclude each other/,
    );
  });

  it('lists every problem in one error', () => {
    // Act & Assess
    expect(build({ pathSecret: 'x', throttlingRateLimit: 0, maxReceiveCount: 0 })).toThrow(
      /^Invalid FluentWebhookReceiver configuration:\n {2}- pathSecret is 1 characters[\s\S]*\n {2}- throttlingRateLimit is 0[\s\S]*\n {2}- maxReceiveCount is 0/,
    );
  });

  it('refuses more keys than the Lambda environment can hold', () => {
    // Prepare
    const manyKeys = parseReceiverSettings({
      publicKeys: Array.from({ length: 15 }, (_, index) => testKeyPair(1024, `many-${index}`).publicKeyBase64),
      accountIds: 'ACME',
    });

    // Act & Assess
    expect(build({ settings: manyKeys })).toThrow(/settings take \d+ bytes of Lambda environment; at most 3072 fit/);
  });
});
