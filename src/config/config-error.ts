/** A problem with the user's configuration. `message` is the complete text to show them. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
