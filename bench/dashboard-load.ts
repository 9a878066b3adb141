// How fast the dashboard loads in a real browser (issue 5: "fast first load (measure it)").
// `npm run bench:dashboard`: one Scopeward (HTTPS, its local CA, a temporary data directory),
// Debian's Chromium through playwright-core, loopback only, a bounded number of rounds.
//
// Each round is a fresh browser profile (empty cache), then a reload in the same profile (warm):
//  - cold to login: /dashboard/ → the dashboard bundle loads, reads config.json and redirects to
//    /authorize → our login page is on screen;
//  - sign-in to first page: the login form is submitted → back at /dashboard/ with a code → token
//    exchange → the Applications table is on screen;
//  - warm reload: /dashboard/applications again (assets from the cache, the token fetched again
//    through a silent /authorize in a hidden iframe) → the table is on screen.
// Bytes are what crossed the wire (compressed) for the dashboard's own files on the cold load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { freePort, installExitCleanup, NODE, removeTempDirs, startNode, stopAll, trackTempDir, waitForOutput } from './lib/proc.ts';
import { median } from './lib/report.ts';

const ROUNDS = Number(process.env.BENCH_DASHBOARD_ROUNDS ?? 7);
const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'scopeward.js');
const CHROMIUM = '/usr/bin/chromium';

interface Round {
  coldToLoginMs: number;
  signInToPageMs: number;
  warmReloadMs: number;
  dashboardBytes: number;
  dashboardRequests: number;
}

const since = async (page: Page, mark: number): Promise<number> => (await page.evaluate<number>('performance.timeOrigin + performance.now()')) - mark;

async function main(): Promise<void> {
  installExitCleanup();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-bench-dashboard-'));
  trackTempDir(dataDir);
  const port = await freePort();
  const env = { ...process.env, SCOPEWARD_DATA_DIR: dataDir, SCOPEWARD_DOMAIN: `localhost:${port}`, SCOPEWARD_PORT: String(port), DATABASE_URL: `sqlite:${path.join(dataDir, 'scopeward.db')}` };
  const init = spawnSync(NODE, [BIN, 'init', '--json'], { env, encoding: 'utf8', timeout: 60_000 });
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  const admin = (JSON.parse(init.stdout) as { admin: { email: string; password: string } }).admin;
  const server = startNode('scopeward', [BIN, 'serve', '--log-level', 'warn'], { env });
  await waitForOutput(server, /Scopeward is listening on/);
  const base = `https://localhost:${port}`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      context.setDefaultTimeout(30_000);
      const page = await context.newPage();
      let bytes = 0;
      let requests = 0;
      page.on('requestfinished', (request) => {
        if (!new URL(request.url()).pathname.startsWith('/dashboard/')) return;
        void request.sizes().then((s) => {
          bytes += s.responseBodySize + s.responseHeadersSize;
          requests++;
        });
      });
      const start = Date.now();
      await page.goto(`${base}/dashboard/`);
      await page.locator('#username').waitFor();
      const coldToLoginMs = Date.now() - start;

      await page.locator('#username').fill(admin.email);
      await page.locator('#password').fill(admin.password);
      const submitted = await page.evaluate<number>('performance.timeOrigin + performance.now()');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('main table').first().waitFor();
      const signInToPageMs = await since(page, submitted);

      const reloadStart = Date.now();
      await page.goto(`${base}/dashboard/applications`);
      await page.locator('main table').first().waitFor();
      const warmReloadMs = Date.now() - reloadStart;
      rounds.push({ coldToLoginMs, signInToPageMs, warmReloadMs, dashboardBytes: bytes, dashboardRequests: requests });
      process.stdout.write(`round ${i + 1}/${ROUNDS}: cold to login ${coldToLoginMs} ms, sign-in to Applications ${Math.round(signInToPageMs)} ms, warm reload ${warmReloadMs} ms, ${bytes} bytes in ${requests} dashboard requests\n`);
      await context.close();
    }
  } finally {
    await browser.close();
    await stopAll();
    removeTempDirs();
  }
  const m = (f: (r: Round) => number) => Math.round(median(rounds.map(f)));
  process.stdout.write(
    `\nmedians of ${ROUNDS} rounds: cold load to the login page ${m((r) => r.coldToLoginMs)} ms; sign-in to the Applications page ${m((r) => r.signInToPageMs)} ms; ` +
      `warm reload to the Applications page ${m((r) => r.warmReloadMs)} ms; dashboard bytes on the wire (cold) ${m((r) => r.dashboardBytes)} in ${m((r) => r.dashboardRequests)} requests\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  void stopAll().finally(() => {
    removeTempDirs();
    process.exit(1);
  });
});
