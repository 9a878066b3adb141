// /api/v2/scopeward/test-tokens (Scopeward extension, issue #5; decision 0006): the API Explorer
// tab's test token, and beyond Auth0 a record of every token minted from the dashboard, each one
// revocable. A test token is a real client-credentials token of an application, made by the same
// code as POST /oauth/token (tokens/client-credentials.ts) with the grant's scopes; a legacy one
// is HS256 with the Global Client Secret, as `scopeward token --legacy` makes it (tokens/legacy.ts).
// Minting needs read:client_keys: whoever can read an application's secret can get its tokens
// anyway. The record keeps the jti, never the token; the tenant log records the call (sapi) with
// the request body only, so the token is in no log either.
import { Type, type Static } from 'typebox';
import { nowSeconds } from '../domain/clock.ts';
import { newMintedTokenId } from '../domain/ids.ts';
import { isManagementScope, parseScopeParam } from '../domain/scopes.ts';
import { legacyTokensOn, MAX_TEST_TOKEN_LIFETIME_SECONDS } from '../domain/tenant.ts';
import type { MintedTokenRecord } from '../storage/ports.ts';
import { grantedScopes, issueClientCredentialsToken } from '../tokens/client-credentials.ts';
import { LEGACY_TOKEN_WARNING, mintLegacyToken } from '../tokens/legacy.ts';
import { accessTokenSigner } from '../tokens/signer.ts';
import { badRequest, ERROR_CODE, notFound, TEXT } from './errors.ts';
import { EXTENSION_TAG } from './openapi.ts';
import { route, type HandlerContext, type RouteSchemas } from './route.ts';
import { globalClientCredentials } from '../domain/global-client.ts';

/** Auth0's API Explorer tab default: a day. */
const DEFAULT_EXPIRES_IN = 86_400;
const MIN_EXPIRES_IN = 60;
const LEEWAY_SECONDS = 30;

const MintBody = Type.Object(
  {
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The application the token is issued to (needs a client grant for the audience).' })),
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'The API identifier.' })),
    expires_in: Type.Optional(
      Type.Union([Type.Integer({ minimum: MIN_EXPIRES_IN, maximum: MAX_TEST_TOKEN_LIFETIME_SECONDS }), Type.Null()], {
        description: `Seconds, ${MIN_EXPIRES_IN} to ${MAX_TEST_TOKEN_LIFETIME_SECONDS} (default ${DEFAULT_EXPIRES_IN}); null (never) for legacy tokens only.`,
      }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A label shown in the list.' })),
    legacy: Type.Optional(Type.Boolean({ description: 'Mint a legacy HS256 Management API token with the Global Client Secret (not recommended).' })),
    scope: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000, description: 'Legacy tokens only: space-separated Management API scopes.' })),
  },
  { additionalProperties: false },
);

const recordFields = {
  id: Type.String(),
  name: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Union([Type.Integer(), Type.Null()], { description: 'The lifetime it was minted with; null: never expires.' }),
  scope: Type.String(),
  client_id: Type.String(),
  audience: Type.String(),
  jti: Type.String(),
  legacy: Type.Boolean(),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  created_by: Type.String({ description: "The admin's email, or the subject of the token that minted it." }),
};
const Minted = Type.Object({ ...recordFields, access_token: Type.String() });
const Listed = Type.Object({ ...recordFields, revoked_at: Type.Union([Type.String(), Type.Null()]) });

function view(r: MintedTokenRecord) {
  const lifetime = r.expiresAt === null ? null : Math.round((Date.parse(r.expiresAt) - Date.parse(r.createdAt)) / 1000);
  return {
    id: r.id,
    name: r.name,
    token_type: 'Bearer' as const,
    expires_in: lifetime,
    scope: r.scope,
    client_id: r.clientId,
    audience: r.audience,
    jti: r.jti,
    legacy: r.legacy,
    expires_at: r.expiresAt,
    created_at: r.createdAt,
    created_by: r.createdBy,
  };
}

