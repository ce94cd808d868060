import { ConfigurationError, type ConfigurationProblem } from '../core/errors';

/**
 * A setting that takes one of a few names (`ingress`, `ordering`): one set of rules for the construct prop, the
 * context key, the Lambda's environment variable and the local runner's, so each such setting reads the same way.
 */
export interface NamedChoice<T extends string> {
  readonly names: readonly T[];
  is(value: unknown): value is T;
  /** The problem with a value of the setting named `setting`, or undefined when it is fine (or unset). */
  problem(setting: string, value: unknown): ConfigurationProblem | undefined;
  /**
   * The value of the environment variable `envName`; unset means `fallback`. A wrong value throws, naming the
   * variable and the stack setting (`setBy`) it comes from, so the Lambda fails its start instead of guessing.
   */
  fromEnv(env: Readonly<Record<string, string | undefined>>, envName: string, setBy: string): T;
}

export function namedChoice<T extends string>(values: Readonly<Record<string, T>>, fallback: T): NamedChoice<T> {
  const names = Object.values(values);
  const is = (value: unknown): value is T => typeof value === 'string' && (names as readonly string[]).includes(value);
  const problem = (setting: string, value: unknown): ConfigurationProblem | undefined =>
    value === undefined || is(value)
      ? undefined
      : { setting, message: `is ${JSON.stringify(value)}; use ${names.join(' or ')}.` };
  return {
    names,
    is,
    problem,
    fromEnv(env, envName, setBy) {
      const value = env[envName]?.trim() || undefined;
      const found = problem(envName, value);
      if (found !== undefined) {
        throw new ConfigurationError(`${found.setting} ${found.message} The stack sets it from its ${setBy} setting.`, {
          problems: [found],
        });
      }
      return value === undefined ? fallback : (value as T);
    },
  };
}
