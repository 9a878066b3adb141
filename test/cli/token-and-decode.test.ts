// `scopeward token` and `scopeward decode` against the real HTTPS server: success, a refused
// secret (exit 4 with the server's error_description), an unreachable server (exit 3 with a hint),
// a valid signature (exit 0) and a tampered token (exit 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { freePort, startRealServer, type RealServer } from '../helpers/real-server.ts';
import { runCli } from './run.ts';

const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const headerOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('scopeward token / decode against a real server', { timeout: 120_000 }, () => {
  let server: RealServer;
  let env: Record<string, string>;
  let token: string;

  beforeAll(async () => {
    server = await startRealServer();
    env = { SCOPEWARD_DATA_DIR: server.dataDir, SCOPEWARD_DOMAIN: server.domain, SCOPEWARD_PORT: String(server.port) };
    const r = await runCli(['token', '--client-id', server.init.client_id, '--client-secret', server.init.client_secret], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    token = r.stdout.trim();
  }, 120_000);
  afterAll(async () => {
    await server?.cleanup();
  });

  it('token prints a Management API access token carrying every granted scope', () => {
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = claimsOf(token);
    expect([claims.iss, claims.aud, claims.gty, claims.azp, claims.sub]).toEqual([
      `https://${server.domain}/`,
      `https://${server.domain}/api/v2/`,
      'client-credentials',
      server.init.client_id,
      `${server.init.client_id}@clients`,
    ]);
    expect(String(claims.scope).split(' ').sort()).toEqual([...MANAGEMENT_SCOPES].sort());
  });

  it('token --json --scope prints the whole response, narrowed to the asked scopes', async () => {
    const r = await runCli(['token', '--json', '--scope', 'read:clients', '--client-id', server.init.client_id, '--client-secret', server.init.client_secret], env);
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    expect({ ...body, access_token: typeof body.access_token }).toEqual({ access_token: 'string', expires_in: 86400, scope: 'read:clients', token_type: 'Bearer' });
  });

  it('a wrong secret exits 4 (rejected) with the error and its error_description', async () => {
    const r = await runCli(['token', '--client-id', server.init.client_id, '--client-secret', 'wrong-secret'], env);
    expect([r.status, r.stdout, r.stderr]).toEqual([4, '', 'scopeward: token request refused (401) access_denied: Unauthorized\n']);
  });

  it('an audience without a grant exits 4 with the server description', async () => {
    const r = await runCli(['token', '--client-id', server.init.client_id, '--client-secret', server.init.client_secret, '--audience', 'https://nowhere.example/'], env);
    expect([r.status, r.stdout, r.stderr]).toEqual([4, '', 'scopeward: token request refused (403) access_denied: Service not enabled within domain: https://nowhere.example/\n']);
  });

  it('an unreachable server exits 3 with a hint', async () => {
    const port = await freePort();
    const r = await runCli(['token', '--client-id', 'x', '--client-secret', 'y'], { ...env, SCOPEWARD_DOMAIN: `localhost:${port}`, SCOPEWARD_PORT: String(port) });
    expect([r.status, r.stdout, r.stderr]).toEqual([3, '', `scopeward: cannot reach https://localhost:${port}: ECONNREFUSED (is the server running? start it with npm start)\n`]);
  });

  it('decode of a fresh token: signature valid against the JWKS, exit 0', async () => {
    const r = await runCli(['decode', token], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`signature: valid (RS256, key ${String(headerOf(token).kid)} of https://${server.domain}/)\n`);
    expect(r.stdout).toMatch(/\nexpires: {3}\d{4}-\d\d-\d\dT[\d:.]+Z \(in 23h \d{1,2}m\)\n/);
    const json = await runCli(['decode', '--json', token], env);
    const body = JSON.parse(json.stdout) as Record<string, unknown>;
    expect([json.status, body.signature_valid, body.expired, body.claims]).toEqual([0, true, false, claimsOf(token)]);
  });

  it('decode of a tampered token (claims changed, signature kept) exits 1 and says INVALID', async () => {
    const [h, , sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(token), scope: 'read:clients delete:clients' })).toString('base64url');
    const r = await runCli(['decode', `${h}.${forged}.${sig}`], env);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('signature: INVALID: the signature does not match the published key\n');
  });

  it('decode of a token naming a kid the tenant does not publish exits 1', async () => {
    const [, p, sig] = token.split('.');
    const header = Buffer.from(JSON.stringify({ ...headerOf(token), kid: 'not-published' })).toString('base64url');
    const r = await runCli(['decode', `${header}.${p}.${sig}`], env);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`signature: unknown key: kid not-published is not in https://${server.domain}/.well-known/jwks.json (revoked, or another tenant)\n`);
  });
});
