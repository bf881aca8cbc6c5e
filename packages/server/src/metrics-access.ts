import { BlockList, isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { requireScope, type AccessPolicy } from './access.js';

/** The addresses of server.metrics.allow, as a list Node checks; IPv4-mapped IPv6 clients (::ffff:10.1.2.3) match IPv4 entries. */
export function allowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/**
 * Who may read /metrics: a client at an address of server.metrics.allow, else a credential with the admin scope.
 * The address is express's `req.ip`, which believes X-Forwarded-For only with server.trustProxy (see app.ts).
 */
export function metricsAccess(access: AccessPolicy, allow: readonly string[]): RequestHandler {
  const list = allowList(allow);
  const canAdmin = requireScope(access, 'admin');
  return (req, res, next) => {
    const address = req.ip;
    const family = address ? isIP(address) : 0;
    if (family && list.check(address!, family === 6 ? 'ipv6' : 'ipv4')) return next();
    canAdmin(req, res, next);
  };
}
