// Security catalogue §4.1 (T-TOK-01..15): how /oauth/token reads what it is sent. Every response
// goes through the token endpoint contract (test/helpers/token-contract.ts). T-TOK-16, the
// property over arbitrary requests, is in token-input-property.test.ts.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callToken, expectTokenError, issued, type TokenCall } from '../helpers/token-contract.ts';

const CC = 'client_credentials';
const TEXT = {
  contentType: 'Content-Type must be application/x-www-form-urlencoded or application/json',
  malformed: 'The request body could not be parsed',
  tooLarge: 'The request body is too large',
  dup: (n: string) => `Parameter ${n} must not be sent more than once`,
  notString: (n: string) => `Parameter ${n} must be a string`,
  missing: (n: string) => `Missing required parameter: ${n}`,
};

let s: TestServer;
let m2m: M2M;
let MGMT: string;
let valid: Record<string, string>;

beforeAll(async () => {
  s = await startTestServer();
  MGMT = s.tenant.managementAudience;
  m2m = await seedM2M(s, ['read:clients', 'read:users']);
  valid = { grant_type: CC, client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: MGMT };
});
afterAll(async () => s.close());
afterEach(() => vi.restoreAllMocks());

/** Spies on the client lookup: a request refused while reading its body must never reach it. */
const watchLookups = () => vi.spyOn(s.registry, 'client');

describe('T-TOK-01: body encodings', () => {
  test.each(['form', 'json'] as const)('RFC 6749 §4.4.3 / T-TOK-01: %s body → 200, no refresh_token, no-store', async (kind) => {
    const { body } = issued(await callToken(s, { [kind]: valid }));
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
  });
});

describe('T-TOK-02: other content types → 400 invalid_request, nothing parsed', () => {
  const form = new URLSearchParams({ grant_type: CC, client_id: 'x', client_secret: 'y' }).toString();
  test.each([
    ['text/plain', 'text/plain'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
    ['form in UTF-16', 'application/x-www-form-urlencoded; charset=utf-16'],
    ['JSON in UTF-16', 'application/json; charset=UTF-16'],
    ['form in Latin-1', 'application/x-www-form-urlencoded; charset=iso-8859-1'],
    ['application/xml', 'application/xml'],
  ])('T-TOK-02: %s', async (_l, contentType) => {
    const lookups = watchLookups();
    const res = await callToken(s, { raw: form, headers: { 'content-type': contentType } });
    expectTokenError(res, 400, 'invalid_request', TEXT.contentType);
    expect(lookups).not.toHaveBeenCalled();
  });

  test('T-TOK-02: a body without any Content-Type → 400', async () => {
    expectTokenError(await callToken(s, { raw: form }), 400, 'invalid_request', TEXT.contentType);
  });

  test('T-TOK-02: charset=utf-8 (any case, quoted) and media-type case are accepted', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'Application/JSON']) {
      issued(await callToken(s, { raw: JSON.stringify(valid), headers: { 'content-type': type } }));
    }
    issued(await callToken(s, { raw: new URLSearchParams(valid).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } }));
  });
});

describe('T-TOK-03: malformed JSON → 400 quickly, no stack', () => {
  const good = () => JSON.stringify(valid);
  test.each([
    ['an unterminated object', () => '{'],
    ['trailing garbage', () => `${good()}garbage`],
    ['a byte-order mark', () => `\uFEFF${good()}`],
    ['NaN', () => '{"grant_type":NaN}'],
    ['single quotes', () => "{'grant_type':'client_credentials'}"],
    ['a comment', () => `/* x */${good()}`],
    ['60 000 unclosed brackets', () => '['.repeat(60_000)],
    ['30 000-deep closed arrays', () => '['.repeat(30_000) + ']'.repeat(30_000)],
    ['a bare string', () => '"client_credentials"'],
    ['a number', () => '5'],
    ['an array of objects', () => `[${good()}]`],
  ])('T-TOK-03: %s', async (_l, body) => {
    const lookups = watchLookups();
    // CPU time, not wall time: a pathological parse shows as work, whatever else the machine runs.
    const cpu = process.cpuUsage();
    const res = await callToken(s, { json: body() });
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
    expectTokenError(res, 400, 'invalid_request', TEXT.malformed);
    expect(lookups).not.toHaveBeenCalled();
  });

  test('T-TOK-03 / T-TOK-10: 100 000-deep brackets exceed the 64 KiB cap → 413', async () => {
    expectTokenError(await callToken(s, { json: '['.repeat(100_000) }), 413, 'invalid_request', TEXT.tooLarge);
  });
});

