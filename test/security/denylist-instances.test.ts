// T-MI-01 (security catalogue §4.14): a token denylisted through A's Management API is refused by
// B, two apps on one PostgreSQL schema, each built as `scopeward serve` builds it (runtime.ts with
// the LISTEN/NOTIFY change bus). B has verified the token and loaded the denylist before, so only
// the change notification of A's write can make B refuse it: were the write to stop notifying,
// no notification would arrive and B would keep accepting it until its periodic resync.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBus, type ChangeBus } from '../../src/cache/bus.ts';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { sealClientSecret } from '../../src/domain/secret-locations.ts';
import { tenantFrom, type Tenant } from '../../src/domain/tenant.ts';
import { ensureDefaultTenant } from '../../src/provisioning/default-tenant.ts';
import { createApp, type App } from '../../src/http/app.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { invalidTokenResponse, MSG } from '../helpers/alg-confusion.ts';
import { frozenClock } from '../helpers/clock.ts';
import { decodeSegment } from '../helpers/craft-jwt.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { eventually, recordArrivals, type Arrivals } from '../helpers/propagation.ts';
import { DOMAIN, UNLIMITED } from '../helpers/test-server.ts';
import { clientRecord, grantRecord } from '../storage/records.ts';

const PROPAGATION_MS = 1000;
const envelope = createEnvelope(randomBytes(32));
const clock = frozenClock();

interface Instance {
  raw: Storage;
  bus: ChangeBus;
  runtime: Runtime;
  app: App;
  arrivals: Arrivals;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

describe('T-MI-01: two apps on one PostgreSQL schema with the LISTEN/NOTIFY change bus', () => {
  let schema: PgSchema;
  let a: Instance;
  let b: Instance;
  let tenant: Tenant;
  const errors: unknown[] = [];

  /** One serving instance as main.ts builds it (no listening socket: requests are injected). */
  const instance = async (): Promise<Instance> => {
    const raw = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 3 });
    const bus = await postgresBus(schema.url, { schema: schema.schema, onError: (e) => errors.push(e) });
    const logger = createLogger('silent');
    const runtime = await createRuntime({ raw, bus, envelope, clock, logger, defaultRateLimits: UNLIMITED });
    await runtime.registry.start();
    const app = await createApp({ ...runtime, envelope, clock, logger, trustProxy: [] });
    const arrivals = recordArrivals(bus);
    return { raw, bus, runtime, app, arrivals, inject: (o) => app.fastify.inject({ ...o, headers: { host: DOMAIN, ...o.headers } }) };
  };

  /** An application with a Management API grant for `scopes` (written through A), and a token A issued it. */
  const tokenWith = async (scopes: string[]): Promise<string> => {
    const c = clientRecord(tenant.id);
    const secret = randomBytes(32).toString('base64url');
    await a.runtime.storage.clients.create({ ...c, ...sealClientSecret(envelope, tenant.id, c.clientId, secret) });
    await a.runtime.storage.grants.create(grantRecord(tenant.id, c.clientId, { audience: tenant.managementAudience, scope: scopes }));
    const res = await a.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: secret, audience: tenant.managementAudience },
    });
    expect(res.statusCode).toBe(200);
    return res.json<{ access_token: string }>().access_token;
  };
  const listClients = (on: Instance, token: string) => on.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    schema = await createPgSchema();
    a = await instance();
    tenant = tenantFrom(await ensureDefaultTenant(a.runtime.storage, envelope, clock, DOMAIN));
    b = await instance();
  });
  afterAll(async () => {
    for (const i of [a, b]) {
      await i?.app.fastify.close();
      await i?.runtime.close();
      await i?.bus.close();
      await i?.raw.close();
    }
    await schema?.drop();
    expect(errors).toEqual([]);
  });

  it('T-MI-01: POST /api/v2/blacklists/tokens on A → B hears it within 1 s and refuses the token it had verified before; a sibling token stays accepted', async () => {
    const admin = await tokenWith(['blacklist:tokens']);
    const listed = await tokenWith(['read:clients']);
    const sibling = await tokenWith(['read:clients']);
    // B verifies both and loads the tenant's denylist into memory.
    for (const token of [listed, sibling]) expect((await listClients(b, token)).statusCode).toBe(200);

    const mark = b.arrivals.mark();
    const denied = await a.inject({ method: 'POST', url: '/api/v2/blacklists/tokens', headers: { authorization: `Bearer ${admin}` }, payload: { aud: tenant.managementAudience, jti: String(decodeSegment(listed, 1).jti) } });
    const acked = performance.now();
    expect(denied.statusCode).toBe(204);

    expect(await b.arrivals.after(mark, acked, (e) => e.kind === 'denylist' && e.tenantId === tenant.id)).toBeLessThanOrEqual(PROPAGATION_MS);
    await eventually(async () => (await listClients(b, listed)).statusCode === 401);
    const refused = await listClients(b, listed);
    const want = invalidTokenResponse(DOMAIN, MSG.invalidToken);
    expect({ status: refused.statusCode, body: refused.body, challenge: refused.headers['www-authenticate'] }).toEqual({ status: 401, body: want.body, challenge: want.challenge });
    expect((await listClients(b, sibling)).statusCode).toBe(200);
    expect((await listClients(a, listed)).statusCode).toBe(401);
  });
});
