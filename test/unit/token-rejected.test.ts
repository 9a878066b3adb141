// Every way the bearer-token verifier (src/tokens/verify.ts) refuses a token names its rule, the
// header parameter or claim it is about, and how it failed (missing, invalid or check_failed, as
// jose's JWTClaimValidationFailed does); no rejection is a catch-all. Hand-made tokens, one RSA key.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyRing } from '../../src/tokens/keys.ts';
import { TokenRejected, verifyToken, type VerifyOptions } from '../../src/tokens/verify.ts';
import { craftJwt } from '../helpers/craft-jwt.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const NOW = 1_800_000_000;
const ISSUER = 'https://tenant-a.test/';
const AUDIENCE = 'https://tenant-a.test/api/v2/';
const GLOBAL = { globalClientId: 'global-client', secret: Buffer.from('global secret') };
const OPTIONS: VerifyOptions = { issuer: ISSUER, audience: AUDIENCE, now: NOW, leeway: 30, keys: { verifying: new Map([['k1', { publicKey }]]) } as unknown as KeyRing, legacy: GLOBAL };
const GOOD = { iss: ISSUER, sub: 'app@clients', aud: AUDIENCE, iat: NOW, exp: NOW + 600, scope: 'read:clients', jti: 'j' };

const rs256 = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) => craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid: 'k1', ...header }, payload, sign: { kind: 'rsa', key: privateKey } });
const without = (name: string) => Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== name));

function rejection(token: string): [string, string | undefined, string] | 'accepted' {
  try {
    verifyToken(token, OPTIONS);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof TokenRejected)) throw error;
    return [error.reason, error.claim, error.kind];
  }
}

describe('TokenRejected: the rule, the claim and the kind of every refusal', () => {
  it('a good token is accepted (the cases below differ from it in one thing)', () => {
    expect(rejection(rs256(GOOD))).toBe('accepted');
  });

  const cases: [string, string, [string, string | undefined, string]][] = [
    ['not a JWS', 'a.b', ['malformed', undefined, 'invalid']],
    ['crit', rs256(GOOD, { crit: ['exp'] }), ['unsupported_header', 'crit', 'check_failed']],
    ['b64', rs256(GOOD, { b64: false }), ['unsupported_header', 'b64', 'check_failed']],
    ['typ of an ID token profile', rs256(GOOD, { typ: 'id+jwt' }), ['not_access_token', 'typ', 'check_failed']],
    ['typ not a string', rs256(GOOD, { typ: 7 }), ['not_access_token', 'typ', 'invalid']],
    ['no kid', craftJwt({ header: { alg: 'RS256', typ: 'JWT' }, payload: GOOD, sign: { kind: 'rsa', key: privateKey } }), ['unknown_key', 'kid', 'missing']],
    ['unknown kid', rs256(GOOD, { kid: 'k2' }), ['unknown_key', 'kid', 'check_failed']],
    ['bad RS256 signature', craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid: 'k1' }, payload: GOOD, sign: { kind: 'raw', signature: 'AAAA' } }), ['signature', undefined, 'check_failed']],
    ['alg none', craftJwt({ header: { alg: 'none', typ: 'JWT' }, payload: GOOD, sign: { kind: 'raw', signature: 'AAAA' } }), ['algorithm', 'alg', 'check_failed']],
    ['no alg', craftJwt({ header: { typ: 'JWT' }, payload: GOOD, sign: { kind: 'raw', signature: 'AAAA' } }), ['algorithm', 'alg', 'missing']],
    ['HS256 for another audience', craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: GOOD, sign: { kind: 'hmac', key: GLOBAL.secret } }), ['not_global', 'aud', 'check_failed']],
    ['HS256 with another secret', craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: { ...GOOD, aud: GLOBAL.globalClientId }, sign: { kind: 'hmac', key: 'other' } }), ['signature', undefined, 'check_failed']],
    ['no exp', rs256(without('exp')), ['missing_claim', 'exp', 'missing']],
    ['exp a string', rs256({ ...GOOD, exp: String(NOW + 600) }), ['invalid_claim', 'exp', 'invalid']],
    ['expired', rs256({ ...GOOD, exp: NOW - 31 }), ['expired', 'exp', 'check_failed']],
    ['nbf not a number', rs256({ ...GOOD, nbf: 'soon' }), ['invalid_claim', 'nbf', 'invalid']],
    ['nbf in the future', rs256({ ...GOOD, nbf: NOW + 31 }), ['not_yet_valid', 'nbf', 'check_failed']],
    ['iat in the future', rs256({ ...GOOD, iat: NOW + 31 }), ['not_yet_valid', 'iat', 'check_failed']],
    ['no iss', rs256(without('iss')), ['issuer', 'iss', 'missing']],
    ['another issuer', rs256({ ...GOOD, iss: 'https://tenant-b.test/' }), ['issuer', 'iss', 'check_failed']],
    ['no aud', rs256(without('aud')), ['missing_claim', 'aud', 'missing']],
    ['aud a number', rs256({ ...GOOD, aud: 7 }), ['invalid_claim', 'aud', 'invalid']],
    ['another audience', rs256({ ...GOOD, aud: 'https://api.example.com/' }), ['audience', 'aud', 'check_failed']],
    ['an ID token', rs256({ ...GOOD, nonce: 'n' }), ['id_token', 'nonce', 'check_failed']],
    ['scope an array', rs256({ ...GOOD, scope: ['read:clients'] }), ['invalid_claim', 'scope', 'invalid']],
    ['sub a number', rs256({ ...GOOD, sub: 7 }), ['invalid_claim', 'sub', 'invalid']],
  ];

  it.each(cases)('%s', (_name, token, want) => {
    expect(rejection(token)).toStrictEqual(want);
  });
});
