import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_DEFAULTS } from '../../tools/local/local-config';
import { STACK_SQS_MAPPING } from '../../tools/local/sqs-service-integration';
import { CfnTemplateJson, SYNTH_TIMEOUT_MS, synthesizedApp } from '../support/cdk-synth';

type Properties = Record<string, unknown>;
const ofType = (template: CfnTemplateJson, type: string, prefix = ''): Properties[] =>
  Object.entries(template.Resources)
    .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
    .map(([, resource]) => resource.Properties);
const one = (template: CfnTemplateJson, type: string, prefix = ''): Properties => {
  const [found, ...more] = ofType(template, type, prefix);
  if (found === undefined || more.length > 0) throw new Error(`Expected one ${type} ${prefix}.`);
  return found;
};
const readTemplate = (context: Record<string, string> = {}): CfnTemplateJson => {
  const app = synthesizedApp(context);
  return JSON.parse(readFileSync(join(app.dir, app.templateFile), 'utf8')) as CfnTemplateJson;
};

/**
 * npm start is the fast path from TypeScript; `local --app` runs the template. These checks keep the two from
 * drifting: every number npm start (and so the e2e, fault and hostile suites) runs with is the synthesized one.
 */
describe("npm start's settings are the synthesized template's", () => {
  let template: CfnTemplateJson;
  beforeAll(() => {
    template = readTemplate();
  }, 2 * SYNTH_TIMEOUT_MS);

  it('queues: message size, retention and maxReceiveCount', () => {
    const queue = one(template, 'AWS::SQS::Queue', 'ReceiverQueue');
    expect(queue).toMatchObject({
      MaximumMessageSize: LOCAL_DEFAULTS.maximumMessageSizeBytes,
      MessageRetentionPeriod: LOCAL_DEFAULTS.retentionPeriodSeconds,
      RedrivePolicy: { maxReceiveCount: LOCAL_DEFAULTS.maxReceiveCount },
    });
    expect(one(template, 'AWS::SQS::Queue', 'ReceiverDeadLetterQueue')).toMatchObject({
      MaximumMessageSize: LOCAL_DEFAULTS.maximumMessageSizeBytes,
      MessageRetentionPeriod: LOCAL_DEFAULTS.retentionPeriodSeconds,
    });
  });

  it('functions: timeout and memory of the receiver and the consumer', () => {
    expect(one(template, 'AWS::Lambda::Function', 'ReceiverReceiverFunction')).toMatchObject({
      Timeout: LOCAL_DEFAULTS.receiverTimeoutSeconds,
      MemorySize: LOCAL_DEFAULTS.receiverMemorySizeMb,
    });
    expect(one(template, 'AWS::Lambda::Function', 'ConsumerConsumerFunction')).toMatchObject({
      Timeout: LOCAL_DEFAULTS.consumerTimeoutSeconds,
      MemorySize: LOCAL_DEFAULTS.consumerMemorySizeMb,
    });
  });

  it('event source: batch size and partial batch responses, as the local poller does them', () => {
    expect(one(template, 'AWS::Lambda::EventSourceMapping')).toMatchObject({
      BatchSize: LOCAL_DEFAULTS.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it(
    "API: the stage name, and the queue-first door's mapping templates are the ones npm start renders",
    () => {
      expect(one(template, 'AWS::ApiGateway::Stage')).toMatchObject({ StageName: LOCAL_DEFAULTS.stageName });
      const integration = one(readTemplate({ ingress: 'queue-first' }), 'AWS::ApiGateway::Method').Integration as {
        RequestTemplates: Record<string, string>;
        IntegrationResponses: Array<{
          SelectionPattern?: string;
          StatusCode: string;
          ResponseTemplates: Record<string, string>;
        }>;
      };
      expect(integration.RequestTemplates).toEqual(STACK_SQS_MAPPING.requestTemplates);
      expect(
        integration.IntegrationResponses.map((response) => ({
          ...(response.SelectionPattern === undefined ? {} : { selectionPattern: response.SelectionPattern }),
          statusCode: Number(response.StatusCode),
          template: response.ResponseTemplates['application/json'],
        })),
      ).toEqual(STACK_SQS_MAPPING.responses);
    },
    2 * SYNTH_TIMEOUT_MS,
  );
});
