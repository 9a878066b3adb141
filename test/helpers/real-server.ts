// Starts the real server as a child process (`bin/scopeward.js serve`), HTTPS with its local CA,
// in a temporary data directory, after `scopeward init --json`. The CA is the one made by
// test/global-setup.ts, so NODE_EXTRA_CA_CERTS (set for every test process) trusts it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'scopeward.js');
export const NODE = process.execPath;

export interface InitResult {
  domain: string;
  issuer: string;
  audience: string;
  client_id: string;
  client_secret: string;
  token_endpoint: string;
}

export interface RealServer {
  domain: string;
  port: number;
  baseUrl: string;
  dataDir: string;
  init: InitResult;
  /** stdout + stderr so far. */
  output(): string;
  /** The serving process's id (for /proc and prlimit). */
  pid(): number;
  /** Runs a CLI command against this server's data dir; returns status and output. */
  cli(args: string[], env?: Record<string, string>): { status: number | null; stdout: string; stderr: string };
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Restarts on the same data dir and port. */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RealServerOptions {
  args?: string[];
  env?: Record<string, string>;
  port?: number;
  /** Another instance's `init` on the same database: reused instead of running `scopeward init` again. */
  init?: InitResult;
}

export async function startRealServer(options: RealServerOptions = {}): Promise<RealServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-e2e-'));
  const ca = process.env.SCOPEWARD_TEST_CA_DIR;
  if (!ca) throw new Error('SCOPEWARD_TEST_CA_DIR is not set: run the tests through vitest (test/global-setup.ts)');
  for (const f of ['ca.crt', 'ca.key', 'server.key']) copyFileSync(path.join(ca, f), path.join(dataDir, f));
  const port = options.port ?? (await freePort());
  const domain = `localhost:${port}`;
  // The SQLite file of this data dir, whatever DATABASE_URL the test run has (CI exports the
  // PostgreSQL one for storage tests; servers sharing it would fight over one default tenant).
  const baseEnv = {
    ...process.env,
    SCOPEWARD_DATA_DIR: dataDir,
    SCOPEWARD_DOMAIN: domain,
    SCOPEWARD_PORT: String(port),
    DATABASE_URL: `sqlite:${path.join(dataDir, 'scopeward.db')}`,
    ...options.env,
  };

  const cli = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(NODE, [BIN, ...args], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  let init = options.init;
  if (!init) {
    const initRun = cli(['init', '--json']);
    if (initRun.status !== 0) throw new Error(`init failed: ${initRun.stderr}`);
    init = JSON.parse(initRun.stdout) as InitResult;
  }

  let child: ChildProcess;
  let out = '';
  const launch = async (): Promise<void> => {
    child = spawn(NODE, [BIN, 'serve', '--log-level', 'warn', ...(options.args ?? [])], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
      const check = (): void => {
        if (out.includes('Scopeward is listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${out}`));
      });
    });
  };
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  await launch();
  return {
    domain,
    port,
    baseUrl: `https://${domain}`,
    dataDir,
    init,
    output: () => out,
    pid: () => child.pid!,
    cli,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async cleanup() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
