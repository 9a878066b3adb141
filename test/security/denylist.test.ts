// The token denylist (spec §3.5.6; security catalogue T-LEG-04, -05, -07, T-JWT-24): Auth0's
// /api/v2/blacklists/tokens wire shapes, and Scopeward's enforcement beyond Auth0 — a listed
// token, legacy HS256 or RS256 client-credentials, is refused by the Management API at once (even
// when its verification is cached), matched by its verified jti with its aud, its azp, or any aud.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidTokenResponse, MSG, probe } from '../helpers/alg-confusion.ts';
import { craftJwt, currentSigningKey, decodeSegment, jsonText, signRs256 } from '../helpers/craft-jwt.ts';
import { asTenant, globalClient, legacyClaims, operatorToken, setLegacy, signLegacy, type GlobalClient } from '../helpers/legacy.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const B = 'tenant-b.test';

let s: TestServer;
let admin: MgmtCaller;
let app: M2M;
let other: M2M;
let global: GlobalClient;

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await mgmtToken(s, ['blacklist:tokens']));
  app = await seedM2M(s, ['read:clients'], { name: 'listed app' });
  other = await seedM2M(s, ['read:clients'], { name: 'other app' });
  const operator = await operatorToken(s);
  global = await globalClient(s, operator);
  await setLegacy(s, operator, true);
});
afterAll(() => s.close());

const jtiOf = (token: string) => String(decodeSegment(token, 1).jti);
const call = (token: string, host = DOMAIN) => probe(s, host, `Bearer ${token}`);

function expectAccepted(res: LightMyRequestResponse): void {
  expect([res.statusCode, res.body.startsWith('[')]).toEqual([200, true]);
}
function expectRefused(res: LightMyRequestResponse, host = DOMAIN, message: string = MSG.invalidToken): void {
  const want = invalidTokenResponse(host, message);
  expect({ status: res.statusCode, body: res.body, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, body: want.body, challenge: want.challenge });
}

/** A list body in a fixed order (entries made at one instant come back in storage order). */
const sorted = (entries: { aud?: string; jti: string }[]) => [...entries].sort((x, y) => `${x.jti} ${x.aud ?? ''}`.localeCompare(`${y.jti} ${y.aud ?? ''}`));

/** POST /blacklists/tokens → exactly Auth0's 204 (empty body, JSON content type). */
async function deny(entry: { aud?: string; jti: string }, caller: MgmtCaller = admin): Promise<void> {
  const res = await caller.post('/blacklists/tokens', entry);
  expect({ status: res.statusCode, body: res.body, type: res.headers['content-type'] }).toEqual({ status: 204, body: '', type: JSON_UTF8 });
}

describe('spec §3.5.6: GET and POST /api/v2/blacklists/tokens', () => {
  let fresh: TestServer;
  let api: MgmtCaller;
  beforeAll(async () => {
    fresh = await startTestServer();
    api = mgmt(fresh, await mgmtToken(fresh, ['blacklist:tokens']));
  });
  afterAll(() => fresh.close());

  it('GET on an empty list → 200 [] (a bare array, JSON UTF-8)', async () => {
    const res = await api.get('/blacklists/tokens');
    expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([200, JSON_UTF8, '[]']);
  });

  it('POST {aud, jti} and {jti} → 204; GET lists each once, aud only where given; a repeat changes nothing', async () => {
    await deny({ aud: 'client-one', jti: 'jti-1' }, api);
    await deny({ jti: 'jti-2' }, api);
    await deny({ aud: 'client-two', jti: 'jti-1' }, api);
    await deny({ aud: 'client-one', jti: 'jti-1' }, api);
    const res = await api.get('/blacklists/tokens');
    expect([res.statusCode, sorted(res.json())]).toStrictEqual([200, [{ aud: 'client-one', jti: 'jti-1' }, { aud: 'client-two', jti: 'jti-1' }, { jti: 'jti-2' }]]);
  });

  it('?aud= filters; include_totals and paging parameters are ignored (still a bare array)', async () => {
    expect((await api.get('/blacklists/tokens?aud=client-one')).json()).toEqual([{ aud: 'client-one', jti: 'jti-1' }]);
    expect((await api.get('/blacklists/tokens?aud=nobody')).json()).toEqual([]);
    const res = await api.get('/blacklists/tokens?include_totals=true&page=0&per_page=1');
    expect([res.statusCode, res.json<unknown[]>().length]).toEqual([200, 3]);
  });

  it('400 invalid_body: jti missing, empty, not a string or too long; aud empty; extra properties; no body', async () => {
    const cases: [unknown, string][] = [
      [{}, "Payload validation error: 'Missing required property: jti'."],
      [{ aud: 'client-one' }, "Payload validation error: 'Missing required property: jti'."],
      [{ jti: '' }, "Payload validation error: 'String is too short (0 chars), minimum 1' on property jti."],
      [{ jti: 5 }, "Payload validation error: 'Expected type string but found type integer' on property jti."],
      [{ jti: 'j'.repeat(257) }, "Payload validation error: 'String is too long (257 chars), maximum 256' on property jti."],
      [{ jti: 'x', aud: '' }, "Payload validation error: 'String is too short (0 chars), minimum 1' on property aud."],
      [{ jti: 'x', token: 'eyJ...' }, "Payload validation error: 'Additional properties not allowed: token'."],
      [undefined, "Payload validation error: 'Expected type object but found type null'."],
    ];
    for (const [body, message] of cases) expectMgmtError(await api.post('/blacklists/tokens', body), 400, message, 'invalid_body');
    expect((await api.get('/blacklists/tokens')).json<unknown[]>()).toHaveLength(3); // nothing was added
  });

  it('T-LEG-04: without blacklist:tokens → 403 on GET and POST; nothing is added', async () => {
    const reader = mgmt(fresh, await mgmtToken(fresh, ['read:clients', 'update:clients', 'delete:clients']));
    const message = 'Insufficient scope, expected any of: blacklist:tokens';
    expectMgmtError(await reader.get('/blacklists/tokens'), 403, message, 'insufficient_scope');
    expectMgmtError(await reader.post('/blacklists/tokens', { jti: 'sneaky' }), 403, message, 'insufficient_scope');
    expect((await api.get('/blacklists/tokens?aud=sneaky')).json()).toEqual([]);
    expect((await api.get('/blacklists/tokens')).json<{ jti: string }[]>().map((e) => e.jti)).not.toContain('sneaky');
  });
});

