// Hand-made JWTs for attack tests (security catalogue §4.5): safe libraries refuse to produce
// `alg: none`, duplicate members, non-canonical base64url or an HS256 MAC keyed with an RSA public
// key, so tokens are assembled here from raw bytes with node:crypto only.
import { createHash, createHmac, createPublicKey, sign as cryptoSign, constants, type KeyObject } from 'node:crypto';
import type { TestServer } from './test-server.ts';

/** A segment given as exact JSON text (duplicates, odd spacing) rather than a value to serialize. */
export interface JsonText {
  jsonText: string;
}
/** A segment given as its final base64url (or deliberately broken) text. */
export interface RawSegment {
  raw: string;
}
export type SegmentInput = JsonText | RawSegment | Record<string, unknown> | unknown[] | string | number | boolean | null;

export type Signing =
  | { kind: 'hmac'; key: Buffer | string; hash?: 'sha256' | 'sha384' | 'sha512' }
  | { kind: 'rsa'; key: KeyObject; hash?: 'sha256' | 'sha384' | 'sha512'; pss?: boolean }
  | { kind: 'ecdsa'; key: KeyObject; hash?: 'sha256' | 'sha384' | 'sha512' }
  /** Any KeyObject node can sign with (DSA, Ed25519...), DER-encoded signature. */
  | { kind: 'other'; key: KeyObject; hash?: string }
  | { kind: 'raw'; signature: string }
  /** `header.payload.` — an empty third segment. */
  | { kind: 'empty' }
  /** `header.payload` — two segments only. */
  | { kind: 'omit' };

export interface CraftInput {
  header: SegmentInput;
  payload: SegmentInput;
  sign: Signing;
}

export const b64url = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');
export const jsonText = (text: string): JsonText => ({ jsonText: text });
export const raw = (segment: string): RawSegment => ({ raw: segment });

function isTagged<K extends string>(v: unknown, key: K): v is Record<K, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && key in v;
}

function encodeSegment(input: SegmentInput): string {
  if (isTagged(input, 'raw')) return input.raw;
  if (isTagged(input, 'jsonText')) return b64url(input.jsonText);
  return b64url(JSON.stringify(input));
}

export function signatureFor(signingInput: string, sign: Signing): string | undefined {
  const data = Buffer.from(signingInput, 'ascii');
  switch (sign.kind) {
    case 'hmac':
      return createHmac(sign.hash ?? 'sha256', sign.key).update(data).digest('base64url');
    case 'rsa':
      return cryptoSign(
        sign.hash ?? 'sha256',
        data,
        sign.pss ? { key: sign.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : sign.key,
      ).toString('base64url');
    case 'ecdsa':
      return cryptoSign(sign.hash ?? 'sha256', data, { key: sign.key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    case 'other':
      return cryptoSign(sign.hash ?? null, data, sign.key).toString('base64url');
    case 'raw':
      return sign.signature;
    case 'empty':
      return '';
    case 'omit':
      return undefined;
  }
}

/** A compact token from arbitrary parts; nothing is validated. */
export function craftJwt({ header, payload, sign }: CraftInput): string {
  const input = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  const signature = signatureFor(input, sign);
  return signature === undefined ? input : `${input}.${signature}`;
}

/** Decodes a segment with plain JSON.parse (tests only read tokens the server made). */
export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export interface TenantKey {
  kid: string;
  key: KeyObject;
}

/** The private half of the key the tenant at `host` signs with now (tests forge valid tokens with it). */
export async function currentSigningKey(server: TestServer, host: string): Promise<TenantKey> {
  const tenant = server.registry.tenantByHost(host);
  if (!tenant) throw new Error(`no tenant at ${host}`);
  const { current } = await server.registry.keys(tenant.id);
  if (!current.privateKey) throw new Error('the current key has no private key');
  return { kid: current.kid, key: current.privateKey };
}

/** An RS256 token over `payload` made with `signer`; `header` members are added to (or override) alg/typ/kid. */
export function signRs256(signer: TenantKey, payload: SegmentInput, header: Record<string, unknown> = {}): string {
  return craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid: signer.kid, ...header }, payload, sign: { kind: 'rsa', key: signer.key } });
}

export interface PublishedKey {
  kty: string;
  kid: string;
  n: string;
  e: string;
  x5c: string[];
  [member: string]: unknown;
}

export interface Jwks {
  /** The response body exactly as served. */
  text: string;
  keys: PublishedKey[];
}

/** The tenant's JWKS as any client would fetch it. */
export async function fetchJwks(server: TestServer, host: string): Promise<Jwks> {
  const res = await server.inject({ method: 'GET', url: '/.well-known/jwks.json', host });
  if (res.statusCode !== 200) throw new Error(`jwks: ${res.statusCode} ${res.body}`);
  const body = res.json<{ keys: PublishedKey[] }>();
  return { text: res.body, keys: body.keys };
}

const pem = (label: string, der: Buffer): string => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

/**
 * Every way a confused verifier might turn our RSA public key into an HMAC secret (T-JWT-10:
 * CVE-2015-9235, CVE-2023-48223, CVE-2026-34950, -107722, -107724, -44699).
 */
export function attackKeySerializations(jwks: Jwks, key: PublishedKey = jwks.keys[0]!): { name: string; secret: Buffer }[] {
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: key.n, e: key.e }, format: 'jwk' });
  const spkiPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const pkcs1Pem = publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const pkcs1Der = publicKey.export({ type: 'pkcs1', format: 'der' });
  const certDer = Buffer.from(key.x5c[0]!, 'base64');
  const minimalJwk = JSON.stringify({ kty: 'RSA', n: key.n, e: key.e });
  const forms: [string, string | Buffer][] = [
    ['SPKI PEM', spkiPem],
    ['PKCS#1 "BEGIN RSA PUBLIC KEY" PEM', pkcs1Pem],
    ['SPKI PEM with leading spaces', `   ${spkiPem}`],
    ['SPKI PEM with a leading newline', `\n${spkiPem}`],
    ['SPKI PEM with leading tab and CRLF', `\t\r\n${spkiPem}`],
    ['SPKI PEM with a non-whitespace prefix', `x${spkiPem}`],
    ['PKCS#1 PEM with a leading newline', `\n${pkcs1Pem}`],
    ['SPKI PEM without trailing newline', spkiPem.trimEnd()],
    ['PKCS#1 PEM without trailing newline', pkcs1Pem.trimEnd()],
    ['SPKI PEM with CRLF line ends', spkiPem.replace(/\n/g, '\r\n')],
    ['SPKI DER bytes', spkiDer],
    ['PKCS#1 DER bytes', pkcs1Der],
    ['base64 SPKI DER', spkiDer.toString('base64')],
    ['base64url SPKI DER', spkiDer.toString('base64url')],
    ['published JWK JSON text', JSON.stringify(key)],
    ['minimal JWK JSON text', minimalJwk],
    ['JWKS response text', jwks.text],
    ['JWKS JSON text re-serialized', JSON.stringify({ keys: jwks.keys })],
    ['the n value', key.n],
    ['the n value decoded', Buffer.from(key.n, 'base64url')],
    ['x5c certificate PEM', pem('CERTIFICATE', certDer)],
    ['x5c base64 text', key.x5c[0]!],
    ['x5c DER bytes', certDer],
    ['SHA-256 of the SPKI DER', createHash('sha256').update(spkiDer).digest()],
    ['empty key', Buffer.alloc(0)],
  ];
  return forms.map(([name, value]) => ({ name, secret: Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8') }));
}
