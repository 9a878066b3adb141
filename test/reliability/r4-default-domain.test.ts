// T-OPS-04 (issue 10, R4): an instance never silently changes a stored tenant domain. Real server
// processes on one SQLite file and on one PostgreSQL schema: a second instance started with
// defaults on another port refuses to start, says what to pass and exits 2 (with --workers too),
// while the first keeps answering its own host; a restart on the same port needs no flag; the
// second serves the same tenant with --domain, and moves it only with --change-domain.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/kysely/index.ts';
import { cleanEnv } from '../cli/run.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { launch, type Launched } from '../helpers/processes.ts';
import { BIN, freePort, NODE } from '../helpers/real-server.ts';

const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** GET the discovery document from the server on `port`, as the tenant answering `host`. */
function discovery(port: number, host: string): Promise<{ status: number; issuer?: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`https://localhost:${port}/.well-known/openid-configuration`, { headers: { host }, lookup: loopback, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.statusCode === 200 && { issuer: (JSON.parse(text) as { issuer: string }).issuer }) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function refusal(stored: string, wanted: string): string {
  return [
    `scopeward: the default tenant answers ${stored}, but this server would serve it as ${wanted} (--domain, or localhost:PORT when none is given); refusing to start.`,
    '  Another instance on this database may be serving it there; a server never moves a stored domain by itself.',
    `  To serve the same tenant, start with --domain ${stored} (or SCOPEWARD_DOMAIN=${stored}).`,
    '  For a separate server, give it a database of its own (--data-dir or DATABASE_URL).',
    `  To move the default tenant to ${wanted} (its issuer, Management API audience and grants follow; tokens issued for ${stored} stop verifying), start once with --domain ${wanted} --change-domain.`,
    '',
  ].join('\n');
}

interface Shared {
  env: [NodeJS.ProcessEnv, NodeJS.ProcessEnv];
  databaseUrl: string;
  pgSchema?: string;
  cleanup: () => Promise<void>;
}

interface Backend {
  name: string;
  /** Data dirs and environment for instance 1 and 2, sharing one database. */
  setup(): Promise<Shared>;
}

const MASTER_KEY = randomBytes(32).toString('base64');

/** The run's test CA in a data dir, so the server's certificate is one the test trusts. */
function withTestCa(dir: string): string {
  const ca = process.env.SCOPEWARD_TEST_CA_DIR;
  if (!ca) throw new Error('SCOPEWARD_TEST_CA_DIR is not set: run the tests through vitest (test/global-setup.ts)');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of ['ca.crt', 'ca.key', 'server.key']) copyFileSync(path.join(ca, f), path.join(dir, f));
  return dir;
}

const BACKENDS: Backend[] = [
  {
    name: 'one SQLite file (one data dir)',
    async setup() {
      const root = mkdtempSync(path.join(os.tmpdir(), 'scopeward-r4-'));
      withTestCa(root);
      const env = cleanEnv({ SCOPEWARD_DATA_DIR: root, SCOPEWARD_MASTER_KEY: MASTER_KEY });
      return { env: [env, env], databaseUrl: `sqlite:${path.join(root, 'scopeward.db')}`, cleanup: async () => rmSync(root, { recursive: true, force: true }) };
    },
  },
  {
    name: 'one PostgreSQL schema (two data dirs)',
    async setup() {
      const schema: PgSchema = await createPgSchema();
      const url = new URL(schema.url);
      url.searchParams.set('options', `-c search_path=${schema.schema}`);
      const root = mkdtempSync(path.join(os.tmpdir(), 'scopeward-r4-pg-'));
      const envs = ['one', 'two'].map((name) =>
        cleanEnv({ SCOPEWARD_DATA_DIR: withTestCa(path.join(root, name)), SCOPEWARD_MASTER_KEY: MASTER_KEY, DATABASE_URL: url.toString() }),
      ) as [NodeJS.ProcessEnv, NodeJS.ProcessEnv];
      return {
        env: envs,
        databaseUrl: schema.url,
        pgSchema: schema.schema,
        async cleanup() {
          rmSync(root, { recursive: true, force: true });
          await schema.drop();
        },
      };
    },
  },
];

