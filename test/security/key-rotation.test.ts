// Signing-key rotation semantics (security catalogue §4.15 T-KR-01..05, T-JWT-22, D7) driven
// through the Management API routes an operator uses: what the JWKS publishes in every state,
// which tokens keep verifying, what a revocation ends (cached verifications included), tokens
// issued while a rotation is in flight, and what the signing_keys table holds.
// Two instances on one PostgreSQL (T-MI-04/05/07) are in key-rotation-instances.test.ts.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidTokenResponse, MSG, probe } from '../helpers/alg-confusion.ts';
import { decodeSegment, fetchJwks, signRs256 } from '../helpers/craft-jwt.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { requestToken } from '../helpers/mgmt-http.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const KEY_SCOPES = ['read:signing_keys', 'create:signing_keys', 'update:signing_keys'];
const PUBLIC_MEMBERS = ['alg', 'e', 'kid', 'kty', 'n', 'use', 'x5c', 'x5t'];

/** The private half of a stored key, opened the way tokens/keys.ts opens it. */
async function privateKeyOf(s: TestServer, kid: string): Promise<KeyObject> {
  const record = (await s.storage.signingKeys.list(s.tenant.id)).find((k) => k.kid === kid)!;
  return createPrivateKey(s.envelope.open(record.privateSealed, { tenantId: s.tenant.id, table: 'signing_keys', recordId: kid, field: 'private_key' }));
}

