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
        '*.sharedSecretPrevious',
        '*.previousSecret',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  // Tests pass a destination to read what would have been logged.
  return pino(options, destination ?? stdout());
}

/** How much output waits for one write, and how long at most. */
export const LOG_BUFFER = { bytes: 4096, flushEveryMs: 200 } as const;

let shared: pino.DestinationStream | undefined;

/**
 * One stdout for every logger in the process, written a few kilobytes at a time: a line per
 * callback written on its own was a system call per callback, as much CPU as the rest of the
 * receiver's own work (bench/README.md). Lines wait at most LOG_BUFFER.flushEveryMs, and pino
 * writes what is left when the process exits, a crash included; only a SIGKILL loses the last
 * moment's lines.
 */
function stdout(): pino.DestinationStream {
  shared ??= pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BUFFER.bytes,
    periodicFlush: LOG_BUFFER.flushEveryMs,
  });
  return shared;
}

export type Logger = ReturnType<typeof createLogger>;