describe('T-TOK-04: non-string values → 400, nothing reaches storage', () => {
  const values: [string, unknown][] = [
    ['an array', ['a', 1]],
    ['an operator object', { $ne: null }],
    ['a nested object', { a: { b: 'c' } }],
    ['a number', 42],
    ['null', null],
    ['true', true],
  ];
  for (const field of ['client_id', 'client_secret', 'grant_type', 'audience', 'scope']) {
    test.each(values)(`T-TOK-04: ${field} as %s`, async (_l, value) => {
      const lookups = watchLookups();
      const storage = vi.spyOn(s.storage.clients, 'get');
      const res = await callToken(s, { json: { ...valid, [field]: value } });
      expectTokenError(res, 400, 'invalid_request', TEXT.notString(field));
      expect(lookups).not.toHaveBeenCalled();
      expect(storage).not.toHaveBeenCalled();
    });
  }

  test('T-TOK-04: an array of strings is a repeated parameter (RFC 6749 §3.1)', async () => {
    const res = await callToken(s, { json: { ...valid, client_id: [m2m.clientId, 'other'] } });
    expectTokenError(res, 400, 'invalid_request', TEXT.dup('client_id'));
  });
});

describe('T-TOK-05: prototype keys', () => {
  const snapshot = () => ({ names: Object.getOwnPropertyNames(Object.prototype).sort(), proto: Object.getPrototypeOf({}) as unknown });

  test.each([
    ['__proto__ at the top', () => `{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`],
    ['__proto__ nested', () => JSON.stringify({ ...valid, x: 1 }).replace('"x":1', '"x":{"__proto__":{"polluted":true}}')],
    ['constructor.prototype', () => JSON.stringify({ ...valid, constructor: { prototype: { polluted: true } } })],
  ])('T-TOK-05: JSON with %s → 400 and Object.prototype unchanged', async (_l, body) => {
    const before = snapshot();
    expectTokenError(await callToken(s, { json: body() }), 400, 'invalid_request', TEXT.malformed);
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('T-TOK-05: form fields __proto__, constructor, prototype are ignored names → 200, Object.prototype unchanged', async () => {
    const before = snapshot();
    const form = `${new URLSearchParams(valid).toString()}&__proto__[polluted]=1&__proto__=x&constructor[prototype][polluted]=1&constructor=y&prototype=z`;
    issued(await callToken(s, { form }));
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('T-TOK-05: JSON string-valued "constructor" and "prototype" keys are unknown parameters → 200', async () => {
    issued(await callToken(s, { json: { ...valid, constructor: 'x', prototype: 'y' } }));
  });
});

describe('T-TOK-06: form nesting syntax is literal', () => {
  test('T-TOK-06: client_id[]=, client_id[x]=, a.b= are unknown names, ignored → 200', async () => {
    issued(await callToken(s, { form: `${new URLSearchParams(valid).toString()}&client_id[]=evil&client_id[x]=evil&audience.x=y&scope[]=create:users` }));
  });

  test('T-TOK-06: client_id[]=<id> does not stand in for client_id → 400 missing client_id', async () => {
    const form = `grant_type=${CC}&client_id[]=${m2m.clientId}&client_secret=${m2m.clientSecret}&audience=${encodeURIComponent(MGMT)}`;
    expectTokenError(await callToken(s, { form }), 400, 'invalid_request', TEXT.missing('client_id'));
  });
});

describe('T-TOK-07: repeated parameters → 400 (RFC 6749 §3.1)', () => {
  test.each(['grant_type', 'client_id', 'client_secret', 'scope', 'audience'])('T-TOK-07: %s twice in a form body', async (name) => {
    const lookups = watchLookups();
    const second = name === 'scope' ? 'read:clients' : valid[name]!;
    const res = await callToken(s, { form: { ...valid, scope: 'read:clients', [name]: [name === 'scope' ? 'read:users' : valid[name]!, second] } });
    expectTokenError(res, 400, 'invalid_request', TEXT.dup(name));
    expect(lookups).not.toHaveBeenCalled();
  });

  test.each(['client_id', 'client_secret', 'audience', 'scope'])('T-TOK-07: %s twice as a JSON member name (JSON.parse would keep the last) → 400', async (name) => {
    const lookups = watchLookups();
    const json = `${JSON.stringify({ ...valid, scope: 'read:clients' }).slice(0, -1)},${JSON.stringify(name)}:"other"}`;
    expectTokenError(await callToken(s, { json }), 400, 'invalid_request', TEXT.malformed);
    expect(lookups).not.toHaveBeenCalled();
  });

  test.each(['form', 'json'] as const)('T-TOK-07: a parameter in both the query string and a %s body', async (kind) => {
    const res = await callToken(s, { [kind]: valid, query: `audience=${encodeURIComponent(MGMT)}` });
    expectTokenError(res, 400, 'invalid_request', TEXT.dup('audience'));
  });

  test('T-TOK-07 / T-TOK-12: credentials only in the query string are not read → 400, never a token', async () => {
    const res = await callToken(s, { form: { grant_type: CC, audience: MGMT }, query: `client_id=${m2m.clientId}&client_secret=${m2m.clientSecret}` });
    expectTokenError(res, 400, 'invalid_request', TEXT.missing('client_id'));
  });
});

describe('T-TOK-08 / T-TOK-09: empty and unknown parameters (RFC 6749 §3.1)', () => {
  test('T-TOK-08: scope= is absent → every granted scope', async () => {
    expect(issued(await callToken(s, { form: { ...valid, scope: '' } })).body.scope).toBe('read:clients read:users');
  });

  test('T-TOK-08: audience= is absent → no default audience configured → 403', async () => {
    expectTokenError(
      await callToken(s, { json: { ...valid, audience: '' } }),
      403,
      'access_denied',
      'No audience parameter was provided, and no default audience has been configured',
    );
  });

  test('T-TOK-08: an empty client_secret beside HTTP Basic is absent, not a second method → 200', async () => {
    issued(await callToken(s, { form: { grant_type: CC, audience: MGMT, client_secret: '' }, basic: { id: m2m.clientId, secret: m2m.clientSecret } }));
  });

  test('T-TOK-09: unknown parameters (GO-REC test=value, resource, foo) are ignored → 200', async () => {
    issued(await callToken(s, { form: { ...valid, test: 'value', foo: 'bar', response_type: 'token', nonce: 'n' } }));
    issued(await callToken(s, { json: { ...valid, test: 'value', device: 'x' } }));
  });
});

interface RawResult {
  head: string;
  ms: number;
  sent: number;
  closed: boolean;
}

/**
 * "At once" for the raw-socket cases: the alternative is a server waiting for bytes that never come
 * (the harness below gives up at 5 s, the server's own request timeout is 30 s); loopback answers
 * take milliseconds, so 3 s holds on a loaded machine and still tells the two apart.
 */
const AT_ONCE_MS = 3000;

/** Talks HTTP/1.1 over a socket, for what inject() cannot express (lying lengths, endless bodies). */
function rawRequest(port: number, head: string, options: { body?: string; endless?: boolean; halfClose?: boolean }): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let finished = false;
    const finish = (closed: boolean): void => {
      if (finished) return;
      finished = true;
      socket.destroy();
      resolve({ head: text.split('\r\n\r\n', 1)[0]!, ms: performance.now() - started, sent, closed });
    };
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    setTimeout(() => finish(false), 5000).unref();
    socket.write(head + (options.body ?? ''));
    if (options.halfClose) socket.end();
    if (options.endless) {
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      const pump = (): void => {
        if (finished || text !== '' || socket.destroyed) return;
        socket.write(frame, () => {
          sent += chunk.length;
          setImmediate(pump);
        });
      };
      pump();
    }
  });
}

describe('T-TOK-10 / T-TOK-11: body size and length', () => {
  let port = 0;
  beforeAll(async () => {
    await s.fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (s.fastify.server.address() as net.AddressInfo).port;
  });
  const head = (extra: string) => `POST /oauth/token HTTP/1.1\r\nHost: ${s.tenant.domain}\r\nContent-Type: application/x-www-form-urlencoded\r\n${extra}\r\n`;

  test.each([
    ['65 KiB', 65 * 1024],
    ['10 MiB', 10 * 1024 * 1024],
  ])('T-TOK-10: a %s body → 413 OAuth body', async (_l, size) => {
    const res = await callToken(s, { form: `grant_type=${'x'.repeat(size)}` });
    expectTokenError(res, 413, 'invalid_request', TEXT.tooLarge);
  });

  test('T-TOK-10: Content-Length: 10000000000 with a tiny body → 413 at once, connection closed', async () => {
    const r = await rawRequest(port, head('Content-Length: 10000000000\r\n'), { body: 'a=b' });
    expect(r.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.head.toLowerCase()).toContain('cache-control: no-store');
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(AT_ONCE_MS);
  });

  test('T-TOK-10: an endless chunked body → 413 once the cap is passed, reading stops, RSS stays flat', async () => {
    const rss = process.memoryUsage().rss;
    const r = await rawRequest(port, head('Transfer-Encoding: chunked\r\n'), { endless: true });
    expect(r.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(AT_ONCE_MS);
    expect(r.sent).toBeLessThan(4 * 1024 * 1024);
    expect(process.memoryUsage().rss - rss).toBeLessThan(10 * 1024 * 1024);
  });

  test.each([
    ['shorter', (n: number) => n - 10],
    ['longer', (n: number) => n + 10],
  ])('T-TOK-11: Content-Length %s than the body (in-process) → 400 OAuth body', async (_l, lie) => {
    const body = new URLSearchParams(valid).toString();
    const res = await callToken(s, { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(lie(body.length)) } });
    expectTokenError(res, 400, 'invalid_request', TEXT.malformed);
  });

  test('T-TOK-11: Content-Length longer than the bytes sent, then EOF → 400 at once, no token', async () => {
    const body = new URLSearchParams(valid).toString();
    const r = await rawRequest(port, head(`Content-Length: ${body.length + 50}\r\n`), { body, halfClose: true });
    expect(r.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.ms).toBeLessThan(AT_ONCE_MS);
  });
});

describe('T-TOK-12 / T-TOK-13 / T-TOK-14: method and grant type', () => {
  test('T-TOK-12: GET with credentials in the query → 405, no token, secret not logged', async () => {
    const res = await callToken(s, { method: 'GET', query: new URLSearchParams(valid).toString() });
    expectTokenError(res, 405, 'invalid_request', 'The token endpoint accepts only POST');
    expect(s.logs.join('\n')).not.toContain(m2m.clientSecret);
  });

  test.each(['password', 'urn:x', 'CLIENT_CREDENTIALS', 'client_credentials ', ' client_credentials', 'Authorization_Code', 'urn:ietf:params:oauth:grant-type:device_code'])(
    'T-TOK-13: grant_type %j → 400 unsupported_grant_type',
    async (grantType) => {
      const lookups = watchLookups();
      expectTokenError(await callToken(s, { form: { ...valid, grant_type: grantType } }), 400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
      expect(lookups).not.toHaveBeenCalled();
    },
  );

  test('T-TOK-13 / T-TOK-15: an echoed grant_type is confined to RFC 6749 §5.2 characters and 200 of them', async () => {
    const res = await callToken(s, { form: { ...valid, grant_type: `"a\\b\u0430\n${'z'.repeat(300)}` } });
    expectTokenError(res, 400, 'unsupported_grant_type', `Unsupported grant type: ?a?b??${'z'.repeat(194)}...`);
  });

  test("T-TOK-14: grant type not enabled for the client → 403 unauthorized_client (D1)", async () => {
    await seedM2M(s, ['read:clients'], { clientId: 'noCcClient', secret: 'no-cc-secret-0123456789abcdefghijklmnop', grantTypes: ['authorization_code'] });
    const res = await callToken(s, { form: { grant_type: CC, client_id: 'noCcClient', client_secret: 'no-cc-secret-0123456789abcdefghijklmnop', audience: MGMT } });
    expectTokenError(res, 403, 'unauthorized_client', "Grant type 'client_credentials' not allowed for the client.", 'https://auth0.com/docs/clients/client-grant-types');
  });
});

describe('T-TOK-15: one table of error statuses (D1), secret never echoed', () => {
  const rows: [string, () => TokenCall, number, string][] = [
    ['bad content type', () => ({ raw: new URLSearchParams(valid).toString(), headers: { 'content-type': 'text/plain' } }), 400, 'invalid_request'],
    ['repeated parameter', () => ({ form: { ...valid, scope: ['read:clients', 'read:users'] } }), 400, 'invalid_request'],
    ['unknown grant type', () => ({ form: { ...valid, grant_type: 'password' } }), 400, 'unsupported_grant_type'],
    ['scope out of grammar', () => ({ form: { ...valid, scope: 'read:clients  read:users' } }), 400, 'invalid_scope'],
    ['wrong secret', () => ({ form: { ...valid, client_secret: `${m2m.clientSecret}0` } }), 401, 'access_denied'],
    ['two auth methods', () => ({ form: valid, basic: { id: m2m.clientId, secret: m2m.clientSecret } }), 400, 'invalid_request'],
    ['unknown audience', () => ({ form: { ...valid, audience: 'https://nope.example/' } }), 403, 'access_denied'],
    ['scope not granted', () => ({ form: { ...valid, scope: 'create:users' } }), 403, 'access_denied'],
    ['method', () => ({ method: 'PUT', form: valid }), 405, 'invalid_request'],
    ['too large', () => ({ form: { ...valid, pad: 'x'.repeat(70_000) } }), 413, 'invalid_request'],
  ];
  test.each(rows)('T-TOK-15: %s → %i %s', async (_l, call, status, error) => {
    const res = await callToken(s, call(), [m2m.clientSecret]);
    expect({ status: res.statusCode, error: res.json<{ error: string }>().error }).toEqual({ status, error });
  });
});
