import { Token } from 'aws-cdk-lib';
import type { ConfigurationProblem } from '../../lambdas/core/errors';
import { throwIfProblems } from '../../lambdas/core/configuration-problems';
import type { FluentWebhookMonitoringOptions, FluentWebhookMonitoringProps } from './monitoring-props';

/** SQS keeps a message at most 14 days; an older threshold could never fire. */
const MAX_MESSAGE_AGE_SECONDS = 14 * 24 * 3600;
/** Plain address shape: the subscription fails at deploy time otherwise, after everything else was built. */
const EMAIL_PATTERN = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
/** The name goes into a metric dimension and a SEARCH expression inside quotes. */
const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const DASHBOARD_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Checks the monitoring props before anything is built and throws one {@link ConfigurationError} listing
 * every problem, each naming the prop and how to fix it.
 */
export function validateMonitoringProps(props: FluentWebhookMonitoringProps): void {
  const problems = findMonitoringOptionProblems(props);
  if (props.environmentName !== undefined && !ENVIRONMENT_NAME_PATTERN.test(props.environmentName)) {
    problems.push({
      setting: 'environmentName',
      message: `"${props.environmentName}" must be 1 to 64 letters, digits, - or _.`,
    });
  }
  throwIfProblems('Invalid monitoring configuration', problems);
}

/** Every problem with the monitoring options, each naming its prop; empty when they are fine. The stack merges these. */
export function findMonitoringOptionProblems(props: FluentWebhookMonitoringOptions): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  if (props.existingAlarmTopicObj !== undefined && props.alarmTopicProps !== undefined) {
    problems.push({
      setting: 'alarmTopicProps',
      message: 'and existingAlarmTopicObj exclude each other: pass your topic, or props for a new one.',
    });
  }
  if (props.existingAlarmTopicObj !== undefined && props.alarmEmail !== undefined) {
    problems.push({
      setting: 'alarmEmail',
      message:
        'subscribes to a topic this construct creates; with existingAlarmTopicObj, subscribe the address to your topic instead.',
    });
  }
  const email = props.alarmEmail;
  if (email !== undefined && !Token.isUnresolved(email) && !EMAIL_PATTERN.test(email)) {
    problems.push({
      setting: 'alarmEmail',
      message: `"${email}" is not an e-mail address; give one address such as ops@example.com.`,
    });
  }
  const age = props.oldestMessageAgeThreshold;
  if (age !== undefined && (age.toSeconds() < 60 || age.toSeconds() >= MAX_MESSAGE_AGE_SECONDS)) {
    problems.push({
      setting: 'oldestMessageAgeThreshold',
      message: `is ${age.toHumanString()}; use at least 1 minute and less than the queue's 14-day retention.`,
    });
  }
  const rejections = props.signatureRejectionThreshold;
  if (rejections !== undefined && (!Number.isInteger(rejections) || rejections < 1)) {
    problems.push({
      setting: 'signatureRejectionThreshold',
      message: `is ${rejections}; use a whole number of at least 1 (rejections per 5 minutes).`,
    });
  }
  if (props.dashboardName !== undefined && !DASHBOARD_NAME_PATTERN.test(props.dashboardName)) {
    problems.push({
      setting: 'dashboardName',
      message: `"${props.dashboardName}" must be 1 to 255 letters, digits, - or _.`,
    });
  }
  return problems;
}
