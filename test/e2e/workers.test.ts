// `serve --workers 2` (node:cluster): a change made through one worker reaches the other's cache
// at once (DESIGN "Scaling out"). Every request opens its own connection, so the cluster's
// round-robin spreads them over both workers.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

let s: RealServer;
beforeAll(async () => {
  s = await startRealServer({ args: ['--workers', '2'] });
});
afterAll(async () => s?.cleanup());

function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${s.baseUrl}${path}`,
      {
        method,
        agent: false, // a fresh connection each time
        headers: { ...(payload && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const tokenRequest = (clientId: string, secret: string) =>
  call('POST', '/oauth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: s.init.audience });

describe('cluster workers share every change', () => {
  it('a grant deleted through one worker stops new tokens on both; a rotated secret is refused on both', async () => {
    const admin = (await tokenRequest(s.init.client_id, s.init.client_secret)).json.access_token as string;
    const app = (await call('POST', '/api/v2/clients', { name: 'worker test', app_type: 'non_interactive' }, admin)).json;
    const grant = (await call('POST', '/api/v2/client-grants', { client_id: app.client_id, audience: s.init.audience, scope: ['read:clients'] }, admin)).json;

    const statuses = async (secret: string) => Promise.all(Array.from({ length: 16 }, () => tokenRequest(String(app.client_id), secret).then((r) => r.status)));
    expect(new Set(await statuses(String(app.client_secret)))).toEqual(new Set([200]));

    const rotated = (await call('POST', `/api/v2/clients/${String(app.client_id)}/rotate-secret`, undefined, admin)).json;
    expect(new Set(await statuses(String(app.client_secret)))).toEqual(new Set([401]));
    expect(new Set(await statuses(String(rotated.client_secret)))).toEqual(new Set([200]));

    expect((await call('DELETE', `/api/v2/client-grants/${String(grant.id)}`, undefined, admin)).status).toBe(204);
    expect(new Set(await statuses(String(rotated.client_secret)))).toEqual(new Set([403]));
  });
});
