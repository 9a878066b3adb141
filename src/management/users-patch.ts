// PATCH /api/v2/users/{id} (spec §3.5.4): root-level merge of user_metadata and app_metadata,
// Auth0's "simultaneously" rules, email/username/password checks, and who may change what:
// update:users_app_metadata alone touches only app_metadata; a token acting for the user itself
// only its user_metadata, key by key as its current-user scopes allow (spec §4.2).
import { isoNow } from '../domain/clock.ts';
import { metadataRefusals } from '../domain/current-user.ts';
import { IdParam } from '../schemas/common.ts';
import { User, UserUpdate } from '../schemas/user.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { UserPatch, UserRecord } from '../storage/ports.ts';
import { refuseAdmins } from './admin-guard.ts';
import { badRequest, conflict, ERROR_CODE, forbidden, notFound, TEXT } from './errors.ts';
import { route, type ConfinedRequest } from './route.ts';
import { renderUser } from './user-view.ts';
import { checkEmail, checkMetadata, checkUsername, databaseConnection, hashPassword, loadUser, mergeMetadata } from './users-rules.ts';

/** Pairs Auth0 refuses to change in one request (AE-OAS PATCH /users/{id} 400 descriptions). */
const EXCLUSIVE: readonly (readonly [string, string])[] = [
  ['password', 'email'],
  ['password', 'email_verified'],
  ['username', 'email'],
  ['username', 'email_verified'],
  ['username', 'password'],
];

/** Current-user rule (register.ts runs it for confined calls): user_metadata only, key by key. */
async function confinedBody(request: ConfinedRequest): Promise<void> {
  const body = (request.body ?? {}) as UserUpdate;
  const others = Object.keys(body).filter((k) => k !== 'user_metadata');
  if (others.length > 0) throw forbidden(TEXT.fieldsForbidden(others.join(', ')));
  if (body.user_metadata === undefined) return;
  const user = await request.deps.storage.users.get(request.tenant.id, request.confined.userId);
  if (!user) throw notFound(TEXT.userNotFound, ERROR_CODE.inexistentUser);
  const refused = metadataRefusals(user.userMetadata, body.user_metadata, request.confined.scopes);
  if (refused.length > 0) throw forbidden(TEXT.fieldsForbidden(refused.join(', ')));
}

/** The record changes a body asks for, after every check (nothing is written before they pass). */
async function changesFor(ctx: { tenantId: string; clientId: string | undefined; deps: Parameters<typeof hashPassword>[0] }, user: UserRecord, b: UserUpdate): Promise<UserPatch> {
  const { storage } = ctx.deps;
  for (const [a, c] of EXCLUSIVE) if (b[a as keyof UserUpdate] !== undefined && b[c as keyof UserUpdate] !== undefined) throw badRequest(TEXT.simultaneous(a, c));
  if (b.connection !== undefined && b.connection !== user.connection) throw badRequest(TEXT.connectionMissing);
  const patch: UserPatch = {};
  if (b.email !== undefined) {
    const email = checkEmail(b.email);
    if (email !== user.email) {
      const holder = await storage.users.getByEmail(ctx.tenantId, user.connection, email);
      if (holder && holder.userId !== user.userId) throw badRequest(TEXT.emailTaken, ERROR_CODE.idpError);
      patch.email = email;
      // A new address is unverified unless the same request says otherwise.
      if (b.email_verified === undefined) patch.emailVerified = false;
    }
  }
  if (b.email_verified !== undefined) patch.emailVerified = b.email_verified;
  if (b.username !== undefined && b.username !== user.username) {
    checkUsername(await databaseConnection(storage, ctx.tenantId, user.connection), b.username);
    const holder = await storage.users.getByUsername(ctx.tenantId, user.connection, b.username);
    if (holder && holder.userId !== user.userId) throw conflict(TEXT.usernameExists, ERROR_CODE.idpError);
    patch.username = b.username;
  }
  if (b.phone_number !== undefined) patch.phoneNumber = b.phone_number;
  if (b.phone_verified !== undefined) patch.phoneVerified = b.phone_verified;
  if (b.blocked !== undefined) patch.blocked = b.blocked;
  if (b.given_name !== undefined) patch.givenName = b.given_name;
  if (b.family_name !== undefined) patch.familyName = b.family_name;
  if (b.name !== undefined) patch.name = b.name;
  if (b.nickname !== undefined) patch.nickname = b.nickname;
  if (b.picture !== undefined) patch.picture = b.picture;
  if (b.user_metadata !== undefined) {
    patch.userMetadata = mergeMetadata(user.userMetadata, b.user_metadata);
    checkMetadata('user_metadata', b.user_metadata, patch.userMetadata);
  }
  if (b.app_metadata !== undefined) {
    patch.appMetadata = mergeMetadata(user.appMetadata, b.app_metadata);
    checkMetadata('app_metadata', b.app_metadata, patch.appMetadata);
  }
  if (b.password !== undefined) patch.passwordHash = await hashPassword(ctx.deps, b.password, ctx);
  return patch;
}

const update = route({
  method: 'PATCH',
  url: '/users/:id',
  summary: 'Update a user',
  tag: 'Users',
  scopes: ['update:users', 'update:users_app_metadata'],
  currentUser: {
    scopes: ['update:current_user_metadata', 'create:current_user_metadata', 'delete:current_user_metadata'],
    user: { param: 'id' },
    checkBody: confinedBody,
  },
  schema: { params: IdParam, body: UserUpdate, response: { 200: User } },
  async handler(ctx) {
    const b = ctx.body ?? {};
    // update:users_app_metadata without update:users: app_metadata and nothing else (spec §3.1).
    if (!ctx.confined && !ctx.auth.has('update:users')) {
      const others = Object.keys(b).filter((k) => k !== 'app_metadata');
      if (others.length > 0) throw forbidden(TEXT.fieldsForbidden(others.join(', ')));
    }
    const { storage, clock } = ctx.deps;
    const user = await loadUser(storage, ctx.tenant.id, ctx.params.id);
    await refuseAdmins(storage, ctx.tenant.id, [user.userId]);
    const patch = await changesFor({ tenantId: ctx.tenant.id, clientId: ctx.auth.clientId, deps: ctx.deps }, user, b);
    const now = isoNow(clock);
    if (patch.passwordHash !== undefined) patch.lastPasswordReset = now;
    if (Object.keys(patch).length > 0) patch.updatedAt = now;
    try {
      const found = await storage.transaction(async (tx) => {
        const changed = Object.keys(patch).length === 0 || (await tx.users.update(ctx.tenant.id, user.userId, patch));
        // A new password lifts the brute-force blocks (Auth0: a password change unblocks the user).
        if (changed && patch.passwordHash !== undefined) await tx.loginFailures.clearForUser(ctx.tenant.id, user.userId);
        return changed;
      });
      if (!found) throw notFound(TEXT.userNotFound, ERROR_CODE.inexistentUser);
    } catch (error) {
      if (error instanceof UniqueViolation) throw badRequest(patch.email !== undefined ? TEXT.emailTaken : TEXT.usernameExists, ERROR_CODE.idpError);
      throw error;
    }
    return { status: 200, body: renderUser({ ...user, ...patch }) };
  },
});

export const userPatchRoutes = [update];
