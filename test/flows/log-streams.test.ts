// /api/v2/log-streams (issue 13): Auth0's http streams created, listed, read, changed and deleted
// with the exact bodies and statuses; the sink's secrets sealed at rest; the scopes of each call;
// Auth0's bad-body answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMgmtError, expectNoContent, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const SCOPES = ['read:log_streams', 'create:log_streams', 'update:log_streams', 'delete:log_streams'];

let s: TestServer;
let admin: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await mgmtToken(s, SCOPES));
});
afterAll(() => s.close());

const HEC = {
  name: 'Splunk HEC',
  type: 'http',
  sink: {
    httpEndpoint: 'https://splunk.example.com:8088/services/collector/raw',
    httpContentType: 'application/json',
    httpContentFormat: 'JSONLINES',
    httpAuthorization: 'Splunk 2b7f7c1c-secret-hec-token',
    httpCustomHeaders: [{ header: 'X-Splunk-Request-Channel', value: 'f1c7-channel' }],
  },
  filters: [{ type: 'category', name: 'auth.login.fail' }, { type: 'category', name: 'management.success' }],
};

describe('POST /log-streams', () => {
  it('200 with Auth0 shape: id lst_ + 16 digits, status active, the sink as given (httpAuthorization included), filters', async () => {
    const res = await admin.post('/log-streams', HEC);
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
    const body = res.json<{ id: string }>();
    expect(body).toStrictEqual({ id: expect.stringMatching(/^lst_\d{16}$/), name: 'Splunk HEC', type: 'http', status: 'active', sink: HEC.sink, filters: HEC.filters });
    // Read back, the same object.
    const got = await admin.get(`/log-streams/${body.id}`);
    expect([got.statusCode, got.json()]).toStrictEqual([200, body]);
  });

  it('the sink secrets are sealed at rest: neither the Authorization nor the custom header value is in the row', async () => {
    const created = (await admin.post('/log-streams', { ...HEC, name: 'sealed' })).json<{ id: string }>();
    const record = await s.storage.logStreams.get(s.tenant.id, created.id);
    const stored = JSON.stringify(record);
    expect(stored).not.toContain('secret-hec-token');
    expect(stored).not.toContain('f1c7-channel');
    expect(record!.sinkSecretsSealed).toMatch(/^v1\./);
    expect(record!.data.sink).toStrictEqual({ httpEndpoint: HEC.sink.httpEndpoint, httpContentType: 'application/json', httpContentFormat: 'JSONLINES' });
    // A ciphertext moved to another stream's row does not open there (bound to its row).
    const other = (await admin.post('/log-streams', { type: 'http', sink: { httpEndpoint: 'https://other.example.com/' } })).json<{ id: string }>();
    await s.storage.logStreams.update(s.tenant.id, other.id, { sinkSecretsSealed: record!.sinkSecretsSealed });
    const moved = await admin.get(`/log-streams/${other.id}`);
    expect(moved.statusCode).toBe(500);
    await admin.del(`/log-streams/${other.id}`);
    await admin.del(`/log-streams/${created.id}`);
  });

  it('the smallest body Auth0 takes (the SDK example): name defaults to "Custom Webhook", nothing else added', async () => {
    const res = await admin.post('/log-streams', { type: 'http', sink: { httpEndpoint: 'https://hooks.example.com/auth0' } });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ id: string }>();
    expect(body).toStrictEqual({ id: body.id, name: 'Custom Webhook', type: 'http', status: 'active', sink: { httpEndpoint: 'https://hooks.example.com/auth0' } });
    await admin.del(`/log-streams/${body.id}`);
  });

  it('isPriority and pii_config (mask) are kept and returned', async () => {
    const pii = { log_fields: ['email', 'username'], method: 'mask', algorithm: 'xxhash' };
    const res = await admin.post('/log-streams', { type: 'http', name: 'p', isPriority: true, pii_config: pii, sink: { httpEndpoint: 'http://127.0.0.1:9/x' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ isPriority: true, pii_config: pii });
    await admin.del(`/log-streams/${res.json<{ id: string }>().id}`);
  });

  it('400s: no sink, no type, another type, an unknown filter category, extra members, a bad URL, credentials in the URL, a status, hash PII', async () => {
    const bad = async (body: unknown) => (await admin.post('/log-streams', body)).json<{ statusCode: number; message: string; errorCode: string }>();
    expect(await bad({ type: 'http' })).toStrictEqual({ statusCode: 400, error: 'Bad Request', message: "Payload validation error: 'Missing required property: sink'.", errorCode: 'invalid_body' });
    expect((await bad({ sink: { httpEndpoint: 'https://a.example/' } })).message).toBe("Payload validation error: 'Missing required property: type'.");
    for (const body of [
      { type: 'datadog', sink: { datadogRegion: 'us', datadogApiKey: 'k' } },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/' }, filters: [{ type: 'category', name: 'auth.everything' }] },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpContentFormat: 'XML' } },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', extra: 1 } },
      { type: 'http', status: 'paused', sink: { httpEndpoint: 'https://a.example/' } },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpCustomHeaders: [{ header: 'X-A\r\nInjected', value: 'v' }] } },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpAuthorization: 'Bearer a\r\nX-Injected: 1' } },
      // Control characters the HTTP client would refuse at every send (a stream that could only fail).
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpCustomHeaders: [{ header: 'X-A', value: 'v\u0001w' }] } },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpAuthorization: 'Bearer a\u007f' } },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpContentType: 'application/json\u001b' } },
      { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpCustomHeaders: [{ header: 'X-A', value: 'snowman \u2603' }] } },
    ]) {
      const got = await bad(body);
      expect([got.statusCode, got.errorCode, got.message.startsWith('Payload validation error: ')], JSON.stringify(body)).toEqual([400, 'invalid_body', true]);
    }
    const endpoint = await admin.post('/log-streams', { type: 'http', sink: { httpEndpoint: 'ftp://files.example/' } });
    expectMgmtError(endpoint, 400, "Payload validation error: 'httpEndpoint must be an absolute http or https URL' on property sink.httpEndpoint.", 'invalid_body');
    const relative = await admin.post('/log-streams', { type: 'http', sink: { httpEndpoint: '/api/logs' } });
    expectMgmtError(relative, 400, "Payload validation error: 'httpEndpoint must be an absolute http or https URL' on property sink.httpEndpoint.", 'invalid_body');
    const creds = await admin.post('/log-streams', { type: 'http', sink: { httpEndpoint: 'https://user:pw@a.example/' } });
    expectMgmtError(creds, 400, "Payload validation error: 'httpEndpoint must not carry credentials: put them in httpAuthorization' on property sink.httpEndpoint.", 'invalid_body');
    const framing = await admin.post('/log-streams', { type: 'http', sink: { httpEndpoint: 'https://a.example/', httpCustomHeaders: [{ header: 'Content-Length', value: '1' }] } });
    expectMgmtError(framing, 400, "Payload validation error: 'the HTTP client sets Content-Length itself' on property sink.httpCustomHeaders.", 'invalid_body');
    const hash = await admin.post('/log-streams', { type: 'http', pii_config: { log_fields: ['email'], method: 'hash', algorithm: 'xxhash' }, sink: { httpEndpoint: 'https://a.example/' } });
    expectMgmtError(hash, 400, "Payload validation error: 'pii_config.method hash (xxhash) is not supported by Scopeward; use mask' on property pii_config.method.", 'invalid_body');
    const start = await admin.post('/log-streams', { type: 'http', startFrom: 'yesterday', sink: { httpEndpoint: 'https://a.example/' } });
    expectMgmtError(start, 400, "Payload validation error: 'startFrom must be an ISO 8601 date-time' on property startFrom.", 'invalid_body');
    // Nothing was made by any of these.
    expect((await admin.get('/log-streams')).json()).toHaveLength(1);
  });
});

