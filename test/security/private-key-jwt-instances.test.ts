// T-PKJ-09: a client assertion is accepted once across instances. Two apps on one PostgreSQL
// schema (as two `scopeward serve` processes behind a load balancer): an assertion A accepted is
// refused by B, and of the same assertion sent to both at once exactly one gets a token; a
// credential deleted through A is refused by B at once (credentials are read at each assertion).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_TEXT } from '../../src/oauth/token/client-assertion.ts';
import { frozenClock } from '../helpers/clock.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { assertion, assertionForm, credentialAdmin, rsaKeyPair, type CredentialAdmin, type KeyPair, type PkjwtApp } from '../helpers/private-key-jwt.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callToken, expectTokenError } from '../helpers/token-contract.ts';

describe('T-PKJ-09: two instances on one PostgreSQL schema', () => {
  const clock = frozenClock();
  // One deployment: one master key.
  const masterKey = randomBytes(32);
  let schema: PgSchema;
  let a: TestServer;
  let b: TestServer;
  let admin: CredentialAdmin;
  let keys: KeyPair;
  let app: PkjwtApp;

  beforeAll(async () => {
    keys = rsaKeyPair();
    schema = await createPgSchema();
    a = await startTestServer({ databaseUrl: schema.url, pgSchema: schema.schema, clock, masterKey });
    admin = await credentialAdmin(a);
    app = await admin.pkjwtApp(keys);
    // B starts after the client was switched, so it loads the client as it is now.
    b = await startTestServer({ databaseUrl: schema.url, pgSchema: schema.schema, clock, masterKey });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('an assertion A accepted is refused by B as a replay', async () => {
    const once = assertion(a, { clientId: app.clientId, key: keys.privateKey });
    expect((await callToken(a, { form: assertionForm(a, once) })).statusCode).toBe(200);
    expectTokenError(await callToken(b, { form: assertionForm(b, once) }), 401, 'invalid_client', ASSERTION_TEXT.replay);
  });

  it('the same assertion sent to both at once: exactly one token', async () => {
    const once = assertion(a, { clientId: app.clientId, key: keys.privateKey });
    const answers = await Promise.all([a, b, a, b].map((server) => callToken(server, { form: assertionForm(server, once) })));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 401, 401, 401]);
  });

  it('a credential deleted through A is refused by B at once', async () => {
    expect((await callToken(b, { form: assertionForm(b, assertion(b, { clientId: app.clientId, key: keys.privateKey })) })).statusCode).toBe(200);
    expect((await admin.call('DELETE', `/clients/${app.clientId}/credentials/${app.credentialId}`)).statusCode).toBe(204);
    expectTokenError(await callToken(b, { form: assertionForm(b, assertion(b, { clientId: app.clientId, key: keys.privateKey })) }), 401, 'invalid_client', ASSERTION_TEXT.notVerified);
  });
});
