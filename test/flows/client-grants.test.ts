// /api/v2/client-grants (spec §0 row 6, §3.4, §3.5.2, §8): create, conflicts, both pagination
// styles on SQLite and PostgreSQL, filters, PATCH semantics, idempotent DELETE.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, expectNoContent, JSON_UTF8, mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

interface Grant {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
  subject_type: string;
  [k: string]: unknown;
}

const ADMIN = ['read:clients', 'create:clients', 'read:client_grants', 'create:client_grants', 'update:client_grants', 'delete:client_grants', 'create:resource_servers'];

async function newClient(api: MgmtCaller, name: string): Promise<{ client_id: string; client_secret: string }> {
  const res = await api.post('/clients', { name, app_type: 'non_interactive' });
  expect(res.statusCode).toBe(201);
  return res.json();
}

async function newApi(api: MgmtCaller, identifier: string, scopes: string[] = []): Promise<void> {
  const res = await api.post('/resource-servers', { identifier, scopes: scopes.map((value) => ({ value })) });
  expect(res.statusCode).toBe(201);
}

describe('create, get, patch, delete', () => {
  let s: TestServer;
  let api: MgmtCaller;
  let client: { client_id: string; client_secret: string };

  beforeAll(async () => {
    s = await startTestServer();
    api = mgmt(s, await mgmtToken(s, ADMIN));
    client = await newClient(api, 'grantee');
    await newApi(api, 'urn:orders', ['read:orders', 'write:orders']);
  });
  afterAll(() => s.close());

  it('spec §3.5.2: create → 201 {id: cgr_…, client_id, audience, scope, subject_type: client}', async () => {
    const res = await api.post('/client-grants', { client_id: client.client_id, audience: 'urn:orders', scope: ['read:orders', 'read:orders'] });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    const grant = res.json<Grant>();
    expect(grant).toStrictEqual({ id: expect.stringMatching(/^cgr_[A-Za-z0-9]{16}$/), client_id: client.client_id, audience: 'urn:orders', scope: ['read:orders'], subject_type: 'client' });
    expect((await api.get(`/client-grants/${grant.id}`)).json()).toStrictEqual(grant);
  });

  it('spec §3.5.2: a second grant for the same client and audience → 409 and the first is untouched', async () => {
    const other = await newClient(api, 'dup');
    const first = (await api.post('/client-grants', { client_id: other.client_id, audience: 'urn:orders', scope: ['read:orders'] })).json<Grant>();
    expectMgmtError(
      await api.post('/client-grants', { client_id: other.client_id, audience: 'urn:orders', scope: ['write:orders'] }),
      409,
      `A client grant already exists between ${other.client_id} and urn:orders`,
      'conflict',
    );
    expect((await api.get(`/client-grants?client_id=${other.client_id}`)).json()).toStrictEqual([first]);
  });

  it('spec §3.5.2: optional fields are stored and echoed', async () => {
    const other = await newClient(api, 'optional');
    const res = await api.post('/client-grants', { client_id: other.client_id, audience: 'urn:orders', organization_usage: 'allow', allow_any_organization: true });
    expect(res.json()).toStrictEqual({ id: expect.any(String), client_id: other.client_id, audience: 'urn:orders', scope: [], subject_type: 'client', organization_usage: 'allow', allow_any_organization: true });
  });

  it('spec §3.5.2: unknown client → 404 "Client not found"; unknown audience → 404 "Resource server not found"', async () => {
    expectMgmtError(await api.post('/client-grants', { client_id: 'nobody', audience: 'urn:orders', scope: [] }), 404, 'Client not found', 'inexistent_client');
    expectMgmtError(await api.post('/client-grants', { client_id: client.client_id, audience: 'urn:nothing', scope: [] }), 404, 'Resource server not found', 'inexistent_resource_server');
    expectMgmtError(await api.post('/client-grants', { client_id: 'nobody', audience: 'urn:nothing', scope: [] }), 404, 'Client not found', 'inexistent_client');
  });

  it('spec §3.5.2: Management API grants may name only catalogue scopes (400 otherwise, nothing stored)', async () => {
    const other = await newClient(api, 'mgmt grantee');
    expectMgmtError(
      await api.post('/client-grants', { client_id: other.client_id, audience: s.tenant.managementAudience, scope: ['read:clients', 'read:foo', 'frob'] }),
      400,
      "Payload validation error: 'Unknown Management API scopes: read:foo, frob' on property scope.",
      'invalid_body',
    );
    expect((await api.get(`/client-grants?client_id=${other.client_id}`)).json()).toStrictEqual([]);
    const ok = await api.post('/client-grants', { client_id: other.client_id, audience: s.tenant.managementAudience, scope: ['read:clients'] });
    expect(ok.statusCode).toBe(201);
    expectMgmtError(
      await api.patch(`/client-grants/${ok.json<Grant>().id}`, { scope: ['read:clients', 'read:everything'] }),
      400,
      "Payload validation error: 'Unknown Management API scopes: read:everything' on property scope.",
      'invalid_body',
    );
  });

  it.each([
    [{ audience: 'urn:orders' }, "Payload validation error: 'Missing required property: client_id'."],
    [{ client_id: 'x', audience: 'urn:orders', scope: 'read:orders' }, "Payload validation error: 'Expected type array but found type string' on property scope."],
    [{ client_id: 'x', audience: 'urn:orders', subject_type: 'robot' }, 'Payload validation error: \'No enum match for: "robot"\' on property subject_type.'],
    [{ client_id: 'x', audience: 'urn:orders', id: 'cgr_mine' }, "Payload validation error: 'Additional properties not allowed: id'."],
  ])('spec §3.2: create with %j → 400 invalid_body', async (payload, message) => {
    expectMgmtError(await api.post('/client-grants', payload), 400, message, 'invalid_body');
  });

  it('spec §3.5.2: PATCH scope replaces the whole list; scope: null clears it; new tokens follow', async () => {
    const other = await newClient(api, 'patched');
    const grant = (await api.post('/client-grants', { client_id: other.client_id, audience: 'urn:orders', scope: ['read:orders'] })).json<Grant>();
    const widened = await api.patch(`/client-grants/${grant.id}`, { scope: ['read:orders', 'write:orders'] });
    expect(widened.statusCode).toBe(200);
    expect(widened.json()).toStrictEqual({ ...grant, scope: ['read:orders', 'write:orders'] });
    const token = await requestToken(s, other.client_id, other.client_secret, 'urn:orders');
    expect(token.json<{ scope: string }>().scope).toBe('read:orders write:orders');

    const cleared = await api.patch(`/client-grants/${grant.id}`, { scope: null });
    expect(cleared.json()).toStrictEqual({ ...grant, scope: [] });
    expect((await api.get(`/client-grants/${grant.id}`)).json()).toStrictEqual({ ...grant, scope: [] });
    const narrowed = await requestToken(s, other.client_id, other.client_secret, 'urn:orders');
    expect(narrowed.statusCode).toBe(200);
    expect(Object.keys(narrowed.json<object>())).not.toContain('scope');
  });

  it('spec §3.5.2: PATCH without scope keeps it; allow_any_organization: null removes the setting', async () => {
    const other = await newClient(api, 'org');
    const grant = (await api.post('/client-grants', { client_id: other.client_id, audience: 'urn:orders', scope: ['read:orders'], allow_any_organization: true })).json<Grant>();
    const res = await api.patch(`/client-grants/${grant.id}`, { allow_any_organization: null, organization_usage: 'deny' });
    const { allow_any_organization: _removed, ...rest } = grant;
    expect(res.json()).toStrictEqual({ ...rest, organization_usage: 'deny' });
  });

  it('spec §3.5.2: PATCH cannot move a grant to another client or audience', async () => {
    const grant = (await api.get(`/client-grants?client_id=${client.client_id}`)).json<Grant[]>()[0]!;
    expectMgmtError(await api.patch(`/client-grants/${grant.id}`, { client_id: 'other' }), 400, "Payload validation error: 'Additional properties not allowed: client_id'.", 'invalid_body');
    expectMgmtError(await api.patch(`/client-grants/${grant.id}`, { audience: 'urn:x' }), 400, "Payload validation error: 'Additional properties not allowed: audience'.", 'invalid_body');
  });

  it('spec §3.2: GET of an unknown grant → 404 "The grant does not exist."; PATCH → "The client grant does not exist."', async () => {
    expectMgmtError(await api.get('/client-grants/cgr_0000000000000000'), 404, 'The grant does not exist.', 'inexistent_client_grant');
    expectMgmtError(await api.patch('/client-grants/cgr_0000000000000000', { scope: [] }), 404, 'The client grant does not exist.', 'inexistent_client_grant');
  });

  it('spec §8: DELETE is 204 with an empty body, twice; new tokens stop at once', async () => {
    const other = await newClient(api, 'deleted grant');
    const grant = (await api.post('/client-grants', { client_id: other.client_id, audience: 'urn:orders', scope: [] })).json<Grant>();
    expect((await requestToken(s, other.client_id, other.client_secret, 'urn:orders')).statusCode).toBe(200);
    expectNoContent(await api.del(`/client-grants/${grant.id}`));
    expectNoContent(await api.del(`/client-grants/${grant.id}`));
    expectMgmtError(await api.get(`/client-grants/${grant.id}`), 404, 'The grant does not exist.', 'inexistent_client_grant');
    const denied = await requestToken(s, other.client_id, other.client_secret, 'urn:orders');
    expect(denied.statusCode).toBe(403);
    expect(denied.json<{ error: string }>().error).toBe('access_denied');
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`listing on ${dialect}`, () => {
    let s: TestServer;
    let api: MgmtCaller;
    /** Every grant of the tenant in list order (created_at, then id). */
    let all: Grant[] = [];
    const ids = (grants: Grant[]) => grants.map((g) => g.id);

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      api = mgmt(s, await mgmtToken(s, ADMIN));
      await newApi(api, 'urn:one');
      await newApi(api, 'urn:two');
      const made: Grant[] = [];
      // Two grants per client; the clock moves only every other client, so timestamps tie and
      // the id breaks the tie (the checkpoint must handle both).
      for (let i = 0; i < 4; i++) {
        if (i % 2 === 0) s.clock.advance(1);
        const c = await newClient(api, `lister ${i}`);
        for (const audience of ['urn:one', 'urn:two']) made.push((await api.post('/client-grants', { client_id: c.client_id, audience, scope: [] })).json<Grant>());
      }
      all = (await api.get('/client-grants?per_page=100')).json<Grant[]>();
      expect(all).toHaveLength(9); // the admin application's grant + 8
      expect(new Set(ids(all))).toStrictEqual(new Set([...ids(made), all[0]!.id]));
    });
    afterAll(async () => {
      await s.close();
    });

    it('spec §3.4: include_totals answers {total,start,limit,client_grants}; pages past the end are empty', async () => {
      const page = await api.get('/client-grants?page=1&per_page=4&include_totals=true');
      expect(page.json()).toStrictEqual({ total: 9, start: 4, limit: 4, client_grants: all.slice(4, 8) });
      expect((await api.get('/client-grants?page=9&per_page=4&include_totals=true')).json()).toStrictEqual({ total: 9, start: 36, limit: 4, client_grants: [] });
      expect((await api.get('/client-grants?page=2&per_page=4')).json()).toStrictEqual(all.slice(8));
    });

    it('spec §0 row 6: from/take iterates the whole set once each; next is absent on the last page', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 10 }), async (take) => {
          const seen: Grant[] = [];
          let from: string | undefined;
          for (let pages = 0; pages < 20; pages++) {
            const res = await api.get(`/client-grants?take=${take}${from ? `&from=${encodeURIComponent(from)}` : ''}`);
            expect(res.statusCode).toBe(200);
            const body = res.json<{ client_grants: Grant[]; next?: string }>();
            expect(Object.keys(body).filter((k) => k !== 'next')).toStrictEqual(['client_grants']);
            seen.push(...body.client_grants);
            if (!('next' in body)) break;
            expect(body.client_grants).toHaveLength(take);
            expect(body.next).toMatch(/^[A-Za-z0-9_-]+$/);
            from = body.next;
          }
          expect(ids(seen)).toStrictEqual(ids(all));
        }),
        { numRuns: 15 },
      );
    });

    it('spec §0 row 6: a full last page ends the iteration (take divides the total)', async () => {
      const first = (await api.get('/client-grants?take=3')).json<{ client_grants: Grant[]; next: string }>();
      const second = (await api.get(`/client-grants?take=3&from=${first.next}`)).json<{ client_grants: Grant[]; next: string }>();
      const third = (await api.get(`/client-grants?take=3&from=${second.next}`)).json();
      expect(third).toStrictEqual({ client_grants: all.slice(6, 9) });
    });

    it('spec §3.5.2: audience and client_id filter both pagination styles', async () => {
      const byAudience = all.filter((g) => g.audience === 'urn:two');
      expect((await api.get('/client-grants?audience=urn%3Atwo')).json()).toStrictEqual(byAudience);
      const first = (await api.get('/client-grants?audience=urn%3Atwo&take=3')).json<{ client_grants: Grant[]; next: string }>();
      expect(first.client_grants).toStrictEqual(byAudience.slice(0, 3));
      expect((await api.get(`/client-grants?audience=urn%3Atwo&take=3&from=${first.next}`)).json()).toStrictEqual({ client_grants: byAudience.slice(3) });

      const clientId = all[1]!.client_id;
      expect((await api.get(`/client-grants?client_id=${clientId}`)).json()).toStrictEqual(all.filter((g) => g.client_id === clientId));
      expect((await api.get(`/client-grants?client_id=${clientId}&audience=urn%3Aone`)).json()).toStrictEqual(all.filter((g) => g.client_id === clientId && g.audience === 'urn:one'));
      expect((await api.get('/client-grants?audience=urn%3Anone&include_totals=true')).json()).toStrictEqual({ total: 0, start: 0, limit: 50, client_grants: [] });
    });

    it.each([
      ['from=not-a-checkpoint&take=2', "Query validation error: 'Invalid checkpoint' on property from."],
      [`from=${Buffer.from('["2026-01-01","a\\u0000"]').toString('base64url')}`, "Query validation error: 'Invalid checkpoint' on property from."],
      ['take=0', "Query validation error: 'Value 0 is less than minimum 1' on property take."],
      ['take=101', "Query validation error: 'Value 101 is greater than maximum 100' on property take."],
      ['per_page=101', "Query validation error: 'Value 101 is greater than maximum 100' on property per_page."],
    ])('spec §3.4: %s → 400 invalid_query_string', async (query, message) => {
      expectMgmtError(await api.get(`/client-grants?${query}`), 400, message, 'invalid_query_string');
    });
  });
}
