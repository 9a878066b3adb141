// Issue 14: the README's quick start, walked as written. The fenced blocks after
// `<!-- readme-walk: checkout -->`, `<!-- readme-walk: app -->` and
// `<!-- readme-walk: file NAME -->` are run in README order in a fresh temporary directory: the
// checkout's commands in DIR/scopeward (the server's data lands in DIR/scopeward/data), the
// application's from DIR, outside the checkout. What differs from a person at a terminal, and only
// that:
// - `npm install` in the checkout is already done (this repository's node_modules and dist), and
//   `npm start` / `npx scopeward` run this repository's bin/scopeward.js;
// - the server listens on a free port: `localhost:8443` in the blocks becomes `localhost:PORT`;
// - `npm install auth0` links this repository's node_modules/auth0 (no network);
// - an `export` line takes its value where a person would: NODE_EXTRA_CA_CERTS from the banner's
//   `export NODE_EXTRA_CA_CERTS=…` line, CLIENT_ID and CLIENT_SECRET from what `init` printed.
// Any other command in a marked block fails the test, so the README cannot drift from it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withCaCert } from '../../dashboard/src/explorer/curl.ts';
import { BIN, freePort, NODE, ROOT } from '../helpers/real-server.ts';
import { cleanEnv } from './run.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

interface Block {
  kind: 'checkout' | 'app' | 'file';
  name?: string;
  body: string;
}

/** The marked blocks, in README order. */
function walkBlocks(readme: string): Block[] {
  const blocks: Block[] = [];
  for (const m of readme.matchAll(/<!-- readme-walk: (checkout|app|file ([^\s]+)) -->\n```[a-z]*\n([\s\S]*?)```/g)) {
    blocks.push(m[2] ? { kind: 'file', name: m[2], body: m[3]! } : { kind: m[1] as 'checkout' | 'app', body: m[3]! });
  }
  return blocks;
}

/** A block's commands: one per line, `# comments` dropped, `a && b` split. */
const commands = (body: string): string[] =>
  body
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)
    .flatMap((line) => line.split(/\s*&&\s*/));

const CURL = spawnSync('curl', ['--version']).status === 0;

