// Account linking (spec §3.5.4; GO-REC TestUserManager_Link/Unlink): POST /users/{id}/identities
// absorbs a secondary user into the primary's identities[] (the secondary user is deleted);
// DELETE /users/{id}/identities/{provider}/{user_id} makes the identity a user of its own again.
// A token acting for the user may link only an account it proves it holds (`link_with`, an ID token
// of that account): naming another user's id would let anyone absorb any account.
import { verify as rsaVerify } from 'node:crypto';
import { Type } from 'typebox';
import { isoNow, nowSeconds } from '../domain/clock.ts';
import { actsForUser } from '../domain/current-user.ts';
import { IdParam } from '../schemas/common.ts';
import { Identity, LinkIdentity, UserIdentityParams } from '../schemas/user.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { UserRecord } from '../storage/ports.ts';
import { MalformedToken, parseJws } from '../tokens/jws.ts';
import { refuseAdmins } from './admin-guard.ts';
import { LEEWAY_SECONDS } from './auth.ts';
import { badRequest, conflict, ERROR_CODE, forbidden, notFound, TEXT } from './errors.ts';
import { route, type ConfinedRequest, type HandlerContext, type RouteSchemas } from './route.ts';
import { profileData, renderIdentities, splitUserId } from './user-view.ts';
import { forgetUser } from './users-rules.ts';

const TAG = 'Users';
const CURRENT_USER = ['update:current_user_identities'];

/** The user id an ID token (`link_with`) proves its bearer holds: signed by this tenant for the calling app. */
async function linkWithSubject(ctx: Pick<HandlerContext<RouteSchemas>, 'deps' | 'tenant' | 'auth'>, token: string): Promise<string> {
  let jws;
  try {
    jws = parseJws(token);
  } catch (error) {
    if (error instanceof MalformedToken) throw badRequest(TEXT.linkWithInvalid);
    throw error;
  }
  const { header, payload: claims, signingInput, signature } = jws;
  if (header.alg !== 'RS256') throw badRequest(TEXT.linkWithAlg);
  const ring = await ctx.deps.registry.keys(ctx.tenant.id);
  const key = typeof header.kid === 'string' ? ring.verifying.get(header.kid) : undefined;
  if (!key || !rsaVerify('sha256', signingInput, key.publicKey, signature)) throw badRequest(TEXT.linkWithInvalid);
  if (typeof claims.exp !== 'number' || nowSeconds(ctx.deps.clock) > claims.exp + LEEWAY_SECONDS) throw badRequest(TEXT.linkWithInvalid);
  if (claims.iss !== ctx.tenant.issuer) throw badRequest(TEXT.linkWithIssuer);
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (ctx.auth.clientId === undefined || !audiences.includes(ctx.auth.clientId)) throw badRequest(TEXT.linkWithAudience);
  if (claims.sub === undefined) throw badRequest(TEXT.linkWithSub);
  if (typeof claims.sub !== 'string' || !actsForUser({ sub: claims.sub })) throw badRequest(TEXT.linkWithBadSub);
  return claims.sub;
}

/** Current-user rule (run by register.ts for confined calls): link_with only. */
async function confinedLink(request: ConfinedRequest): Promise<void> {
  const body = (request.body ?? {}) as LinkIdentity;
  if (body.link_with === undefined || body.provider !== undefined || body.user_id !== undefined || body.connection_id !== undefined) {
    throw forbidden(TEXT.confinedLink);
  }
}

const isIdentity = (provider: string, id: string) => (i: { provider: string; user_id: string }) => i.provider === provider && i.user_id === id;

