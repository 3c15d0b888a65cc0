/** `host:port` and CIDR parsing for config values; returns undefined for anything malformed. */
import { isIP } from 'node:net';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `127.0.0.1:8080`, `[::1]:8080`, `localhost:80`, `:8080` (all interfaces), `*:8080`. */
export function parseHostPort(value: string, { allowZero }: { allowZero: boolean }): HostPort | undefined {
  const colon = value.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65_535 || (port === 0 && !allowZero)) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
    return isIP(host) === 6 ? { host, port } : undefined;
  }
  if (host === '' || host === '*') return { host: '0.0.0.0', port };
  if (isIP(host) === 4 || HOSTNAME.test(host)) return { host, port };
  return undefined;
}

export interface Cidr {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly prefix: number;
}

function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(ip);
  if (family === 4) {
    const value = ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (family === 6) {
    const [head = '', tail] = ip.split('::');
    const expand = (s: string) => (s === '' ? [] : s.split(':'));
    let groups = expand(head);
    if (tail !== undefined) {
      const tailGroups = expand(tail);
      groups = [...groups, ...Array(8 - groups.length - tailGroups.length).fill('0'), ...tailGroups];
    }
    const last = groups[groups.length - 1] ?? '';
    if (last.includes('.')) {
      const v4 = ipToBigInt(last);
      if (v4 === undefined) return undefined;
      groups.splice(-1, 1, ((v4.value >> 16n) & 0xffffn).toString(16), (v4.value & 0xffffn).toString(16));
    }
    const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
    return { family: 6, value };
  }
  return undefined;
}

/** `10.0.0.0/8`, `127.0.0.1` (a /32), `::1`, `fd00::/8`. */
export function parseCidr(value: string): Cidr | undefined {
  const [ip = '', prefixText] = value.split('/');
  const parsed = ipToBigInt(ip);
  if (parsed === undefined) return undefined;
  const max = parsed.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) return undefined;
  const shift = BigInt(max - prefix);
  return { family: parsed.family, bits: (parsed.value >> shift) << shift, prefix };
}

/** True when `ip` (as Node reports a remote address, possibly `::ffff:a.b.c.d`) lies in one of the ranges. */
export function ipInRanges(ip: string, ranges: readonly Cidr[]): boolean {
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const parsed = ipToBigInt(plain);
  if (parsed === undefined) return false;
  for (const range of ranges) {
    if (range.family !== parsed.family) continue;
    const shift = BigInt((range.family === 4 ? 32 : 128) - range.prefix);
    if ((parsed.value >> shift) << shift === range.bits) return true;
  }
  return false;
}
