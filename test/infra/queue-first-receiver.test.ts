import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Duration } from 'aws-cdk-lib';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhookReceiver, FluentWebhookReceiverProps } from '../../lib/receiver/fluent-webhook-receiver';
import {
  ACCEPTED_RESPONSE_TEMPLATE,
  ERROR_RESPONSE_TEMPLATE,
  SQS_SEND_MESSAGE_REQUEST_TEMPLATE,
} from '../../lambdas/contract/sqs-integration-templates';
import { FluentWebhooks } from '../../lib/fluent-webhooks/fluent-webhooks';
import { NO_WAF_REASON, NO_WAF_REASON_QUEUE_FIRST } from '../../lib/receiver/receiver-nag-acknowledgements';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';

const SECRET = 'Zq3xV9-kT_4mWp7sLr2YbN8cHd5FgJ6a';
const settings = parseReceiverSettings({
  publicKeys: testKeyPair(1024, 'queue-first-infra').publicKeyBase64,
  accountIds: 'ACME',
});

function queueFirstStack(props: Partial<FluentWebhookReceiverProps> = {}) {
  const app = tempApp();
  const stack = new Stack(app, 'QueueFirstTest');
  const receiver = new FluentWebhookReceiver(stack, 'Receiver', {
    settings,
    pathSecret: SECRET,
    ingress: 'queue-first',
    queueReaderArns: ['arn:aws:iam::123456789012:role/fluent-webhooks-consumer'],
    ...props,
  });
  return { app, stack, receiver, template: Template.fromStack(stack) };
}

describe('Class: FluentWebhookReceiver with ingress queue-first', () => {
  const { stack, receiver, template } = queueFirstStack();
  const roleId = stack.getLogicalId(receiver.gatewayQueueRole?.node.defaultChild as never);
  const queueId = stack.getLogicalId(receiver.queue.node.defaultChild as never);

  it('has no Lambda at all: the method integrates with SQS directly', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    expect(receiver.receiverFunction).toBeUndefined();
    expect(receiver.ingress).toBe('queue-first');
  });

  it('keeps the door as it is: POST on the secret path, authorization NONE, a regional API taking bytes', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      OperationName: 'ReceiveFluentWebhook',
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: ['*/*'],
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 })],
    });
  });

  it('integrates as SendMessage through the gateway role: raw bytes as base64 text, templates from the shared module', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: {
          'Fn::Join': [
            '',
            Match.arrayWith([Match.stringLikeRegexp(':sqs:path/'), { 'Fn::GetAtt': [queueId, 'QueueName'] }]),
          ],
        },
        Credentials: { 'Fn::GetAtt': [roleId, 'Arn'] },
        PassthroughBehavior: 'NEVER',
        ContentHandling: 'CONVERT_TO_TEXT',
        RequestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        RequestTemplates: { 'application/json': SQS_SEND_MESSAGE_REQUEST_TEMPLATE },
      },
    });
  });

  it('answers 200 only for a 2xx from SQS, and everything else as 503 (413 for a body too large)', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        IntegrationResponses: [
          {
            SelectionPattern: '2\\d{2}',
            StatusCode: '200',
            ResponseTemplates: { 'application/json': ACCEPTED_RESPONSE_TEMPLATE },
          },
          {
            StatusCode: '503',
            ResponseTemplates: { 'application/json': ERROR_RESPONSE_TEMPLATE },
          },
        ],
      },
      MethodResponses: [
        Match.objectLike({ StatusCode: '200' }),
        Match.objectLike({ StatusCode: '413' }),
        Match.objectLike({ StatusCode: '503' }),
      ],
    });
    const responses = Object.values(template.findResources('AWS::ApiGateway::Method'))[0]?.Properties.Integration
      .IntegrationResponses as Array<{ SelectionPattern?: string }>;
    // Only the last, default response has no pattern: one without a pattern anywhere else would catch everything.
    expect(responses.map((response) => response.SelectionPattern)).toEqual(['2\\d{2}', undefined]);
  });

  it('lets API Gateway send to this queue and do nothing else', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId),
    );
    expect(policies.map((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      [{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }],
    ]);
  });

  it('adds the KMS calls SendMessage needs on a queue with a customer-managed key, on that key only', () => {
    // Prepare
    const {
      stack: kmsStack,
      receiver: kmsReceiver,
      template: kmsTemplate,
    } = queueFirstStack({
      queueProps: { encryption: sqs.QueueEncryption.KMS, visibilityTimeout: Duration.minutes(3) },
    });
    const key = kmsReceiver.queue.encryptionMasterKey as kms.IKey;
    const keyId = kmsStack.getLogicalId(key.node.defaultChild as never);

    // Assess
    kmsTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
          },
        ]),
      },
    });
  });

  it('passes cdk-nag with every finding acknowledged for the queue-first reasons', () => {
    // Prepare
    const { app } = queueFirstStack();

    // Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it.each([
    ['queue-first', NO_WAF_REASON_QUEUE_FIRST],
    ['verify-first', NO_WAF_REASON],
  ] as const)('gives the missing WAF (APIG3) the reason that holds at a %s door', (ingress, expected) => {
    // Act
    const { receiver: built } = queueFirstStack({ ingress });
    const reasons = built.api.deploymentStage.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((entry) => (entry.data as Record<string, string>)['Annotation::AwsSolutions-APIG3']);

    // Assess
    expect(reasons).toEqual([expected]);
  });

  it.each([
    [{ receiverFunctionProps: { memorySize: 1024 } }, /receiverFunctionProps is set but ingress is queue-first/],
    [{ ingress: 'queue_first' as never }, /ingress is "queue_first"; use verify-first or queue-first/],
  ])('refuses %j with a message naming the fix', (props, message) => {
    // Act & Assess
    expect(() => queueFirstStack(props)).toThrow(message);
  });
});

describe('Class: FluentWebhooks with ingress queue-first', () => {
  const app = tempApp();
  const stack = new Stack(app, 'QueueFirstWhole');
  const webhooks = new FluentWebhooks(stack, 'Webhooks', { settings, pathSecret: SECRET, ingress: 'queue-first' });
  const template = Template.fromStack(stack);

  it('has one Lambda, the consumer, which is told it is the only judge', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ INGRESS: 'queue-first' }) },
    });
    expect(webhooks.receiver.receiverFunction).toBeUndefined();
  });

  it('alarms on a surge of forgeries the consumer dropped, instead of on the verifier', () => {
    // Assess
    expect(webhooks.monitoring.alarms.forgedMessageSurge).toBeDefined();
    expect(webhooks.monitoring.alarms.signatureRejectionSurge).toBeUndefined();
    expect(webhooks.monitoring.alarms.receiverFailures).toBeUndefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ForgedMessageDropped',
      Namespace: 'FluentWebhookReceiver',
      Dimensions: Match.arrayWith([{ Name: 'component', Value: 'consumer' }]),
      Threshold: 10,
      Statistic: 'Sum',
    });
  });

  it('passes cdk-nag as a whole', () => {
    // Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });
});
