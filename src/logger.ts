import pino from 'pino';

/**
 * JSON logs. Request bodies are never logged (they carry names, CPFs and e-mail addresses),
 * and credentials are redacted wherever they might appear.
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
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
      ],
      censor: '[redacted]',
    },
  };
  // Tests pass a destination to read what would have been logged.
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;