describe('GET /log-streams, PATCH, DELETE', () => {
  it('GET answers a bare array in creation order', async () => {
    const list = (await admin.get('/log-streams')).json<{ name: string }[]>();
    expect(list.map((x) => x.name)).toEqual(['Splunk HEC']);
  });

  it('PATCH changes name, status and sink fields; left-out sink fields (the secrets too) stay', async () => {
    const id = (await admin.get('/log-streams')).json<{ id: string }[]>()[0]!.id;
    const res = await admin.patch(`/log-streams/${id}`, { name: 'Splunk (paused)', status: 'paused', sink: { httpContentFormat: 'JSONARRAY' } });
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
    expect(res.json()).toStrictEqual({ id, name: 'Splunk (paused)', type: 'http', status: 'paused', sink: { ...HEC.sink, httpContentFormat: 'JSONARRAY' }, filters: HEC.filters });
    const auth = await admin.patch(`/log-streams/${id}`, { status: 'active', sink: { httpAuthorization: 'Splunk rotated-token' } });
    expect(auth.json()).toMatchObject({ status: 'active', sink: { ...HEC.sink, httpContentFormat: 'JSONARRAY', httpAuthorization: 'Splunk rotated-token' } });
    expect((await admin.get(`/log-streams/${id}`)).json()).toStrictEqual(auth.json());
  });

  it('PATCH 400s: suspended is not a status a user sets; type cannot change; 404 for an unknown id', async () => {
    const id = (await admin.get('/log-streams')).json<{ id: string }[]>()[0]!.id;
    const suspended = (await admin.patch(`/log-streams/${id}`, { status: 'suspended' })).json<{ statusCode: number; message: string }>();
    expect([suspended.statusCode, suspended.message.startsWith('Payload validation error: ')]).toEqual([400, true]);
    expect((await admin.patch(`/log-streams/${id}`, { type: 'http' })).statusCode).toBe(400);
    expectMgmtError(await admin.patch('/log-streams/lst_0000000000000000', { name: 'x' }), 404, 'The log stream does not exist.', 'inexistent_log_stream');
    expectMgmtError(await admin.get('/log-streams/lst_0000000000000000'), 404, 'The log stream does not exist.', 'inexistent_log_stream');
  });

  it('DELETE answers 204 and the stream is gone; a second DELETE is 404', async () => {
    const id = (await admin.get('/log-streams')).json<{ id: string }[]>()[0]!.id;
    expectNoContent(await admin.del(`/log-streams/${id}`));
    expect((await admin.get('/log-streams')).json()).toEqual([]);
    expectMgmtError(await admin.del(`/log-streams/${id}`), 404, 'The log stream does not exist.', 'inexistent_log_stream');
  });

  it('a tenant has at most 10 streams', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await admin.post('/log-streams', { type: 'http', name: `s${i}`, sink: { httpEndpoint: 'https://a.example/' } })).json<{ id: string }>().id);
    expectMgmtError(await admin.post('/log-streams', { type: 'http', sink: { httpEndpoint: 'https://a.example/' } }), 400, 'A tenant can have at most 10 log streams.', 'invalid_body');
    for (const id of ids) await admin.del(`/log-streams/${id}`);
  });
});

