// The denylist over time and under failure (security catalogue T-LEG-10; issue #3 "entries expire
// with the token they name"; D6): an entry learns its token's expiry when the token is seen and is
// pruned after it, never before a token it names could still verify; a denylist that cannot be
// read refuses every token rather than reading as empty; a deleted client's tokens are refused.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LONGEST_TOKEN_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from '../../src/domain/tenant.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { DenylistRecord, Storage } from '../../src/storage/ports.ts';
import { invalidTokenResponse, MSG, probe } from '../helpers/alg-confusion.ts';
import { decodeSegment } from '../helpers/craft-jwt.ts';
import { globalClient, legacyClaims, operatorToken, setLegacy, signLegacy, type GlobalClient } from '../helpers/legacy.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { JSON_UTF8, mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const INTERNAL = JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: 'Internal error' });

let s: TestServer;
let admin: MgmtCaller;
let operator: string;
let global: GlobalClient;
let app: M2M;

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await mgmtToken(s, ['blacklist:tokens', 'delete:clients', 'read:client_grants', 'delete:client_grants']));
  operator = await operatorToken(s);
  global = await globalClient(s, operator);
  app = await seedM2M(s, ['read:clients'], { name: 'expiring app' });
});
afterAll(() => s.close());

const nowSec = () => Math.floor(s.clock.now() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const call = (token: string) => probe(s, DOMAIN, `Bearer ${token}`);
const entry = async (jti: string): Promise<DenylistRecord | undefined> => (await s.storage.denylist.list(s.tenant.id)).find((e) => e.jti === jti);

function expectStatus(res: LightMyRequestResponse, status: number, message?: string): void {
  if (message === undefined) return void expect(res.statusCode).toBe(status);
  expect({ status: res.statusCode, body: res.body }).toEqual({ status, body: invalidTokenResponse(DOMAIN, message).body });
}
async function deny(body: { aud?: string; jti: string }): Promise<void> {
  expect((await admin.post('/blacklists/tokens', body)).statusCode).toBe(204);
}

describe('expiry learning and pruning (frozen clock; storage prune as the runtime calls it)', () => {
  it('an RS256 entry lives as long as any token of ours can (a dashboard test token: 1 year) until its token is seen, then until the token expires (+ leeway); pruned after', async () => {
    const token = await tokenFor(s, app);
    const { jti, exp } = decodeSegment(token, 1) as { jti: string; exp: number };
    await deny({ aud: app.clientId, jti });
    expect((await entry(jti))?.expiresAt).toBe(iso(nowSec() + LONGEST_TOKEN_SECONDS));
    expectStatus(await call(token), 401, MSG.invalidToken);
    await vi.waitFor(async () => expect((await entry(jti))?.expiresAt).toBe(iso(exp + 30)));

    expect(await s.storage.denylist.prune(iso(exp + 29))).toBe(0);
    expect(await entry(jti)).toBeDefined();
    expect(await s.storage.denylist.prune(iso(exp + 31))).toBe(1);
    expect((await s.storage.denylist.list(s.tenant.id)).map((e) => e.jti)).not.toContain(jti);
    // By then its token is past exp: gone from the list, still refused.
    const later = exp + 31 - nowSec();
    s.clock.advance(later);
    try {
      expectStatus(await call(token), 401, MSG.expired);
    } finally {
      s.clock.advance(-later);
    }
  });

  it('an entry whose token is never seen is pruned once no token of ours can still be alive', async () => {
    await deny({ jti: 'never-seen-rs256', aud: s.tenant.managementAudience });
    const expiresAt = (await entry('never-seen-rs256'))!.expiresAt!;
    expect(await s.storage.denylist.prune(new Date(Date.parse(expiresAt) - 1000).toISOString())).toBe(0);
    expect(await s.storage.denylist.prune(new Date(Date.parse(expiresAt) + 1000).toISOString())).toBe(1);
  });

  it('an entry by jti alone (it may name a legacy token) is kept until its token is seen; an RS256 token then gives it its exp', async () => {
    const token = await tokenFor(s, app);
    const { jti, exp } = decodeSegment(token, 1) as { jti: string; exp: number };
    await deny({ jti });
    expect((await entry(jti))?.expiresAt).toBeNull();
    expect(await s.storage.denylist.prune(iso(nowSec() + 10 * MAX_TOKEN_LIFETIME_SECONDS))).toBe(0);
    expectStatus(await call(token), 401, MSG.invalidToken);
    await vi.waitFor(async () => expect((await entry(jti))?.expiresAt).toBe(iso(exp + 30)));
    expect(await s.storage.denylist.prune(iso(exp + 31))).toBe(1);
  });

  it('a legacy entry learns a far exp (1 year) from its token', async () => {
    await setLegacy(s, operator, true);
    const exp = nowSec() + 31_536_000;
    const token = signLegacy(legacyClaims(s, global, { jti: 'legacy-1y', exp }), global.clientSecret);
    await deny({ aud: global.clientId, jti: 'legacy-1y' });
    expectStatus(await call(token), 401, MSG.invalidToken);
    await vi.waitFor(async () => expect((await entry('legacy-1y'))?.expiresAt).toBe(iso(exp + 30)));
    expect(await s.storage.denylist.prune(iso(nowSec() + MAX_TOKEN_LIFETIME_SECONDS + 1))).toBe(0);
  });

  // A legacy token may never expire (spec §2.3): an entry that may name one is never pruned while
  // that token could still verify, however it was listed and whatever the switch said at the time.
  for (const [label, body, legacyOn] of [
    ['listed by (Global Client Id, jti)', (jti: string) => ({ aud: global.clientId, jti }), true],
    ['listed by jti alone', (jti: string) => ({ jti }), true],
    ['listed by (Global Client Id, jti) while the switch was off', (jti: string) => ({ aud: global.clientId, jti }), false],
    ['listed by jti alone while the switch was off', (jti: string) => ({ jti }), false],
  ] as const) {
    it(`a never-expiring legacy token ${label} stays refused after any pruning`, async () => {
      const jti = `forever-${label.replace(/\W+/g, '-')}`;
      const token = signLegacy(legacyClaims(s, global, { jti }), global.clientSecret);
      await setLegacy(s, operator, legacyOn);
      await deny(body(jti));
      await setLegacy(s, operator, true);
      expectStatus(await call(token), 401, MSG.invalidToken);
      // The runtime's prune, a century on; then the in-memory list is forgotten (as the periodic
      // resync or a restart does), so only what storage kept counts.
      await s.storage.denylist.prune(iso(nowSec() + 100 * 31_536_000));
      await s.registry.resync();
      expectStatus(await call(token), 401, MSG.invalidToken);
      expect(await entry(jti)).toBeDefined();
    });
  }
});

describe('D6: a deleted client cannot act; a deleted grant stops new tokens only', () => {
  it("DELETE /clients/{id} → that client's tokens are refused at once, cached or not; others are not", async () => {
    const doomed = await seedM2M(s, ['read:clients'], { name: 'doomed' });
    const [cached, unseen, bystander] = [await tokenFor(s, doomed), await tokenFor(s, doomed), await tokenFor(s, app)];
    expectStatus(await call(cached), 200);
    expect((await admin.del(`/clients/${doomed.clientId}`)).statusCode).toBe(204);
    expectStatus(await call(cached), 401, MSG.invalidToken);
    expectStatus(await call(unseen), 401, MSG.invalidToken);
    expectStatus(await call(bystander), 200);
  });

  it('DELETE /client-grants/{id} → no new token (403), the issued one stays valid until exp (Auth0)', async () => {
    const granted = await seedM2M(s, ['read:clients'], { name: 'grant removed' });
    const issued = await tokenFor(s, granted);
    const [grant] = (await admin.get(`/client-grants?client_id=${granted.clientId}`)).json<{ id: string }[]>();
    expect((await admin.del(`/client-grants/${grant!.id}`)).statusCode).toBe(204);
    const again = await requestToken(s, granted.clientId, granted.clientSecret, s.tenant.managementAudience);
    expect([again.statusCode, again.json()]).toEqual([
      403,
      {
        error: 'access_denied',
        error_description: `Client is not authorized to access "${s.tenant.managementAudience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
      },
    ]);
    expectStatus(await call(issued), 200);
  });
});

describe('T-LEG-10: a denylist that cannot be read fails closed', () => {
  let raw: Storage;
  let f: TestServer;
  let rs256: string;
  let legacy: string;
  let realList: (tenantId: string, aud?: string) => Promise<DenylistRecord[]>;
  const failing = async (): Promise<never> => {
    throw new Error('denylist store unavailable');
  };

  beforeAll(async () => {
    raw = await createStorage('sqlite::memory:');
    f = await startTestServer({ storage: raw });
    const op = await operatorToken(f);
    await setLegacy(f, op, true);
    rs256 = await mgmtToken(f, ['read:clients', 'blacklist:tokens']);
    const fGlobal = await globalClient(f, op);
    legacy = signLegacy(legacyClaims(f, fGlobal, { jti: 'legacy-with-jti' }), fGlobal.clientSecret);
    realList = raw.denylist.list.bind(raw.denylist);
    await f.registry.resync(); // start the tests with nothing loaded
  });
  afterAll(async () => {
    raw.denylist.list = realList;
    await f.close();
  });

  const send = (token: string) => probe(f, DOMAIN, `Bearer ${token}`);
  async function expectFailedClosed(token: string): Promise<void> {
    const res = await send(token);
    expect({ status: res.statusCode, body: res.body, type: res.headers['content-type'] }).toEqual({ status: 500, body: INTERNAL, type: JSON_UTF8 });
  }

  it('cold: RS256 and legacy tokens → 500 "Internal error", never 200; accepted again once the store answers', async () => {
    raw.denylist.list = failing;
    await expectFailedClosed(rs256);
    await expectFailedClosed(legacy);
    await expectFailedClosed(rs256); // a failed load is not remembered as an empty list
    raw.denylist.list = realList;
    expect((await send(rs256)).statusCode).toBe(200);
    expect((await send(legacy)).statusCode).toBe(200);
  });

  it('an entry added elsewhere joins the loaded copy: refused from memory while the store cannot be read (R3)', async () => {
    expect((await send(rs256)).statusCode).toBe(200);
    expect((await send(legacy)).statusCode).toBe(200);
    raw.denylist.list = failing;
    // Another instance denylists the legacy token: its change event names the jti, so the loaded
    // list grows by it instead of being thrown away (issue 10, R3), and needs no reload.
    await f.storage.denylist.add({ tenantId: f.tenant.id, jti: 'legacy-with-jti', aud: undefined, createdAt: new Date(f.clock.now()).toISOString(), expiresAt: null });
    const refused = await send(legacy);
    const want = invalidTokenResponse(DOMAIN, MSG.invalidToken);
    expect([refused.statusCode, refused.body, refused.headers['www-authenticate']]).toEqual([401, want.body, want.challenge]);
    expect((await send(rs256)).statusCode).toBe(200);
    raw.denylist.list = realList;
  });

  it('after a change empties the in-memory copy, a store that fails to reload refuses every token', async () => {
    expect((await send(rs256)).statusCode).toBe(200);
    raw.denylist.list = failing;
    // A change that names no entries (an event from an older instance) invalidates the loaded list.
    f.registry.apply({ tenantId: f.tenant.id, kind: 'denylist' });
    await expectFailedClosed(rs256);
    await expectFailedClosed(legacy);
    const post = await mgmt(f, rs256).post('/blacklists/tokens', { jti: 'while-down' });
    expect([post.statusCode, post.body]).toEqual([500, INTERNAL]);
    raw.denylist.list = realList;
    expect((await send(rs256)).statusCode).toBe(200);
  });

  it('storage closed altogether → 500, never 200', async () => {
    const other = await startTestServer();
    const token = await mgmtToken(other, ['read:clients']);
    await other.registry.resync();
    await other.storage.close();
    const res = await probe(other, DOMAIN, `Bearer ${token}`);
    expect([res.statusCode, res.body]).toEqual([500, INTERNAL]);
    await other.app.fastify.close();
  });
});
