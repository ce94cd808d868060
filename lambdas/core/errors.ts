/** Root of every error this package throws, so callers can catch ours and only ours. */
export class FluentWebhookError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FluentWebhookError';
  }
}

/** Thrown at start-up when configuration is missing or invalid; never thrown for request input. */
export class ConfigurationError extends FluentWebhookError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** Thrown at start-up when one configured public key cannot be used; `entry` names which one. */
export class InvalidPublicKeyError extends ConfigurationError {
  public readonly entry: string;

  public constructor(entry: string, problem: string, options?: ErrorOptions) {
    super(`Public key ${entry}: ${problem}`, options);
    this.name = 'InvalidPublicKeyError';
    this.entry = entry;
  }
}
