// Private Key JWT end to end with the auth0 SDK's own option (issue 15): the operator uploads a
// public key and switches the application through ManagementClient (clients.credentials.create,
// clients.update with client_authentication_methods), then the application authenticates with
// `clientAssertionSigningKey` alone, no secret: v7's ManagementClient (it builds its assertion with
// aud https://DOMAIN/, a 3-minute exp and a random jti) and v4's AuthenticationClient
// (auth0/legacy, oauth.clientCredentialsGrant), RS256 and PS256. Against the real server over HTTPS.
import { AuthenticationClient } from 'auth0/legacy';
import { ManagementClient } from 'auth0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rsaKeyPair, type KeyPair } from '../helpers/private-key-jwt.ts';
import { postToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

let server: RealServer;
let operator: ManagementClient;
let keys: KeyPair;
let clientId: string;
let clientSecret: string;
let credentialId: string;

beforeAll(async () => {
  server = await startRealServer();
  operator = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  keys = rsaKeyPair();
  const app = await operator.clients.create({ name: 'pkjwt-sdk', app_type: 'non_interactive' });
  clientId = app.client_id!;
  clientSecret = app.client_secret!;
  await operator.clientGrants.create({ client_id: clientId, audience: server.init.audience, scope: ['read:clients', 'read:client_credentials'] });
  const credential = await operator.clients.credentials.create(clientId, { credential_type: 'public_key', name: 'sdk key', pem: keys.publicPem, alg: 'RS256' });
  credentialId = credential.id!;
  await operator.clients.update(clientId, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id: credentialId }] } } });
});

afterAll(async () => {
  await server?.cleanup();
});

describe('auth0 SDK clientAssertionSigningKey', () => {
  it('the operator sees the credential and the method through the SDK', async () => {
    const listed = await operator.clients.credentials.list(clientId);
    expect(listed.map((c) => [c.id, c.credential_type, c.alg, c.name])).toEqual([[credentialId, 'public_key', 'RS256', 'sdk key']]);
    const client = await operator.clients.get(clientId);
    expect(client.client_authentication_methods).toEqual({ private_key_jwt: { credentials: [{ id: credentialId }] } });
  });

  it('v7 ManagementClient with only clientAssertionSigningKey gets its token and calls the API', async () => {
    const app = new ManagementClient({ domain: server.domain, clientId, clientAssertionSigningKey: keys.privatePem });
    const self = await app.clients.get(clientId);
    expect(self.name).toBe('pkjwt-sdk');
    // Each call's token was fetched once; a second client instance signs a new assertion (new jti) and is let in too.
    const again = new ManagementClient({ domain: server.domain, clientId, clientAssertionSigningKey: keys.privatePem });
    expect((await again.clients.credentials.list(clientId)).length).toBe(1);
  });

  it('v4 AuthenticationClient oauth.clientCredentialsGrant with clientAssertionSigningKey', async () => {
    const auth = new AuthenticationClient({ domain: server.domain, clientId, clientAssertionSigningKey: keys.privatePem });
    const { status, data } = await auth.oauth.clientCredentialsGrant({ audience: server.init.audience });
    expect(status).toBe(200);
    expect(data).toMatchObject({ token_type: 'Bearer', scope: 'read:clients read:client_credentials', expires_in: 86400 });
  });

  it('the secret the application still holds is refused (raw HTTP)', async () => {
    const res = await postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: server.init.audience });
    expect(res).toEqual({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
  });

  it('PS256 through clientAssertionSigningAlg, with a credential made for PS256', async () => {
    const ps = rsaKeyPair();
    const credential = await operator.clients.credentials.create(clientId, { credential_type: 'public_key', pem: ps.publicPem, alg: 'PS256' });
    await operator.clients.update(clientId, { client_authentication_methods: { private_key_jwt: { credentials: [{ id: credentialId }, { id: credential.id! }] } } });
    const auth = new AuthenticationClient({ domain: server.domain, clientId, clientAssertionSigningKey: ps.privatePem, clientAssertionSigningAlg: 'PS256' });
    expect((await auth.oauth.clientCredentialsGrant({ audience: server.init.audience })).status).toBe(200);
  });

  it('once the credential is deleted, the SDK is refused with 401 invalid_client', async () => {
    await operator.clients.credentials.delete(clientId, credentialId);
    const auth = new AuthenticationClient({ domain: server.domain, clientId, clientAssertionSigningKey: keys.privatePem });
    const error = await auth.oauth.clientCredentialsGrant({ audience: server.init.audience }).then(
      () => undefined,
      (e: unknown) => e as { statusCode?: number; error?: string; error_description?: string },
    );
    expect([error?.statusCode, error?.error, error?.error_description]).toEqual([401, 'invalid_client', 'The client assertion is not signed by an enabled credential of the client']);
  });
});
