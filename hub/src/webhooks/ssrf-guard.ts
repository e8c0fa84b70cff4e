import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup as lookupAsync } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Whether a webhook must never reach `address` (unless HUB_WEBHOOK_ALLOW_PRIVATE). Only what
 * ipaddr.js (a maintained table of the IANA special-purpose registries) calls plain `unicast` may
 * be reached: loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade
 * NAT, unspecified, multicast, reserved, documentation, and on IPv6 also unique-local,
 * site-local, NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48), 6to4, Teredo, SIIT
 * (::ffff:0:a.b.c.d) and the rest are refused. IPv4-mapped and IPv4-compatible addresses
 * (`::ffff:127.0.0.1`, `::127.0.0.1`) are judged by the IPv4 inside. A hand-kept list missed
 * several of these; the library's is the one to trust.
 */
export function isPrivateAddress(address: string): boolean {
  return rangeOf(address) !== 'unicast';
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** ipaddr.js's name for the range `address` is in (`unicast` = public), judged as above. */
function rangeOf(address: string): string {
  if (isIP(address) === 0) return 'not an address'; // refuse rather than guess
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return 'not an address';
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    // IPv4-compatible (::a.b.c.d, deprecated by RFC 4291; what `[::127.0.0.1]` normalizes to) is
    // missing from ipaddr.js's table, which calls it unicast. Nothing public lives there.
    else if (v6.match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
  }
  return ip.range();
}

export class RefusedUrlError extends Error {
  readonly code = 'ESSRF';
}

const refusal = (host: string, address: string) =>
  new RefusedUrlError(
    `${host === address ? address : `"${host}" resolves to ${address}, which`} is a private, loopback or link-local address ` +
      `(or another special-purpose one: range "${rangeOf(address)}"); ` +
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
    if (bad) return callback(refusal(hostname, bad.address), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
