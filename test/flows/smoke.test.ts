import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken, seedM2M, tokenFor } from '../helpers/mgmt.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

describe('smoke', () => {
  it('issues a token and lists clients', async () => {
    const token = await mgmtToken(s, ['read:clients', 'create:clients']);
    const res = await s.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    const created = await s.inject({ method: 'POST', url: '/api/v2/clients', headers: { authorization: `Bearer ${token}` }, payload: { name: 'x' } });
    expect(created.statusCode, created.body).toBe(201);
    const m = await seedM2M(s, ['read:clients']);
    expect(await tokenFor(s, m)).toMatch(/^eyJ/);
  });
});
