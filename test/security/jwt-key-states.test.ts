// Signing-key states at the Management API (security catalogue §4.5 T-JWT-22, D7) and the
// verified-token cache (DESIGN "Hot paths"): next, current and previous keys verify, revoked and
// unknown ones never do, and a cached verification never outlives its token or its key.
import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SigningKeyState } from '../../src/storage/ports.ts';
import { invalidTokenResponse, MSG, probe } from '../helpers/alg-confusion.ts';
import { decodeSegment, fetchJwks, signRs256 } from '../helpers/craft-jwt.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

// A pass-through spy: the real verifier runs; the count shows when the cache answered instead.
const calls = vi.hoisted(() => ({ verify: 0 }));
vi.mock('../../src/tokens/verify.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/tokens/verify.ts')>();
  return {
    ...real,
    verifyToken: (...args: Parameters<typeof real.verifyToken>) => {
      calls.verify++;
      return real.verifyToken(...args);
    },
  };
});

let s: TestServer;
let claims: Record<string, unknown>;
let first: { current: string; next: string };

beforeAll(async () => {
  s = await startTestServer();
  claims = decodeSegment(await mgmtToken(s, ['read:clients']), 1);
  const ring = await s.registry.keys(s.tenant.id);
  first = { current: ring.current.kid, next: ring.all.find((k) => k.state === 'next')!.kid };
});
afterAll(() => s.close());

const send = (token: string) => probe(s, DOMAIN, `Bearer ${token}`);
const setState = (kid: string, state: SigningKeyState) => s.storage.signingKeys.update(s.tenant.id, kid, { state });
const publishedKids = async () => (await fetchJwks(s, DOMAIN)).keys.map((k) => k.kid);
async function expectRejected(token: string, message: string = MSG.invalidToken): Promise<void> {
  const res = await send(token);
  expect({ status: res.statusCode, body: res.body }).toEqual({ status: 401, body: invalidTokenResponse(DOMAIN, message).body });
}

/**
 * The private half of any stored key. Only the current key is ever decrypted (tokens/keys.ts), so
 * the key is made current for a moment through storage, exactly as a rotation would.
 */
async function privateKeyOf(kid: string): Promise<KeyObject> {
  const ring = await s.registry.keys(s.tenant.id);
  if (ring.current.kid === kid) return ring.current.privateKey!;
  const { current } = ring;
  const state = ring.all.find((k) => k.kid === kid)!.state;
  await setState(current.kid, 'next');
  await setState(kid, 'current');
  const key = (await s.registry.keys(s.tenant.id)).current.privateKey!;
  await setState(kid, state);
  await setState(current.kid, 'current');
  return key;
}

describe('T-JWT-22: key states (D7)', () => {
  let k1: KeyObject;
  let cachedK1Token: string;

  it('a kid that no published key has → 401 Invalid token', async () => {
    k1 = await privateKeyOf(first.current);
    await expectRejected(signRs256({ kid: 'tMQzailSAdaW4nojXxES9', key: k1 }, claims));
    await expectRejected(signRs256({ kid: first.current, key: k1 }, claims, { kid: undefined }));
  });

  it('the next key is published ahead and a token it signs verifies', async () => {
    expect(await publishedKids()).toEqual([first.current, first.next]);
    const next = await privateKeyOf(first.next);
    expect((await s.registry.keys(s.tenant.id)).current.kid).toBe(first.current);
    expect((await send(signRs256({ kid: first.next, key: next }, claims))).statusCode).toBe(200);
  });

  it('after rotation the previous key still verifies, and new tokens carry the new kid', async () => {
    cachedK1Token = await mgmtToken(s, ['read:clients']);
    expect(decodeSegment(cachedK1Token, 0).kid).toBe(first.current);
    expect((await send(cachedK1Token)).statusCode).toBe(200);
    await setState(first.current, 'previous');
    await setState(first.next, 'current');
    expect(await publishedKids()).toEqual([first.next, first.current]);
    expect((await send(cachedK1Token)).statusCode).toBe(200);
    expect((await send(signRs256({ kid: first.current, key: k1 }, { ...claims, jti: 'b'.repeat(32) }))).statusCode).toBe(200);
    expect(decodeSegment(await mgmtToken(s, ['read:clients']), 0).kid).toBe(first.next);
  });

  it('a revoked key leaves the JWKS and its tokens → 401, even one cached as verified', async () => {
    await setState(first.current, 'revoked');
    expect(await publishedKids()).toEqual([first.next]);
    await expectRejected(cachedK1Token);
    await expectRejected(signRs256({ kid: first.current, key: k1 }, { ...claims, jti: 'c'.repeat(32) }));
  });

  it('a wrong signature under a published kid → 401 invalid signature', async () => {
    await expectRejected(signRs256({ kid: first.next, key: k1 }, claims), MSG.invalidSignature);
  });
});

describe('verified-token cache', () => {
  it('a second request with the same token is answered from the cache', async () => {
    const token = await mgmtToken(s, ['read:clients']);
    const before = calls.verify;
    expect((await send(token)).statusCode).toBe(200);
    expect(calls.verify).toBe(before + 1);
    expect((await send(token)).statusCode).toBe(200);
    expect((await send(token)).statusCode).toBe(200);
    expect(calls.verify).toBe(before + 1);
  });

  it('a cached token still expires: 200 at exp + 30 s, 401 expired one second later', async () => {
    const start = s.clock.now();
    try {
      const token = await mgmtToken(s, ['read:clients']);
      const { exp } = decodeSegment(token, 1) as { exp: number };
      expect((await send(token)).statusCode).toBe(200);
      const before = calls.verify;
      s.clock.set((exp + 30) * 1000);
      expect((await send(token)).statusCode).toBe(200);
      expect(calls.verify).toBe(before);
      s.clock.advance(1);
      await expectRejected(token, MSG.expired);
      await expectRejected(token, MSG.expired);
    } finally {
      s.clock.set(start);
    }
  });

  it('a refused token is never cached: the same forged token is verified (and refused) every time', async () => {
    const forged = signRs256({ kid: first.next, key: (await s.registry.keys(s.tenant.id)).current.privateKey! }, { ...claims, exp: 1 });
    const before = calls.verify;
    await expectRejected(forged, MSG.expired);
    await expectRejected(forged, MSG.expired);
    expect(calls.verify).toBe(before + 2);
  });
});
