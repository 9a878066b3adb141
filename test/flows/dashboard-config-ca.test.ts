// Issue 14: /dashboard/config.json names the local CA (ca_cert_path) when the server's certificate
// is signed by it, so that the explorer's "Copy curl" can add --cacert; without it (a certificate
// of your own, plain HTTP) the field is absent (dashboard-serving.test.ts checks that body).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ localCaCertPath: '/home/dev/scopeward/data/ca.crt' });
});
afterAll(() => s.close());

it('config.json carries ca_cert_path, the absolute path of ca.crt', async () => {
  const res = await s.inject({ method: 'GET', url: '/dashboard/config.json' });
  expect(res.statusCode).toBe(200);
  expect(res.json<{ ca_cert_path?: string }>().ca_cert_path).toBe('/home/dev/scopeward/data/ca.crt');
});