/** Who minted it: the signed-in admin's email, else the token's subject (or jti for a legacy token). */
async function mintedBy<S extends RouteSchemas>(ctx: HandlerContext<S>): Promise<string> {
  const { subject, token } = ctx.auth;
  if (subject !== undefined && !subject.endsWith('@clients')) {
    const user = await ctx.deps.storage.users.get(ctx.tenant.id, subject);
    if (user?.email) return user.email;
  }
  if (subject !== undefined) return subject;
  return typeof token.claims.jti === 'string' ? `legacy token ${token.claims.jti}` : 'legacy token';
}

type Body = Static<typeof MintBody>;
type Issued = { token: string; record: Omit<MintedTokenRecord, 'tenantId' | 'id' | 'createdAt' | 'createdBy' | 'revokedAt'>; warning?: string };

async function issueTestToken(ctx: HandlerContext<{ body: typeof MintBody }>, b: Body, now: number): Promise<Issued> {
  if (b.scope !== undefined) throw badRequest(TEXT.testTokenScope);
  if (b.client_id === undefined) throw badRequest(TEXT.missingProperty('client_id'));
  if (b.audience === undefined) throw badRequest(TEXT.missingProperty('audience'));
  if (b.expires_in === null) throw badRequest(TEXT.testTokenNeverExpires);
  const { registry } = ctx.deps;
  const client = await registry.client(ctx.tenant.id, b.client_id);
  if (!client) throw notFound(TEXT.clientNotFound, ERROR_CODE.inexistentClient);
  // Nothing /oauth/token would refuse this application is minted here.
  if (!client.grantTypes.has('client_credentials')) throw badRequest(TEXT.testTokenGrantType(client.clientId));
  const api = await registry.api(ctx.tenant.id, b.audience);
  if (!api) throw notFound(TEXT.resourceServerNotFound, ERROR_CODE.inexistentApi);
  const grant = await registry.grant(ctx.tenant.id, client.clientId, api.identifier);
  if (!grant) throw badRequest(TEXT.testTokenNoGrant(client.clientId, api.identifier));
  const scopes = grantedScopes(grant, api.scopes);
  const lifetime = b.expires_in ?? DEFAULT_EXPIRES_IN;
  const issued = await issueClientCredentialsToken({
    issuer: ctx.tenant.issuer,
    clientId: client.clientId,
    audience: api.identifier,
    scopes,
    now,
    lifetime,
    dialect: api.dialect,
    signer: accessTokenSigner(await registry.keys(ctx.tenant.id), api),
  });
  return {
    token: issued.token,
    record: {
      jti: issued.jti,
      name: b.name ?? `Test token for ${client.name}`,
      clientId: client.clientId,
      audience: api.identifier,
      scope: scopes.join(' '),
      legacy: false,
      expiresAt: new Date(issued.exp * 1000).toISOString(),
    },
  };
}

async function issueLegacyToken(ctx: HandlerContext<{ body: typeof MintBody }>, b: Body, now: number): Promise<Issued> {
  if (!legacyTokensOn(ctx.tenant.settings)) throw badRequest(TEXT.legacyOff);
  if (b.client_id !== undefined || b.audience !== undefined) throw badRequest(TEXT.legacyTarget);
  if (b.scope === undefined) throw badRequest(TEXT.missingProperty('scope'));
  const scopes = parseScopeParam(b.scope.trim());
  if (!scopes) throw badRequest(TEXT.legacyScope(b.scope));
  const unknown = scopes.find((s) => !isManagementScope(s));
  if (unknown !== undefined) throw badRequest(TEXT.legacyScope(unknown));
  const global = await globalClientCredentials(ctx.deps.storage, ctx.deps.envelope, ctx.tenant.id);
  if (!global) throw notFound(TEXT.clientNotFound, ERROR_CODE.inexistentClient);
  const expiresIn = b.expires_in === null ? undefined : (b.expires_in ?? DEFAULT_EXPIRES_IN);
  const { token, jti } = mintLegacyToken({
    issuer: ctx.tenant.issuer,
    globalClientId: global.clientId,
    globalClientSecret: global.secret,
    scopes,
    now,
    expiresIn,
  });
  return {
    token,
    warning: LEGACY_TOKEN_WARNING,
    record: {
      jti,
      name: b.name ?? 'Legacy Management API token',
      clientId: global.clientId,
      // What it is for; its `aud` claim is the Global Client Id (D8).
      audience: ctx.tenant.managementAudience,
      scope: scopes.join(' '),
      legacy: true,
      expiresAt: expiresIn === undefined ? null : new Date((now + expiresIn) * 1000).toISOString(),
    },
  };
}

