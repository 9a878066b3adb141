// Private Key JWT (issue 15) for tests: RSA key pairs, client assertions assembled byte by byte
// (so that broken ones can be made too), and an application switched to Private Key JWT through
// the Management API as an operator would do it.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { craftJwt, type Signing } from './craft-jwt.ts';
import { mgmtToken } from './mgmt.ts';
import type { TestServer } from './test-server.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export const CREDENTIAL_SCOPES = ['read:client_credentials', 'create:client_credentials', 'update:client_credentials', 'delete:client_credentials', 'read:clients', 'update:clients', 'create:clients', 'create:client_grants'];

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM of the public key. */
  publicPem: string;
  /** PKCS#8 PEM of the private key (what the auth0 SDK takes). */
  privatePem: string;
}

export function rsaKeyPair(bits = 2048): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

let counter = 0;

export interface AssertionOptions {
  clientId: string;
  key: KeyObject;
  alg?: 'RS256' | 'RS384' | 'PS256';
  /** Claims over the defaults (undefined removes one). */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Another signature than the alg's own (alg confusion). */
  sign?: Signing;
}

/** A client assertion for `s`'s tenant, valid for 60 s from the server's clock unless told otherwise. */
export function assertion(s: TestServer, o: AssertionOptions): string {
  const now = Math.floor(s.clock.now() / 1000);
  counter += 1;
  const alg = o.alg ?? 'RS256';
  const claims: Record<string, unknown> = { iss: o.clientId, sub: o.clientId, aud: `https://${s.tenant.domain}/`, iat: now, exp: now + 60, jti: `jti-${counter}-${now}`, ...o.claims };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const sign: Signing = o.sign ?? { kind: 'rsa', key: o.key, hash: alg === 'RS384' ? 'sha384' : 'sha256', pss: alg === 'PS256' };
  return craftJwt({ header: { alg, typ: 'JWT', ...o.header }, payload: claims, sign });
}

export interface PkjwtApp {
  clientId: string;
  clientSecret: string;
  credentialId: string;
  kid: string;
}

export interface CredentialAdmin {
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  /** A machine-to-machine application granted `scope` on the Management API, switched to Private Key JWT with `keys`' public halves. */
  pkjwtApp(keys: KeyPair, scope?: string[], alg?: 'RS256' | 'RS384' | 'PS256'): Promise<PkjwtApp>;
}

export async function credentialAdmin(s: TestServer): Promise<CredentialAdmin> {
  const token = await mgmtToken(s, CREDENTIAL_SCOPES);
  const call: CredentialAdmin['call'] = (method, url, payload) =>
    s.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const ok = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await call(method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json<Record<string, unknown>>();
  };
  return {
    call,
    async pkjwtApp(keys, scope = ['read:clients'], alg = 'RS256') {
      const app = await ok('POST', '/clients', { name: 'pkjwt app', app_type: 'non_interactive' });
      const clientId = app.client_id as string;
      await ok('POST', '/client-grants', { client_id: clientId, audience: s.tenant.managementAudience, scope });
      const credential = await ok('POST', `/clients/${clientId}/credentials`, { credential_type: 'public_key', name: 'key', pem: keys.publicPem, alg });
      await ok('PATCH', `/clients/${clientId}`, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id: credential.id }] } } });
      await s.registry.settled();
      return { clientId, clientSecret: app.client_secret as string, credentialId: credential.id as string, kid: credential.kid as string };
    },
  };
}

/** The form of a client-credentials request authenticated by `clientAssertion`. */
export const assertionForm = (s: TestServer, clientAssertion: string, extra: Record<string, string> = {}): Record<string, string> => ({
  grant_type: 'client_credentials',
  audience: s.tenant.managementAudience,
  client_assertion_type: JWT_BEARER,
  client_assertion: clientAssertion,
  ...extra,
});
