import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Bare host: without IPv6 brackets, a trailing root dot or case. */
export function bareHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/** 127.0.0.0/8, ::1 (IPv4-mapped forms included) and the name localhost. */
export function isLoopback(host: string): boolean {
  const h = bareHost(host);
  if (h === 'localhost') return true;
  const family = isIP(h);
  return family !== 0 && loopback.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

export const LOOPBACK_ONLY = 'plain http is allowed to loopback only: 127.0.0.0/8, ::1, localhost';

/**
 * Why the monday token must not be sent to `url`, or undefined when it may. The token is a
 * bearer credential: over plain http anyone on the path reads it, so http is only for a
 * local emulator.
 */
export function insecureEndpoint(url: string): string | undefined {
  if (!URL.canParse(url)) return `not a URL: ${JSON.stringify(url)}`;
  const u = new URL(url);
  if (u.protocol === 'https:') return undefined;
  if (u.protocol !== 'http:') return `must be an https:// URL (got ${u.protocol}//)`;
  if (isLoopback(u.hostname)) return undefined;
  return `plain http:// to ${bareHost(u.hostname)} would send the token in clear; use https:// (${LOOPBACK_ONLY})`;
}
