import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigurationError } from '../../lambdas/core/errors';
import { pathSecretFingerprint } from '../../lambdas/core/path-secret-fingerprint';
import { FluentWebhooks } from '../../lib/fluent-webhooks/fluent-webhooks';
import { FluentWebhookStack } from '../../lib/stack/fluent-webhook-stack';
import { readStackConfig, selectEnvironmentName, stackNameFor } from '../../lib/stack/stack-config';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';

const SANDBOX_SECRET = 'sandboxSecret_0123456789abcdefghijkl';
const PRODUCTION_SECRET = 'productionSecret-0123456789abcdefghij';
/** The secret a rotation adds next to {@link PRODUCTION_SECRET}. */
const NEXT_SECRET = 'nextProductionSecret_0123456789abcdefgh';
const sandboxKey = testKeyPair(1024, 'stack-sandbox');
const productionKey = testKeyPair(1024, 'stack-production');

/** cdk.json-like context: shared defaults at the top, one block per environment. */
const ENVIRONMENTS = {
  accountIds: 'ACME',
  throttlingRateLimit: 20,
  environments: {
    sandbox: { publicKeys: [sandboxKey.publicKeyBase64], pathSecret: SANDBOX_SECRET, logRetentionDays: 7 },
    production: {
      publicKeys: productionKey.publicKeyBase64,
      accountIds: ['ACME', 'ACME-EU'],
      retailerIds: '1,2',
      enableWaf: true,
      throttlingRateLimit: 100,
      maxReceiveCount: 8,
    },
  },
};

