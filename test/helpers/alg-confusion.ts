// The algorithm-confusion matrix (security catalogue §6 item 1: T-JWT-01, -10, -11, -14) as a
// reusable function: it takes a server and a tenant host, so the same attacks can be re-run with
// the tenant's legacy HS256 mode on (where the expected message for HS256 cases changes).
import { generateKeyPairSync } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { attackKeySerializations, craftJwt, currentSigningKey, decodeSegment, fetchJwks, type Signing } from './craft-jwt.ts';
import type { TestServer } from './test-server.ts';

export const PROBE_URL = '/api/v2/clients';

export const MSG = {
  invalidToken: 'Invalid token',
  invalidSignature: 'Invalid signature received for JSON Web Token validation',
  expired: 'Expired token received for JSON Web Token validation',
  badFormat: 'Bad HTTP authentication header format',
  missing: 'Missing authentication',
} as const;

export interface MatrixContext {
  server: TestServer;
  /** The tenant host the attacks are sent to. */
  host: string;
  /** A genuine RS256 access token for that host's Management API that the probe accepts. */
  validToken: string;
}

export interface AttackCase {
  id: 'T-JWT-01' | 'T-JWT-10' | 'T-JWT-11' | 'T-JWT-14';
  name: string;
  token: string;
  /** 401 invalid_token with this message, or 400 for a token that is not three segments. */
  expect: { status: 401; message: string } | { status: 400 };
}

export function probe(server: TestServer, host: string, authorization: string | undefined): Promise<LightMyRequestResponse> {
  return server.inject({ method: 'GET', url: PROBE_URL, host, headers: authorization === undefined ? {} : { authorization } });
}

/** The exact Auth0 body and challenge of a 401 for a bearer token (spec §3.1). */
export function invalidTokenResponse(host: string, message: string): { body: string; challenge: string } {
  return {
    body: JSON.stringify({ statusCode: 401, error: 'Unauthorized', message, attributes: { error: message } }),
    challenge: `Bearer realm="${host}", error="invalid_token", error_description="${message}"`,
  };
}

export const badFormatBody = JSON.stringify({ statusCode: 400, error: 'Bad Request', message: MSG.badFormat });

