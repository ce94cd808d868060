import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FluentWebhookStack } from '../lib/stack/fluent-webhook-stack';
import { selectEnvironmentName, stackNameFor } from '../lib/stack/stack-config';

// One stack per run: the environment chosen with `-c env=<name>` (see lib/stack/stack-config.ts).
const app = new App();
const environmentName = selectEnvironmentName(app.node);
new FluentWebhookStack(app, stackNameFor(environmentName), { environmentName });
// Every finding fails synthesis unless acknowledged on its construct with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