const link = route({
  method: 'POST',
  url: '/users/:id/identities',
  summary: 'Link a user account',
  tag: TAG,
  scopes: ['update:users'],
  currentUser: { scopes: CURRENT_USER, user: { param: 'id' }, checkBody: confinedLink },
  schema: { params: IdParam, body: LinkIdentity, response: { 201: Type.Array(Identity) } },
  async handler(ctx) {
    const b = ctx.body;
    let secondaryId: string;
    let connectionName: string | undefined;
    if (b.link_with !== undefined) {
      if (b.provider !== undefined || b.user_id !== undefined) throw badRequest(TEXT.linkTarget);
      secondaryId = await linkWithSubject(ctx, b.link_with);
    } else {
      if (b.provider === undefined || b.user_id === undefined) throw badRequest(TEXT.linkTarget);
      // Only database users live here, so `auth0` is the only provider there is to link.
      if (b.provider !== 'auth0') throw badRequest(TEXT.providerNotConfigured);
      if (b.connection_id !== undefined) {
        const connection = await ctx.deps.storage.connections.get(ctx.tenant.id, b.connection_id);
        if (!connection) throw badRequest(TEXT.providerNotConfigured);
        connectionName = connection.name;
      }
      // SDKs send either `auth0|abc` or `abc` (GO-REC sends the full id).
      secondaryId = b.user_id.startsWith(`${b.provider}|`) ? b.user_id : `${b.provider}|${b.user_id}`;
    }
    if (secondaryId === ctx.params.id) throw badRequest(TEXT.sameIdentity);
    // Linking an administrator away (as the secondary, which is deleted) or into another is a takeover.
    await refuseAdmins(ctx.deps.storage, ctx.tenant.id, [ctx.params.id, secondaryId]);
    const at = isoNow(ctx.deps.clock);
    const primary = await ctx.deps.storage.transaction(async (tx): Promise<UserRecord> => {
      const main = await tx.users.get(ctx.tenant.id, ctx.params.id);
      if (!main) throw notFound(TEXT.userNotFound, ERROR_CODE.inexistentUser);
      const { provider, id } = splitUserId(secondaryId);
      if (main.linkedIdentities.some(isIdentity(provider, id))) throw conflict(TEXT.identityExists, ERROR_CODE.conflict);
      const secondary = await tx.users.get(ctx.tenant.id, secondaryId);
      if (!secondary || (connectionName !== undefined && secondary.connection !== connectionName)) throw badRequest(TEXT.secondaryNotFound);
      // A user who already holds linked accounts is a primary: Auth0 refuses to nest links.
      if (secondary.linkedIdentities.length > 0) throw badRequest(TEXT.secondaryIsPrimary);
      const linkedIdentities = [...main.linkedIdentities, { connection: secondary.connection, user_id: id, provider, isSocial: false, profileData: profileData(secondary) }];
      await tx.users.update(ctx.tenant.id, main.userId, { linkedIdentities, updatedAt: at });
      await tx.users.remove(ctx.tenant.id, secondary.userId);
      await forgetUser(tx, ctx.tenant.id, secondary.userId, at);
      return { ...main, linkedIdentities, updatedAt: at };
    });
    return { status: 201, body: renderIdentities(primary, true) };
  },
});

/** The user an unlinked identity becomes again, from the profile it carried (Auth0 "Unlink User Accounts"). */
function userFromIdentity(tenantId: string, identity: UserRecord['linkedIdentities'][number], at: string): UserRecord {
  const p = identity.profileData ?? {};
  const text = (k: string): string | null => (typeof p[k] === 'string' ? p[k] : null);
  return {
    tenantId,
    userId: `${identity.provider}|${identity.user_id}`,
    connection: identity.connection,
    email: text('email'),
    emailVerified: p.email_verified === true,
    username: text('username'),
    phoneNumber: text('phone_number'),
    phoneVerified: p.phone_verified === true,
    name: text('name') ?? text('email'),
    nickname: text('nickname'),
    givenName: text('given_name'),
    familyName: text('family_name'),
    picture: text('picture'),
    blocked: false,
    userMetadata: {},
    appMetadata: {},
    linkedIdentities: [],
    // The password did not survive the link: the user sets a new one (password reset) to log in.
    passwordHash: null,
    lastPasswordReset: null,
    lastLogin: null,
    lastIp: null,
    loginsCount: 0,
    createdAt: at,
    updatedAt: at,
  };
}

const unlink = route({
  method: 'DELETE',
  url: '/users/:id/identities/:provider/:user_id',
  summary: 'Unlink a user identity',
  tag: TAG,
  scopes: ['update:users'],
  currentUser: { scopes: CURRENT_USER, user: { param: 'id' } },
  schema: { params: UserIdentityParams, response: { 200: Type.Array(Identity) } },
  async handler(ctx) {
    const { id, provider, user_id: identityId } = ctx.params;
    await refuseAdmins(ctx.deps.storage, ctx.tenant.id, [id]);
    const at = isoNow(ctx.deps.clock);
    const unlinked = ctx.deps.storage.transaction(async (tx): Promise<UserRecord> => {
      const main = await tx.users.get(ctx.tenant.id, id);
      if (!main) throw notFound(TEXT.userNotFound, ERROR_CODE.inexistentUser);
      const own = splitUserId(main.userId);
      if (own.provider === provider && own.id === identityId) throw badRequest(TEXT.mainIdentity);
      const identity = main.linkedIdentities.find(isIdentity(provider, identityId));
      // Unlinking what is not linked changes nothing (idempotent, like the DELETEs of spec §8).
      if (!identity) return main;
      const linkedIdentities = main.linkedIdentities.filter((i) => i !== identity);
      await tx.users.update(ctx.tenant.id, main.userId, { linkedIdentities, updatedAt: at });
      await tx.users.create(userFromIdentity(ctx.tenant.id, identity, at));
      return { ...main, linkedIdentities, updatedAt: at };
    });
    // The identity's id or email was taken again since the link: nothing changes.
    const primary = await unlinked.catch((error: unknown) => {
      throw error instanceof UniqueViolation ? conflict(TEXT.userExists, ERROR_CODE.idpError) : error;
    });
    return { status: 200, body: renderIdentities(primary, true) };
  },
});

export const userIdentityRoutes = [link, unlink];
