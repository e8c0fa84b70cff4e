import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup as lookupAsync } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must never reach unless HUB_WEBHOOK_ALLOW_PRIVATE: loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast,
 * reserved, and their IPv6 counterparts. IPv4-mapped IPv6 is checked as the IPv4 inside it.
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  // Mapped IPv4 in hex form (::ffff:7f00:1): refuse rather than decode. (Not a BlockList rule:
  // BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules, so it would block every IPv4.)
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address)) return true;
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class RefusedUrlError extends Error {
  readonly code = 'ESSRF';
}

const refusal = (host: string, address: string) =>
  new RefusedUrlError(
    `${host === address ? address : `"${host}" resolves to ${address}, which`} is a private, loopback or link-local address; ` +
      'webhooks may reach only public addresses (HUB_WEBHOOK_ALLOW_PRIVATE=true allows it, for development)',
  );

const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Refuses a URL whose host is a private IP literal (those never reach a lookup function). */
export function assertPublicLiteral(url: URL): void {
  const host = bareHost(url);
  if (isIP(host) && isPrivateAddress(host)) throw refusal(host, host);
}

/** At create/update: resolves the host and refuses it when any of its addresses is private. */
export async function assertPublicUrl(url: URL): Promise<void> {
  assertPublicLiteral(url);
  const host = bareHost(url);
  if (isIP(host)) return;
  let addresses: LookupAddress[];
  try {
    addresses = await lookupAsync(host, { all: true });
  } catch {
    throw new RefusedUrlError(`"${host}" does not resolve`);
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw refusal(host, bad.address);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` for the delivery agent's sockets: checks the addresses the connection will
 * actually use, so a name that resolved to a public address at create time and to 127.0.0.1
 * now (DNS rebinding) is still refused.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(refusal(hostname, bad.address) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
