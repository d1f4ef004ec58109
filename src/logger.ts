import pino from 'pino';

/**
 * JSON logs. Request bodies are never logged (they carry names, CPFs and e-mail addresses),
 * and credentials are redacted wherever they might appear.
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream) {
  return pino(
    {
      level,
      base: { service: 'countersign' },
      redact: {
        paths: [
          'headers.authorization',
          'headers.checksum',
          'headers.token',
          '*.authorization',
          '*.apiKey',
          '*.sharedSecret',
          '*.token',
          '*.clientSecret',
          '*.callbackAuthorization',
          '*.postbackAuthorization',
          '*.callbackHeader',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;
