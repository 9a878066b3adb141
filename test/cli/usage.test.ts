// Commands that need no server: scopes-for, usage errors and their exit codes (cli/errors.ts:
// 0 ok, 1 failure, 2 usage, 3 unreachable, 4 rejected).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run.ts';

describe('scopeward usage and scopes-for', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-cli-usage-'));
  const env = { SCOPEWARD_DATA_DIR: path.join(dir, 'data') };
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('scopes-for: the smallest set for GET+POST /api/v2/clients is "read:clients create:clients"', async () => {
    const r = await runCli(['scopes-for', 'GET /api/v2/clients', 'POST /api/v2/clients'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        'GET /api/v2/clients',
        '  accepts any of: read:clients read:client_keys read:client_credentials read:client_summary',
        'POST /api/v2/clients',
        '  accepts any of: create:clients',
        '',
        'smallest set: read:clients create:clients',
        '',
      ].join('\n'),
    );
  });

  it('scopes-for --json gives each endpoint and the minimal set; {id} and concrete paths both match', async () => {
    const r = await runCli(['scopes-for', '--json', 'PATCH /api/v2/clients/{id}', 'DELETE /api/v2/client-grants/cgr_123'], env);
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout) as { endpoints: { endpoint: string; mode: string }[]; minimal: string[] };
    expect(body.endpoints.map((e) => [e.endpoint, e.mode])).toEqual([
      ['PATCH /api/v2/clients/{id}', 'any'],
      ['DELETE /api/v2/client-grants/cgr_123', 'any'],
    ]);
    expect(body.minimal).toEqual(['update:clients', 'delete:client_grants']);
  });

  it('scopes-for with an unknown endpoint exits 2 and lists the known ones', async () => {
    const r = await runCli(['scopes-for', 'GET /api/v2/clients', 'GET /api/v2/nope'], env);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr.startsWith('scopeward: unknown endpoint(s): "GET /api/v2/nope"\nknown endpoints:\n  GET /api/v2/clients\n')).toBe(true);
  });

  it('an unknown command exits 2', async () => {
    const r = await runCli(['frobnicate'], env);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain("error: unknown command 'frobnicate'");
  });

  it('an unknown flag exits 2', async () => {
    const r = await runCli(['migrate', '--bogus'], env);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain("error: unknown option '--bogus'");
  });

  it('invalid configuration values exit 2 and are all named at once', async () => {
    const r = await runCli(['migrate', '--log-level', 'loud', '--port', 'abc'], env);
    expect([r.status, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'scopeward: invalid configuration:\n  - --port / SCOPEWARD_PORT / PORT: expected a non-negative integer, got "abc"\n  - --log-level: expected one of fatal, error, warn, info, debug, trace, silent\n',
    ]);
  });

  it('decode of something that is not a JWT exits 2', async () => {
    const r = await runCli(['decode', 'not-a-jwt'], env);
    expect([r.status, r.stderr]).toEqual([2, 'scopeward: not a JWT: expected three dot-separated segments\n']);
    const bad = await runCli(['decode', 'a.b.c'], env);
    expect([bad.status, bad.stderr]).toEqual([2, 'scopeward: not a JWT: the header is not base64url JSON\n']);
  });

  it('--help exits 0 and names every command', async () => {
    const r = await runCli(['--help'], env);
    expect(r.status).toBe(0);
    for (const command of ['serve', 'migrate', 'tenants', 'init', 'admins', 'token', 'decode', 'scopes-for']) expect(r.stdout).toContain(`  ${command}`);
  });
});
