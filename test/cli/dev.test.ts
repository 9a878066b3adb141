// `scopeward dev` (issue 12 item 4) as a user and a CI job run it: in memory, HTTPS on localhost
// with its CA in a temporary directory, fixed credentials (or given ones), the seed applied, and
// nothing left behind after SIGTERM or SIGINT. The README's CI example (docs/examples/auth0-sdk-ci:
// an application's test suite using the `auth0` SDK) runs here through `scopeward dev -- COMMAND`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, NODE, ROOT } from '../helpers/real-server.ts';
import { cleanEnv, runCli } from './run.ts';

interface Ready {
  url: string;
  domain: string;
  issuer: string;
  audience: string;
  client_id: string;
  client_secret: string;
  ca_cert: string | null;
  temp_dir: string;
}

const EXAMPLE = path.join(ROOT, 'docs', 'examples', 'auth0-sdk-ci');

/** Starts `scopeward dev ... --json` and waits for its line. */
async function startDev(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; ready: Ready; exit: Promise<number | null> }> {
  const child = spawn(NODE, [BIN, 'dev', '--port', '0', '--json', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Ready);
    });
    void exit.then((code) => reject(new Error(`scopeward dev exited with ${code}: ${err}`)));
  });
  return { child, ready, exit };
}

function get(url: string, ca: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    lib
      .get(url, { ...(ca && { ca }) }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

describe('scopeward dev', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-dev-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs an application test suite using the auth0 SDK against the seeded server (`dev --seed ... -- node --test`), then stops with its exit code', async () => {
    const secret = 'nightly-report-secret-0123456789-abcdef';
    const r = await runCli(['dev', '--port', '0', '--seed', path.join(EXAMPLE, 'tenant.yaml'), '--keyword', 'WORKER_SECRET', '--', NODE, '--test', '--test-reporter=tap', path.join(EXAMPLE, 'partners.test.ts')], {
      WORKER_SECRET: secret,
    });
    expect(r.stderr).toMatch(/^scopeward dev: https:\/\/localhost:\d+ ready \(client_id scopeward-dev-client\); running /);
    expect(r.stdout).toContain('# pass 2');
    expect(r.stdout).toContain('# fail 0');
    expect(r.status).toBe(0);
  });

  it("a failing suite's exit code is the command's", async () => {
    writeFileSync(path.join(dir, 'fails.test.mjs'), "import { test } from 'node:test'; import assert from 'node:assert'; test('x', () => assert.equal(process.env.AUTH0_CLIENT_ID, 'nope'));\n");
    const r = await runCli(['dev', '--port', '0', '--', NODE, '--test', '--test-reporter=tap', path.join(dir, 'fails.test.mjs')], {});
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('# fail 1');
  });

  it('HTTPS with the CA it prints; fixed credentials get a Management API token; SIGTERM removes its temporary directory', async () => {
    const { child, ready, exit } = await startDev([]);
    expect(ready).toMatchObject({ client_id: 'scopeward-dev-client', client_secret: 'scopeward-dev-client-secret', issuer: `https://${ready.domain}/`, audience: `https://${ready.domain}/api/v2/` });
    expect(ready.url).toBe(`https://${ready.domain}`);
    expect(ready.ca_cert).toBe(path.join(ready.temp_dir, 'ca.crt'));
    const ca = readFileSync(ready.ca_cert!, 'utf8');
    const discovery = await get(`${ready.url}/.well-known/openid-configuration`, ca);
    expect([discovery.status, discovery.body.issuer]).toEqual([200, ready.issuer]);
    // The printed credentials work, as `scopeward token` shows (it trusts NODE_EXTRA_CA_CERTS).
    const token = await runCli(['token', '--domain', ready.domain, '--client-id', ready.client_id, '--client-secret', ready.client_secret, '--json'], { NODE_EXTRA_CA_CERTS: ready.ca_cert! });
    expect(JSON.parse(token.stdout)).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(existsSync(ready.temp_dir)).toBe(false);
  });

  it('--http, credentials from the environment, SIGINT: plain HTTP, the given client, nothing left behind', async () => {
    const { child, ready, exit } = await startDev(['--http'], { SCOPEWARD_DEV_CLIENT_ID: 'my-ci-client', SCOPEWARD_DEV_CLIENT_SECRET: 'my-ci-secret-0123456789' });
    expect([ready.url, ready.ca_cert, ready.client_id, ready.client_secret]).toEqual([`http://${ready.domain}`, null, 'my-ci-client', 'my-ci-secret-0123456789']);
    const discovery = await get(`${ready.url}/.well-known/openid-configuration`, undefined);
    expect([discovery.status, discovery.body.issuer]).toEqual([200, `https://${ready.domain}/`]);
    const token = await fetch(`${ready.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'my-ci-client', client_secret: 'my-ci-secret-0123456789', audience: ready.audience }),
    });
    expect(token.status).toBe(200);
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(existsSync(ready.temp_dir)).toBe(false);
  });

  it('a bad seed file stops it before it serves: exit 2, the problems named, no directory left', async () => {
    writeFileSync(path.join(dir, 'bad.yaml'), 'clients:\n  - name: x\n    callbacks: ##CALLBACK##\n');
    const before = new Set(readdir());
    const r = await runCli(['dev', '--port', '0', '--seed', path.join(dir, 'bad.yaml')], {});
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `scopeward: seed: ${path.join(dir, 'bad.yaml')} cannot be imported:\n  - keyword ##CALLBACK## has no value: give it with --keyword CALLBACK=VALUE or in the --keywords file\n`,
    );
    expect(readdir().filter((d) => !before.has(d))).toEqual([]);
  });
});

/** The dev servers' temporary directories now in the system temporary directory. */
function readdir(): string[] {
  return readdirSync(os.tmpdir()).filter((d) => d.startsWith('scopeward-dev-') && !d.startsWith('scopeward-dev-test-'));
}
