// S11 (issue 9; T-OUT-10, security catalogue §4.17): an OpenAPI-driven fuzzer finds no 5xx on any
// route. The bounded run: every operation of the server's own GET /api/v2/openapi.json (path
// parameters, query, body; with a token holding its scopes, and with other tokens or none) and
// every Authentication API endpoint and page, FC_NUM_RUNS requests each (default 4), over loopback,
// hostile values throughout (test/fuzz/values.ts). Asserted for every answer: no 5xx, the audience's error shape,
// JSON that parses; after every batch: /healthz, /readyz and a normal token request answer, nothing
// was logged at error level, no unhandled rejection. The long run is `npm run fuzz`
// (test/fuzz/README.md). Below the run: the failing cases fuzzing found, fixed, as exact requests.
import { randomInt } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batches, fuzz } from '../fuzz/engine.ts';
import { operationsOf } from '../fuzz/management.ts';
import { FuzzTarget } from '../fuzz/target.ts';
import { expectErrorPage } from '../helpers/authorize-flow.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedUser } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { userToken } from '../helpers/user-token.ts';
import { expectMgmtError } from '../helpers/mgmt-http.ts';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 4);
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : randomInt(2 ** 31);
const TOO_DEEP = 'The request body nests objects and arrays deeper than 64 levels';

