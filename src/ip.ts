/**
 * IPv4 and IPv6 addresses and CIDR ranges as big integers, for checking IPAM options at synth time
 * (a range is canonical, an address or sub-range lies inside it).
 *
 * Why not ipaddr.js: its parser accepts forms the IPAM plugins that read these values do not (IPv4 with fewer
 * than four parts or hex/octal parts through `parse`, IPv6 zone ids such as `fe80::1%eth0`), so the grammar
 * here would stay anyway; what remains is prefix arithmetic on bigints, a few lines that need no dependency.
 */

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: 4 | 6;
  /** The first address (network address). */
  readonly first: bigint;
  /** The last address (broadcast address for IPv4). */
  readonly last: bigint;
  readonly prefix: number;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parseV4(text: string): bigint | undefined {
  if (!V4.test(text)) return undefined;
  return text.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.includes(':::')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): string[] | undefined => {
    if (part === '') return [];
    const out: string[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes('.')) {
        // Embedded IPv4 in the last 32 bits, e.g. ::ffff:192.0.2.1.
        const v4 = parseV4(item);
        if (v4 === undefined) return undefined;
        out.push(((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(item);
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail];
  return all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** An IPv4 or IPv6 address, or undefined. */
export function parseIp(text: string): IpAddress | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseV6(text) : undefined;
  return v6 !== undefined ? { family: 6, value: v6 } : undefined;
}

export type CidrProblem = 'syntax' | 'host-bits';

/** A CIDR range, or the reason it is not one: `syntax`, or `host-bits` (the address is not the network address). */
export function parseCidr(text: string): Cidr | CidrProblem {
  const m = typeof text === 'string' ? /^([^/\s]+)\/(\d{1,3})$/.exec(text) : null;
  if (!m) return 'syntax';
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (!ip) return 'syntax';
  const bits = ip.family === 4 ? 32 : 128;
  if (prefix > bits || m[2] !== String(prefix)) return 'syntax';
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) return 'host-bits';
  return { family: ip.family, first: ip.value, last: ip.value | hostMask, prefix };
}

export function cidrContains(outer: Cidr, inner: Cidr | IpAddress): boolean {
  if (outer.family !== inner.family) return false;
  const [first, last] = 'value' in inner ? [inner.value, inner.value] : [inner.first, inner.last];
  return first >= outer.first && last <= outer.last;
}

/** The network address of a CIDR whose host bits are set, e.g. 192.168.0.0/24 for 192.168.0.5/24. */
export function networkOf(text: string): string | undefined {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text);
  const ip = m ? parseIp(m[1]) : undefined;
  if (!m || !ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits) return undefined;
  const network = ip.value & ~((1n << BigInt(bits - prefix)) - 1n);
  return `${formatIp({ family: ip.family, value: network })}/${prefix}`;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map(s => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => ((ip.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // Compress the longest run of two or more zero groups (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
