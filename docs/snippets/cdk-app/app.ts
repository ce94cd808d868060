// Quoted in docs/library.md: the CDK app's entry (cdk.json's "app"). Copy it into your app's bin/ folder.
import { App } from 'aws-cdk-lib';
import { WebhooksStack } from './webhooks-stack';

const app = new App();
new WebhooksStack(app, 'FluentWebhooks');
