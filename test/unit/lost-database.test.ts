// R1's last line of defence (src/storage/lost-database.ts), in a real Node process: a rejection
// left unhandled because the database went away does not end the process; any other unhandled
// rejection still does, as Node does without the guard.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const guard = pathToFileURL(path.resolve(import.meta.dirname, '../../src/storage/lost-database.ts')).href;

function run(rejection: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { unhandledRejectionGuard } from ${JSON.stringify(guard)};
    process.on('unhandledRejection', unhandledRejectionGuard(() => console.log('reported')));
    void Promise.reject(${rejection});
    setTimeout(() => console.log('still running'), 50);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('T-OPS-01: an unhandled rejection from a lost database never ends the process', () => {
  it('PostgreSQL "terminating connection due to administrator command" (57P01) unhandled: reported, the process keeps running', () => {
    const r = run(`Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })`);
    expect([r.status, r.stdout]).toEqual([0, 'reported\nstill running\n']);
  });

  it('a refused connection (ECONNREFUSED) unhandled: the same', () => {
    const r = run(`Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })`);
    expect([r.status, r.stdout]).toEqual([0, 'reported\nstill running\n']);
  });

  it('any other unhandled rejection still ends the process, as without the guard', () => {
    const r = run(`new Error('a bug')`);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('a bug');
  });
});
