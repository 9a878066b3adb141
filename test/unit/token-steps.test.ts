// The token endpoint as named steps (src/oauth/token/steps.ts, issue 11 item 1): the steps and
// their order, what each grant module declares, how the runner treats a refusal (later steps do
// not run; the client's x-ratelimit-* and the grant's failure log type apply only from the steps
// that say so), and, on an in-process server, that a request fails at the step it should.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthError } from '../../src/oauth/errors.ts';
import { runSteps } from '../../src/oauth/token/endpoint.ts';
import type { TokenDeps, TokenExchange, TokenStep } from '../../src/oauth/token/exchange.ts';
import { GRANTS } from '../../src/oauth/token/grants/index.ts';
import { grantParams, TOKEN_STEPS } from '../../src/oauth/token/steps.ts';
import type { LogRecord } from '../../src/storage/ports.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe('the steps of POST /oauth/token', () => {
  it('run in this order for every grant', () => {
    expect(TOKEN_STEPS.map((s) => s.name)).toStrictEqual(['read-parameters', 'choose-grant', 'authenticate-client', 'limit-client', 'check-grant-type', 'grant', 'token-quota', 'answer', 'record']);
  });

  it("log a refusal as the grant's failure only once the grant is known, and not the per-client limit's or the token quota's (api_limit, their own)", () => {
    expect(Object.fromEntries(TOKEN_STEPS.map((s) => [s.name, s.logsRefusal]))).toStrictEqual({
      'read-parameters': false,
      'choose-grant': false,
      'authenticate-client': true,
      'limit-client': false,
      'check-grant-type': true,
      grant: true,
      'token-quota': false,
      answer: false,
      record: false,
    });
  });
});

describe('each grant declares its parameters, client authentication and log types', () => {
  it('client_credentials: a confidential client only; seccft / feccft', () => {
    const grant = GRANTS.get('client_credentials')!;
    expect([grant.grantType, grant.params, grant.clientAuthentication, grant.log]).toStrictEqual([
      'client_credentials',
      { required: [], optional: ['audience', 'scope'] },
      'secret',
      { success: 'seccft', failure: 'feccft', description: 'Client Credentials for Access Token' },
    ]);
  });

  it('authorization_code: a public client may redeem with PKCE; seacft / feacft', () => {
    const grant = GRANTS.get('authorization_code')!;
    expect([grant.grantType, grant.params, grant.clientAuthentication, grant.log]).toStrictEqual([
      'authorization_code',
      { required: ['code'], optional: ['redirect_uri', 'code_verifier'] },
      'secret-or-public',
      { success: 'seacft', failure: 'feacft', description: 'Authorization Code for Access Token' },
    ]);
  });

  it('refresh_token: a public client may refresh; sertft / fertft', () => {
    const grant = GRANTS.get('refresh_token')!;
    expect([grant.grantType, grant.params, grant.clientAuthentication, grant.log]).toStrictEqual([
      'refresh_token',
      { required: ['refresh_token'], optional: ['scope'] },
      'secret-or-public',
      { success: 'sertft', failure: 'fertft', description: 'Refresh Token for Access Token' },
    ]);
  });

  it('the registry is keyed by each grant’s own grant_type, and holds these three', () => {
    expect([...GRANTS].map(([key, grant]) => [key, grant.grantType])).toStrictEqual([
      ['client_credentials', 'client_credentials'],
      ['authorization_code', 'authorization_code'],
      ['refresh_token', 'refresh_token'],
    ]);
  });

  it('only the declared parameters reach a grant; a missing required one is invalid_request', () => {
    const code = GRANTS.get('authorization_code')!;
    const params = new Map([
      ['grant_type', 'authorization_code'],
      ['code', 'c'],
      ['code_verifier', 'v'],
      ['client_secret', 's'],
      ['audience', 'a'],
    ]);
    expect(grantParams(code, params)).toStrictEqual({ code: 'c', code_verifier: 'v' });
    params.delete('code');
    const refused = (() => {
      try {
        grantParams(code, params);
      } catch (error) {
        return error;
      }
    })() as OAuthError;
    expect([refused.status, refused.error, refused.description]).toStrictEqual([400, 'invalid_request', 'Missing required parameter: code']);
  });
});