/** Bytes written to a fresh connection as given; everything the server sends until it closes. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
  });
}

describe('T-OUT-10 (S11): the OpenAPI-driven fuzzer', () => {
  let target: FuzzTarget;
  beforeAll(async () => {
    // Real sockets on 127.0.0.1: raw bytes reach the request line, and framing is checked too.
    target = await FuzzTarget.start({ transport: 'http' });
  });
  afterAll(() => target.close());

  it('fuzzes every operation the server documents, and every Authentication API endpoint and page', () => {
    const ops = new Set(batches(target.openapi, 1).map((b) => b.op));
    const documented = operationsOf(target.openapi).map((op) => op.key);
    expect(documented.length).toBeGreaterThan(40);
    for (const key of documented) expect([ops.has(`${key} (its scopes)`), ops.has(`${key} (other tokens)`)]).toStrictEqual([true, true]);
    for (const endpoint of ['POST /oauth/token client_credentials', 'POST /oauth/token authorization_code', 'POST /oauth/token refresh_token', 'POST /oauth/revoke', 'GET /authorize', 'GET /userinfo', 'POST /userinfo', 'GET /v2/logout', 'GET /u/login', 'POST /u/login', 'GET /u/signup', 'POST /u/signup', 'GET /.well-known/*', 'GET /dashboard, /explorer']) {
      expect(ops.has(endpoint), endpoint).toBe(true);
    }
  });

  it(`bounded run (FC_NUM_RUNS=${RUNS}, FC_SEED=${SEED}): no 5xx, every error in its audience's shape, healthy after every batch`, { timeout: 600_000 }, async () => {
    const report = await fuzz(target, { runs: RUNS, seed: SEED, stopAtFirst: true, repairEvery: 12 });
    expect(report.findings).toStrictEqual([]);
    const ops = Object.entries(report.ops);
    expect(ops.length).toBe(batches(target.openapi, 1).length);
    for (const [op, stats] of ops) expect(stats.sent, op).toBeGreaterThan(0);
    // A token holding the operation's scopes gets its inputs past authentication, into validation and the handler.
    for (const [op, stats] of ops.filter(([op]) => op.endsWith('(its scopes)'))) expect(stats.reached, op).toBeGreaterThan(0);
  });
});

describe('T-OUT-10: what fuzzing found, fixed', () => {
  let target: FuzzTarget;
  beforeAll(async () => {
    target = await FuzzTarget.start({ transport: 'inject' });
  });
  afterAll(() => target.close());

  it('a dashboard or explorer page whose path does not decode is our HTML error page, not JSON (found: seed 117, path 14)', async () => {
    for (const url of ['/explorer/x%ED%BF%BFy', '/dashboard/rc%E0%80', '/dashboard/%FF?x=1']) {
      expectErrorPage(await target.server.inject({ method: 'GET', url }), 400, 'Bad Request', 'The request URI is malformed');
    }
    // The dashboard's config and assets are not pages: Auth0's JSON body, as for the API.
    expectMgmtError(await target.server.inject({ method: 'GET', url: '/dashboard/assets/%FF' }), 400, 'The request URI is malformed', 'invalid_uri');
  });

  // The fix belongs in writeClientError (http/framework-errors.ts), which S7 rewrote on main meanwhile: this
  // branch leaves it alone and this case fails here until the merge applies the fix (issue 9 report).
  it('RFC 9110 §9.3.2: a HEAD request HTTP cannot parse (head over 16 KiB, raw bytes) is answered without a body (found: seeds 20261207, 20261214)', async () => {
    await target.server.fastify.listen({ host: '127.0.0.1', port: 0 });
    const port = (target.server.fastify.server.address() as AddressInfo).port;
    for (const [target_, status] of [[`/authorize?x=${'a'.repeat(17_000)}`, '431 Request Header Fields Too Large'], ['/u/login?state=\xe6\xa6', '400 Bad Request']] as const) {
      const head = await rawExchange(port, `HEAD ${target_} HTTP/1.1\r\nHost: tenant-a.test\r\n\r\n`);
      expect(head.startsWith(`HTTP/1.1 ${status}\r\n`), head.slice(0, 80)).toBe(true);
      expect(head.endsWith('\r\nConnection: close\r\n\r\n'), head.slice(-200)).toBe(true);
      // The same request by GET gets the JSON body.
      const get = await rawExchange(port, `GET ${target_} HTTP/1.1\r\nHost: tenant-a.test\r\n\r\n`);
      expect(get.slice(get.indexOf('\r\n\r\n') + 4)).toMatch(/^\{"statusCode":4\d\d,"error":"[^"]+","message":"[^"]+"\}$/);
    }
  });

  it('S9 through the fuzzer: GET /logs?page=1e400 is 400, not 500 "datatype mismatch" (found on main: seed 1282, path 20)', async () => {
    const token = await mgmtToken(target.server, ['read:logs']);
    const res = await target.server.inject({ method: 'GET', url: '/api/v2/logs?page=1e400&include_totals=true&include_fields=false', headers: { authorization: `Bearer ${token}` } });
    expectMgmtError(res, 400, "Query validation error: 'Value Infinity is greater than maximum 2147483647' on property page.", 'invalid_query_string');
  });

  it('S10 through the fuzzer: a deep body on a route that takes none blew the stack in the sapi log redaction (found on main: seeds 1274, 1276, 1309)', async () => {
    const token = await mgmtToken(target.server, ['create:signing_keys', 'update:signing_keys', 'update:users']);
    const deep = { objects: '{"a":'.repeat(10_000) + '0' + '}'.repeat(10_000), arrays: '['.repeat(10_000) + ']'.repeat(10_000) };
    const kid = ((await target.server.inject({ method: 'GET', url: '/api/v2/keys/signing', headers: { authorization: `Bearer ${await mgmtToken(target.server, ['read:signing_keys'])}` } })).json<{ kid: string }[]>())[0]!.kid;
    for (const [method, url, body] of [
      ['POST', '/api/v2/keys/signing/rotate', deep.objects],
      ['PUT', `/api/v2/keys/signing/${kid}/revoke`, deep.arrays],
      ['DELETE', '/api/v2/user-blocks/victim%40example.com', deep.arrays],
    ] as const) {
      const res = await target.server.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: body });
      expectMgmtError(res, 400, TOO_DEEP, 'invalid_body');
    }
    expect(target.errorLogs()).toStrictEqual([]);
  });
});

describe('T-OUT-10: an owner look-up reads only validated parameters (found merged with main, PostgreSQL)', () => {
  it('DELETE /device-credentials/%00 with a user\'s own token is the Management API 400, not a 500 from PostgreSQL', async () => {
    const s = await startTestServer({ dialect: 'postgres' });
    try {
      const user = await seedUser(s);
      const token = await userToken(s, user.userId, ['delete:current_user_device_credentials']);
      const res = await s.inject({ method: 'DELETE', url: '/api/v2/device-credentials/%00', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    } finally {
      await s.close();
    }
  });
});
