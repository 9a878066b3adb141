// Issue 14, the command line as a newcomer meets it: `--version`, the start-up banner (dashboard
// URL, the absolute NODE_EXTRA_CA_CERTS line, the `init` command on a new data directory) and a
// port already in use. The real CLI, in a working directory of its own.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT } from '../helpers/real-server.ts';
import { runCli } from './run.ts';
import { startServe } from './serve-process.ts';

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('scopeward first run', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-first-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([['--version'], ['-V']])('%s prints the version of package.json and exits 0', async (flag) => {
    const r = await runCli([flag], {});
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `${VERSION}\n`, '']);
  });

  it('the banner names the dashboard, the absolute CA path and its export line, and on a new data directory the init command', async () => {
    const port = await freePort();
    const cwd = path.join(dir, 'project');
    mkdirSync(cwd);
    const env = { SCOPEWARD_PORT: String(port) };
    const server = await startServe([], { cwd, env });
    const ca = path.join(cwd, 'data', 'ca.crt');
    try {
      const lines = server.stdout().split('\n');
      expect(lines).toContain(`  dashboard: https://localhost:${port}/dashboard/`);
      expect(lines).toContain(`  local CA: ${ca}`);
      expect(lines).toContain(`  trust it in Node.js with: export NODE_EXTRA_CA_CERTS=${ca}`);
      expect(path.isAbsolute(ca)).toBe(true);
      expect(lines).toContain('  first run: no dashboard administrator yet. In another terminal, in this directory, run');
      expect(lines).toContain('    npx scopeward init');
      // From the same directory, `init` finds the same database.
      const init = await runCli(['init', '--json', '--data-dir', path.join(cwd, 'data')], env);
      expect(init.status, init.stderr).toBe(0);
    } finally {
      await server.stop();
    }
    const again = await startServe([], { cwd, env });
    try {
      expect(again.stdout()).not.toContain('first run');
      expect(again.stdout()).not.toContain('scopeward init');
    } finally {
      await again.stop();
    }
  });

  it('another data directory: the init command names it', async () => {
    const port = await freePort();
    const dataDir = path.join(dir, 'elsewhere');
    const server = await startServe(['--data-dir', dataDir], { cwd: dir, env: { SCOPEWARD_PORT: String(port) } });
    try {
      expect(server.stdout().split('\n')).toContain(`    npx scopeward init --data-dir ${dataDir}`);
    } finally {
      await server.stop();
    }
  });

  it.each([[[] as string[]], [['--workers', '2']]])('a port in use (%j): one line naming the port and how to change it, exit 1, no stack', async (extra) => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, 'localhost', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const r = await runCli(['serve', '--log-level', 'warn', '--port', String(port), ...extra], { SCOPEWARD_DATA_DIR: path.join(dir, `busy${extra.length}`) });
      // stdout holds only the first start's log line about the new master key.
      expect(r.stdout).not.toMatch(/EADDRINUSE|\n\s+at /);
      expect([r.status, r.stderr]).toEqual([
        1,
        `scopeward: port ${port} is already in use on localhost: stop whatever listens there, or choose another port with --port N (or the SCOPEWARD_PORT or PORT environment variable)\n`,
      ]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