/** Operator actions, each with a freshly issued token (so no revocation here ends the operator's own). */
function operator(s: TestServer, admin: M2M) {
  const send = async (method: 'POST' | 'PUT', url: string): Promise<LightMyRequestResponse> =>
    s.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${await tokenFor(s, admin)}` } });
  return {
    async rotate(): Promise<string> {
      const res = await send('POST', '/keys/signing/rotate');
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ kid: string }>().kid;
    },
    async revoke(kid: string): Promise<void> {
      const res = await send('PUT', `/keys/signing/${kid}/revoke`);
      expect(res.statusCode, res.body).toBe(200);
    },
  };
}

async function kidsByState(s: TestServer): Promise<Record<'current' | 'next' | 'previous' | 'revoked', string[]>> {
  const out = { current: [] as string[], next: [] as string[], previous: [] as string[], revoked: [] as string[] };
  for (const k of await s.storage.signingKeys.list(s.tenant.id)) out[k.state].push(k.kid);
  return out;
}

async function expectInvalidToken(s: TestServer, token: string): Promise<void> {
  const res = await probe(s, DOMAIN, `Bearer ${token}`);
  const expected = invalidTokenResponse(DOMAIN, MSG.invalidToken);
  expect({ status: res.statusCode, body: res.body, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, body: expected.body, challenge: expected.challenge });
}

const status = async (s: TestServer, token: string) => (await probe(s, DOMAIN, `Bearer ${token}`)).statusCode;

describe('T-KR-01 / T-KR-02 / T-KR-04 / T-JWT-22: key states through rotate and revoke', () => {
  let s: TestServer;
  let ops: ReturnType<typeof operator>;
  let reader: M2M;
  let first: { current: string; next: string };
  /** K1 tokens: one verified (and cached) before the rotation, one first shown after it. */
  let usedBefore: string;
  let unusedBefore: string;
  let nextSigned: string;

  beforeAll(async () => {
    s = await startTestServer();
    ops = operator(s, await seedM2M(s, KEY_SCOPES, { name: 'operator' }));
    reader = await seedM2M(s, ['read:clients'], { name: 'reader' });
    const states = await kidsByState(s);
    first = { current: states.current[0]!, next: states.next[0]! };
  });
  afterAll(() => s.close());

  const publishedKids = async () => (await fetchJwks(s, DOMAIN)).keys.map((k) => k.kid);

  it('T-KR-01: a new tenant publishes current then next, public members only', async () => {
    const jwks = await fetchJwks(s, DOMAIN);
    expect(jwks.keys.map((k) => k.kid)).toEqual([first.current, first.next]);
    for (const k of jwks.keys) {
      expect(Object.keys(k).sort()).toEqual(PUBLIC_MEMBERS);
      expect([k.kty, k.use, k.alg]).toEqual(['RSA', 'sig', 'RS256']);
    }
    expect(jwks.text).not.toMatch(/"(d|p|q|dp|dq|qi)":/);
  });

  it('D7 / T-JWT-22: a token signed by the pre-published next key verifies; issued tokens still carry the current kid', async () => {
    usedBefore = await tokenFor(s, reader);
    unusedBefore = await tokenFor(s, reader);
    expect([decodeSegment(usedBefore, 0).kid, decodeSegment(unusedBefore, 0).kid]).toEqual([first.current, first.current]);
    expect(await status(s, usedBefore)).toBe(200);
    nextSigned = signRs256({ kid: first.next, key: await privateKeyOf(s, first.next) }, { ...decodeSegment(usedBefore, 1), jti: 'n'.repeat(32) });
    expect(await status(s, nextSigned)).toBe(200);
    expect(decodeSegment(await tokenFor(s, reader), 0).kid).toBe(first.current);
  });

  it('T-KR-02: rotate → next is current, a new next, the old current previous; the JWKS lists current, next, previous', async () => {
    expect(await ops.rotate()).toBe(first.next);
    const states = await kidsByState(s);
    expect(states).toEqual({ current: [first.next], next: [states.next[0]], previous: [first.current], revoked: [] });
    expect([first.current, first.next]).not.toContain(states.next[0]);
    expect(await publishedKids()).toEqual([first.next, states.next[0], first.current]);
  });

  it('T-KR-02: tokens signed by the previous key keep verifying (cached or not); new tokens carry the new kid', async () => {
    expect(await status(s, usedBefore)).toBe(200);
    expect(await status(s, unusedBefore)).toBe(200);
    expect(await status(s, nextSigned)).toBe(200);
    expect(decodeSegment(await tokenFor(s, reader), 0).kid).toBe(first.next);
  });

  it('T-KR-01: after a second rotation both previous keys are published until revoked', async () => {
    const third = await ops.rotate();
    const states = await kidsByState(s);
    expect(states.current).toEqual([third]);
    expect(new Set(states.previous)).toEqual(new Set([first.current, first.next]));
    expect((await publishedKids()).slice(0, 2)).toEqual([third, states.next[0]]);
    expect(new Set((await publishedKids()).slice(2))).toEqual(new Set([first.current, first.next]));
    expect(await status(s, usedBefore)).toBe(200);
  });

  it('T-KR-04 / T-JWT-22: revoking the first key ends its tokens at once: 401 Invalid token, also the one cached as verified', async () => {
    const k2Token = await tokenFor(s, reader);
    await ops.revoke(first.current);
    expect(await publishedKids()).not.toContain(first.current);
    await expectInvalidToken(s, usedBefore);
    await expectInvalidToken(s, unusedBefore);
    // A freshly made token under the revoked kid is refused too (nothing is trusted by claims).
    await expectInvalidToken(s, signRs256({ kid: first.current, key: await privateKeyOf(s, first.current) }, { ...decodeSegment(usedBefore, 1), jti: 'r'.repeat(32) }));
    // Keys still published keep working.
    expect(await status(s, nextSigned)).toBe(200);
    expect(await status(s, k2Token)).toBe(200);
  });

  it('T-KR-04: a verifier that fetches the JWKS after the revocation cannot verify the revoked key’s tokens', async () => {
    const jwks = (await s.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>();
    const options = { issuer: `https://${DOMAIN}/`, audience: s.tenant.managementAudience, currentDate: new Date(s.clock.now()) };
    await expect(jwtVerify(usedBefore, createLocalJWKSet(jwks), options)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await expect(jwtVerify(nextSigned, createLocalJWKSet(jwks), options)).resolves.toBeDefined();
  });

  it('T-KR-01: revoked keys never come back; every state keeps exactly one current and one next published', async () => {
    await ops.rotate();
    await ops.revoke(first.next);
    const states = await kidsByState(s);
    expect([states.current.length, states.next.length]).toEqual([1, 1]);
    expect(new Set(states.revoked)).toEqual(new Set([first.current, first.next]));
    const kids = await publishedKids();
    expect(kids).toEqual([states.current[0], states.next[0], ...kids.slice(2)]);
    expect(new Set(kids.slice(2))).toEqual(new Set(states.previous));
    for (const revoked of states.revoked) expect(kids).not.toContain(revoked);
    await expectInvalidToken(s, nextSigned);
  });
});

