import { BlockList, isIP } from 'node:net';

export class AllowlistEntryError extends Error {
  override name = 'AllowlistEntryError';
}

export interface AllowlistEntry {
  address: string;
  family: 4 | 6;
  /** Undefined: one address. */
  prefix?: number;
}

/**
 * One address or CIDR, strictly: a loose parse once read `191.235.80.91/` as `/0` and let
 * every IPv4 sender in. The prefix is decimal digits within the family's width, nothing else
 * (no second slash, no hex, no spaces); zone ids are refused (they do not name a sender).
 */
export function parseAllowlistEntry(entry: string): AllowlistEntry {
  const match = /^([0-9A-Fa-f.:]+)(?:\/(\d{1,3}))?$/.exec(entry);
  if (!match) throw new AllowlistEntryError(`not an IP address or CIDR: "${entry}"`);
  const [, address, prefixText] = match;
  const family = isIP(address);
  if (family !== 4 && family !== 6) throw new AllowlistEntryError(`not an IP address or CIDR: "${entry}"`);
  if (prefixText === undefined) return { address, family };
  const prefix = Number(prefixText);
  const width = family === 4 ? 32 : 128;
  if (prefix > width || (prefixText.length > 1 && prefixText.startsWith('0'))) {
    throw new AllowlistEntryError(`prefix out of range 0-${width} in "${entry}"`);
  }
  return { address, family, prefix };
}

/** The address as the allowlist compares it: an IPv4-mapped IPv6 address is its IPv4 one. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Sender allowlist from addresses and CIDRs (IPv4 and IPv6). An empty list allows everyone:
 * providers' test environments have no fixed addresses (production startup refuses that
 * unless the provider has a credential, see src/providers/callback-trust.ts).
 */
export function createAllowlist(entries: string[]): (address: string | undefined) => boolean {
  if (entries.length === 0) return () => true;
  return createMatcher(entries);
}

/** Like an allowlist, but an empty list matches nobody. */
export function createMatcher(entries: string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const { address, family, prefix } = parseAllowlistEntry(entry);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return (address) => {
    if (!address) return false;
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}