describe('Class: FluentWebhookStack', () => {
  describe('environments side by side', () => {
    const app = tempApp({ context: ENVIRONMENTS });
    const sandbox = new FluentWebhookStack(app, stackNameFor('sandbox'), {
      environmentName: 'sandbox',
      processEnv: {},
    });
    const production = new FluentWebhookStack(app, stackNameFor('production'), {
      environmentName: 'production',
      processEnv: { WEBHOOK_PATH_SECRET: PRODUCTION_SECRET },
    });
    const sandboxTemplate = Template.fromStack(sandbox);
    const productionTemplate = Template.fromStack(production);

    it('names each stack after its environment', () => {
      // Assess
      expect([sandbox.stackName, production.stackName]).toEqual([
        'FluentWebhooks-sandbox',
        'FluentWebhooks-production',
      ]);
    });

    it('gives each environment its own keys, allow-list, secret and environment name', () => {
      // Assess
      sandboxTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            FLUENT_PUBLIC_KEYS: sandboxKey.publicKeyBase64,
            FLUENT_ACCOUNT_IDS: 'ACME',
            ENVIRONMENT_NAME: 'sandbox',
            NODE_OPTIONS: '--enable-source-maps',
            SIGNATURE_POLICY: 'prefer-sha512',
            UNHANDLED_EVENTS: 'ignore',
            IDEMPOTENCY_EXPIRY_SECONDS: '1296000',
            QUEUE_URL: { Ref: 'ReceiverQueue7788F9B1' },
          },
        },
      });
      productionTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            FLUENT_PUBLIC_KEYS: productionKey.publicKeyBase64,
            FLUENT_ACCOUNT_IDS: 'ACME,ACME-EU',
            FLUENT_RETAILER_IDS: '1,2',
            ENVIRONMENT_NAME: 'production',
          },
        },
      });
      sandboxTemplate.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: SANDBOX_SECRET });
      productionTemplate.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: PRODUCTION_SECRET });
    });

    it('lets an environment override the shared defaults', () => {
      // Assess
      sandboxTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 20 })],
      });
      productionTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100 })],
      });
      sandboxTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
      productionTemplate.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: Match.objectLike({ maxReceiveCount: 8 }),
      });
      sandboxTemplate.resourceCountIs('AWS::WAFv2::WebACL', 0);
      productionTemplate.resourceCountIs('AWS::WAFv2::WebACL', 1);
    });

    it('outputs the webhook URL with placeholders, and the queues, never the secret', () => {
      // Assess
      const outputs = sandboxTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(Object.keys(outputs).sort()).toEqual([
        'DashboardName',
        'DashboardUrl',
        'DeadLetterQueueArn',
        'DeadLetterQueueName',
        'DeadLetterQueueUrl',
        'HistoryRetentionDays',
        'HistoryTableName',
        'IdempotencyTableName',
        'PathSecretFingerprints',
        'QueueName',
        'QueueUrl',
        'ReceiverApiEndpointE9E59AAB',
        'WebhookUrl',
      ]);
      expect(JSON.stringify(outputs.WebhookUrl?.Value)).toMatch(/\.execute-api\..*\/<secret>\/fluent\/<route>"/);
      expect(outputs.PathSecretFingerprints?.Value).toBe(pathSecretFingerprint(SANDBOX_SECRET));
      expect(outputs.QueueName?.Value).toEqual({ 'Fn::GetAtt': ['ReceiverQueue7788F9B1', 'QueueName'] });
      expect(outputs.DeadLetterQueueUrl?.Value).toEqual({ Ref: 'ReceiverDeadLetterQueue5A4556A4' });
      expect(JSON.stringify(outputs)).not.toContain(SANDBOX_SECRET);
    });
  });

  it('builds the pipeline as FluentWebhooks, whose resources keep the logical ids the stack gave them before', () => {
    // Prepare
    const app = tempApp({ context: ENVIRONMENTS });

    // Act
    const stack = new FluentWebhookStack(app, stackNameFor('sandbox'), { environmentName: 'sandbox', processEnv: {} });

    // Assess: the stack's children are the construct's, and what holds data keeps its id (a new id replaces it).
    expect(stack.webhooks).toBeInstanceOf(FluentWebhooks);
    expect([stack.receiver, stack.consumer, stack.monitoring]).toEqual([
      stack.webhooks.receiver,
      stack.webhooks.consumer,
      stack.webhooks.monitoring,
    ]);
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
    const ids = (type: string) => Object.keys(resources).filter((id) => resources[id]?.Type === type);
    expect(ids('AWS::SQS::Queue').sort()).toEqual(['ReceiverDeadLetterQueue5A4556A4', 'ReceiverQueue7788F9B1']);
    expect(ids('AWS::DynamoDB::Table')).toEqual(['ConsumerIdempotencyTableBB140E0E', 'ConsumerHistoryTableAF37822D']);
    expect(ids('AWS::Lambda::Function').sort()).toEqual([
      'ConsumerConsumerFunctionA821CF9C',
      'ReceiverReceiverFunctionB1E4CE00',
    ]);
    expect(ids('AWS::Logs::LogGroup').sort()).toEqual([
      'ConsumerConsumerLogGroup4E0A02D6',
      'ReceiverAccessLogGroupF29B277A',
      'ReceiverExecutionLogGroup851B0060',
      'ReceiverReceiverLogGroup1B568E1D',
    ]);
  });

  it('reads -c values, which always arrive as strings', () => {
    // Prepare
    const app = tempApp({
      context: {
        publicKeys: sandboxKey.publicKeyBase64,
        accountIds: 'ACME',
        pathSecret: SANDBOX_SECRET,
        throttlingRateLimit: '12.5',
        throttlingBurstLimit: '30',
        enableWaf: 'true',
        wafRateLimit: '500',
        receiverReservedConcurrency: '4',
        apiGatewayCloudWatchRole: 'false',
        stageName: 'hooks',
        historyPointInTimeRecovery: 'true',
        historyRetentionDays: '40',
      },
    });

    // Act
    const template = Template.fromStack(
      new FluentWebhookStack(app, 'Flat', { environmentName: 'default', processEnv: {} }),
    );

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'hooks',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 12.5, ThrottlingBurstLimit: 30 })],
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 500 }) } }),
      ]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 4 });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: Match.arrayWith([{ AttributeName: 'messageId', KeyType: 'RANGE' }]),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HISTORY_RETENTION_DAYS: '40' }) },
    });
  });

  it.each<[string, Record<string, unknown>, Record<string, string>]>([
    [
      'a comma-separated pathSecret (-c pathSecret=new,old)',
      { pathSecret: ` ${NEXT_SECRET} , ${PRODUCTION_SECRET} ` },
      {},
    ],
    ['an array in cdk.json', { environments: { default: { pathSecret: [NEXT_SECRET, PRODUCTION_SECRET] } } }, {}],
    ['a comma-separated WEBHOOK_PATH_SECRET', {}, { WEBHOOK_PATH_SECRET: `${NEXT_SECRET},${PRODUCTION_SECRET}\n` }],
  ])(
    'accepts webhooks under every secret of %s, and outputs their fingerprints, current first',
    (_case, context, processEnv) => {
      // Prepare
      const app = tempApp({
        context: { publicKeys: sandboxKey.publicKeyBase64, accountIds: 'ACME', env: 'default', ...context },
      });

      // Act
      const stack = new FluentWebhookStack(app, 'Rotating', { environmentName: 'default', processEnv });

      // Assess
      const template = Template.fromStack(stack);
      expect(stack.config.receiverProps.pathSecrets).toEqual([NEXT_SECRET, PRODUCTION_SECRET]);
      template.resourceCountIs('AWS::ApiGateway::Method', 2);
      for (const secret of [NEXT_SECRET, PRODUCTION_SECRET])
        template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: secret });
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs.PathSecretFingerprints?.Value).toBe(
        `${pathSecretFingerprint(NEXT_SECRET)},${pathSecretFingerprint(PRODUCTION_SECRET)}`,
      );
      expect(JSON.stringify(outputs)).not.toMatch(new RegExp(`${NEXT_SECRET}|${PRODUCTION_SECRET}`));
    },
  );

  it('warns at synth when every Fluent account is allowed, and only then', () => {
    // Prepare
    const stackWith = (accountIds: string, id: string) =>
      new FluentWebhookStack(
        tempApp({ context: { publicKeys: sandboxKey.publicKeyBase64, accountIds, pathSecret: SANDBOX_SECRET } }),
        id,
        { environmentName: 'default', processEnv: {} },
      );

    // Act
    const everyAccount = Annotations.fromStack(stackWith('*', 'EveryAccount'));
    const listed = Annotations.fromStack(stackWith('ACME', 'Listed'));

    // Assess
    expect(everyAccount.findWarning('*', Match.anyValue())).toEqual([
      expect.objectContaining({
        id: '/EveryAccount/Default/Receiver',
        entry: expect.objectContaining({
          data: expect.stringMatching(/^accountIds is \*: events signed for ANY Fluent account are accepted/),
        }),
      }),
    ]);
    expect(listed.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('takes the path secret from WEBHOOK_PATH_SECRET when the context has none', () => {
    // Prepare
    const app = tempApp({ context: { publicKeys: sandboxKey.publicKeyBase64, accountIds: 'ACME' } });

    // Act
    const config = readStackConfig(app.node, 'default', { WEBHOOK_PATH_SECRET: ` ${PRODUCTION_SECRET}\n` });

    // Assess
    expect(config.receiverProps.pathSecret).toBe(PRODUCTION_SECRET);
  });

  it('passes cdk-nag AwsSolutions as the app builds it', () => {
    // Prepare
    const app = tempApp({ context: ENVIRONMENTS });
    new FluentWebhookStack(app, stackNameFor('production'), {
      environmentName: 'production',
      processEnv: { WEBHOOK_PATH_SECRET: PRODUCTION_SECRET },
    });

    // Act & Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });
});

describe('Function: selectEnvironmentName', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['the one chosen with -c env', { ...ENVIRONMENTS, env: 'production' }, 'production'],
    ['"default" without environments or env', {}, 'default'],
    ['any valid name without environments', { env: 'staging' }, 'staging'],
  ])('returns %s', (_case, context, expected) => {
    // Act & Assess
    expect(selectEnvironmentName(tempApp({ context: context }).node)).toBe(expected);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'no env while environments exist',
      ENVIRONMENTS,
      /Choose an environment with -c env=<name> \(one of: sandbox, production\)/,
    ],
    [
      'an env that is not listed',
      { ...ENVIRONMENTS, env: 'prod' },
      /Environment "prod" is not in the environments context \(known: sandbox, production\)/,
    ],
    [
      'an env that cannot be part of a stack name',
      { env: 'my env' },
      /Environment name "my env" must start with a letter/,
    ],
    [
      'environments that are not an object',
      { environments: ['sandbox'] },
      /The environments context must be an object/,
    ],
  ])('refuses %s', (_case, context, message) => {
    // Act & Assess
    expect(() => selectEnvironmentName(tempApp({ context: context }).node)).toThrow(message);
  });
});

