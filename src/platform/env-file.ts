// `.env` in the working directory, read by each entry point before its configuration: the
// same file docker compose reads, so `npm start` and the containers agree. A variable already
// set in the environment wins over the file.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Loads `path` into process.env when it exists; returns the file it read, if any. */
export function loadEnvFile(path = '.env'): string | undefined {
  const file = resolve(path);
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}
