// `scopeward backup` and `scopeward restore` (issue 10, "Backups"): an online copy of the SQLite
// database of a real running server under write load, restored into a fresh data dir where every
// write acknowledged before the backup began is present and whole (its secret opens with the key);
// a copy made under another master key is refused; a database a running server uses is never
// replaced; a stopped one is replaced atomically, the old kept, no -wal/-shm carried over.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { clientSecretLocation } from '../../src/domain/secret-locations.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import { clientCredentialsToken } from '../helpers/oauth-http.ts';
import { launch } from '../helpers/processes.ts';
import { BIN, NODE, startRealServer, type RealServer } from '../helpers/real-server.ts';
import { cleanEnv, runCli } from './run.ts';

interface Written {
  clientId: string;
  secret: string;
  grantId: string;
  /** Sent after the backup command had exited: cannot be in the backup. */
  sentAfterBackup: boolean;
}

describe('scopeward backup / restore', { timeout: 300_000 }, () => {
  let server: RealServer;
  let root: string;
  let admin: string;
  let backupFile: string;
  /** Writes acknowledged (client and its grant both answered 201) before the backup started. */
  let before: Written[];
  let duringBackup = 0;
  /** Writes sent after the backup had finished. */
  let after: Written[];
  let backupDone = false;

  const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, string> }> => {
    const res = await fetch(`${server.baseUrl}/api/v2${url}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, string> };
  };

  /** One write: an application and its grant; acknowledged only when both were. */
  const write = async (n: number): Promise<Written | undefined> => {
    const sentAfterBackup = backupDone;
    const client = await call('POST', '/clients', { name: `backup load ${n}`, app_type: 'non_interactive' });
    if (client.status !== 201) return undefined;
    const grant = await call('POST', '/client-grants', { client_id: client.json.client_id, audience: server.init.audience, scope: ['read:clients'] });
    if (grant.status !== 201) return undefined;
    return { clientId: client.json.client_id!, secret: client.json.client_secret!, grantId: grant.json.id!, sentAfterBackup };
  };

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'scopeward-backup-'));
    backupFile = path.join(root, 'backups', 'scopeward-backup.db');
    server = await startRealServer();
    admin = await clientCredentialsToken(server.baseUrl, server.init.client_id, server.init.client_secret, server.init.audience);

    // Four writers until told to stop; every acknowledged write is recorded in order.
    const acked: Written[] = [];
    let stop = false;
    let n = 0;
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const w = await write(n++);
        if (w) acked.push(w);
      }
    });
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 20));

    const ackedAtStart = acked.length;
    const r = await runCli(['backup', '--to', backupFile], { SCOPEWARD_DATA_DIR: server.dataDir });
    duringBackup = acked.length - ackedAtStart;
    backupDone = true;
    while (acked.filter((w) => w.sentAfterBackup).length < 2) await new Promise((r2) => setTimeout(r2, 20));
    stop = true;
    await Promise.all(writers);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^backed up ${escape(path.join(server.dataDir, 'scopeward.db'))} to ${escape(backupFile)} \\(\\d+ bytes\\)\\n` +
          `secrets in it are sealed with the master key \\(${escape(path.join(server.dataDir, 'master.key'))}\\), which is not in the backup: keep that key too, stored apart from it\\n$`,
      ),
    );
    before = acked.slice(0, ackedAtStart);
    after = acked.filter((w) => w.sentAfterBackup);
    // Measured, and reported with the run.
    console.info(`backup under write load: ${before.length} writes acknowledged before it began, ${duringBackup} while the command ran, ${after.length} sent after it`);
  });
  afterAll(async () => {
    await server?.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const masterKey = () => readFileSync(path.join(server.dataDir, 'master.key'), 'utf8');

  it('the backup ran under write load and is one self-contained, private file', () => {
    expect(before.length).toBeGreaterThanOrEqual(20);
    expect(duringBackup, 'writes acknowledged while the backup command ran').toBeGreaterThan(0);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(backupFile))).toEqual(['scopeward-backup.db']);
    const db = new DatabaseSync(backupFile, { readOnly: true });
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'delete' });
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    } finally {
      db.close();
    }
  });

  it('backup refuses to overwrite a file unless --force, and sends PostgreSQL users to pg_dump', async () => {
    const again = await runCli(['backup', '--to', backupFile], { SCOPEWARD_DATA_DIR: server.dataDir });
    expect([again.status, again.stdout, again.stderr]).toEqual([1, '', `scopeward: ${backupFile} exists; choose another file or pass --force to replace it\n`]);
    const pg = await runCli(['backup', '--to', path.join(root, 'pg.db')], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect([pg.status, pg.stderr]).toEqual([2, 'scopeward: backup works on a SQLite database file; for PostgreSQL use pg_dump and pg_restore (docs/operations.md, "Backups and restore")\n']);
    expect(existsSync(path.join(root, 'pg.db'))).toBe(false);
  });

  it('restore over the database of a running server is refused; nothing changes, the server keeps serving', async () => {
    const dbFile = path.join(server.dataDir, 'scopeward.db');
    const listing = readdirSync(server.dataDir).sort();
    const r = await runCli(['restore', '--from', backupFile], { SCOPEWARD_DATA_DIR: server.dataDir });
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', `scopeward: ${dbFile} is open in another process (is a Scopeward server running on it?); stop every server using it, then restore\n`]);
    expect(readdirSync(server.dataDir).sort()).toEqual(listing);
    expect((await call('GET', `/clients/${after[0]!.clientId}?fields=client_id`)).status).toBe(200);
  });

  it('a copy made under another master key is refused with the reason; nothing is written', async () => {
    const dataDir = path.join(root, 'other-key');
    const r = await runCli(['restore', '--from', backupFile], { SCOPEWARD_DATA_DIR: dataDir, SCOPEWARD_MASTER_KEY: randomBytes(32).toString('base64') });
    expect([r.status, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `scopeward: ${backupFile} was made under another master key than SCOPEWARD_MASTER_KEY; refusing to restore it (no secret in it could be read, and the server would refuse to start). Restore with the key it was made under.\n`,
    ]);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('restore without any master key is refused, and makes none', async () => {
    const dataDir = path.join(root, 'no-key');
    const r = await runCli(['restore', '--from', backupFile], { SCOPEWARD_DATA_DIR: dataDir });
    expect([r.status, r.stderr]).toEqual([
      2,
      `scopeward: master key file ${path.join(dataDir, 'master.key')} does not exist; restore needs the master key the backup was made under (SCOPEWARD_MASTER_KEY, --master-key-file, or DATA_DIR/master.key with mode 0600)\n`,
    ]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('restored into a fresh data dir, every acknowledged write is there and whole, and a server serves it', async () => {
    // The operator puts the master key (kept apart from the backup) in place first.
    const dataDir = path.join(root, 'fresh');
    const key = masterKey();
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(path.join(dataDir, 'master.key'), key, { mode: 0o600 });
    const r = await runCli(['restore', '--from', backupFile], { SCOPEWARD_DATA_DIR: dataDir });
    const dbFile = path.join(dataDir, 'scopeward.db');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `restored ${backupFile} into ${dbFile}\nstart the server as usual\n`, '']);
    expect(readdirSync(dataDir).sort()).toEqual(['master.key', 'scopeward.db']);
    expect(statSync(dbFile).mode & 0o777).toBe(0o600);

    const storage = await createStorage(`sqlite:${dbFile}`, { migrate: false });
    const envelope = createEnvelope(Buffer.from(key.trim(), 'base64'));
    try {
      const tenant = (await storage.tenants.list()).find((t) => t.isDefault)!;
      for (const w of before) {
        const client = await storage.clients.get(tenant.id, w.clientId);
        expect(client, `client ${w.clientId} acknowledged before the backup`).toBeDefined();
        expect(envelope.open(client!.secretSealed!, clientSecretLocation(tenant.id, w.clientId))).toBe(w.secret);
        expect(await storage.grants.get(tenant.id, w.grantId)).toMatchObject({ clientId: w.clientId, audience: server.init.audience });
      }
    } finally {
      await storage.close();
    }
    // Nothing half-written: every application has its sealed secret, every grant its application.
    const db = new DatabaseSync(dbFile, { readOnly: true });
    try {
      expect(db.prepare("select count(*) as n from clients where secret_sealed is null and name like 'backup load %'").get()).toEqual({ n: 0 });
      expect(db.prepare('select count(*) as n from client_grants g where not exists (select 1 from clients c where c.client_id = g.client_id)').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }

    // The restored data dir serves on the original's port (its domain), with the original stopped.
    await server.stop();
    for (const f of ['ca.crt', 'ca.key', 'server.key']) copyFileSync(path.join(server.dataDir, f), path.join(dataDir, f));
    const restored = launch(NODE, [BIN, 'serve', '--log-level', 'warn'], { env: cleanEnv({ SCOPEWARD_DATA_DIR: dataDir, SCOPEWARD_PORT: String(server.port) }) });
    try {
      await restored.waitFor('Scopeward is listening on');
      const w = before.at(-1)!;
      const token = await clientCredentialsToken(server.baseUrl, w.clientId, w.secret, server.init.audience);
      expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toMatchObject({ azp: w.clientId, scope: 'read:clients' });
    } finally {
      expect(await restored.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });

  it('restore over a stopped database replaces it atomically: the old one kept, no -wal or -shm carried over', async () => {
    // The server was stopped by the previous test; its database holds writes made after the backup.
    const dbFile = path.join(server.dataDir, 'scopeward.db');
    writeFileSync(`${dbFile}-shm`, 'stale'); // left by a crash: must not survive next to the new file
    const r = await runCli(['restore', '--from', backupFile], { SCOPEWARD_DATA_DIR: server.dataDir });
    expect(r.status, r.stderr).toBe(0);
    const previous = readdirSync(server.dataDir).filter((f) => f.startsWith('scopeward.db.before-restore-'));
    expect(previous).toHaveLength(1);
    expect(r.stdout).toBe(`restored ${backupFile} into ${dbFile}\nthe database it replaced is kept as ${path.join(server.dataDir, previous[0]!)}\nstart the server as usual\n`);
    expect(readdirSync(server.dataDir).filter((f) => f.startsWith('scopeward.db')).sort()).toEqual(['scopeward.db', previous[0]!]);

    const ids = (file: string) => {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        return new Set((db.prepare("select client_id from clients where name like 'backup load %'").all() as { client_id: string }[]).map((c) => c.client_id));
      } finally {
        db.close();
      }
    };
    const now = ids(dbFile);
    const old = ids(path.join(server.dataDir, previous[0]!));
    for (const w of before) expect(now.has(w.clientId)).toBe(true);
    // Writes sent after the backup finished: in the kept database, not in the restored one.
    for (const w of after) expect([now.has(w.clientId), old.has(w.clientId)]).toEqual([false, true]);
  });
});
