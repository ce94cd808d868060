import type { ConfigurationProblem } from '../../lambdas/core/errors';
import { throwIfProblems } from '../../lambdas/core/configuration-problems';
import type { FluentWebhooksProps } from './fluent-webhooks-props';

/**
 * What only the whole pipeline needs, checked before anything is built: a dead-letter queue it creates (the
 * consumer's retries end there and the alarms watch it), and one consumer timeout.
 */
export function findFluentWebhooksPropProblems(props: FluentWebhooksProps): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  if (props.existingQueueObj !== undefined) {
    problems.push({
      setting: 'existingQueueObj',
      message:
        'is not taken: FluentWebhooks creates its queue and dead-letter queue, which its alarms watch. To bring your own queue, compose FluentWebhookReceiver, FluentWebhookConsumer and FluentWebhookMonitoring.',
    });
  }
  if (props.deployDeadLetterQueue === false) {
    problems.push({
      setting: 'deployDeadLetterQueue',
      message: 'cannot be false: failed webhooks end in the dead-letter queue, and the alarms watch it.',
    });
  }
  const fromFunctionProps = props.consumerFunctionProps?.timeout;
  if (fromFunctionProps !== undefined && props.consumerTimeout !== undefined) {
    problems.push({
      setting: 'consumerFunctionProps.timeout',
      message:
        'and consumerTimeout both set the consumer timeout; give consumerTimeout only (the queue visibility timeout is derived from it).',
    });
  }
  return problems;
}

export function validateFluentWebhooksProps(props: FluentWebhooksProps): void {
  throwIfProblems('Invalid FluentWebhooks configuration', findFluentWebhooksPropProblems(props));
}
