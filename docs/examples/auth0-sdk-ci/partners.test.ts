// The application's test suite, run against `scopeward dev` instead of an Auth0 tenant or a mock:
//
//   export WORKER_SECRET=any-test-secret-of-32-characters-or-more
//   npx scopeward dev --seed tenant.yaml --keyword WORKER_SECRET -- node --test partners.test.ts
//
// scopeward dev starts (in memory, HTTPS on localhost), applies the seed (##WORKER_SECRET## from
// the environment variable of that name), runs the command with
// AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and NODE_EXTRA_CA_CERTS set, and stops when it
// ends, with its exit code. test/cli/dev.test.ts runs exactly this.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { managementClient, onboardPartner, ORDERS_API, partnerNames } from './partners.ts';

const mgmt = managementClient();
const domain = process.env.AUTH0_DOMAIN!;

async function token(clientId: string, clientSecret: string): Promise<Record<string, unknown>> {
  const res = await fetch(`https://${domain}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: ORDERS_API }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { access_token: jwt } = (await res.json()) as { access_token: string };
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

await test('the seeded Orders API and its application are there', async () => {
  const { data: apis } = await mgmt.resourceServers.list();
  assert.deepEqual(apis.find((a) => a.identifier === ORDERS_API)?.scopes?.map((s) => s.value), ['read:orders', 'write:orders']);
  const claims = await token(await clientIdOf('Nightly report'), process.env.WORKER_SECRET!);
  assert.equal(claims.scope, 'read:orders');
});

await test('onboardPartner makes an application that gets Orders API tokens with the granted scopes', async () => {
  const partner = await onboardPartner(mgmt, 'Acme Logistics', ['read:orders', 'write:orders']);
  const claims = await token(partner.clientId, partner.clientSecret);
  assert.equal(claims.aud, ORDERS_API);
  assert.equal(claims.scope, 'read:orders write:orders');
  assert.deepEqual(await partnerNames(mgmt), ['Acme Logistics']);
});

async function clientIdOf(name: string): Promise<string> {
  for await (const app of await mgmt.clients.list({ per_page: 50 })) if (app.name === name) return app.client_id!;
  throw new Error(`no application named ${name}`);
}
