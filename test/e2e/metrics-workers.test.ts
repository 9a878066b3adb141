// Issue 13 with `serve --workers 2`: one scrape of the metrics port answers for the whole process
// group (the primary sums every worker's registry), whichever worker served the requests.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRealServer, type RealServer } from '../helpers/real-server.ts';

let s: RealServer;
let metricsPort: number;
beforeAll(async () => {
  metricsPort = await freePort();
  s = await startRealServer({ args: ['--workers', '2', '--metrics-port', String(metricsPort)] });
});
afterAll(async () => s?.cleanup());

/** A token over a fresh connection, so the cluster's round-robin spreads them over both workers. */
function token(): Promise<number> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: s.init.client_id, client_secret: s.init.client_secret, audience: s.init.audience }).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(`${s.baseUrl}/oauth/token`, { method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('metrics with --workers 2 (issue 13)', () => {
  it('one scrape sums the tokens every worker issued', async () => {
    for (let i = 0; i < 6; i++) expect(await token()).toBe(200);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const line = text.split('\n').find((l) => l.startsWith('scopeward_tokens_issued_total{'));
    expect(line).toBe(`scopeward_tokens_issued_total{tenant="${/tenant="([^"]+)"/.exec(line ?? '')?.[1]}",grant_type="client_credentials",audience="${s.init.audience}"} 6`);
    // The cluster hands connections out round-robin, so each worker issued about half: 6 is the sum.
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
  });
});
