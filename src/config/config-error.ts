/** What stops startup: the message names each variable that is wrong and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
