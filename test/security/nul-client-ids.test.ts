// A NUL in a client id that does not come through the form parameters (which refuse it, params.ts):
// a Basic header's `%00`, an assertion's `iss` or `jti`. PostgreSQL refuses NUL in a query, so
// such an id must be refused as a failed authentication before any lookup, never reach the
// database as a 500 (on both dialects).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ASSERTION_TEXT } from '../../src/oauth/token/client-assertion.ts';
import { assertion, JWT_BEARER, rsaKeyPair } from '../helpers/private-key-jwt.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callToken, expectTokenError, expectUnauthorized } from '../helpers/token-contract.ts';

const CC = 'client_credentials';

describe.each(['sqlite', 'postgres'] as const)('NUL in a client id or assertion claim → 401, not 500 (%s)', (dialect) => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ dialect });
    });
    afterAll(() => s?.close());

    it('a Basic header whose id or secret decodes to a NUL → 401 with the Basic challenge', async () => {
      const form = { grant_type: CC, audience: s.tenant.managementAudience };
      expectUnauthorized(await callToken(s, { form, basic: { id: 'a\u0000b', secret: 'secret-0123456789' } }), s.tenant.domain);
      expectUnauthorized(await callToken(s, { form, basic: { id: 'someone', secret: 'x\u0000y' } }), s.tenant.domain);
    });

    it("an assertion whose iss/sub holds a NUL → 401 invalid_client with the assertion's text, before any lookup", async () => {
      const { privateKey } = rsaKeyPair();
      const form = (clientAssertion: string) => ({ grant_type: CC, audience: s.tenant.managementAudience, client_assertion_type: JWT_BEARER, client_assertion: clientAssertion });
      expectTokenError(await callToken(s, { form: form(assertion(s, { clientId: 'nul\u0000client', key: privateKey })) }), 401, 'invalid_client', ASSERTION_TEXT.issSub);
    });
});
