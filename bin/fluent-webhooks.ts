import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigurationError } from '../lambdas/core/errors';
import { commandLineContextKeys, readCdkJsonContext } from '../lib/stack/context-sources';
import { FluentWebhookStack } from '../lib/stack/fluent-webhook-stack';
import { selectEnvironmentName, stackNameFor } from '../lib/stack/stack-config';

// One stack per run: the environment chosen with `-c env=<name>` (see lib/stack/stack-config.ts).
try {
  const app = new App();
  const environmentName = selectEnvironmentName(app.node);
  new FluentWebhookStack(app, stackNameFor(environmentName), {
    environmentName,
    commandLineKeys: commandLineContextKeys(app.node, readCdkJsonContext() ?? {}),
  });
  // Every finding fails synthesis unless acknowledged on its construct with a reason.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  // A configuration problem is the user's to fix: the list of what to change, without a stack trace.
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