describe('scopes', () => {
  it('each call takes its own scope: read, create, update, delete:log_streams (403 names it)', async () => {
    const reader = mgmt(s, await mgmtToken(s, ['read:log_streams']));
    expectMgmtError(await reader.post('/log-streams', HEC), 403, 'Insufficient scope, expected any of: create:log_streams', 'insufficient_scope');
    expectMgmtError(await reader.patch('/log-streams/lst_1', { name: 'x' }), 403, 'Insufficient scope, expected any of: update:log_streams', 'insufficient_scope');
    expectMgmtError(await reader.del('/log-streams/lst_1'), 403, 'Insufficient scope, expected any of: delete:log_streams', 'insufficient_scope');
    const other = mgmt(s, await mgmtToken(s, ['read:clients']));
    expectMgmtError(await other.get('/log-streams'), 403, 'Insufficient scope, expected any of: read:log_streams', 'insufficient_scope');
  });

  it('a stream read that shows httpAuthorization is logged as mgmt_api_read; its creation as sapi without the secret', async () => {
    const created = (await admin.post('/log-streams', { ...HEC, name: 'logged' })).json<{ id: string }>();
    await admin.get(`/log-streams/${created.id}`);
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, undefined, { offset: 0, limit: 20, withTotal: false });
    const types = items.filter((e) => String((e.event.details as { request?: { path?: string } } | null)?.request?.path ?? '').includes('/log-streams')).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['mgmt_api_read', 'mgmt_api_read', 'sapi']);
    expect(JSON.stringify(items)).not.toContain('secret-hec-token');
    expect(JSON.stringify(items)).not.toContain('f1c7-channel');
    await admin.del(`/log-streams/${created.id}`);
  });
});
