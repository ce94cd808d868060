// Quoted in docs/library.md and docs/handlers.md: a CDK app's stack with the whole pipeline, your handlers and a
// table they write to. Copy it into your app's lib/ folder; test/package type-checks it against the packed package.
import { join } from 'node:path';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { FluentWebhooks, parseReceiverSettings } from 'fluent-webhook-receiver/cdk';

// #region stack
export class WebhooksStack extends Stack {
  public readonly webhooks: FluentWebhooks;
  public readonly returns: dynamodb.TableV2;

  public constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.returns = new dynamodb.TableV2(this, 'Returns', {
      partitionKey: { name: 'orderRef', type: dynamodb.AttributeType.STRING },
    });
    this.webhooks = new FluentWebhooks(this, 'Webhooks', {
      // The key Fluent gave you and your account id; a bad value stops the synth, naming it.
      settings: parseReceiverSettings({
        publicKeys: process.env.FLUENT_PUBLIC_KEYS,
        accountIds: process.env.FLUENT_ACCOUNT_IDS,
      }),
      // `npx fluent-webhook secret` prints one; keep it out of the repository.
      pathSecret: process.env.WEBHOOK_PATH_SECRET,
      handlersEntry: join(__dirname, 'handlers.ts'),
      consumerFunctionProps: { environment: { RETURNS_TABLE: this.returns.tableName } },
    });
    // Your handlers run under the consumer's role: grant it what they use, like any grantee.
    this.returns.grantReadWriteData(this.webhooks);
  }
}
// #endregion
