// Private Key JWT client authentication (RFC 7523 §3, issue 15) at /oauth/token, over raw HTTP with
// exact bodies: what authenticates (RS256, RS384, PS256; both audiences Auth0 accepts), and every
// refusal: replay, wrong aud, expired, future and over-long assertions, algorithm confusion
// (alg none, HS256 keyed with the public key, another client's key), a deleted, expired or
// disabled credential, a secret where the client is set to Private Key JWT; the tenant log's
// feccft "Failed client authentication"; the failed-authentication brake.
import { createHmac } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ASSERTION_TEXT } from '../../src/oauth/token/client-assertion.ts';
import { b64url, craftJwt } from '../helpers/craft-jwt.ts';
import { assertion, assertionForm, credentialAdmin, JWT_BEARER, rsaKeyPair, type CredentialAdmin, type KeyPair, type PkjwtApp } from '../helpers/private-key-jwt.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';
import { callToken, expectTokenError, expectUnauthorized } from '../helpers/token-contract.ts';

let keys: KeyPair;
let otherKeys: KeyPair;
beforeAll(() => {
  keys = rsaKeyPair();
  otherKeys = rsaKeyPair();
});

let s: TestServer;
let admin: CredentialAdmin;
let app: PkjwtApp;
beforeEach(async () => {
  s = await startTestServer();
  admin = await credentialAdmin(s);
  app = await admin.pkjwtApp(keys);
});
afterEach(async () => s.close());

const token = (clientAssertion: string, extra: Record<string, string> = {}) => callToken(s, { form: assertionForm(s, clientAssertion, extra) });
const refusedAs = async (clientAssertion: string, description: string, extra: Record<string, string> = {}) =>
  expectTokenError(await token(clientAssertion, extra), 401, 'invalid_client', description);
const now = () => Math.floor(s.clock.now() / 1000);

describe('RFC 7523 §3: an assertion signed with an enabled credential authenticates the client', () => {
  it('RS256 with aud https://DOMAIN/ (what the auth0 SDK sends) → 200 and a token issued to the client', async () => {
    const res = await token(assertion(s, { clientId: app.clientId, key: keys.privateKey }));
    expect(res.statusCode, res.body).toBe(200);
    const claims = decodeJwt(res.json<{ access_token: string }>().access_token);
    expect([claims.azp, claims.sub, claims.aud, claims.scope]).toEqual([app.clientId, `${app.clientId}@clients`, s.tenant.managementAudience, 'read:clients']);
  });

  it.each(['RS384', 'PS256'] as const)('%s with a credential created for it → 200', async (alg) => {
    const other = await admin.pkjwtApp(otherKeys, ['read:clients'], alg);
    expect((await token(assertion(s, { clientId: other.clientId, key: otherKeys.privateKey, alg }))).statusCode).toBe(200);
  });

  it('aud may be the token endpoint URL, or an array holding an accepted audience; the header may name the kid; client_id may be sent too', async () => {
    const endpoint = `https://${s.tenant.domain}/oauth/token`;
    expect((await token(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { aud: endpoint } }))).statusCode).toBe(200);
    expect((await token(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { aud: ['https://elsewhere.test/', endpoint] } }))).statusCode).toBe(200);
    expect((await token(assertion(s, { clientId: app.clientId, key: keys.privateKey, header: { kid: app.kid } }), { client_id: app.clientId })).statusCode).toBe(200);
  });

  it('iat and nbf may be absent, or up to 10 s ahead (Auth0 skew); a lifetime of exactly 5 minutes passes', async () => {
    expect((await token(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { iat: undefined } }))).statusCode).toBe(200);
    expect((await token(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { iat: now() + 10, nbf: now() + 10, exp: now() + 310 } }))).statusCode).toBe(200);
  });
});

