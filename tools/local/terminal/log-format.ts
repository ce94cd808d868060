import type { ConfigurationProblem } from '../../../lambdas/core/errors';

/** How the local runner prints its log: the variable, and its values. */
export const LOG_FORMAT_ENV = 'LOG_FORMAT';
export const LogFormat = {
  /** One JSON object per line, for tools and tests: what Lambda writes to CloudWatch. */
  JSON: 'json',
  /** A banner and one readable line per event, for a person at a terminal. */
  PRETTY: 'pretty',
} as const;
export type LogFormatName = (typeof LogFormat)[keyof typeof LogFormat];

const NAMES: readonly string[] = Object.values(LogFormat);

/** LOG_FORMAT when set (and valid), else readable on a terminal and JSON everywhere else (pipes, files, tests). */
export function chooseLogFormat(
  env: Readonly<Record<string, string | undefined>>,
  stdoutIsTerminal: boolean,
): LogFormatName {
  const value = env[LOG_FORMAT_ENV]?.trim();
  if (value !== undefined && NAMES.includes(value)) return value as LogFormatName;
  return stdoutIsTerminal ? LogFormat.PRETTY : LogFormat.JSON;
}

export function logFormatProblem(env: Readonly<Record<string, string | undefined>>): ConfigurationProblem | undefined {
  const value = env[LOG_FORMAT_ENV]?.trim();
  if (value === undefined || value === '' || NAMES.includes(value)) return undefined;
  return { setting: 'logFormat', message: `is ${JSON.stringify(value)}; use ${NAMES.join(' or ')}.` };
}
