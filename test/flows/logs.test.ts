// GET /api/v2/logs and /logs/{id} (spec §3.5.9, §3.4; issue 3 "Audit logs"; T-LOG-02): what a flow
// leaves in the tenant log (seccft, feccft, sapi with the body redacted, mgmt_api_read, fapi), the
// Auth0 event shape, both list forms, sorting, checkpoint paging, and the Lucene subset of q/search
// with its 400s. Values in q are always literal (bound parameters, no LIKE).
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant } from '../helpers/legacy.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tamper } from '../helpers/tamper.ts';

type Event = Record<string, unknown> & { log_id: string; type: string; date: string; details: Record<string, unknown> | null };
const UA = 'logs-test/1.0 (flows)';
const MGMT_AUD = 'https://tenant-a.test/api/v2/';
const ADMIN = ['read:clients', 'update:clients', 'read:client_keys', 'update:client_keys', 'create:resource_servers', 'read:logs'];


describe('what a flow records (spec §3.5.9, T-LOG-02)', () => {
  let s: TestServer;
  let admin: { clientId: string; clientSecret: string };
  let api: MgmtCaller;
  let jti: string;
  let events: Event[];
  const of = (type: string) => events.filter((e) => e.type === type);

  beforeAll(async () => {
    s = await startTestServer();
    admin = await seedM2M(s, ADMIN, { audience: MGMT_AUD, name: 'logging admin' });
    const ok = await s.inject({ method: 'POST', url: '/oauth/token', headers: { 'user-agent': UA }, payload: { grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, audience: MGMT_AUD } });
    const token = ok.json<{ access_token: string }>().access_token;
    jti = decodeJwt(token).jti!;
    expect((await requestToken(s, admin.clientId, `${admin.clientSecret}x`, MGMT_AUD)).statusCode).toBe(401);
    api = mgmt(s, token);
    const h = { 'user-agent': UA };
    expect((await api.patch(`/clients/${admin.clientId}?why=rotation`, { client_secret: 'chosen-secret-0123456789-abcdefghijklmn', description: 'kept' }, h)).statusCode).toBe(200);
    expect((await api.post('/resource-servers', { identifier: 'https://hs.example/', signing_alg: 'HS256', signing_secret: 'hs256-secret-0123456789', token_lifetime: 3600 }, h)).statusCode).toBe(201);
    // With read:client_keys but `fields` leaving the secret out: nothing secret was read.
    expect((await api.get('/clients?fields=client_id,name', h)).statusCode).toBe(200);
    expect((await api.get(`/clients/${admin.clientId}?fields=name`, h)).statusCode).toBe(200);
    expect((await api.get('/clients?fields=client_secret&include_fields=false', h)).statusCode).toBe(200);
    expect((await api.get('/clients?fields=client_id,client_secret', h)).statusCode).toBe(200);
    expect((await api.get('/clients/unknown', h)).statusCode).toBe(404);
    for (let i = 0; i < 12; i++) expect((await mgmt(s, tamper(token)).get('/clients', h)).statusCode).toBe(401);
    await s.audit.flush();
    events = (await api.get('/logs?sort=date:1')).json<Event[]>();
  });
  afterAll(() => s.close());

  it('seccft: client, audience, scope, ip, user agent, hostname, and the jti of the token issued', () => {
    expect(of('seccft')).toStrictEqual([
      {
        date: '2026-11-01T12:00:00.000Z',
        type: 'seccft',
        description: 'Client Credentials for Access Token',
        connection: null,
        connection_id: '',
        client_id: admin.clientId,
        client_name: 'logging admin',
        ip: '127.0.0.1',
        user_agent: UA,
        hostname: 'tenant-a.test',
        user_id: '',
        user_name: '',
        audience: MGMT_AUD,
        scope: ADMIN.join(' '),
        details: { access_token_jti: jti },
        log_id: expect.stringMatching(/^\d{56}$/),
        _id: expect.stringMatching(/^\d{56}$/),
        isMobile: false,
      },
    ]);
  });

  it('feccft: the description is the error_description answered', () => {
    expect(of('feccft').map((e) => [e.client_id, e.description, e.audience, e.details])).toStrictEqual([
      [admin.clientId, 'Unauthorized', MGMT_AUD, { error: 'access_denied', status: 401 }],
    ]);
  });

  it('sapi: one per successful write, described by the route, with method, path, query and the body with secrets "[redacted]"', () => {
    const credentials = { jti, scopes: ADMIN };
    expect(of('sapi').map((e) => [e.description, e.client_id, e.user_agent, e.details])).toStrictEqual([
      [
        'Update a client',
        admin.clientId,
        UA,
        {
          request: { method: 'patch', path: `/api/v2/clients/${admin.clientId}`, query: { why: 'rotation' }, body: { client_secret: '[redacted]', description: 'kept' }, auth: { strategy: 'jwt', credentials } },
          response: { statusCode: 200 },
        },
      ],
      [
        'Create a resource server',
        admin.clientId,
        UA,
        {
          request: { method: 'post', path: '/api/v2/resource-servers', query: {}, body: { identifier: 'https://hs.example/', signing_alg: 'HS256', signing_secret: '[redacted]', token_lifetime: 3600 }, auth: { strategy: 'jwt', credentials } },
          response: { statusCode: 201 },
        },
      ],
    ]);
  });

  it('mgmt_api_read: every answer that carried a secret — a GET with read:client_keys, and a write answering one (after its sapi, without the body); reads without secrets and failed reads are not logged', () => {
    const auth = { strategy: 'jwt', credentials: { jti, scopes: ADMIN } };
    expect(of('mgmt_api_read').map((e) => [e.description, e.client_id, e.details])).toStrictEqual([
      ['Update a client', admin.clientId, { request: { method: 'patch', path: `/api/v2/clients/${admin.clientId}`, query: { why: 'rotation' }, auth }, response: { statusCode: 200 } }],
      ['Get clients', admin.clientId, { request: { method: 'get', path: '/api/v2/clients', query: { fields: 'client_id,client_secret' }, auth }, response: { statusCode: 200 } }],
    ]);
    // The HS256 API's creation answered no signing_secret (no read:resource_servers): no secret read.
    expect(events.map((e) => e.type)).toStrictEqual(['seccft', 'feccft', 'sapi', 'mgmt_api_read', 'sapi', 'mgmt_api_read', ...Array<string>(10).fill('fapi')]);
  });

  it('fapi: a refused call, ten a minute per address at most', () => {
    expect(of('fapi')).toHaveLength(10);
    expect(of('fapi')[0]).toMatchObject({ description: 'Invalid signature received for JSON Web Token validation', client_id: '', ip: '127.0.0.1', details: { request: { method: 'get', path: '/api/v2/clients' }, response: { statusCode: 401 } } });
  });

  it('Auth0 shape: log_id equals _id, 56 digits, ascending with time; date is ISO-8601 UTC', () => {
    const ids = events.map((e) => e.log_id);
    expect(events.every((e) => e._id === e.log_id && /^\d{56}$/.test(e.log_id) && new Date(e.date).toISOString() === e.date)).toBe(true);
    expect([...ids].sort()).toStrictEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('GET /logs/{id}: 200 with the event; an unknown id is 404 "Log not found." (inexistent_log)', async () => {
    const res = await api.get(`/logs/${events[0]!.log_id}`);
    expect([res.statusCode, res.headers['content-type'], res.json()]).toStrictEqual([200, JSON_UTF8, events[0]]);
    expectMgmtError(await api.get(`/logs/9${'0'.repeat(55)}`), 404, 'Log not found.', 'inexistent_log');
  });

  it('spec §3.5.9: read:logs or read:logs_users suffices; other scopes are 403', async () => {
    const users = mgmt(s, await mgmtToken(s, ['read:logs_users']));
    expect((await users.get('/logs?q=type:sapi')).json<Event[]>().map((e) => e.log_id)).toStrictEqual(of('sapi').map((e) => e.log_id).reverse());
    expect((await users.get(`/logs/${events[1]!.log_id}`)).json()).toStrictEqual(events[1]);
    const other = mgmt(s, await mgmtToken(s, ['read:clients']));
    expectMgmtError(await other.get('/logs'), 403, 'Insufficient scope, expected any of: read:logs,read:logs_users', 'insufficient_scope');
    expectMgmtError(await other.get(`/logs/${events[1]!.log_id}`), 403, 'Insufficient scope, expected any of: read:logs,read:logs_users', 'insufficient_scope');
  });

  it("tenant isolation: tenant B sees only its own events and cannot read A's by id", async () => {
    const bravo = await s.addTenant('bravo', 'tenant-b.test');
    const b = mgmt(s, await mgmtToken(asTenant(s, bravo), ['read:logs']), bravo.domain);
    await s.audit.flush();
    const seen = (await b.get('/logs')).json<Event[]>();
    expect(seen.map((e) => [e.type, e.hostname, e.audience])).toStrictEqual([['seccft', 'tenant-b.test', bravo.managementAudience]]);
    expectMgmtError(await b.get(`/logs/${events[0]!.log_id}`), 404, 'Log not found.', 'inexistent_log');
    expect((await b.get(`/logs?q=${encodeURIComponent(`client_id:${admin.clientId}`)}`)).json()).toStrictEqual([]);
  });
});

describe('listing and searching (spec §3.4, §3.5.9)', () => {
  let s: TestServer;
  let api: MgmtCaller;
  /** Oldest first. */
  const ids: Record<string, string> = {};
  let all: string[];
  const at = (iso: string) => s.clock.set(Date.parse(iso));
  const label = (e: Event) => (e.details as { n?: string } | null)?.n ?? e.type;

  beforeAll(async () => {
    s = await startTestServer();
    const reader = await seedM2M(s, ['read:logs']);
    const table: [string, string, string, string][] = [
      ['e1', '2026-11-01T12:00:00.000Z', 'seccft', 'clientA'],
      ['e2', '2026-11-01T12:00:00.000Z', 'feccft', 'clientA'],
      ['e3', '2026-11-01T13:00:00.000Z', 'seccft', 'clientB'],
      ['e4', '2026-11-02T00:00:00.000Z', 'fapi', ''],
      ['e5', '2026-11-02T12:00:00.000Z', 'sapi', 'clientA'],
      ['e6', '2026-11-02T23:59:59.999Z', 'seccft', 'clientA'],
      ['e7', '2026-11-03T00:00:00.000Z', 'feccft', 'clientB'],
      ['e8', '2026-11-03T08:00:00.000Z', 'sapi', 'ab%'],
      ['e9', '2026-11-03T08:00:00.000Z', 'sapi', 'a_c'],
      ['e10', '2026-11-03T08:00:00.000Z', 'sapi', 'abc'],
    ];
    for (const [n, date, type, client] of table) {
      at(date);
      ids[n] = s.audit.record(s.tenant, { ip: '10.0.0.1', userAgent: undefined }, { type, client: { clientId: client }, details: { n } });
    }
    // The reader's token is fetched last (the clock has moved two days); its seccft comes from 127.0.0.1.
    api = mgmt(s, await tokenFor(s, reader));
    await s.audit.flush();
    all = (await api.get('/logs?sort=date:1&q=ip:10.0.0.1')).json<Event[]>().map(label);
  });
  afterAll(() => s.close());

  const list = async (query: string) => {
    const res = await api.get(`/logs?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Event[]>().map(label);
  };
  const search = (q: string, param = 'q') => list(`sort=date:1&${param}=${encodeURIComponent(`(${q}) AND ip:10.0.0.1`)}`);

  it('default order is newest first; sort=date:1 is oldest first', async () => {
    expect(all).toStrictEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']);
    expect(await list('q=ip:10.0.0.1')).toStrictEqual([...all].reverse());
    expect(await list('q=ip:10.0.0.1&sort=date:-1')).toStrictEqual([...all].reverse());
  });

  it('spec §3.4: page/per_page pages; include_totals answers {start, limit, length, total, logs}; a page past the end is empty', async () => {
    expect(await list('q=ip:10.0.0.1&sort=date:1&page=1&per_page=4')).toStrictEqual(['e5', 'e6', 'e7', 'e8']);
    const res = await api.get('/logs?q=ip:10.0.0.1&sort=date:1&page=2&per_page=4&include_totals=true');
    const body = res.json<{ logs: Event[] }>();
    expect({ ...body, logs: body.logs.map(label) }).toStrictEqual({ start: 8, limit: 4, length: 2, total: 10, logs: ['e9', 'e10'] });
    expect((await api.get('/logs?q=ip:10.0.0.1&page=9&per_page=4&include_totals=true')).json()).toStrictEqual({ start: 36, limit: 4, length: 0, total: 10, logs: [] });
    expect(await list('page=9&per_page=4')).toStrictEqual([]);
  });

  it('spec §3.5.9: per_page above 100, a bad sort or a bad take is 400 invalid_query_string', async () => {
    expectMgmtError(await api.get('/logs?per_page=101'), 400, "Query validation error: 'Value 101 is greater than maximum 100' on property per_page.", 'invalid_query_string');
    expectMgmtError(await api.get('/logs?take=101'), 400, "Query validation error: 'Value 101 is greater than maximum 100' on property take.", 'invalid_query_string');
    expect((await api.get('/logs?sort=date:2')).json<{ errorCode: string }>().errorCode).toBe('invalid_query_string');
  });

  it('spec §3.4: from/take answer a bare array, oldest first, strictly after `from`', async () => {
    expect(await list(`from=${ids.e3}&take=3&q=ip:10.0.0.1`)).toStrictEqual(['e4', 'e5', 'e6']);
    expect(await list(`from=${ids.e9}&q=ip:10.0.0.1`)).toStrictEqual(['e10']);
    expect(await list('take=2&q=ip:10.0.0.1')).toStrictEqual(['e1', 'e2']);
    expect(await list(`from=${ids.e2}&take=10&q=type:seccft`)).toStrictEqual(['e3', 'e6', 'seccft']);
  });

  it('fields/include_fields select the keys of each event', async () => {
    expect((await api.get(`/logs?fields=log_id,type&q=log_id:${ids.e5}`)).json()).toStrictEqual([{ log_id: ids.e5, type: 'sapi' }]);
    const without = (await api.get(`/logs?fields=details,_id&include_fields=false&q=log_id:${ids.e5}`)).json<Event[]>();
    expect(Object.keys(without[0]!).sort()).toStrictEqual(['client_id', 'client_name', 'connection', 'connection_id', 'date', 'description', 'hostname', 'ip', 'isMobile', 'log_id', 'type', 'user_agent', 'user_id', 'user_name']);
  });

  it.each([
    ['type:seccft', ['e1', 'e3', 'e6']],
    ['type:"seccft"', ['e1', 'e3', 'e6']],
    ['client_id:clientB', ['e3', 'e7']],
    ['type:f*', ['e2', 'e4', 'e7']],
    ['type:seccft AND client_id:clientA', ['e1', 'e6']],
    ['type:seccft client_id:clientA', ['e1', 'e6']],
    ['type:fapi OR client_id:clientB', ['e3', 'e4', 'e7']],
    ['NOT type:sapi AND NOT client_id:clientA', ['e3', 'e4', 'e7']],
    ['(type:seccft OR type:feccft) AND NOT client_id:clientA', ['e3', 'e7']],
    ['NOT user_id:"auth0|x"', ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']],
    ['date:[2026-11-02 TO 2026-11-02]', ['e4', 'e5', 'e6']],
    ['date:2026-11-02', ['e4', 'e5', 'e6']],
    ['date:[2026-11-01T13:00:00Z TO 2026-11-02T12:00:00.000Z]', ['e3', 'e4', 'e5']],
    ['date:{2026-11-01T13:00:00Z TO 2026-11-02T12:00:00.000Z}', ['e4']],
    ['date:{2026-11-01 TO 2026-11-03}', ['e4', 'e5', 'e6']],
    ['date:[* TO 2026-11-01]', ['e1', 'e2', 'e3']],
    ['date:{* TO 2026-11-02}', ['e1', 'e2', 'e3']],
    ['date:[2026-11-03 TO *]', ['e7', 'e8', 'e9', 'e10']],
    ['date:2026-11-02T12:00:00Z', ['e5']],
    ['client_id:a_c', ['e9']],
    ['client_id:a_*', ['e9']],
    ['client_id:ab%', ['e8']],
    ['client_id:a%', []],
    ['client_id:%', []],
    ['client_id:_bc', []],
    ["type:\"x' OR '1'='1\"", []],
    ["client_id:\"clientA' --\"", []],
  ])('q=%s', async (q, expected) => {
    expect(await search(q)).toStrictEqual(expected);
    expect(await search(q, 'search')).toStrictEqual(expected);
  });

  it.each([
    ['foo:bar', 'unsupported field "foo" (use type, client_id, user_id, ip, date, log_id)'],
    ['details.n:e1', 'unsupported field "details.n" (use type, client_id, user_id, ip, date, log_id)'],
    ['seccft', '"seccft" is not field:value'],
    ['type:"seccft', 'unterminated quoted value'],
    ['date:[2026-11-01 TO 2026-11-02', 'unterminated range'],
    ['date:[yesterday TO *]', '"yesterday" is not a date'],
    ['type:', 'no value for type'],
    ['type:seccft AND', 'the query ends where a term was expected'],
    ['(type:seccft', 'a parenthesis is not closed'],
    ['type:seccft)', 'unexpected )'],
    [`${'('.repeat(11)}type:seccft${')'.repeat(11)}`, 'the query nests too deeply'],
    [`${'NOT '.repeat(11)}type:seccft`, 'the query nests too deeply'],
  ])('q=%s is 400 invalid_query_string naming the problem', async (q, problem) => {
    expectMgmtError(await api.get(`/logs?q=${encodeURIComponent(q)}`), 400, `Query validation error: '${problem}' on property q.`, 'invalid_query_string');
    expectMgmtError(await api.get(`/logs?search=${encodeURIComponent(q)}`), 400, `Query validation error: '${problem}' on property search.`, 'invalid_query_string');
  });

  it('a query longer than 1000 characters is 400 invalid_query_string', async () => {
    const long = `type:${'a'.repeat(996)}`;
    expectMgmtError(await api.get(`/logs?q=${long}`), 400, "Query validation error: 'String is too long (1001 chars), maximum 1000' on property q.", 'invalid_query_string');
    expect(await list(`q=${long.slice(0, 1000)}`)).toStrictEqual([]);
  });

  it('the log table is unharmed by the injection attempts', async () => {
    expect(await list('sort=date:1&q=ip:10.0.0.1')).toStrictEqual(all);
  });
});
