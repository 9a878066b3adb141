// T-SEC-01 / T-KR-05: a dump of the database (every row of every table, and the raw SQLite files)
// holds no plaintext client secret, HS256 signing secret, private key or master key.
// T-SR-04: a sealed secret moved onto another client's row authenticates nobody (AAD binding).
import { createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DecryptionError } from '../../src/crypto/envelope.ts';
import { clientSecretLocation } from '../../src/domain/secret-locations.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const SCOPES = [
  'read:clients', 'create:clients', 'update:clients', 'read:client_keys', 'update:client_keys',
  'read:resource_servers', 'create:resource_servers', 'create:client_grants',
];

/** Everything secret that the flow below produced, in plaintext. */
interface Secrets {
  values: string[];
  /** Private JWK members (d, p, q, dp, dq, qi) of every signing key. */
  jwkPrivate: string[];
}

/** Creates secrets every way the system can: Management API, rotation, PATCH, seedM2M, HS256 APIs, tenants. */
async function produceSecrets(s: TestServer): Promise<Secrets> {
  const admin: M2M = await seedM2M(s, SCOPES);
  const auth = { authorization: `Bearer ${await tokenFor(s, admin)}` };
  const values = [admin.clientSecret];
  const post = async (url: string, payload: object) => {
    const res = await s.inject({ method: 'POST', url, headers: auth, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json<Record<string, string>>();
  };

  const created = await post('/api/v2/clients', { name: 'created by API', app_type: 'non_interactive' });
  values.push(created.client_secret!);
  values.push((await post(`/api/v2/clients/${created.client_id}/rotate-secret`, {})).client_secret!);
  const chosen = `chosen-${randomBytes(24).toString('hex')}`;
  const patched = await s.inject({ method: 'PATCH', url: `/api/v2/clients/${created.client_id}`, headers: auth, payload: { client_secret: chosen } });
  expect(patched.statusCode).toBe(200);
  values.push(chosen);

  const hsGiven = `hs256-${randomBytes(16).toString('hex')}`;
  await post('/api/v2/resource-servers', { identifier: 'https://hs-given.example/', signing_alg: 'HS256', signing_secret: hsGiven });
  values.push(hsGiven);
  const generated = await post('/api/v2/resource-servers', { identifier: 'https://hs-generated.example/', signing_alg: 'HS256' });
  values.push(generated.signing_secret!);
  await post('/api/v2/client-grants', { client_id: created.client_id, audience: 'https://hs-given.example/', scope: [] });
  // A token actually signed with the HS256 secret: the secret was decrypted and used.
  const hsToken = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: created.client_id, client_secret: chosen, audience: 'https://hs-given.example/' } });
  expect(hsToken.statusCode).toBe(200);

  values.push((await seedM2M(s, ['read:things'], { audience: 'https://hs-given.example/' })).clientSecret);
  await s.addTenant('second', 'tenant-b.test');

  const jwkPrivate: string[] = [];
  for (const tenant of s.registry.tenants()) {
    for (const key of await s.storage.signingKeys.list(tenant.id)) {
      const pem = s.envelope.open(key.privateSealed, { tenantId: tenant.id, table: 'signing_keys', recordId: key.kid, field: 'private_key' });
      const jwk = createPrivateKey(pem).export({ format: 'jwk' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) jwkPrivate.push(String(jwk[member]));
      // Every base64 line of the PEM body, so that a PEM stored in any wrapping is found.
      values.push(...pem.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line)));
    }
  }
  expect(jwkPrivate.length).toBe(6 * 4); // two tenants, two keys each
  values.push(s.masterKey.toString('base64'), s.masterKey.toString('base64url'), s.masterKey.toString('hex'));
  return { values, jwkPrivate };
}

/** Every finding of a plaintext in `dump`: [what, where] pairs. */
function leaks(dump: string, secrets: Secrets): string[] {
  const found: string[] = [];
  for (const v of secrets.values) if (dump.includes(v)) found.push(`secret ${v.slice(0, 8)}…`);
  for (const v of secrets.jwkPrivate) if (dump.includes(v)) found.push(`private JWK member ${v.slice(0, 8)}…`);
  for (const marker of ['PRIVATE KEY', '"d":', '"p":', '"qi":']) if (dump.includes(marker)) found.push(marker);
  return found;
}