describe.each(BACKENDS)('T-OPS-04: a second instance never takes the default tenant over, on $name', { timeout: 240_000 }, (backend) => {
  let shared: Shared;
  let p1: number;
  let p2: number;
  const running: Launched[] = [];
  /** The first instance, on p1 with no flag but --port. */
  let first: Launched;

  const serve = (which: 0 | 1, args: string[]): Launched => {
    const l = launch(NODE, [BIN, 'serve', '--log-level', 'warn', ...args], { env: shared.env[which] });
    running.push(l);
    return l;
  };
  const started = async (which: 0 | 1, args: string[]): Promise<Launched> => {
    const l = serve(which, args);
    await l.waitFor('Scopeward is listening on');
    return l;
  };
  const openShared = () => createStorage(shared.databaseUrl, { migrate: false, ...(shared.pgSchema && { pgSchema: shared.pgSchema }) });
  const storedDomain = async (): Promise<string | undefined> => {
    const storage = await openShared();
    try {
      return (await storage.tenants.list()).find((t) => t.isDefault)?.domain;
    } finally {
      await storage.close();
    }
  };

  beforeAll(async () => {
    shared = await backend.setup();
    p1 = await freePort();
    p2 = await freePort();
  });
  afterAll(async () => {
    await Promise.all(running.map((l) => l.stop('SIGKILL')));
    await shared?.cleanup();
  });

  it('the second instance (defaults, another port) refuses with what to pass, exit 2; the first keeps its host', async () => {
    first = await started(0, ['--port', String(p1)]);
    expect(await discovery(p1, `localhost:${p1}`)).toEqual({ status: 200, issuer: `https://localhost:${p1}/` });

    const second = serve(1, ['--port', String(p2)]);
    expect(await second.exited).toEqual({ code: 2, signal: null });
    expect(second.stderr()).toBe(refusal(`localhost:${p1}`, `localhost:${p2}`));
    expect(second.stdout()).toBe('');

    // The same with --workers: the primary refuses before forking any worker.
    const cluster = serve(1, ['--port', String(p2), '--workers', '2']);
    expect(await cluster.exited).toEqual({ code: 2, signal: null });
    expect(cluster.stderr()).toBe(refusal(`localhost:${p1}`, `localhost:${p2}`));

    expect(await storedDomain()).toBe(`localhost:${p1}`);
    expect(await discovery(p1, `localhost:${p1}`)).toEqual({ status: 200, issuer: `https://localhost:${p1}/` });
    expect(first.child.exitCode).toBeNull();
  });

  it('a restart on the same port needs no flag', async () => {
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    first = await started(0, ['--port', String(p1)]);
    expect(await discovery(p1, `localhost:${p1}`)).toEqual({ status: 200, issuer: `https://localhost:${p1}/` });
  });

  it('with --domain set to the stored one, the second instance serves the same tenant', async () => {
    const second = await started(1, ['--port', String(p2), '--domain', `localhost:${p1}`]);
    // As behind a load balancer: the public host is the first one's, whichever process answers.
    expect(await discovery(p2, `localhost:${p1}`)).toEqual({ status: 200, issuer: `https://localhost:${p1}/` });
    expect(await discovery(p1, `localhost:${p1}`)).toEqual({ status: 200, issuer: `https://localhost:${p1}/` });
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await storedDomain()).toBe(`localhost:${p1}`);
  });

  it('--change-domain moves it (issuer and Management API audience follow); then the first refuses on restart', async () => {
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const second = await started(1, ['--port', String(p2), '--change-domain']);
    expect(second.output()).toContain(`"from":"localhost:${p1}","to":"localhost:${p2}","msg":"moved the default tenant to another domain (--change-domain)"`);
    expect(second.output()).toContain(`  issuer (default tenant): https://localhost:${p2}/\n`);
    expect(await discovery(p2, `localhost:${p2}`)).toEqual({ status: 200, issuer: `https://localhost:${p2}/` });
    expect(await storedDomain()).toBe(`localhost:${p2}`);
    const storage = await openShared();
    try {
      const tenant = (await storage.tenants.list()).find((t) => t.isDefault)!;
      expect((await storage.resourceServers.getByIdentifier(tenant.id, `https://localhost:${p2}/api/v2/`))?.isSystem).toBe(true);
      expect(await storage.resourceServers.getByIdentifier(tenant.id, `https://localhost:${p1}/api/v2/`)).toBeUndefined();
    } finally {
      await storage.close();
    }

    const restarted = serve(0, ['--port', String(p1)]);
    expect(await restarted.exited).toEqual({ code: 2, signal: null });
    expect(restarted.stderr()).toBe(refusal(`localhost:${p2}`, `localhost:${p1}`));
    expect(await discovery(p2, `localhost:${p2}`)).toEqual({ status: 200, issuer: `https://localhost:${p2}/` });
  });
});
