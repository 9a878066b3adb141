// /api/v2/blacklists/tokens (spec §3.5.6): the token denylist. Auth0 offers it for legacy tokens;
// here it applies to every token the tenant issued (all carry a jti), and the Management API
// refuses a listed token at once. An entry is dropped after the token it names expires.
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { LONGEST_TOKEN_SECONDS } from '../domain/tenant.ts';
import { route } from './route.ts';
import { findGlobalClient } from '../domain/global-client.ts';

const TAG = 'Blacklists';

const DenylistEntry = Type.Object({ aud: Type.Optional(Type.String()), jti: Type.String() });

const list = route({
  method: 'GET',
  url: '/blacklists/tokens',
  summary: 'Get blacklisted tokens',
  tag: TAG,
  scopes: ['blacklist:tokens'],
  schema: {
    querystring: Type.Object({ aud: Type.Optional(Type.String({ maxLength: 600, description: 'Only entries for this audience (client id).' })) }),
    response: { 200: Type.Array(DenylistEntry) },
  },
  async handler(ctx) {
    // A bare array, whatever paging parameters came along (spec §3.5.6).
    const entries = await ctx.deps.storage.denylist.list(ctx.tenant.id, ctx.query.aud);
    return { status: 200, body: entries.map((e) => ({ ...(e.aud !== undefined && { aud: e.aud }), jti: e.jti })) };
  },
});

const add = route({
  method: 'POST',
  url: '/blacklists/tokens',
  summary: 'Blacklist a token',
  tag: TAG,
  scopes: ['blacklist:tokens'],
  schema: {
    body: Type.Object(
      {
        aud: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: "The token's aud claim (for Auth0 legacy tokens, the client id)." })),
        jti: Type.String({ minLength: 1, maxLength: 256, description: "The token's jti claim." }),
      },
      { additionalProperties: false },
    ),
  },
  async handler(ctx) {
    const now = ctx.deps.clock.now();
    // Until a listed token is seen (and its exp learned), keep the entry as long as any token of
    // ours can live. An entry that may name a legacy token (no aud, or the global client's id) is
    // kept until its token shows an exp: legacy tokens may never expire, and the switch may be
    // off now and on later, so the global client is looked up whatever the switch says.
    const forever = ctx.body.aud === undefined || ctx.body.aud === (await findGlobalClient(ctx.deps.storage, ctx.tenant.id))?.clientId;
    await ctx.deps.storage.denylist.add({
      tenantId: ctx.tenant.id,
      jti: ctx.body.jti,
      aud: ctx.body.aud,
      createdAt: isoNow(ctx.deps.clock),
      expiresAt: forever ? null : new Date(now + LONGEST_TOKEN_SECONDS * 1000).toISOString(),
    });
    // 204 with Auth0's JSON content type (spec §3.5.6).
    return { status: 204, contentType: 'application/json; charset=utf-8' };
  },
});

export const blacklistRoutes = [list, add];