describe('README quick start, walked as written', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-readme-walk-'));
  let server: ServeProcess | undefined;
  let port = 0;
  let caFromBanner = '';
  const printed: Record<string, string> = {};
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks the quick start: checkout commands, the application folder, the snippet file and its run', () => {
    const blocks = walkBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.map((b) => b.kind)).toEqual(['checkout', 'checkout', 'app', 'file', 'app']);
    expect(blocks[3]!.name).toBe('scopeward-check.mjs');
  });

  it('npm start, npx scopeward init, then the snippet in an npm init -y project prints the client names', async () => {
    port = await freePort();
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8').replaceAll('localhost:8443', `localhost:${port}`);
    const checkout = path.join(dir, 'scopeward');
    mkdirSync(checkout);
    const serverEnv = { SCOPEWARD_PORT: String(port) };
    let appDir = dir;
    const appEnv: Record<string, string> = {};
    const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) => {
      const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `${command} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    let ran = '';

    for (const block of walkBlocks(readme)) {
      if (block.kind === 'file') {
        writeFileSync(path.join(appDir, block.name!), block.body);
        continue;
      }
      for (const command of commands(block.body)) {
        if (block.kind === 'checkout') {
          if (command === 'npm install') continue;
          if (command === 'npm start') {
            server = await startServe([], { cwd: checkout, env: serverEnv });
            const line = server.stdout().split('\n').find((l) => l.includes('export NODE_EXTRA_CA_CERTS='));
            caFromBanner = line!.slice(line!.indexOf('export NODE_EXTRA_CA_CERTS=') + 'export NODE_EXTRA_CA_CERTS='.length);
            expect(caFromBanner).toBe(path.join(checkout, 'data', 'ca.crt'));
            expect(server.stdout()).toContain(`  dashboard: https://localhost:${port}/dashboard/`);
            expect(server.stdout()).toContain('    npx scopeward init\n');
            continue;
          }
          if (command === 'npx scopeward init') {
            const out = run(NODE, [BIN, 'init'], checkout, cleanEnv(serverEnv));
            for (const key of ['client_id', 'client_secret']) printed[key] = /^(\S+):\s+(\S+)$/m.exec(out.split('\n').find((l) => l.startsWith(`${key}:`)) ?? '')?.[2] ?? '';
            expect(out).toContain('admin@localhost.local');
            continue;
          }
        } else {
          const mkdir = /^mkdir (\S+)$/.exec(command);
          if (mkdir) {
            mkdirSync(path.join(appDir, mkdir[1]!));
            continue;
          }
          const cd = /^cd (\S+)$/.exec(command);
          if (cd) {
            appDir = path.join(appDir, cd[1]!);
            continue;
          }
          if (command === 'npm init -y') {
            run('npm', ['init', '-y'], appDir, cleanEnv({}));
            expect(existsSync(path.join(appDir, 'package.json'))).toBe(true);
            continue;
          }
          if (command === 'npm install auth0') {
            mkdirSync(path.join(appDir, 'node_modules'));
            symlinkSync(path.join(ROOT, 'node_modules', 'auth0'), path.join(appDir, 'node_modules', 'auth0'), 'dir');
            continue;
          }
          if (/^export NODE_EXTRA_CA_CERTS=\S+$/.test(command)) {
            appEnv.NODE_EXTRA_CA_CERTS = caFromBanner;
            continue;
          }
          if (command === 'export CLIENT_ID=... CLIENT_SECRET=...') {
            appEnv.CLIENT_ID = printed.client_id!;
            appEnv.CLIENT_SECRET = printed.client_secret!;
            continue;
          }
          if (command === 'node scopeward-check.mjs') {
            // The application's own environment: no CA inherited from the test run.
            const env = cleanEnv(appEnv);
            env.NODE_EXTRA_CA_CERTS = appEnv.NODE_EXTRA_CA_CERTS;
            ran = run('node', ['scopeward-check.mjs'], appDir, env);
            continue;
          }
        }
        throw new Error(`the README walk does not know this ${block.kind} command: ${command}`);
      }
    }
    expect(printed.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(printed.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(path.relative(dir, appDir)).toBe('scopeward-check');
    expect(ran).toBe('All Applications\nScopeward Dashboard\nScopeward Management (init)\n');
  });

  it.skipIf(!CURL)('with curl: the explorer\'s Copy curl runs as pasted (--cacert from config.json); /favicon.ico is served', async () => {
    expect(caFromBanner).not.toBe('');
    const base = `https://localhost:${port}`;
    const curl = (args: string[]) => spawnSync('curl', ['-sS', ...args], { encoding: 'utf8', timeout: 60_000 });
    const config = JSON.parse(curl(['--cacert', caFromBanner, `${base}/dashboard/config.json`]).stdout) as { ca_cert_path?: string };
    expect(config.ca_cert_path).toBe(caFromBanner);
    const token = JSON.parse(
      curl(['--cacert', caFromBanner, `${base}/oauth/token`, '-d', 'grant_type=client_credentials', '-d', `client_id=${printed.client_id}`, '-d', `client_secret=${printed.client_secret}`, '-d', `audience=${base}/api/v2/`]).stdout,
    ) as { access_token: string };
    // What Swagger UI's curl snippet looks like, as the explorer's button copies it.
    const swagger = `curl -X 'GET' \\\n  '${base}/api/v2/clients?fields=name' \\\n  -H 'accept: application/json' \\\n  -H 'Authorization: Bearer ${token.access_token}'`;
    const pasted = spawnSync('sh', ['-c', withCaCert(swagger, config.ca_cert_path)], { encoding: 'utf8', timeout: 60_000 });
    expect([pasted.status, JSON.parse(pasted.stdout)]).toEqual([0, [{ name: 'All Applications' }, { name: 'Scopeward Dashboard' }, { name: 'Scopeward Management (init)' }]]);
    // Without it, curl does not trust the server (exit 60): what the issue saw.
    expect(spawnSync('sh', ['-c', `${swagger} -s -o /dev/null`], { env: { PATH: process.env.PATH ?? '' } }).status).toBe(60);
    const icon = curl(['--cacert', caFromBanner, '-o', '/dev/null', '-w', '%{http_code} %{content_type}', `${base}/favicon.ico`]);
    expect(icon.stdout).toBe('200 image/svg+xml');
  });
});
