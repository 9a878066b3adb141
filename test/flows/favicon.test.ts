// Issue 14: /favicon.ico was a 404 on the login page. It is a small SVG, for the tenant's host (the
// login pages and the dashboard live there) and for any other Host alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAVICON_SVG } from '../../src/http/favicon.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe('GET /favicon.ico', () => {
  it.each([[DOMAIN], ['unknown.localhost:8443']])('on %s: 200, image/svg+xml, cached for a day', async (host) => {
    const res = await s.inject({ method: 'GET', url: '/favicon.ico', host });
    expect([res.statusCode, res.headers['content-type'], res.headers['cache-control'], res.headers['x-content-type-options'], res.body]).toEqual([
      200,
      'image/svg+xml',
      'public, max-age=86400',
      'nosniff',
      FAVICON_SVG,
    ]);
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 32 32">.*<\/svg>$/);
  });

  it('HEAD answers the same headers without a body; POST is not served', async () => {
    const head = await s.inject({ method: 'HEAD', url: '/favicon.ico' });
    expect([head.statusCode, head.headers['content-type'], head.body]).toEqual([200, 'image/svg+xml', '']);
    expect((await s.inject({ method: 'POST', url: '/favicon.ico' })).statusCode).toBe(404);
  });
});
