import { ConfigurationError, ConfigurationProblem } from './errors';

/** How a reader of the error names a setting: a context key, an environment variable. */
export type SettingNamer = (setting: string) => string;

/** How the reader names settings, and optionally a note after each line (where its value came from). */
export interface ProblemTerms {
  readonly nameOf?: SettingNamer;
  readonly noteOf?: (setting: string) => string | undefined;
}

/** One line per problem, the setting named as `nameOf` says, with the note in brackets at the end. */
export function renderProblems(problems: readonly ConfigurationProblem[], terms: ProblemTerms = {}): string[] {
  const { nameOf = String, noteOf = () => undefined } = terms;
  return problems.map(({ setting, message }) => {
    const note = noteOf(setting);
    return `${nameOf(setting)} ${message}${note === undefined ? '' : ` [${note}]`}`;
  });
}

/**
 * The one error for a list of problems: a heading, then one `  - ` line per problem. The error carries the problems
 * as found (settings by their checked names), so a caller further up can name them its own way.
 */
export function configurationError(
  heading: string,
  problems: readonly ConfigurationProblem[],
  terms: ProblemTerms = {},
): ConfigurationError {
  const lines = renderProblems(problems, terms);
  return new ConfigurationError(`${heading}:\n  - ${lines.join('\n  - ')}`, { problems });
}

/** Throws {@link configurationError} when there is any problem. */
export function throwIfProblems(
  heading: string,
  problems: readonly ConfigurationProblem[],
  terms: ProblemTerms = {},
): void {
  if (problems.length > 0) throw configurationError(heading, problems, terms);
}