describe('T-KR-03: tokens issued while a rotation is in flight', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('≥ 200 concurrent token requests around a rotation: every token verifies against the JWKS fetched before AND after it', async () => {
    const before = (await s.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>();
    const { current: [oldKid], next: [nextKid] } = await kidsByState(s);
    const client = await seedM2M(s, ['read:clients'], { name: 'busy client' });
    const admin = await seedM2M(s, KEY_SCOPES, { name: 'operator' });
    const adminToken = await tokenFor(s, admin);
    const issue = () => requestToken(s, client.clientId, client.clientSecret, s.tenant.managementAudience);

    const responses: LightMyRequestResponse[] = [];
    const wave = async () => responses.push(...(await Promise.all(Array.from({ length: 50 }, issue))));
    const first = Array.from({ length: 100 }, issue);
    let rotated = false;
    const rotation = s.inject({ method: 'POST', url: '/api/v2/keys/signing/rotate', headers: { authorization: `Bearer ${adminToken}` } }).finally(() => (rotated = true));
    const second = Array.from({ length: 100 }, issue);
    responses.push(...(await Promise.all([...first, ...second])));
    while (!rotated) await wave();
    await wave(); // certainly after the rotation
    expect((await rotation).statusCode).toBe(201);

    const after = (await s.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>();
    expect(after.keys.map((k) => k.kid)).toEqual([nextKid, expect.any(String), oldKid]);
    const options = { issuer: `https://${DOMAIN}/`, audience: s.tenant.managementAudience, algorithms: ['RS256'], currentDate: new Date(s.clock.now()) };
    const kids = new Map<string, number>();
    const failures: string[] = [];
    for (const res of responses) {
      expect(res.statusCode, res.body).toBe(200);
      const token = res.json<{ access_token: string }>().access_token;
      const kid = String(decodeSegment(token, 0).kid);
      kids.set(kid, (kids.get(kid) ?? 0) + 1);
      for (const [label, jwks] of [['before', before], ['after', after]] as const) {
        await jwtVerify(token, createLocalJWKSet(jwks), options).catch((e: Error) => failures.push(`${label} ${kid}: ${e.message}`));
      }
    }
    expect(responses.length).toBeGreaterThanOrEqual(250);
    expect(failures).toEqual([]);
    // The run spanned the rotation: tokens under the old key and under the promoted next key, no other.
    expect([...kids.keys()].sort()).toEqual([oldKid, nextKid].sort());
  });
});

describe('T-KR-05: what the signing_keys table holds', () => {
  let dir: string;
  let s: TestServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-kr05-'));
    s = await startTestServer({ databaseUrl: `sqlite:${path.join(dir, 'scopeward.db')}` });
    const ops = operator(s, await seedM2M(s, KEY_SCOPES, { name: 'operator' }));
    const { current } = await kidsByState(s);
    await ops.rotate();
    await ops.revoke(current[0]!);
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rows in every state: no PEM private key, no `d` (or any private JWK member), the public JWK only; the sealed key opens only at its own row', async () => {
    const db = new DatabaseSync(path.join(dir, 'scopeward.db'), { readOnly: true });
    const rows = db.prepare('select * from signing_keys where tenant_id = ?').all(s.tenant.id) as Record<string, string>[];
    db.close();
    expect(rows.map((r) => r.state).sort()).toEqual(['current', 'next', 'revoked']);
    const dump = JSON.stringify(rows);
    expect(dump).not.toMatch(/PRIVATE KEY|"(d|p|q|dp|dq|qi)"|\\"(d|p|q|dp|dq|qi)\\"/);
    for (const row of rows) {
      expect(Object.keys(JSON.parse(row.public_jwk!) as object).sort()).toEqual(['e', 'kty', 'n']);
      // The private key is there, sealed: it opens with the master key at this row, and matches the published half.
      const where = { tenantId: s.tenant.id, table: 'signing_keys', recordId: row.kid!, field: 'private_key' };
      const privateKey = createPrivateKey(s.envelope.open(row.private_sealed!, where));
      const jwk = privateKey.export({ format: 'jwk' });
      expect(createPublicKey(privateKey).export({ format: 'jwk' })).toEqual({ kty: 'RSA', ...(JSON.parse(row.public_jwk!) as object) });
      for (const member of [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi]) expect(dump).not.toContain(member);
      const other = rows.find((r) => r.kid !== row.kid)!;
      expect(() => s.envelope.open(row.private_sealed!, { ...where, recordId: other.kid! })).toThrow();
    }
  });
});