describe('refusals: 401 invalid_client with the reason, as RFC 6749 §5.2 says', () => {
  it('T-PKJ-01 replay: the same assertion a second time is refused (the jti is spent)', async () => {
    const once = assertion(s, { clientId: app.clientId, key: keys.privateKey });
    expect((await token(once)).statusCode).toBe(200);
    await refusedAs(once, ASSERTION_TEXT.replay);
    // A different assertion with the same jti is the same replay.
    const { jti } = decodeJwt(once);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { jti, exp: now() + 30 } }), ASSERTION_TEXT.replay);
  });

  it('T-PKJ-02 wrong aud: another tenant, the API identifier, no trailing slash, or none', async () => {
    const text = ASSERTION_TEXT.aud(s.tenant.domain);
    for (const aud of ['https://other-tenant.test/', s.tenant.managementAudience, `https://${s.tenant.domain}`, undefined, 42]) {
      await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { aud } }), text);
    }
  });

  it('T-PKJ-03 expired (past the 10 s skew), exp missing or not a number', async () => {
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { iat: now() - 100, exp: now() - 10 } }), ASSERTION_TEXT.expired);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { exp: undefined } }), ASSERTION_TEXT.expRequired);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { exp: String(now() + 60) } }), ASSERTION_TEXT.numeric('exp'));
  });

  it('T-PKJ-04 future and over-long: iat or nbf more than 10 s ahead, exp more than 5 minutes after iat (or from now without iat)', async () => {
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { iat: now() + 11, exp: now() + 60 } }), ASSERTION_TEXT.iatFuture);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { nbf: now() + 11 } }), ASSERTION_TEXT.nbfFuture);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { exp: now() + 301 } }), ASSERTION_TEXT.lifetime);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { iat: undefined, exp: now() + 3600 } }), ASSERTION_TEXT.lifetime);
  });

  it('T-PKJ-05 alg none: an unsigned assertion never reaches a key', async () => {
    const unsigned = craftJwt({ header: { alg: 'none', typ: 'JWT' }, payload: decodeJwt(assertion(s, { clientId: app.clientId, key: keys.privateKey })), sign: { kind: 'empty' } });
    await refusedAs(unsigned, ASSERTION_TEXT.malformed);
    const noneSigned = craftJwt({ header: { alg: 'none' }, payload: decodeJwt(assertion(s, { clientId: app.clientId, key: keys.privateKey })), sign: { kind: 'raw', signature: b64url('x') } });
    await refusedAs(noneSigned, ASSERTION_TEXT.alg);
  });

  it('T-PKJ-06 HS256 keyed with the registered public key (every serialization of it) is refused before any key is tried', async () => {
    for (const secret of [keys.publicPem, keys.publicPem.trim(), keys.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(), keys.publicKey.export({ type: 'spki', format: 'der' })]) {
      const forged = assertion(s, { clientId: app.clientId, key: keys.privateKey, header: { alg: 'HS256' }, sign: { kind: 'hmac', key: secret } });
      await refusedAs(forged, ASSERTION_TEXT.alg);
    }
    // An RS256 header over an HMAC is a bad signature, not a way in.
    const input = `${b64url(JSON.stringify({ alg: 'RS256' }))}.${b64url(JSON.stringify(decodeJwt(assertion(s, { clientId: app.clientId, key: keys.privateKey }))))}`;
    await refusedAs(`${input}.${createHmac('sha256', keys.publicPem).update(input).digest('base64url')}`, ASSERTION_TEXT.notVerified);
  });

  it("T-PKJ-07 another client's key: signed by B's key for A, or A's assertion claiming B", async () => {
    const b = await admin.pkjwtApp(otherKeys);
    await refusedAs(assertion(s, { clientId: app.clientId, key: otherKeys.privateKey }), ASSERTION_TEXT.notVerified);
    await refusedAs(assertion(s, { clientId: b.clientId, key: keys.privateKey }), ASSERTION_TEXT.notVerified);
    // An alg other than the credential's is another key as far as the server is concerned.
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, alg: 'PS256' }), ASSERTION_TEXT.notVerified);
    // A kid naming another credential finds none of this client's.
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, header: { kid: b.kid } }), ASSERTION_TEXT.notVerified);
  });

  it('T-PKJ-08 a deleted credential is refused at once; so is an expired one, and one not enabled on the client', async () => {
    const expiring = await admin.pkjwtApp(otherKeys);
    await admin.call('PATCH', `/clients/${expiring.clientId}/credentials/${expiring.credentialId}`, { expires_at: new Date(s.clock.now()).toISOString() });
    await refusedAs(assertion(s, { clientId: expiring.clientId, key: otherKeys.privateKey }), ASSERTION_TEXT.notVerified);

    expect((await admin.call('DELETE', `/clients/${app.clientId}/credentials/${app.credentialId}`)).statusCode).toBe(204);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey }), ASSERTION_TEXT.notVerified);

    // Uploaded but not listed in client_authentication_methods: not usable.
    const fresh = rsaKeyPair();
    const listed = await admin.call('POST', `/clients/${app.clientId}/credentials`, { credential_type: 'public_key', pem: fresh.publicPem });
    expect(listed.statusCode).toBe(201);
    await refusedAs(assertion(s, { clientId: app.clientId, key: fresh.privateKey }), ASSERTION_TEXT.notVerified);
  });

  it('an unknown client, or a client still on its secret, answers like a bad signature', async () => {
    await refusedAs(assertion(s, { clientId: 'no-such-client-000000000000000', key: keys.privateKey }), ASSERTION_TEXT.notVerified);
    const secretApp = await admin.call('POST', '/clients', { name: 'secret app', app_type: 'non_interactive' });
    await refusedAs(assertion(s, { clientId: secretApp.json<{ client_id: string }>().client_id, key: keys.privateKey }), ASSERTION_TEXT.notVerified);
  });

  it('iss and sub must both be the client id, and client_id (when sent) the same; claims over 64 characters are refused', async () => {
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { sub: 'someone-else' } }), ASSERTION_TEXT.issSub);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { iss: undefined } }), ASSERTION_TEXT.issSub);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey }), ASSERTION_TEXT.clientIdMismatch, { client_id: 'another-client' });
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { jti: 'j'.repeat(65) } }), ASSERTION_TEXT.tooLong);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { jti: undefined } }), ASSERTION_TEXT.jtiRequired);
  });

  it('garbage in client_assertion is a malformed JWS', async () => {
    for (const garbage of ['not-a-jwt', 'a.b', 'a.b.c.d', 'e30.e30.']) await refusedAs(garbage, ASSERTION_TEXT.malformed);
  });
});