export async function algConfusionMatrix(ctx: MatrixContext): Promise<AttackCase[]> {
  const claims = decodeSegment(ctx.validToken, 1);
  const { kid } = decodeSegment(ctx.validToken, 0);
  const ours = (await currentSigningKey(ctx.server, ctx.host)).key;
  const jwks = await fetchJwks(ctx.server, ctx.host);
  const published = jwks.keys.find((k) => k.kid === kid) ?? jwks.keys[0]!;
  const realSignature = ctx.validToken.split('.')[2]!;
  const cases: AttackCase[] = [];
  const invalid = (message: string = MSG.invalidToken) => ({ status: 401, message }) as const;
  const add = (id: AttackCase['id'], name: string, header: Record<string, unknown>, sign: Signing, expect: AttackCase['expect'] = invalid()) =>
    cases.push({ id, name, token: craftJwt({ header, payload: claims, sign }), expect });

  // T-JWT-01: `none` in any spelling, empty or missing, with and without a signature (CVE-2022-23540).
  const noneAlgs: [string, Record<string, unknown>][] = [
    ...['none', 'None', 'NONE', 'nOnE', ''].map((alg): [string, Record<string, unknown>] => [`alg ${JSON.stringify(alg)}`, { alg, typ: 'JWT' }]),
    ['alg missing', { typ: 'JWT' }],
    ['alg null', { alg: null, typ: 'JWT' }],
    ['alg ["none"]', { alg: ['none'], typ: 'JWT' }],
    ['alg none with our kid', { alg: 'none', typ: 'JWT', kid }],
  ];
  for (const [label, header] of noneAlgs) {
    add('T-JWT-01', `${label}, empty signature`, header, { kind: 'empty' });
    add('T-JWT-01', `${label}, the genuine token's signature`, header, { kind: 'raw', signature: realSignature });
    add('T-JWT-01', `${label}, HMAC with an empty key`, header, { kind: 'hmac', key: Buffer.alloc(0) });
    // Two segments is not a JWS at all: Auth0 answers 400 (spec §3.1, lead's decision).
    add('T-JWT-01', `${label}, no signature segment`, header, { kind: 'omit' }, { status: 400 });
  }

  // T-JWT-10: HS256 keyed with every serialization of every published key (current and next),
  // with that key's kid and without one.
  for (const key of jwks.keys) {
    for (const { name, secret } of attackKeySerializations(jwks, key)) {
      add('T-JWT-10', `HS256 + ${name} of ${key.kid}, its kid`, { alg: 'HS256', typ: 'JWT', kid: key.kid }, { kind: 'hmac', key: secret });
      add('T-JWT-10', `HS256 + ${name} of ${key.kid}, no kid`, { alg: 'HS256', typ: 'JWT' }, { kind: 'hmac', key: secret });
    }
  }
  const spkiPem = attackKeySerializations(jwks, published)[0]!.secret;
  add('T-JWT-10', 'HS384 + SPKI PEM', { alg: 'HS384', typ: 'JWT', kid }, { kind: 'hmac', key: spkiPem, hash: 'sha384' });
  add('T-JWT-10', 'HS512 + SPKI PEM', { alg: 'HS512', typ: 'JWT', kid }, { kind: 'hmac', key: spkiPem, hash: 'sha512' });

  // T-JWT-11: the algorithm comes from the key record. Signatures made with OUR private key under
  // another algorithm are cryptographically valid for that algorithm, and still refused.
  add('T-JWT-11', 'RS384 signed with our key', { alg: 'RS384', typ: 'JWT', kid }, { kind: 'rsa', key: ours, hash: 'sha384' });
  add('T-JWT-11', 'RS512 signed with our key', { alg: 'RS512', typ: 'JWT', kid }, { kind: 'rsa', key: ours, hash: 'sha512' });
  add('T-JWT-11', 'PS256 signed with our key', { alg: 'PS256', typ: 'JWT', kid }, { kind: 'rsa', key: ours, pss: true });
  add('T-JWT-11', 'lower-case rs256 signed with our key', { alg: 'rs256', typ: 'JWT', kid }, { kind: 'rsa', key: ours });
  add('T-JWT-11', '"RS256 " (trailing space) signed with our key', { alg: 'RS256 ', typ: 'JWT', kid }, { kind: 'rsa', key: ours });
  add('T-JWT-11', 'alg ["RS256"] signed with our key', { alg: ['RS256'], typ: 'JWT', kid }, { kind: 'rsa', key: ours });
  // A PSS signature under an RS256 header: the key's one algorithm is PKCS#1 v1.5.
  add('T-JWT-11', 'RS256 header, PSS signature by our key', { alg: 'RS256', typ: 'JWT', kid }, { kind: 'rsa', key: ours, pss: true }, invalid(MSG.invalidSignature));
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  add('T-JWT-11', 'ES256 with our kid, attacker EC key', { alg: 'ES256', typ: 'JWT', kid }, { kind: 'ecdsa', key: ec.privateKey });
  add('T-JWT-11', 'EdDSA with our kid', { alg: 'EdDSA', typ: 'JWT', kid }, { kind: 'other', key: generateKeyPairSync('ed25519').privateKey });

  // T-JWT-14: keys of the wrong type (or too short) never stand in for our RS256 key.
  add('T-JWT-14', 'RS256 header, our kid, ECDSA (DER) signature', { alg: 'RS256', typ: 'JWT', kid }, { kind: 'other', key: ec.privateKey, hash: 'sha256' }, invalid(MSG.invalidSignature));
  const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
  add('T-JWT-14', 'RS256 header, our kid, DSA signature', { alg: 'RS256', typ: 'JWT', kid }, { kind: 'other', key: dsa.privateKey, hash: 'sha256' }, invalid(MSG.invalidSignature));
  const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const shortJwk = short.publicKey.export({ format: 'jwk' });
  add('T-JWT-14', 'RS256 header, our kid, 1024-bit attacker RSA key', { alg: 'RS256', typ: 'JWT', kid }, { kind: 'rsa', key: short.privateKey }, invalid(MSG.invalidSignature));
  add('T-JWT-14', 'RS256, 1024-bit key embedded as jwk, its own kid', { alg: 'RS256', typ: 'JWT', kid: 'attacker', jwk: { ...shortJwk, kid: 'attacker' } }, { kind: 'rsa', key: short.privateKey });
  add('T-JWT-14', 'ES256, EC key embedded as jwk', { alg: 'ES256', typ: 'JWT', jwk: ec.publicKey.export({ format: 'jwk' }) }, { kind: 'ecdsa', key: ec.privateKey });
  return cases;
}

export interface Mismatch {
  name: string;
  status: number;
  body: string;
  challenge: string | undefined;
}

/**
 * Sends every case to the probe and returns those not answered exactly as expected. `message`
 * overrides the expected 401 text per case (legacy mode answers HS256 cases differently).
 */
export async function mismatches(ctx: MatrixContext, cases: AttackCase[], message?: (c: AttackCase) => string | undefined): Promise<Mismatch[]> {
  const out: Mismatch[] = [];
  for (const c of cases) {
    const res = await probe(ctx.server, ctx.host, `Bearer ${c.token}`);
    const challenge = res.headers['www-authenticate'] as string | undefined;
    let ok: boolean;
    if (c.expect.status === 400) {
      ok = res.statusCode === 400 && res.body === badFormatBody;
    } else {
      const want = invalidTokenResponse(ctx.host, message?.(c) ?? c.expect.message);
      ok = res.statusCode === 401 && res.body === want.body && challenge === want.challenge;
    }
    if (!ok) out.push({ name: `${c.id} ${c.name}`, status: res.statusCode, body: res.body, challenge });
  }
  return out;
}
