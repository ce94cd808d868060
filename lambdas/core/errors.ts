/** Root of every error this package throws, so callers can catch ours and only ours. */
export class FluentWebhookError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FluentWebhookError';
  }
}

/**
 * One thing wrong with the configuration: the setting, by the name the code that checked it knows it under (a
 * prop, a receiver setting key), and what is wrong with it. `message` continues the setting's name: "is 0; use...".
 * Whoever reports the problem names the setting the way its user writes it (a context key, an environment variable).
 */
export interface ConfigurationProblem {
  /** The setting, as the checking code names it. */
  readonly setting: string;
  /** What is wrong, continuing the setting's name. */
  readonly message: string;
}

/** Thrown at start-up when configuration is missing or invalid; never thrown for request input. */
export class ConfigurationError extends FluentWebhookError {
  /** Each problem found, for callers that report them in their own terms; empty for a single-sentence error. */
  public readonly problems: readonly ConfigurationProblem[];

  public constructor(message: string, options?: ErrorOptions & { problems?: readonly ConfigurationProblem[] }) {
    super(message, options);
    this.name = 'ConfigurationError';
    this.problems = options?.problems ?? [];
  }
}

/** Thrown at start-up when one configured public key cannot be used; `entry` names which one. */
export class InvalidPublicKeyError extends ConfigurationError {
  /** Which key: `entry N`, or the file it was read from. */
  public readonly entry: string;

  public constructor(entry: string, problem: string, options?: ErrorOptions) {
    super(`Public key ${entry}: ${problem}`, options);
    this.name = 'InvalidPublicKeyError';
    this.entry = entry;
  }
}