const mint = route({
  method: 'POST',
  url: '/scopeward/test-tokens',
  summary: 'Mint a test token (Scopeward extension)',
  tag: EXTENSION_TAG,
  scopes: ['read:client_keys'],
  schema: { body: MintBody, response: { 201: Minted } },
  async handler(ctx) {
    const now = nowSeconds(ctx.deps.clock);
    const issued = ctx.body.legacy === true ? await issueLegacyToken(ctx, ctx.body, now) : await issueTestToken(ctx, ctx.body, now);
    const record: MintedTokenRecord = {
      tenantId: ctx.tenant.id,
      id: newMintedTokenId(),
      ...issued.record,
      createdAt: new Date(now * 1000).toISOString(),
      createdBy: await mintedBy(ctx),
      revokedAt: null,
    };
    await ctx.deps.storage.mintedTokens.create(record);
    const { id, name, ...rest } = view(record);
    return {
      status: 201,
      body: { id, name, access_token: issued.token, ...rest },
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
      ...(issued.warning !== undefined && { warning: issued.warning }),
    };
  },
});

const list = route({
  method: 'GET',
  url: '/scopeward/test-tokens',
  summary: 'List the tokens minted from the dashboard, newest first (Scopeward extension)',
  tag: EXTENSION_TAG,
  scopes: ['read:client_keys'],
  schema: {
    querystring: Type.Object({
      client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      audience: Type.Optional(Type.String({ minLength: 1, maxLength: 600 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many (default 100).' })),
    }),
    response: { 200: Type.Array(Listed) },
  },
  async handler(ctx) {
    const q = ctx.query;
    const filter = { ...(q.client_id !== undefined && { clientId: q.client_id }), ...(q.audience !== undefined && { audience: q.audience }) };
    const records = await ctx.deps.storage.mintedTokens.list(ctx.tenant.id, filter, q.limit ?? 100);
    return { status: 200, body: records.map((r) => ({ ...view(r), revoked_at: r.revokedAt })) };
  },
});

const revoke = route({
  method: 'DELETE',
  url: '/scopeward/test-tokens/:id',
  summary: 'Revoke a token minted from the dashboard (Scopeward extension)',
  tag: EXTENSION_TAG,
  scopes: ['blacklist:tokens'],
  schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }) },
  async handler(ctx) {
    const record = await ctx.deps.storage.mintedTokens.get(ctx.tenant.id, ctx.params.id);
    if (!record) throw notFound(TEXT.testTokenNotFound, ERROR_CODE.inexistentTestToken);
    const at = new Date(ctx.deps.clock.now()).toISOString();
    // The denylist entry names the token's own `aud` (the Global Client Id for a legacy token) and
    // lasts until the token has expired (never, for a legacy token without exp).
    await ctx.deps.storage.denylist.add({
      tenantId: ctx.tenant.id,
      jti: record.jti,
      aud: record.legacy ? record.clientId : record.audience,
      createdAt: at,
      expiresAt: record.expiresAt === null ? null : new Date(Date.parse(record.expiresAt) + LEEWAY_SECONDS * 1000).toISOString(),
    });
    await ctx.deps.storage.mintedTokens.revoke(ctx.tenant.id, record.id, at);
    return { status: 204 };
  },
});

export const scopewardTestTokenRoutes = [mint, list, revoke];
