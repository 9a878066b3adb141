// X.509 Name Constraints (RFC 5280 §4.2.1.10) of the local CA (S13): the CA users are asked to
// trust may only sign for loopback names and the tenant domains it was made for, so its key, if
// stolen, cannot impersonate any other site. The extension's DER, reading it back, and the test a
// verifier applies to a host name. Only permitted dNSName and iPAddress subtrees are used.
import { isIPv4, isIPv6 } from 'node:net';
import { tlv } from './cert-facts.ts';

export const NAME_CONSTRAINTS_OID = '2.5.29.30';

export interface PermittedNames {
  /** `example.com` permits it and every name below it; `.example.com` only the names below it. */
  dns: string[];
  /** Address and mask, 4 or 16 bytes each. */
  ip: { address: Buffer; mask: Buffer }[];
}

/** Always permitted: the names of a development machine (RFC 6761 §6.3 reserves `localhost`). */
const LOOPBACK: PermittedNames = {
  dns: ['localhost', '.localhost'],
  ip: [
    { address: Buffer.from([127, 0, 0, 0]), mask: Buffer.from([255, 0, 0, 0]) },
    { address: ipBytes('::1')!, mask: Buffer.alloc(16, 0xff) },
  ],
};

/** Loopback plus each host (a DNS name, or an address as a single-address subtree). */
export function permittedFor(hosts: readonly string[]): PermittedNames {
  const names: PermittedNames = { dns: [...LOOPBACK.dns], ip: [...LOOPBACK.ip] };
  for (const raw of hosts) {
    const host = raw.toLowerCase().replace(/\.$/, '');
    const address = ipBytes(host);
    if (address) {
      if (!permits(names, host)) names.ip.push({ address, mask: Buffer.alloc(address.length, 0xff) });
    } else if (host !== '' && !permits(names, host)) {
      names.dns.push(host);
    }
  }
  return names;
}

/** Whether a certificate for `host` issued under these constraints would verify. */
export function permits(names: PermittedNames, host: string): boolean {
  const address = ipBytes(host);
  if (address) {
    return names.ip.some((c) => c.address.length === address.length && address.every((b, i) => (b & c.mask[i]!) === c.address[i]));
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  return names.dns.some((c) => (c.startsWith('.') ? name.endsWith(c) : name === c || name.endsWith(`.${c}`)));
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees } (implicit tags). */
export function encodeNameConstraints(names: PermittedNames): Buffer {
  const subtrees = [
    ...names.dns.map((d) => tlv(0x30, tlv(0x82, Buffer.from(d, 'ascii')))), // dNSName [2] IA5String
    ...names.ip.map((c) => tlv(0x30, tlv(0x87, Buffer.concat([c.address, c.mask])))), // iPAddress [7]
  ];
  return tlv(0x30, tlv(0xa0, ...subtrees));
}

/** The permitted subtrees of a NameConstraints value (excluded ones, which we never write, are ignored). */
export function decodeNameConstraints(der: Buffer): PermittedNames {
  const names: PermittedNames = { dns: [], ip: [] };
  const [top] = readDer(der);
  for (const part of readDer(top?.content ?? Buffer.alloc(0))) {
    if (part.tag !== 0xa0) continue;
    for (const subtree of readDer(part.content)) {
      const [base] = readDer(subtree.content);
      if (base?.tag === 0x82) names.dns.push(base.content.toString('ascii').toLowerCase());
      if (base?.tag === 0x87 && (base.content.length === 8 || base.content.length === 32)) {
        const half = base.content.length / 2;
        names.ip.push({ address: base.content.subarray(0, half), mask: base.content.subarray(half) });
      }
    }
  }
  return names;
}

/** The text form of the names, for logs and messages. */
export function describeNames(names: PermittedNames): string {
  const ips = names.ip.map((c) => `${formatIp(c.address)}/${c.mask.reduce((n, b) => n + popcount(b), 0)}`);
  return [...names.dns, ...ips].join(', ');
}

interface Der {
  tag: number;
  content: Buffer;
}

/** The consecutive DER elements of `buf` (X.690 §8.1: tag, definite length, content). */
function readDer(buf: Buffer): Der[] {
  const out: Der[] = [];
  let at = 0;
  while (at + 2 <= buf.length) {
    const tag = buf[at]!;
    let length = buf[at + 1]!;
    at += 2;
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 4 || at + octets > buf.length) break;
      length = buf.subarray(at, at + octets).reduce((n, b) => n * 256 + b, 0);
      at += octets;
    }
    if (at + length > buf.length) break;
    out.push({ tag, content: buf.subarray(at, at + length) });
    at += length;
  }
  return out;
}

/** 4 or 16 bytes of an IPv4 or IPv6 literal; undefined for anything else. */
function ipBytes(host: string): Buffer | undefined {
  if (isIPv4(host)) return Buffer.from(host.split('.').map(Number));
  if (!isIPv6(host)) return undefined;
  const [head = '', tail] = host.split('::');
  const groups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number); // a trailing IPv4 part is two groups
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

function formatIp(address: Buffer): string {
  if (address.length === 4) return [...address].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(address.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

function popcount(b: number): number {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
}
