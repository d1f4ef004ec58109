// What `npm start` prints once everything is up: where each part answers and what is off.
import type { Config } from '../config';

export function banner(config: Config, lines: Array<[string, string]>) {
  const width = Math.max(...lines.map(([k]) => k.length));
  const body = lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
  const rule = '─'.repeat(72);
  process.stdout.write(
    `\n${rule}\n  Countersign is running (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})\n${rule}\n${body}\n${rule}\n  Ctrl-C stops everything.\n\n`,
  );
}

export function encryptionLine(e: { keyIds: string[]; source?: string; file?: string }): string {
  if (e.keyIds.length === 0) return 'OFF: payloads in plaintext (set COUNTERSIGN_ENCRYPTION_KEYS)';
  const from = e.source === 'dev' ? `development key in ${e.file}` : e.source;
  return `AES-256-GCM, key ${e.keyIds[0]} encrypts${e.keyIds.length > 1 ? `, ${e.keyIds.slice(1).join(', ')} decrypt` : ''} (${from})`;
}

/** Providers whose callbacks anyone who knows an id could forge (production refuses them). */
export function unauthenticatedLine(config: Config): string {
  const names = config.unauthenticatedProviders;
  if (names.length === 0) return 'none: every provider authenticates its callbacks';
  return `${names.join(', ')} (callbacks not authenticated: set a credential or an allowlist, see docs/security.md)`;
}
