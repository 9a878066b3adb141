// T-MI-07 (security catalogue §4.14): two servers on one PostgreSQL schema rotate the same client's
// secret at the same moment, both having read the same client row. The catalogue asks for exactly
// one resulting secret, the loser told so (409 / retry), and never a caller holding a secret that
// does not work.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/kysely/index.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { requestToken } from '../helpers/mgmt-http.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { gateFor, pauseAfterClientRead } from '../helpers/rendezvous.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe('T-MI-07: concurrent secret rotation on two servers (PostgreSQL)', () => {
  let schema: PgSchema;
  const servers: TestServer[] = [];
  const gate = gateFor(2);

  beforeAll(async () => {
    schema = await createPgSchema();
    const masterKey = randomBytes(32);
    for (let i = 0; i < 2; i++) {
      const raw = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 2 });
      servers.push(await startTestServer({ storage: pauseAfterClientRead(raw, gate), masterKey }));
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await schema?.drop();
  });

  // The rotation updates the secret only if it is still the one it read (compare-and-set), so the
  // second of two racing rotations gets 409 instead of a secret that never works.
  it.each([
    ['immediate', undefined],
    ['with a grace period', { previous_secret_grace_seconds: 600 }],
  ])('%s: exactly one rotation succeeds and its secret works; the other is told it lost', async (_label, body) => {
    const [sa, sb] = servers as [TestServer, TestServer];
    const admin = await seedM2M(sa, ['update:client_keys', 'read:clients'], { name: 'admin' });
    const app = await seedM2M(sa, ['read:clients'], { name: 'rotated' });
    const tokens = [await tokenFor(sa, admin), await tokenFor(sa, admin)];
    // Warm both servers' caches so that only the two rotations read the client during the race.
    for (const [i, s] of [sa, sb].entries()) {
      const warm = await s.inject({ method: 'GET', url: `/api/v2/clients/${app.clientId}`, headers: { authorization: `Bearer ${tokens[i]!}` } });
      expect(warm.statusCode).toBe(200);
    }
    gate.reset();
    gate.armed = true;
    const answers = await Promise.all(
      [sa, sb].map((s, i) =>
        s.inject({ method: 'POST', url: `/api/v2/clients/${app.clientId}/rotate-secret`, headers: { authorization: `Bearer ${tokens[i]!}` }, ...(body && { payload: body }) }),
      ),
    );
    gate.armed = false;
    expect(gate.arrivals()).toBe(2);

    const works = async (secret: string) => (await requestToken(sa, app.clientId, secret, sa.tenant.managementAudience)).statusCode === 200;
    const winners = answers.filter((r) => r.statusCode === 200);
    // No caller may be handed a secret that does not authenticate.
    for (const w of winners) expect(await works(w.json<{ client_secret: string }>().client_secret)).toBe(true);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
  });
});