describe('RFC 6749 §2.3: one method per request; a Private Key JWT client refuses its secret', () => {
  it('a client set to Private Key JWT refuses its (still stored) secret with the usual 401', async () => {
    expectUnauthorized(await callToken(s, { form: { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, audience: s.tenant.managementAudience } }));
  });

  it('switching back to client_secret_post: the secret works again and assertions are refused', async () => {
    const res = await admin.call('PATCH', `/clients/${app.clientId}`, { token_endpoint_auth_method: 'client_secret_post', client_authentication_methods: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).not.toHaveProperty('client_authentication_methods');
    await s.registry.settled();
    const secret = await callToken(s, { form: { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, audience: s.tenant.managementAudience } });
    expect(secret.statusCode).toBe(200);
    await refusedAs(assertion(s, { clientId: app.clientId, key: keys.privateKey }), ASSERTION_TEXT.notVerified);
  });

  it('400 invalid_request: an assertion beside a secret or Basic, a missing or unknown assertion type, a type without an assertion', async () => {
    const a = assertion(s, { clientId: app.clientId, key: keys.privateKey });
    const twoMethods = 'Client authentication must use only one method (HTTP Basic or the request body)';
    expectTokenError(await token(a, { client_secret: 'x'.repeat(40) }), 400, 'invalid_request', twoMethods);
    expectTokenError(await callToken(s, { form: assertionForm(s, a), basic: { id: app.clientId, secret: 'y'.repeat(40) } }), 400, 'invalid_request', twoMethods);
    const { client_assertion_type: _t, ...noType } = assertionForm(s, a);
    expectTokenError(await callToken(s, { form: noType }), 400, 'invalid_request', 'Missing required parameter: client_assertion_type');
    expectTokenError(await token(a, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }), 400, 'invalid_request', ASSERTION_TEXT.unsupportedType('urn:ietf:params:oauth:client-assertion-type:saml2-bearer'));
    expectTokenError(await callToken(s, { form: { grant_type: 'client_credentials', audience: s.tenant.managementAudience, client_assertion_type: JWT_BEARER } }), 400, 'invalid_request', 'Missing required parameter: client_assertion');
    // None of these spent the jti: the assertion still works.
    expect((await token(a)).statusCode).toBe(200);
  });
});

describe('the tenant log: Auth0 logs a refused assertion as feccft "Failed client authentication"', () => {
  it('feccft with the reason in details.client_authentication_error, and seccft on success', async () => {
    await token(assertion(s, { clientId: app.clientId, key: keys.privateKey, claims: { aud: 'https://wrong.test/' } }));
    await token(assertion(s, { clientId: app.clientId, key: keys.privateKey }));
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, { field: 'client_id', op: 'eq', value: app.clientId }, { offset: 0, limit: 10, withTotal: false, ascending: true });
    const events = items.map((r) => r.event as { type: string; description: string; details?: Record<string, unknown> });
    expect(events.map((e) => [e.type, e.description])).toEqual([
      ['feccft', 'Failed client authentication'],
      ['seccft', expect.any(String)],
    ]);
    expect(events[0]!.details).toEqual({ error: 'invalid_client', status: 401, client_authentication_error: ASSERTION_TEXT.aud(s.tenant.domain) });
  });
});

describe('S6: the failed-authentication brake counts refused assertions; a good one is never held', () => {
  let braked: TestServer;
  beforeEach(async () => {
    braked = await startTestServer({ rateLimits: { ...UNLIMITED, failed_client_authentication: { slow_after: 100, block_after: 3, window_seconds: 900 } } });
  });
  afterEach(async () => braked.close());

  it('past block_after, bad assertions get 429 with Retry-After; a valid assertion still gets its token', async () => {
    const brakedAdmin = await credentialAdmin(braked);
    const target = await brakedAdmin.pkjwtApp(keys);
    const forged = () => assertion(braked, { clientId: target.clientId, key: otherKeys.privateKey });
    for (let i = 0; i < 3; i++) expect((await callToken(braked, { form: assertionForm(braked, forged()) })).statusCode).toBe(401);
    const blocked = await callToken(braked, { form: assertionForm(braked, forged()) });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual({ error: 'too_many_requests', error_description: 'Too many failed authentication attempts for this client from your address; retry in 900 seconds' });
    expect(blocked.headers['retry-after']).toBe('900');
    const good = await callToken(braked, { form: assertionForm(braked, assertion(braked, { clientId: target.clientId, key: keys.privateKey })) });
    expect(good.statusCode).toBe(200);
  });
});