describe('Function: readStackConfig', () => {
  const valid = { publicKeys: sandboxKey.publicKeyBase64, accountIds: 'ACME', pathSecret: SANDBOX_SECRET };
  const read =
    (context: Record<string, unknown>, processEnv: Record<string, string> = {}) =>
    () =>
      readStackConfig(tempApp({ context: context }).node, 'default', processEnv);

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'no secret anywhere',
      { ...valid, pathSecret: undefined },
      /pathSecret is missing: .*Run `npx fluent-webhook secret` for one; never commit it\. \[set it with -c pathSecret=… or the pathSecret key in cdk\.json, or WEBHOOK_PATH_SECRET\]/,
    ],
    ['a short secret', { ...valid, pathSecret: 'abc' }, /pathSecret is 3 characters; use at least 32/],
    [
      'a de-duplication window shorter than the dead-letter queue keeps a message',
      { ...valid, idempotencyExpirySeconds: 7 * 24 * 3600 },
      /idempotencyExpirySeconds is 604800 s, but a message can exist for 1209600 s .*Use at least 1296000 s/,
    ],
    [
      'a secret with characters a URL would mangle',
      { ...valid, pathSecret: `${SANDBOX_SECRET}+/=` },
      /pathSecret may hold only the URL-safe characters/,
    ],
    [
      'a short secret in a list',
      { ...valid, pathSecret: `${SANDBOX_SECRET},abc` },
      /pathSecret secret 2 of 2 is 3 characters; use at least 32/,
    ],
    [
      'four secrets',
      { ...valid, pathSecret: [1, 2, 3, 4].map((n) => `${SANDBOX_SECRET}${n}`).join(',') },
      /pathSecret holds 4 secrets; keep at most 3 live at once/,
    ],
    [
      'a secret listed twice',
      { ...valid, pathSecret: [SANDBOX_SECRET, SANDBOX_SECRET] },
      /pathSecret repeats secret 1 as secret 2/,
    ],
    [
      'a pathSecret that is neither text nor a list of text',
      { ...valid, pathSecret: [SANDBOX_SECRET, 42] },
      /pathSecret must be a string \(comma-separated for several\) or an array of strings, not an array with other entries\./,
    ],
    ['no public keys', { ...valid, publicKeys: undefined }, /publicKeys/],
    ['a malformed key', { ...valid, publicKeys: 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDnotakey' }, /Public key/],
    [
      'no account allow-list',
      { ...valid, accountIds: undefined },
      /accountIds is required: .*\[set it with -c accountIds=…/,
    ],
    [
      'a rate that is not a number',
      { ...valid, throttlingRateLimit: 'fast' },
      /throttlingRateLimit must be a number, not "fast"/,
    ],
    ['an impossible burst', { ...valid, throttlingBurstLimit: 0 }, /throttlingBurstLimit is 0/],
    [
      'a retention CloudWatch does not offer',
      { ...valid, logRetentionDays: 10 },
      /logRetentionDays is 10; CloudWatch Logs keeps logs for one of 1, 3, 5, 7, 14/,
    ],
    [
      'a fractional retention',
      { ...valid, logRetentionDays: '7.5' },
      /logRetentionDays must be a whole number, not 7.5/,
    ],
    ['a flag that is not a boolean', { ...valid, enableWaf: 'yes' }, /enableWaf must be true or false, not "yes"/],
    ['a reserved concurrency of 0', { ...valid, receiverReservedConcurrency: 0 }, /receiverReservedConcurrency is 0/],
    ['an unknown ordering', { ...valid, ordering: 'fifo' }, /ordering is "fifo"; use unordered or per-entity/],
    ['a stale-status guard that is not JSON', { ...valid, staleStatusGuard: '{ORDER' }, /staleStatusGuard is not JSON/],
    [
      'per-entity ordering with the queue-first door',
      { ...valid, ordering: 'per-entity', ingress: 'queue-first' },
      /- ordering is per-entity, which queue-first cannot do: .* \[from cdk.json\]/,
    ],
    [
      'a misspelt setting in an environment block',
      { ...valid, env: 'default', environments: { default: { accountID: 'ACME' } } },
      /environments\.default\.accountID is not a setting\. Did you mean accountIds\? Known settings: publicKeys/,
    ],
    [
      'a key beyond a near miss in an environment block',
      { ...valid, env: 'default', environments: { default: { alarmEmailAddress: 'ops@example.com' } } },
      /environments\.default\.alarmEmailAddress is not a setting\. Did you mean alarmEmail\? Known settings: /,
    ],
    [
      'an unknown key in the block of an environment not being synthesized',
      { ...valid, env: 'default', environments: { default: {}, production: { emailAlarm: 'ops@example.com' } } },
      /environments\.production\.emailAlarm is not a setting\. Did you mean alarmEmail\?/,
    ],
    [
      'an environment block that is not an object, next to the one being synthesized',
      { ...valid, env: 'default', environments: { default: {}, production: 'ACME' } },
      /environments\.production must be an object of settings\./,
    ],
  ])('refuses %s', (_case, context, message) => {
    // Act & Assess
    expect(read(context)).toThrow(message);
  });

  it.each([
    ['a list with a non-string entry', [SANDBOX_SECRET, 42]],
    ['a list with a short entry', `${SANDBOX_SECRET},abc`],
    ['a secret listed twice', `${SANDBOX_SECRET},${SANDBOX_SECRET}`],
  ])('never repeats a secret in its messages, for %s', (_case, pathSecret) => {
    // Act
    const error = (() => {
      try {
        read({ ...valid, pathSecret })();
      } catch (thrown) {
        return thrown as Error;
      }
      throw new Error('readStackConfig accepted the configuration');
    })();

    // Assess
    expect(error.message).toMatch(/path ?[sS]ecret/);
    expect(error.message).not.toContain(SANDBOX_SECRET);
  });

  it('reads ordering and the stale-status guard (an object in cdk.json, JSON text with -c)', () => {
    // Prepare
    const order = { ORDER: ['CREATED', 'SHIPPED'] };

    // Act
    const fromJson = read({ ...valid, ordering: 'per-entity', staleStatusGuard: order })();
    const fromText = read({ ...valid, staleStatusGuard: JSON.stringify(order) })();

    // Assess
    expect(fromJson.receiverProps.ordering).toBe('per-entity');
    expect(fromJson.consumerOptions.staleStatusGuard).toEqual(order);
    expect(fromText.consumerOptions.staleStatusGuard).toEqual(order);
  });

  it('lists every problem in one error that says where each value came from, or how to set it', () => {
    // Act & Assess
    expect(read({ throttlingRateLimit: -1 })).toThrow(
      /^Invalid configuration for environment "default" \(a key set in cdk.json goes under "context", or under "context" > "environments" > "default" for this environment only; -c key=value wins over both\):\n {2}- publicKeys is missing: .* \[set it with -c publicKeys=… or the publicKeys key in cdk.json\]\n {2}- accountIds is required: .*\n {2}- pathSecret is missing: .*\n {2}- throttlingRateLimit is -1; .* \[from cdk.json\]$/,
    );
  });

  it('lets -c on the command line win over the environment block, and says so', () => {
    // Prepare: cdk.json sets the rate in the block; -c sets it again on the command line.
    const app = tempApp({
      context: { ...valid, throttlingRateLimit: '0', env: 'ci', environments: { ci: { throttlingRateLimit: 100 } } },
    });

    // Act
    const fromBlock = () => readStackConfig(app.node, 'ci', {});
    const fromCommandLine = () => readStackConfig(app.node, 'ci', {}, new Set(['throttlingRateLimit']));

    // Assess
    expect(fromBlock().receiverProps.throttlingRateLimit).toBe(100);
    expect(fromCommandLine).toThrow(/throttlingRateLimit is 0; .* \[from -c\]/);
  });

  it.each([
    ['enableWAF', 'enableWaf'],
    ['accountID', 'accountIds'],
    ['throttlingRatelimit', 'throttlingRateLimit'],
    ['alarmEmailAddress', 'alarmEmail'],
    ['emailAlarm', 'alarmEmail'],
    ['consumerTimeout', 'consumerTimeoutSeconds'],
  ])('refuses a top-level key %s that looks like a typo of %s', (typo, meant) => {
    // Act & Assess
    expect(read({ ...valid, [typo]: 'true' })).toThrow(
      new RegExp(`- ${typo} is not a setting of this app\\. Did you mean ${meant}\\? \\[from cdk.json\\]`),
    );
  });

  it('leaves top-level keys alone that are not ours and look like none of ours', () => {
    // Act & Assess
    expect(read({ ...valid, vpcId: 'vpc-1', myTeamTag: 'payments' })).not.toThrow();
  });

  it('carries the problems as data, each naming its context key', () => {
    // Act
    const error = (() => {
      try {
        read({ ...valid, throttlingRateLimit: -1, environments: { default: { logRetentionDays: 2 } } }, {})();
      } catch (thrown) {
        return thrown as ConfigurationError;
      }
      throw new Error('readStackConfig accepted the configuration');
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.problems.map((problem) => problem.setting)).toEqual(['logRetentionDays', 'throttlingRateLimit']);
    expect(error.message).toContain('logRetentionDays is 2; CloudWatch Logs keeps logs for one of');
    expect(error.message).toContain('[from cdk.json environments.default]');
  });
});