describe('T-SEC-01: no plaintext secret in a database dump', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('SQLite: every row of every table, and the raw database and WAL files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-sec01-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'scopeward.db');
    const s = await startTestServer({ databaseUrl: `sqlite:${file}` });
    cleanups.push(() => s.close());
    const secrets = await produceSecrets(s);

    const db = new DatabaseSync(file, { readOnly: true });
    const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['tenants', 'clients', 'client_grants', 'resource_servers', 'signing_keys', 'meta']));
    let rows = 0;
    const dump = tables
      .map((t) => {
        const all = db.prepare(`select * from "${t}"`).all();
        rows += all.length;
        return JSON.stringify(all);
      })
      .join('\n');
    db.close();
    expect(rows).toBeGreaterThan(15);
    expect(leaks(dump, secrets)).toEqual([]);

    const raw = ['', '-wal'].map((suffix) => file + suffix).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n');
    expect(leaks(raw, secrets)).toEqual([]);
  });

  it('PostgreSQL: every row of every table in the schema', async () => {
    const schema: PgSchema = await createPgSchema();
    cleanups.push(() => schema.drop());
    const s = await startTestServer({ databaseUrl: schema.url, pgSchema: schema.schema });
    cleanups.push(() => s.close());
    const secrets = await produceSecrets(s);

    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const tables = (await client.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1', [schema.schema])).rows.map((r) => r.table_name);
      expect(tables).toEqual(expect.arrayContaining(['tenants', 'clients', 'client_grants', 'resource_servers', 'signing_keys', 'meta']));
      const parts: string[] = [];
      for (const t of tables) {
        const { rows } = await client.query<{ row: string }>(`select row_to_json(t)::text as row from "${schema.schema}"."${t}" t`);
        parts.push(...rows.map((r) => r.row));
      }
      expect(parts.length).toBeGreaterThan(15);
      expect(leaks(parts.join('\n'), secrets)).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

describe('T-SR-04: a sealed secret moved to another client authenticates nobody', () => {
  let s: TestServer;
  afterEach(async () => {
    await s?.close();
  });

  const token = (clientId: string, clientSecret: string) =>
    s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: s.tenant.managementAudience } });

  it('swapping sealed secret and MAC between two clients: every combination is refused, decryption throws', async () => {
    s = await startTestServer();
    const a = await seedM2M(s, ['read:clients'], { audience: s.tenant.managementAudience, name: 'A' });
    const b = await seedM2M(s, ['read:clients'], { audience: s.tenant.managementAudience, name: 'B' });
    expect((await token(a.clientId, a.clientSecret)).statusCode).toBe(200);
    expect((await token(b.clientId, b.clientSecret)).statusCode).toBe(200);

    const ra = (await s.storage.clients.get(s.tenant.id, a.clientId))!;
    const rb = (await s.storage.clients.get(s.tenant.id, b.clientId))!;
    // A direct database edit (the notifying storage also drops the cached clients).
    await s.storage.clients.update(s.tenant.id, a.clientId, { secretSealed: rb.secretSealed, secretMac: rb.secretMac });
    await s.storage.clients.update(s.tenant.id, b.clientId, { secretSealed: ra.secretSealed, secretMac: ra.secretMac });

    for (const [id, secret] of [[a.clientId, a.clientSecret], [b.clientId, b.clientSecret], [a.clientId, b.clientSecret], [b.clientId, a.clientSecret]] as const) {
      const res = await token(id, secret);
      expect([res.statusCode, res.json()]).toEqual([401, { error: 'access_denied', error_description: 'Unauthorized' }]);
    }
    expect(() => s.envelope.open(rb.secretSealed!, clientSecretLocation(s.tenant.id, a.clientId))).toThrow(DecryptionError);
    expect(() => s.envelope.open(ra.secretSealed!, clientSecretLocation(s.tenant.id, b.clientId))).toThrow(DecryptionError);
  });

  it('swapping only the sealed secrets: authentication fails for both, and a secret read discloses neither', async () => {
    s = await startTestServer();
    const reader = await seedM2M(s, ['read:client_keys'], { audience: s.tenant.managementAudience, name: 'reader' });
    const bearer = await tokenFor(s, reader);
    const a = await seedM2M(s, [], { audience: s.tenant.managementAudience, name: 'A' });
    const b = await seedM2M(s, [], { audience: s.tenant.managementAudience, name: 'B' });
    const ra = (await s.storage.clients.get(s.tenant.id, a.clientId))!;
    const rb = (await s.storage.clients.get(s.tenant.id, b.clientId))!;
    await s.storage.clients.update(s.tenant.id, a.clientId, { secretSealed: rb.secretSealed });
    await s.storage.clients.update(s.tenant.id, b.clientId, { secretSealed: ra.secretSealed });

    for (const [id, secret] of [[a.clientId, a.clientSecret], [b.clientId, b.clientSecret], [a.clientId, b.clientSecret], [b.clientId, a.clientSecret]] as const) {
      expect((await token(id, secret)).statusCode).toBe(401);
    }
    const read = await s.inject({ method: 'GET', url: `/api/v2/clients/${a.clientId}`, headers: { authorization: `Bearer ${bearer}` } });
    expect([read.statusCode, read.json()]).toEqual([500, { statusCode: 500, error: 'Internal Server Error', message: 'Internal error' }]);
    expect(read.body).not.toContain(a.clientSecret);
    expect(read.body).not.toContain(b.clientSecret);
  });

  it("copying only B's MAC onto A does not let B's secret authenticate as A (no account takeover)", async () => {
    s = await startTestServer();
    const a = await seedM2M(s, ['read:clients'], { audience: s.tenant.managementAudience, name: 'A' });
    const b = await seedM2M(s, [], { audience: s.tenant.managementAudience, name: 'B' });
    const rb = (await s.storage.clients.get(s.tenant.id, b.clientId))!;
    await s.storage.clients.update(s.tenant.id, a.clientId, { secretMac: rb.secretMac });
    expect((await token(a.clientId, b.clientSecret)).statusCode).toBe(401);
    expect((await token(a.clientId, a.clientSecret)).statusCode).toBe(401);
    expect((await token(b.clientId, b.clientSecret)).statusCode).toBe(200);
  });

  it('a sealed secret copied into another tenant does not open there', async () => {
    s = await startTestServer();
    const other = await s.addTenant('other', 'tenant-b.test');
    const a = await seedM2M(s, [], { audience: s.tenant.managementAudience, name: 'A' });
    const ra = (await s.storage.clients.get(s.tenant.id, a.clientId))!;
    expect(() => s.envelope.open(ra.secretSealed!, clientSecretLocation(other.id, a.clientId))).toThrow(DecryptionError);
    expect(s.envelope.open(ra.secretSealed!, clientSecretLocation(s.tenant.id, a.clientId))).toBe(a.clientSecret);
  });
});