describe('runSteps: the first refusal ends the exchange', () => {
  const CLIENT_HEADERS = { 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '1' };

  function harness() {
    const ran: string[] = [];
    const events: { type: string }[] = [];
    const deps = { audit: { record: (_tenant: unknown, _origin: unknown, fields: { type: string }) => events.push(fields) }, registry: { client: async () => null } } as unknown as TokenDeps;
    const step = (name: string, logsRefusal: boolean, run: (exchange: TokenExchange) => void = () => undefined): TokenStep => ({
      name,
      logsRefusal,
      run(exchange) {
        ran.push(name);
        run(exchange);
      },
    });
    const exchange = (): TokenExchange => ({
      request: { tenant: { id: 't' } as never, body: {}, query: {}, authorization: undefined, ip: '203.0.113.1', userAgent: undefined },
      params: new Map(),
      grant: GRANTS.get('refresh_token')!,
      headers: {},
    });
    return { ran, events, deps, step, exchange };
  }

  it('runs every step in order when none refuses', async () => {
    const h = harness();
    await runSteps([h.step('a', false), h.step('b', true), h.step('c', false)], h.exchange(), h.deps);
    expect(h.ran).toStrictEqual(['a', 'b', 'c']);
    expect(h.events).toStrictEqual([]);
  });

  it("a refusal at a step that logs: later steps do not run, the grant's failure type is logged, the client's x-ratelimit-* are added", async () => {
    const h = harness();
    const refusal = new OAuthError(403, 'invalid_grant', 'no', { headers: { 'www-authenticate': 'Basic realm="t"' } });
    const steps = [
      h.step('count', false, (exchange) => {
        exchange.headers = CLIENT_HEADERS;
      }),
      h.step('refuse', true, () => {
        throw refusal;
      }),
      h.step('never', false),
    ];
    await expect(runSteps(steps, h.exchange(), h.deps)).rejects.toBe(refusal);
    expect(h.ran).toStrictEqual(['count', 'refuse']);
    expect(h.events.map((e) => e.type)).toStrictEqual(['fertft']);
    expect(refusal.headers).toStrictEqual({ 'www-authenticate': 'Basic realm="t"', ...CLIENT_HEADERS });
  });

  it('a refusal at a step that does not log: nothing logged; an error that is not an OAuthError passes untouched', async () => {
    const h = harness();
    const refusal = new OAuthError(400, 'invalid_request', 'no');
    const refuse = (error: Error) => () => {
      throw error;
    };
    await expect(runSteps([h.step('read', false, refuse(refusal)), h.step('never', true)], h.exchange(), h.deps)).rejects.toBe(refusal);
    expect([h.ran, h.events, refusal.headers]).toStrictEqual([['read'], [], {}]);

    const crash = new Error('storage down');
    await expect(runSteps([h.step('crash', true, refuse(crash))], h.exchange(), h.deps)).rejects.toBe(crash);
    expect(h.events).toStrictEqual([]);
  });
});

describe('on a server, a request fails at the step it should', () => {
  let s: TestServer;
  let app: M2M;

  beforeAll(async () => {
    s = await startTestServer();
    app = await seedM2M(s, ['read:clients']);
  });
  afterAll(() => s.close());

  async function refusedEvents(): Promise<LogRecord[]> {
    await s.audit.flush();
    return (await s.storage.logs.list(s.tenant.id, undefined, { offset: 0, limit: 1000, withTotal: false, ascending: true })).items;
  }

  it('check-grant-type comes before the grant: a client without authorization_code gets unauthorized_client even with no code, logged feacft', async () => {
    const before = (await refusedEvents()).length;
    const res = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret } });
    expect([res.statusCode, res.json()]).toStrictEqual([
      403,
      { error: 'unauthorized_client', error_description: "Grant type 'authorization_code' not allowed for the client.", error_uri: 'https://auth0.com/docs/clients/client-grant-types' },
    ]);
    const events = (await refusedEvents()).slice(before);
    expect(events.map((e) => [e.type, e.clientId])).toStrictEqual([['feacft', app.clientId]]);
  });

  it('authenticate-client comes before check-grant-type: a wrong secret is 401 whatever the grant', async () => {
    const before = (await refusedEvents()).length;
    const res = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'refresh_token', client_id: app.clientId, client_secret: 'wrong' } });
    expect([res.statusCode, res.json()]).toStrictEqual([401, { error: 'access_denied', error_description: 'Unauthorized' }]);
    expect((await refusedEvents()).slice(before).map((e) => e.type)).toStrictEqual(['fertft']);
  });

  it('choose-grant refuses before anything is authenticated or logged', async () => {
    const before = (await refusedEvents()).length;
    const res = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'password', client_id: app.clientId, client_secret: 'wrong' } });
    expect([res.statusCode, res.json()]).toStrictEqual([400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type: password' }]);
    expect((await refusedEvents()).slice(before)).toStrictEqual([]);
  });
});