describe('T-LEG-04 / T-JWT-24: a listed RS256 client-credentials token is refused at once', () => {
  it('listed by (aud, jti): refused on its next request although cached; other tokens of the client are not', async () => {
    const [listed, sibling] = [await tokenFor(s, app), await tokenFor(s, app)];
    expect(jtiOf(listed)).not.toBe(jtiOf(sibling));
    expectAccepted(await call(listed));
    await deny({ aud: s.tenant.managementAudience, jti: jtiOf(listed) });
    expectRefused(await call(listed));
    expectRefused(await mgmt(s, listed).get(`/clients/${app.clientId}`));
    expectAccepted(await call(sibling));
    expect((await admin.get(`/blacklists/tokens?aud=${encodeURIComponent(s.tenant.managementAudience)}`)).json()).toContainEqual({ aud: s.tenant.managementAudience, jti: jtiOf(listed) });
  });

  it('listed by (client id, jti) — the azp — or by jti alone: refused', async () => {
    const byClient = await tokenFor(s, app);
    const byJti = await tokenFor(s, app);
    expectAccepted(await call(byClient));
    expectAccepted(await call(byJti));
    await deny({ aud: app.clientId, jti: jtiOf(byClient) });
    await deny({ jti: jtiOf(byJti) });
    expectRefused(await call(byClient));
    expectRefused(await call(byJti));
  });

  it('an entry naming another audience or another client does not refuse the token', async () => {
    const token = await tokenFor(s, app);
    for (const aud of [other.clientId, 'https://another.api.test/', global.clientId, s.tenant.managementAudience.slice(0, -1)]) await deny({ aud, jti: jtiOf(token) });
    expectAccepted(await call(token));
  });

  it('any audience of an array aud matches (browser tokens carry [api, userinfo])', async () => {
    const signer = await currentSigningKey(s, DOMAIN);
    const userinfo = `https://${DOMAIN}/userinfo`;
    const claims = { ...decodeSegment(await tokenFor(s, app), 1), aud: [s.tenant.managementAudience, userinfo], jti: 'array-aud-jti' };
    const token = signRs256(signer, claims);
    expectAccepted(await call(token));
    await deny({ aud: userinfo, jti: 'array-aud-jti' });
    expectRefused(await call(token));
  });

  it('a token can list itself: the POST answers 204, its next call 401', async () => {
    const token = await mgmtToken(s, ['blacklist:tokens']);
    await deny({ jti: jtiOf(token) }, mgmt(s, token));
    expectRefused(await mgmt(s, token).get('/blacklists/tokens'));
  });
});

describe('T-LEG-04: a listed legacy token is refused at once', () => {
  it('listed by (Global Client Id, jti) or by jti alone; an entry for another client leaves it alone', async () => {
    const [a, b, c] = ['legacy-a', 'legacy-b', 'legacy-c'].map((jti) => signLegacy(legacyClaims(s, global, { jti }), global.clientSecret)) as [string, string, string];
    for (const t of [a, b, c]) expectAccepted(await call(t));
    await deny({ aud: global.clientId, jti: 'legacy-a' });
    await deny({ jti: 'legacy-b' });
    await deny({ aud: app.clientId, jti: 'legacy-c' });
    expectRefused(await call(a));
    expectRefused(await call(b));
    expectAccepted(await call(c));
  });
});

