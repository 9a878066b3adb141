// /api/v2/users (spec §3.5.4): create, get, delete, enrollments and multifactor. Search is in
// users-search.ts, PATCH in users-patch.ts, linking in users-identities.ts. Routes that a user's
// own browser token may call declare `currentUser`; register.ts confines those calls (§4.2).
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { newUserId } from '../domain/ids.ts';
import { newDatabaseUser, requiresUsername } from '../domain/users.ts';
import { IdParam } from '../schemas/common.ts';
import { MultifactorParams, User, UserCreate, UserFieldsQuery } from '../schemas/user.ts';
import { UniqueViolation } from '../storage/errors.ts';
import { refuseAdmins } from './admin-guard.ts';
import { badRequest, conflict, ERROR_CODE, TEXT } from './errors.ts';
import { projection } from './fields.ts';
import { route } from './route.ts';
import { renderUser } from './user-view.ts';
import { userIdentityRoutes } from './users-identities.ts';
import { userPatchRoutes } from './users-patch.ts';
import { checkEmail, checkMetadata, checkUsername, databaseConnection, forgetUser, hashPassword, loadUser } from './users-rules.ts';
import { userSearchRoutes } from './users-search.ts';

const TAG = 'Users';
/** Auth0 answers its DELETEs with the JSON content type and no body (GO-REC TestUserManager_Delete). */
const JSON_TYPE = 'application/json; charset=utf-8';

const create = route({
  method: 'POST',
  url: '/users',
  summary: 'Create a user',
  tag: TAG,
  scopes: ['create:users'],
  schema: { body: UserCreate, response: { 201: User } },
  async handler(ctx) {
    const b = ctx.body;
    const { storage } = ctx.deps;
    const connection = await databaseConnection(storage, ctx.tenant.id, b.connection);
    if (b.username !== undefined) checkUsername(connection, b.username);
    else if (requiresUsername(connection)) throw badRequest(TEXT.missingProperty('username'));
    if (b.email === undefined) throw badRequest(TEXT.missingProperty('email'));
    if (b.password === undefined) throw badRequest(TEXT.missingProperty('password'));
    const email = checkEmail(b.email);
    if (b.user_metadata !== undefined) checkMetadata('user_metadata', b.user_metadata, b.user_metadata);
    if (b.app_metadata !== undefined) checkMetadata('app_metadata', b.app_metadata, b.app_metadata);
    const userId = b.user_id !== undefined ? `auth0|${b.user_id}` : newUserId();
    // Friendly answers for the usual conflicts; the unique indexes settle races (409 below).
    if ((await storage.users.getByEmail(ctx.tenant.id, connection.name, email)) || (await storage.users.get(ctx.tenant.id, userId))) {
      throw conflict(TEXT.userExists, ERROR_CODE.idpError);
    }
    if (b.username !== undefined && (await storage.users.getByUsername(ctx.tenant.id, connection.name, b.username))) {
      throw conflict(TEXT.usernameExists, ERROR_CODE.idpError);
    }
    const passwordHash = await hashPassword(ctx.deps, b.password, { tenantId: ctx.tenant.id, clientId: ctx.auth.clientId });
    const record = newDatabaseUser(
      ctx.tenant.id,
      connection,
      {
        email,
        userId,
        username: b.username,
        emailVerified: b.email_verified,
        phoneNumber: b.phone_number,
        phoneVerified: b.phone_verified,
        name: b.name,
        nickname: b.nickname,
        givenName: b.given_name,
        familyName: b.family_name,
        picture: b.picture,
        blocked: b.blocked,
        userMetadata: b.user_metadata,
        appMetadata: b.app_metadata,
      },
      passwordHash,
      isoNow(ctx.deps.clock),
    );
    try {
      await storage.users.create(record);
    } catch (error) {
      if (error instanceof UniqueViolation) throw conflict(TEXT.userExists, ERROR_CODE.idpError);
      throw error;
    }
    return { status: 201, body: renderUser(record) };
  },
});

const get = route({
  method: 'GET',
  url: '/users/:id',
  summary: 'Get a user',
  tag: TAG,
  scopes: ['read:users', 'read:user_idp_tokens'],
  currentUser: { scopes: ['read:current_user'], user: { param: 'id' } },
  schema: { params: IdParam, querystring: UserFieldsQuery, response: { 200: User } },
  async handler(ctx) {
    const user = await loadUser(ctx.deps.storage, ctx.tenant.id, ctx.params.id);
    return { status: 200, body: projection(ctx.query.fields, ctx.query.include_fields)(renderUser(user)) };
  },
});

const remove = route({
  method: 'DELETE',
  url: '/users/:id',
  summary: 'Delete a user',
  tag: TAG,
  scopes: ['delete:users'],
  currentUser: { scopes: ['delete:current_user'], user: { param: 'id' } },
  schema: { params: IdParam },
  async handler(ctx) {
    // Idempotent (spec §8): 204 for a user already gone. Its sessions, refresh tokens and device
    // credentials go with it, in the same transaction.
    const { id } = ctx.params;
    await refuseAdmins(ctx.deps.storage, ctx.tenant.id, [id]);
    const at = isoNow(ctx.deps.clock);
    await ctx.deps.storage.transaction(async (tx) => {
      await tx.users.remove(ctx.tenant.id, id);
      await forgetUser(tx, ctx.tenant.id, id, at);
    });
    return { status: 204, contentType: JSON_TYPE };
  },
});

const enrollments = route({
  method: 'GET',
  url: '/users/:id/enrollments',
  summary: "Get a user's Guardian enrollments",
  tag: TAG,
  scopes: ['read:users'],
  currentUser: { scopes: ['read:current_user'], user: { param: 'id' } },
  schema: { params: IdParam, response: { 200: Type.Array(Type.Object({}, { additionalProperties: true })) } },
  async handler(ctx) {
    // No MFA factors are enrolled anywhere yet, so every existing user has none.
    await loadUser(ctx.deps.storage, ctx.tenant.id, ctx.params.id);
    return { status: 200, body: [] };
  },
});

const removeMultifactor = route({
  method: 'DELETE',
  url: '/users/:id/multifactor/:provider',
  summary: "Delete a user's multi-factor provider",
  tag: TAG,
  scopes: ['update:users'],
  // The seed document's table maps this endpoint to delete:current_user_metadata.
  currentUser: { scopes: ['delete:current_user_metadata'], user: { param: 'id' } },
  schema: { params: MultifactorParams },
  async handler(ctx) {
    await loadUser(ctx.deps.storage, ctx.tenant.id, ctx.params.id);
    await refuseAdmins(ctx.deps.storage, ctx.tenant.id, [ctx.params.id]);
    return { status: 204, contentType: JSON_TYPE };
  },
});

const invalidateRememberBrowser = route({
  method: 'POST',
  url: '/users/:id/multifactor/actions/invalidate-remember-browser',
  summary: 'Invalidate all remembered browsers for MFA',
  tag: TAG,
  scopes: ['update:users'],
  bodyOptional: true,
  schema: { params: IdParam },
  async handler(ctx) {
    // Nothing remembers a browser for MFA yet; the user must exist all the same.
    await loadUser(ctx.deps.storage, ctx.tenant.id, ctx.params.id);
    await refuseAdmins(ctx.deps.storage, ctx.tenant.id, [ctx.params.id]);
    return { status: 204, contentType: JSON_TYPE };
  },
});

export const userRoutes = [
  ...userSearchRoutes,
  create,
  get,
  ...userPatchRoutes,
  remove,
  ...userIdentityRoutes,
  enrollments,
  removeMultifactor,
  invalidateRememberBrowser,
];
