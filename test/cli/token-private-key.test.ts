// `scopeward token --private-key key.pem [--alg …]` (issue 15): the CLI signs a Private Key JWT
// assertion from a key file, as the auth0 SDK would, and gets a token from the real HTTPS server;
// a key the server does not know, an alg the credential was not made for, and an unreadable file
// are refused with the server's answer or a usage error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManagementClient } from 'auth0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rsaKeyPair, type KeyPair } from '../helpers/private-key-jwt.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';
import { runCli } from './run.ts';

const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('scopeward token --private-key against a real server', { timeout: 120_000 }, () => {
  let server: RealServer;
  let env: Record<string, string>;
  let dir: string;
  let keys: KeyPair;
  let clientId: string;
  let keyFile: string;

  beforeAll(async () => {
    server = await startRealServer();
    env = { SCOPEWARD_DATA_DIR: server.dataDir, SCOPEWARD_DOMAIN: server.domain, SCOPEWARD_PORT: String(server.port) };
    dir = mkdtempSync(path.join(tmpdir(), 'pkjwt-cli-'));
    keys = rsaKeyPair();
    keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, keys.privatePem, { mode: 0o600 });
    const operator = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
    clientId = (await operator.clients.create({ name: 'cli-pkjwt', app_type: 'non_interactive' })).client_id!;
    await operator.clientGrants.create({ client_id: clientId, audience: server.init.audience, scope: ['read:clients'] });
    const credential = await operator.clients.credentials.create(clientId, { credential_type: 'public_key', pem: keys.publicPem, alg: 'RS256' });
    await operator.clients.update(clientId, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id: credential.id! }] } } });
  }, 120_000);
  afterAll(async () => {
    await server?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs an assertion from the key file and prints the token issued to the client', async () => {
    const r = await runCli(['token', '--client-id', clientId, '--private-key', keyFile], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const claims = claimsOf(r.stdout.trim());
    expect([claims.azp, claims.scope, claims.aud]).toEqual([clientId, 'read:clients', `https://${server.domain}/api/v2/`]);
    // Twice in a row: each run signs a new jti.
    expect((await runCli(['token', '--client-id', clientId, '--private-key', keyFile], env)).status).toBe(0);
  });

  it("--alg other than the credential's is refused by the server (exit 4, its error_description)", async () => {
    const r = await runCli(['token', '--client-id', clientId, '--private-key', keyFile, '--alg', 'PS256'], env);
    expect([r.status, r.stdout, r.stderr]).toEqual([4, '', 'scopeward: token request refused (401) invalid_client: The client assertion is not signed by an enabled credential of the client\n']);
  });

  it('a key the server does not know is refused; an unknown alg and a missing file are usage errors', async () => {
    const stranger = path.join(dir, 'stranger.pem');
    writeFileSync(stranger, rsaKeyPair().privatePem);
    expect((await runCli(['token', '--client-id', clientId, '--private-key', stranger], env)).status).toBe(4);
    const alg = await runCli(['token', '--client-id', clientId, '--private-key', keyFile, '--alg', 'HS256'], env);
    expect([alg.status, alg.stderr]).toEqual([2, 'scopeward: --alg must be one of RS256, RS384, PS256\n']);
    const missing = await runCli(['token', '--client-id', clientId, '--private-key', path.join(dir, 'nope.pem')], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^scopeward: --private-key: cannot read /);
  });
});
