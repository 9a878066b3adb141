// The v4 `auth0` SDK (`auth0/legacy`) against the real server over HTTPS: blacklists.getAll/add
// (spec §3.5.6, only in v4) and their effect on a token the test obtained itself (T-LEG-04,
// T-JWT-24); a ManagementClient built with `token:` set to a legacy HS256 token signed as the seed
// document's snippet does (spec §2.3, D8), refused while the tenant switch is off.
import jwt from 'jsonwebtoken';
import { AuthenticationClient, ManagementApiError, ManagementClient } from 'auth0/legacy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

let server: RealServer;
let management: ManagementClient;

beforeAll(async () => {
  server = await startRealServer();
  management = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
});
afterAll(async () => {
  await server?.cleanup();
});

const jtiOf = (token: string): string => String((jwt.decode(token) as { jti: string }).jti);

/** Runs `call`, which must fail with a ManagementApiError, and returns its status, error and message. */
async function refusal(call: () => Promise<unknown>): Promise<[number, string, string]> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(ManagementApiError);
    const e = error as ManagementApiError;
    return [e.statusCode, e.error, e.message];
  }
  throw new Error('expected the call to fail');
}

const INVALID_TOKEN: [number, string, string] = [401, 'Unauthorized', 'Invalid token'];

describe('blacklists through the v4 ManagementClient (spec §3.5.6)', () => {
  let second: { clientId: string; clientSecret: string };
  const auth = () => new AuthenticationClient({ domain: server.domain, clientId: second.clientId, clientSecret: second.clientSecret });
  const tokenOfSecond = async () => (await auth().oauth.clientCredentialsGrant({ audience: server.init.audience })).data.access_token;

  beforeAll(async () => {
    const { data } = await management.clients.create({ name: 'second app', app_type: 'non_interactive' });
    second = { clientId: data.client_id, clientSecret: data.client_secret };
    await management.clientGrants.create({ client_id: second.clientId, audience: server.init.audience, scope: ['read:clients'] });
  });

  it('getAll() on an empty list answers 200 []', async () => {
    const { status, data } = await management.blacklists.getAll();
    expect([status, data]).toEqual([200, []]);
  });

  it("add({aud, jti}) answers 204; the listed token is refused at once, the app's other tokens are not", async () => {
    const listed = await tokenOfSecond();
    const other = await tokenOfSecond();
    const asSecond = (token: string) => new ManagementClient({ domain: server.domain, token });
    expect((await asSecond(listed).clients.getAll()).status).toBe(200);

    const { status } = await management.blacklists.add({ aud: second.clientId, jti: jtiOf(listed) });
    expect(status).toBe(204);
    expect(await refusal(() => asSecond(listed).clients.getAll())).toEqual(INVALID_TOKEN);
    expect((await asSecond(other).clients.getAll()).status).toBe(200);

    expect((await management.blacklists.getAll()).data).toContainEqual({ aud: second.clientId, jti: jtiOf(listed) });
    expect((await management.blacklists.getAll({ aud: second.clientId })).data).toEqual([{ aud: second.clientId, jti: jtiOf(listed) }]);
  });

  it('add({jti}) without aud refuses the token too, and lists the entry without aud', async () => {
    const listed = await tokenOfSecond();
    expect((await management.blacklists.add({ jti: jtiOf(listed) })).status).toBe(204);
    expect(await refusal(() => new ManagementClient({ domain: server.domain, token: listed }).clients.getAll())).toEqual(INVALID_TOKEN);
    expect((await management.blacklists.getAll()).data).toContainEqual({ jti: jtiOf(listed) });
  });

  it('without blacklist:tokens: 403 insufficient_scope from getAll and add', async () => {
    const limited = new ManagementClient({ domain: server.domain, token: await tokenOfSecond() });
    const forbidden: [number, string, string] = [403, 'Forbidden', 'Insufficient scope, expected any of: blacklist:tokens'];
    expect(await refusal(() => limited.blacklists.getAll())).toEqual(forbidden);
    expect(await refusal(() => limited.blacklists.add({ jti: 'nope' }))).toEqual(forbidden);
  });
});

describe('a v4 ManagementClient with `token:` set to a legacy HS256 token (spec §2.3)', () => {
  let legacyToken: string;
  let globalClientId: string;

  beforeAll(async () => {
    const { data } = await management.clients.getAll({ is_global: true });
    const [global] = data;
    globalClientId = global!.client_id;
    // The seed document's snippet, unchanged but for Buffer.from (new Buffer is deprecated).
    legacyToken = jwt.sign(
      { iss: `https://${server.domain}/`, aud: globalClientId, scope: 'read:clients read:client_keys', jti: 'v4-legacy' },
      Buffer.from(global!.client_secret, 'base64'),
      { algorithm: 'HS256', expiresIn: '1y' },
    );
  });

  const setLegacy = async (on: boolean) => {
    // Scopeward's switch (D8) is not in the v4 SDK's type of `flags`.
    const { status, data } = await management.tenants.updateSettings({ flags: { enable_legacy_management_tokens: on } as Record<string, boolean> });
    expect([status, (data.flags as unknown as Record<string, unknown>).enable_legacy_management_tokens]).toEqual([200, on]);
  };

  it('refused while the switch is off (the default)', async () => {
    const legacy = new ManagementClient({ domain: server.domain, token: legacyToken });
    expect(await refusal(() => legacy.clients.getAll())).toEqual(INVALID_TOKEN);
  });

  it('works once it is on: getAll lists the clients with secrets (read:client_keys)', async () => {
    await setLegacy(true);
    const legacy = new ManagementClient({ domain: server.domain, token: legacyToken });
    const { status, data } = await legacy.clients.getAll();
    expect(status).toBe(200);
    expect(data.find((c) => c.client_id === server.init.client_id)?.client_secret).toBe(server.init.client_secret);
    expect(await refusal(() => legacy.clients.create({ name: 'not allowed' }))).toEqual([403, 'Forbidden', 'Insufficient scope, expected any of: create:clients']);
  });

  it('blacklists.add({aud: Global Client Id, jti}) ends it; off again, every legacy token is refused', async () => {
    const other = jwt.sign({ iss: `https://${server.domain}/`, aud: globalClientId, scope: 'read:clients' }, Buffer.from((await management.clients.get({ client_id: globalClientId })).data.client_secret, 'base64'), { algorithm: 'HS256' });
    expect((await management.blacklists.add({ aud: globalClientId, jti: 'v4-legacy' })).status).toBe(204);
    expect(await refusal(() => new ManagementClient({ domain: server.domain, token: legacyToken }).clients.getAll())).toEqual(INVALID_TOKEN);
    expect((await new ManagementClient({ domain: server.domain, token: other }).clients.getAll()).status).toBe(200);
    await setLegacy(false);
    expect(await refusal(() => new ManagementClient({ domain: server.domain, token: other }).clients.getAll())).toEqual(INVALID_TOKEN);
  });
});
