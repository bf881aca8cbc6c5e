import { BlockList, isIP } from 'node:net';

/** The addresses whose forwarded headers are believed; every other peer's are ignored. */
export interface TrustedProxies {
  trusts(address: string | undefined): boolean;
}

// ::ffff:a.b.c.d is an IPv4 peer seen through an IPv6 socket (a server listening on "::").
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** An IPv4-mapped IPv6 address as the IPv4 address it carries; any other address as given. */
export function unmapped(address: string): string {
  return IPV4_MAPPED.exec(address)?.[1] ?? address;
}

/**
 * Why `entry` is not an address or a CIDR range that can be trusted, or undefined when it is. A /0 range is refused:
 * it trusts everyone, which is the same as believing any client's headers.
 */
export function trustedProxyProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(unmapped(address));
  if (extra !== undefined || family === 0) return `"${entry}" is not an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8`;
  if (prefix === undefined) return undefined;
  if (family === 4 && isIP(address) === 6) return `"${entry}" is an IPv4-mapped range: write it as the IPv4 range, such as 10.0.0.0/8, which also matches mapped peers`;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return `"${entry}" has a prefix length that is not 0 to ${bits}`;
  if (Number(prefix) === 0) return `"${entry}" trusts every address, so any client could claim to be anyone: name the proxy's own address or network`;
  return undefined;
}

/** A BlockList of the entries, which trustedProxyProblem() has passed. */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [given = '', prefix] = entry.split('/');
    const address = unmapped(given);
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return {
    trusts(peer) {
      if (!peer) return false;
      const address = unmapped(peer);
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