describe('T-LEG-05: the verified jti is what is listed, not the token text', () => {
  it('an RS256 token re-serialized (member order, whitespace, extra header member) and re-signed stays refused', async () => {
    const signer = await currentSigningKey(s, DOMAIN);
    const token = await tokenFor(s, app);
    const claims = decodeSegment(token, 1);
    await deny({ aud: app.clientId, jti: jtiOf(token) });
    const variants = [
      craftJwt({ header: jsonText(`{ "kid": "${signer.kid}", "typ": "JWT", "alg": "RS256" }`), payload: jsonText(JSON.stringify(claims, null, 2)), sign: { kind: 'rsa', key: signer.key } }),
      signRs256(signer, Object.fromEntries(Object.entries(claims).reverse()), { cty: 'x' }),
      signRs256(signer, { ...claims, exp: Number(claims.exp) + 60, scope: 'read:clients read:users' }),
    ];
    for (const v of variants) {
      expect(v).not.toBe(token);
      expectRefused(await call(v));
    }
    // Control: the same re-serialization with another jti is accepted, so the refusal is the list's.
    expectAccepted(await call(signRs256(signer, { ...claims, jti: 'not-listed-jti' }, { cty: 'x' })));
  });

  it('a legacy token re-signed with other header members or spacing stays refused; non-canonical encodings too', async () => {
    const claims = legacyClaims(s, global, { jti: 'legacy-reserialized' });
    const token = signLegacy(claims, global.clientSecret);
    await deny({ aud: global.clientId, jti: 'legacy-reserialized' });
    const key = Buffer.from(global.clientSecret, 'base64');
    // The MAC with its two unused low bits set: the same bytes to a lenient base64url decoder.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lenient = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(token.at(-1)!) | 3]}`;
    expect(Buffer.from(lenient.split('.')[2]!, 'base64url').equals(Buffer.from(token.split('.')[2]!, 'base64url'))).toBe(true);
    const resigned = [
      signLegacy(claims, global.clientSecret, { kid: 'anything' }),
      craftJwt({ header: jsonText('{"typ":"JWT", "alg":"HS256"}'), payload: jsonText(` ${JSON.stringify(claims)} `), sign: { kind: 'hmac', key } }),
      signLegacy({ ...claims, exp: Math.floor(s.clock.now() / 1000) + 9e6 }, global.clientSecret),
    ];
    for (const v of [...resigned, `${token}=`, `${token}==`, lenient]) expectRefused(await call(v));
    expect((await call(`${token}.`)).statusCode).toBe(400); // four segments: not a bearer JWT at all
    expectAccepted(await call(signLegacy({ ...claims, jti: 'legacy-not-listed' }, global.clientSecret, { kid: 'anything' })));
  });
});

describe('T-LEG-07: entries are tenant-scoped', () => {
  let tokenB: string;
  let adminB: MgmtCaller;
  beforeAll(async () => {
    const b = asTenant(s, await s.addTenant('tenant-b', B));
    adminB = mgmt(s, await mgmtToken(b, ['blacklist:tokens']), B);
    const genuine = await tokenFor(b, await seedM2M(b, ['read:clients']));
    tokenB = signRs256(await currentSigningKey(s, B), { ...decodeSegment(genuine, 1), jti: 'shared-jti' });
  });

  it("listing jti X in tenant A refuses A's token X, not tenant B's token X; B's list stays empty", async () => {
    const tokenA = signRs256(await currentSigningKey(s, DOMAIN), { ...decodeSegment(await tokenFor(s, app), 1), jti: 'shared-jti' });
    expectAccepted(await call(tokenA));
    expectAccepted(await call(tokenB, B));
    await deny({ jti: 'shared-jti' });
    expectRefused(await call(tokenA));
    expectAccepted(await call(tokenB, B));
    expect((await adminB.get('/blacklists/tokens')).json()).toEqual([]);
  });

  it("listing in tenant B refuses B's token and changes nothing in A's list", async () => {
    const before = (await admin.get('/blacklists/tokens')).json<unknown[]>();
    await deny({ jti: 'shared-jti', aud: 'only-in-b' }, adminB);
    await deny({ jti: 'shared-jti' }, adminB);
    expectRefused(await call(tokenB, B), B);
    expect(sorted((await adminB.get('/blacklists/tokens')).json())).toStrictEqual([{ jti: 'shared-jti' }, { aud: 'only-in-b', jti: 'shared-jti' }]);
    expect((await admin.get('/blacklists/tokens')).json()).toEqual(before);
  });
});
